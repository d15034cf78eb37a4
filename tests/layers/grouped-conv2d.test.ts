// Conv2D with groups (Keras's): each group of filters reads its own group of channels, the kernel
// [kh, kw, in/groups, filters]. Held against the definition (plain loops, f64) on random shapes —
// strides, every padding, dilations, the 3×3 and 5×5 stride-1 shapes the Winograd kernels take, a
// max pooling run in the same kernel — trained as a grouped convolution (its kernel keeps its shape;
// the same weights as the same groups trained as separate convolutions). Its files: tests/io/grouped-conv2d-files.test.ts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, type Model, init, input, layers, model, sequential, tensor } from '../../src/index.js';
import { resolvePadding2d } from '../../src/window.js';
import { assertClose, assertCloseToScale, random } from '../helpers.js';
import { throwsWith } from '../throws-with.js';

interface Grouped {
  kernel: [number, number];
  strides: [number, number];
  dilation: [number, number];
  padding: 'valid' | 'same' | number;
  groups: number;
}

/** The grouped convolution by its definition: output o sums the taps of its group's channels only. */
function groupedReference(x: Float32Array, [n, h, w, c]: number[], k: Float32Array, bias: Float32Array, filters: number, s: Grouped) {
  const [kh, kw] = s.kernel, [sh, sw] = s.strides, [dh, dw] = s.dilation;
  const { top, left, outHeight, outWidth } = resolvePadding2d([h, w], s.kernel, s.strides, s.padding, 'reference', s.dilation);
  const inPer = c / s.groups, outPer = filters / s.groups;
  const y = new Float32Array(n * outHeight * outWidth * filters);
  for (let b = 0; b < n; b++) for (let oy = 0; oy < outHeight; oy++) for (let ox = 0; ox < outWidth; ox++) for (let o = 0; o < filters; o++) {
    const g = Math.floor(o / outPer);
    let sum = bias[o];
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * sh - top + ky * dh, ix = ox * sw - left + kx * dw;
      if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
      for (let r = 0; r < inPer; r++) sum += x[((b * h + iy) * w + ix) * c + g * inPer + r] * k[((ky * kw + kx) * inPer + r) * filters + o];
    }
    y[((b * outHeight + oy) * outWidth + ox) * filters + o] = sum;
  }
  return { y, shape: [n, outHeight, outWidth, filters] };
}

/** 2×2 max pooling at stride 2 of [n, h, w, c]. */
function pooled(y: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const ph = Math.floor(h / 2), pw = Math.floor(w / 2), out = new Float32Array(n * ph * pw * c);
  for (let b = 0; b < n; b++) for (let py = 0; py < ph; py++) for (let px = 0; px < pw; px++) for (let ch = 0; ch < c; ch++) {
    let best = -Infinity;
    for (let dy = 0; dy < 2; dy++) for (let dx = 0; dx < 2; dx++) best = Math.max(best, y[((b * h + 2 * py + dy) * w + 2 * px + dx) * c + ch]);
    out[((b * ph + py) * pw + px) * c + ch] = best;
  }
  return out;
}

test.before(async () => {
  await init();
});

test('grouped conv2d predicts as its definition: random shapes, strides, paddings, dilations, Winograd shapes, pooled', async () => {
  const rng = random(41);
  for (let i = 0; i < 40; i++) {
    const groups = rng.int(2, 4);
    const winograd = i % 4 === 0;
    const size = winograd ? rng.pick([3, 5]) : rng.int(1, 3);
    const dilated = !winograd && i % 3 === 0;
    const s: Grouped = {
      groups, kernel: winograd ? [size, size] : [size, rng.int(1, 3)],
      strides: winograd || dilated ? [1, 1] : [rng.int(1, 2), rng.int(1, 2)],
      dilation: dilated ? [rng.int(1, 2), 2] : [1, 1],
      padding: rng.pick(['valid', 'same', 1] as const),
    };
    const channels = groups * rng.int(1, 5), filters = groups * rng.int(1, 5) * (i % 5 === 0 ? 4 : 1);
    const shape = [rng.int(1, 3), rng.int(6, 12), rng.int(6, 12), channels];
    const pool = i % 5 === 0;
    const conv = layers.conv2d({ filters, kernelSize: s.kernel, strides: s.strides, dilationRate: s.dilation, padding: s.padding, groups: s.groups });
    const m = sequential({ inputShape: shape.slice(1), seed: i, layers: pool ? [conv, layers.maxPool2d({ poolSize: 2 })] : [conv] });
    const [kernel, bias] = m.getWeights();
    assert.equal(kernel.shape, [...s.kernel, channels / groups, filters], 'Keras\'s kernel shape');
    m.setWeights([rng.array(kernel.size), rng.array(bias.size)]);
    const [k, b] = m.getWeights().map((t) => t.dataSync());
    const x = rng.array(shape.reduce((a, d) => a * d, 1));
    const expected = groupedReference(x, shape, k, b, filters, s);
    const want = pool ? pooled(expected.y, expected.shape) : expected.y;
    const got = m.predict(tensor(x, shape)).dataSync();
    const what = `${JSON.stringify(s)} ${channels}→${filters} on ${shape}${pool ? ', pooled' : ''}`;
    if (winograd) assertCloseToScale(got, want, 1e-4, what);
    else assertClose(got, want, 1e-4, what);
    m.dispose();
  }
});

/** A grouped conv on [6, 6, 4] (2 groups of 2 → 3), then flatten and dense, and the same groups as two convs on channel slices. */
function twins(seed: number): { grouped: Model; split: Model } {
  const head = () => [layers.flatten(), layers.dense({ units: 3, activation: 'softmax' })];
  const grouped = sequential({ inputShape: [6, 6, 4], seed, layers: [layers.conv2d({ filters: 6, kernelSize: 3, groups: 2, activation: 'relu' }), ...head()] });
  const x = input({ shape: [6, 6, 4] });
  const halves = [0, 1].map((g) => layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' })
    .apply(layers.channelSlice({ start: 2 * g, end: 2 * g + 2 }).apply(x)));
  const [flatten, dense] = head();
  const split = model({ inputs: x, outputs: dense.apply(flatten.apply(layers.concatenate().apply(halves))), seed });
  return { grouped, split };
}

test('a grouped conv2d trains as the same groups as separate convolutions do, its kernel [kh, kw, in/groups, filters]', async () => {
  const rng = random(43);
  const { grouped, split } = twins(1);
  // The split model's weights from the grouped one's: group g's kernel is filters 3g … 3g + 2.
  const [k, b, dk, db] = grouped.getWeights().map((t) => t.dataSync());
  const columns = (g: number) => k.filter((_, i) => Math.floor((i % 6) / 3) === g);
  split.setWeights([columns(0), b.slice(0, 3), columns(1), b.slice(3), dk, db]);
  const x = tensor(rng.array(16 * 144), [16, 6, 6, 4]);
  const y = tensor(Float32Array.from({ length: 48 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [16, 3]);
  for (const m of [grouped, split]) m.compile({ optimizer: { type: 'sgd', learningRate: 0.2 }, loss: 'categoricalCrossentropy' });
  await grouped.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false });
  await split.fit(x, y, { epochs: 3, batchSize: 4, shuffle: false });
  const [k2] = grouped.getWeights().map((t) => t.dataSync());
  const [s0, , s1] = split.getWeights().map((t) => t.dataSync());
  assert.is(k2.length, 3 * 3 * 2 * 6);
  const trained = (g: number) => k2.filter((_, i) => Math.floor((i % 6) / 3) === g);
  assertClose(trained(0), s0, 1e-5, 'group 0');
  assertClose(trained(1), s1, 1e-5, 'group 1');
  assert.not.equal(Array.from(trained(0)), Array.from(columns(0)), 'it trained');
});

test('groups that do not divide the filters or the channels are refused when the layer is made or built', () => {
  throwsWith(() => layers.conv2d({ filters: 5, kernelSize: 1, groups: 2 }), ConfigError, 'groups', 'divides the 5 filters');
  throwsWith(() => sequential({ inputShape: [4, 4, 3], layers: [layers.conv2d({ filters: 4, kernelSize: 1, groups: 2 })] }), ConfigError,
    'groups 2 must divide the 3 input channels');
});

test.run();
