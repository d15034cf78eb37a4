// Winograd F(4×4, r×r) kernels against the exact convolution (tests/reference/conv2d.ts) and the
// filter transform against its definition (tests/reference/winograd.ts). Winograd rounds differently
// from the direct kernel: its error is measured against the largest magnitude of the result, and must
// stay within WINOGRAD_BOUND (README, "Winograd convolution").
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, assertCloseToScale, assertSameBits, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/conv2d.js';
import { winogradConv2d, winogradFilterTransform } from '../reference/winograd.js';
import { ConfigError } from '../../src/errors.js';
import { CONV2D_PASS, type Conv2dArgs, type Kernels } from '../../src/backend/kernels.js';
import { type Padding, resolvePadding2d } from '../../src/window.js';

const rng = random(15);

/**
 * The largest error of a Winograd pass, relative to the largest magnitude of the exact result.
 * Measured on the random shapes below (values uniform in [−1, 1]): 5–7.5e-6 on either build (the
 * direct kernels: 5–9e-7); on the image-like data, 3–8e-7 forward, up to 5e-6 backward.
 */
const WINOGRAD_BOUND = 2e-5;
/** The same for the mean error: measured 2.4–2.7e-7 (the direct kernels: 3e-8). */
const WINOGRAD_MEAN_BOUND = 1e-6;

function geometry(batch: number, [inH, inW]: [number, number], inC: number, outC: number, r: number, padding: Padding): Conv2dArgs {
  const g = resolvePadding2d([inH, inW], [r, r], [1, 1], padding, 'test');
  return [batch, inH, inW, inC, g.outHeight, g.outWidth, outC, r, r, 1, 1, g.top, g.left];
}

/** Odd sizes and channel counts so every tail runs; windows that do not fit the padded input are drawn again. */
function randomGeometry(): Conv2dArgs {
  for (;;) {
    const channels = () => rng.pick([1, 3, 4, 5, 7, 8, 9, rng.int(1, 20)]);
    const padding: Padding = rng.pick<Padding>(['valid', 'same', 'same', 'full', [rng.int(0, 4), rng.int(0, 4), rng.int(0, 4), rng.int(0, 4)]]);
    try {
      return geometry(rng.pick([1, 1, 2, 3]), [rng.int(1, 14), rng.int(1, 14)], channels(), channels(), rng.pick([3, 5]), padding);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
  }
}

const geometries: Conv2dArgs[] = [
  ...Array.from({ length: 110 }, randomGeometry),
  geometry(2, [16, 16], 16, 32, 3, 'same'), // whole tiles, whole panels
  geometry(3, [13, 11], 12, 20, 3, 'same'), // several blocks of tiles across images
  geometry(2, [14, 14], 8, 16, 5, 'same'), // LeNet's second layer
  geometry(1, [5, 5], 3, 4, 5, 'full'),
  geometry(1, [9, 9], 4, 20, 3, [4, 4, 0, 1]), // more padding than the kernel: a negative frame pad in backward input
  geometry(0, [8, 8], 4, 4, 3, 'same'), // an empty batch
];

const sizes = (g: Conv2dArgs) => ({ x: g[0] * g[1] * g[2] * g[3], y: g[0] * g[4] * g[5] * g[6], filter: g[7] * g[8] * g[3] * g[6] });
/** Floats of scratch exactly as one pass asks for it (withBuffers guards its end): not the most of the three passes. */
const scratchFloats = (k: Kernels, pass: keyof typeof CONV2D_PASS, g: Conv2dArgs) => k.conv2dWinogradPassScratchBytes(CONV2D_PASS[pass], ...g) / 4;
const describe = (g: Conv2dArgs) => `[${g.slice(0, 4)}] ${g[7]}×${g[8]}→${g[6]} pad ${g[11]},${g[12]} out ${g[4]}×${g[5]}`;

function transformed(k: Kernels, filter: Float32Array, g: Conv2dArgs, turned: boolean): Float32Array {
  const [ins, outs] = turned ? [g[6], g[3]] : [g[3], g[6]];
  return withBuffers([filter], [k.winogradFilterBytes(g[7], ins, outs) / 4, k.winogradFilterScratchBytes(g[7]) / 4],
    ([pf], [pt, scratch]) => k.winogradFilterTransform(pf, pt, scratch, g[7], g[3], g[6], turned ? 1 : 0))[0];
}

function forward(k: Kernels, x: Float32Array, filter: Float32Array, bias: Float32Array | undefined, g: Conv2dArgs, relu = false) {
  const u = transformed(k, filter, g, false);
  return withBuffers(bias ? [x, u, bias] : [x, u], [sizes(g).y, scratchFloats(k, 'forward', g)], ([px, pu, pb], [py, scratch]) =>
    k.conv2dWinogradForward(px, pu, pb ?? 0, py, scratch, relu ? 1 : 0, ...g))[0];
}

function backwardInput(k: Kernels, dy: Float32Array, filter: Float32Array, g: Conv2dArgs) {
  const u = transformed(k, filter, g, true);
  return withBuffers([dy, u], [sizes(g).x, scratchFloats(k, 'backwardInput', g)], ([pdy, pu], [pdx, scratch]) =>
    k.conv2dWinogradBackwardInput(pdy, pu, pdx, scratch, ...g))[0];
}

function backwardFilter(k: Kernels, x: Float32Array, dy: Float32Array, withBias: boolean, g: Conv2dArgs) {
  const [dFilter, dBias] = withBuffers([x, dy], [sizes(g).filter, g[6], scratchFloats(k, 'backwardFilter', g)],
    ([px, pdy], [pdf, pdb, scratch]) => k.conv2dWinogradBackwardFilter(px, pdy, pdf, withBias ? pdb : 0, scratch, ...g));
  return { dFilter, dBias };
}

/** Largest and mean |got − exact| over the largest |exact|. */
function relativeError(got: Float32Array, exact: Float32Array): { max: number; mean: number } {
  const scale = exact.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  let max = 0, sum = 0;
  got.forEach((v, i) => {
    const e = Math.abs(v - exact[i]);
    max = Math.max(max, e);
    sum += e;
  });
  return scale === 0 ? { max: 0, mean: 0 } : { max: max / scale, mean: sum / got.length / scale };
}

test('reference: F(4×4, r×r) through its transforms is the convolution (f64)', () => {
  for (const g of [geometry(2, [9, 7], 3, 5, 3, 'same'), geometry(1, [11, 6], 4, 2, 5, 'same'), geometry(1, [8, 8], 2, 3, 3, [3, 0, 1, 2])]) {
    const n = sizes(g);
    const x = rng.array(n.x), filter = rng.array(n.filter);
    const through = Float32Array.from(winogradConv2d(x, filter, g[7], g.slice(0, 4), g.slice(4, 7), g[11], g[12]));
    assertClose(through, ref.conv2dForward(x, filter, undefined, g), 1e-6, describe(g));
  }
});

test('winogradFilterTransformInputs over consecutive ranges of input channels writes what winogradFilterTransform writes, bit for bit', async () => {
  const k = await kernels();
  for (let trial = 0; trial < 20; trial++) {
    const r = rng.pick([3, 5]), inC = rng.int(1, 13), outC = rng.int(1, 21), turned = trial % 2;
    const g = geometry(1, [r, r], inC, outC, r, 'valid');
    const filter = rng.array(r * r * inC * outC);
    const whole = transformed(k, filter, g, turned === 1);
    const ins4 = Math.ceil((turned ? outC : inC) / 4) * 4;
    const cut = rng.int(0, ins4);
    const pieces = withBuffers([filter], [whole.length, k.winogradFilterScratchBytes(r) / 4], ([pf], [pt, scratch]) => {
      k.winogradFilterTransformInputs(pf, pt, scratch, r, inC, outC, turned, cut, ins4 - cut);
      k.winogradFilterTransformInputs(pf, pt, scratch, r, inC, outC, turned, 0, cut);
    })[0];
    assertSameBits(pieces, whole, `r ${r} ${inC}→${outC} turned=${turned}, cut at ${cut} of ${ins4}`);
  }
});

test('winogradFilterTransform matches G·g·Gᵀ, packed in panels with zeros past the channels, turned or not', async () => {
  const k = await kernels();
  for (let trial = 0; trial < 40; trial++) {
    const r = rng.pick([3, 5]), inC = rng.int(1, 13), outC = rng.int(1, 21), turned = trial % 2 === 1;
    const g = geometry(1, [r, r], inC, outC, r, 'valid');
    const filter = rng.array(r * r * inC * outC);
    const got = transformed(k, filter, g, turned);
    const expected = winogradFilterTransform(filter, r, inC, outC, turned);
    const [ins, outs] = turned ? [outC, inC] : [inC, outC];
    const ins4 = Math.ceil(ins / 4) * 4, panels = Math.ceil(outs / 8);
    assert.is(got.length, expected.length * panels * ins4 * 8, 'winogradFilterBytes');
    expected.forEach((u, position) => {
      for (let a = 0; a < ins4; a++) {
        for (let b = 0; b < panels * 8; b++) {
          const value = got[((position * panels + (b >> 3)) * ins4 + a) * 8 + (b & 7)];
          const want = a < ins && b < outs ? u[a][b] : 0;
          if (Math.abs(value - want) > 1e-5 * Math.max(1, Math.abs(want))) {
            assert.unreachable(`r ${r} ${inC}→${outC} turned=${turned}: position ${position}, channels ${a}→${b}: got ${value}, expected ${want}`);
          }
        }
      }
    });
  }
});

test(`conv2dWinogradForward matches the exact convolution on ${geometries.length} geometries, with and without bias and ReLU`, async () => {
  const k = await kernels();
  for (const [i, g] of geometries.entries()) {
    const n = sizes(g);
    const x = rng.array(n.x), filter = rng.array(n.filter), bias = i % 2 ? rng.array(g[6]) : undefined, relu = i % 3 === 0;
    assertCloseToScale(forward(k, x, filter, bias, g, relu), ref.conv2dForward(x, filter, bias, g, relu), WINOGRAD_BOUND,
      `forward${relu ? ' relu' : ''} ${describe(g)}`);
  }
});

test(`conv2dWinogradBackwardInput matches the exact gradient on ${geometries.length} geometries`, async () => {
  const k = await kernels();
  for (const g of geometries) {
    const n = sizes(g);
    const dy = rng.array(n.y), filter = rng.array(n.filter);
    assertCloseToScale(backwardInput(k, dy, filter, g), ref.conv2dBackwardInput(dy, filter, g), WINOGRAD_BOUND, `backward input ${describe(g)}`);
  }
});

test(`conv2dWinogradBackwardFilter matches the exact gradient on ${geometries.length} geometries, with and without dBias`, async () => {
  const k = await kernels();
  for (const [i, g] of geometries.entries()) {
    const n = sizes(g);
    const x = rng.array(n.x), dy = rng.array(n.y);
    const got = backwardFilter(k, x, dy, i % 2 === 1, g), expected = ref.conv2dBackwardFilter(x, dy, g);
    assertCloseToScale(got.dFilter, expected.dFilter, WINOGRAD_BOUND, `backward filter ${describe(g)}`);
    if (i % 2) assertClose(got.dBias, expected.dBias, 1e-4, `backward bias ${describe(g)}`);
    else assert.ok(got.dBias.every(Number.isNaN), 'dBias = 0 means absent: nothing is written');
  }
});

test('errors against the exact convolution: within the bounds, on random values and on image-like ones', async () => {
  const k = await kernels();
  const passes = { forward: { max: 0, mean: 0, count: 0 }, 'backward input': { max: 0, mean: 0, count: 0 }, 'backward filter': { max: 0, mean: 0, count: 0 } };
  const record = (pass: keyof typeof passes, e: { max: number; mean: number }) => {
    passes[pass].max = Math.max(passes[pass].max, e.max);
    passes[pass].mean += e.mean;
    passes[pass].count++;
  };
  for (const g of geometries.filter((g) => g[0] > 0)) {
    const n = sizes(g);
    const x = rng.array(n.x), filter = rng.array(n.filter), dy = rng.array(n.y);
    record('forward', relativeError(forward(k, x, filter, undefined, g), ref.conv2dForward(x, filter, undefined, g)));
    record('backward input', relativeError(backwardInput(k, dy, filter, g), ref.conv2dBackwardInput(dy, filter, g)));
    record('backward filter', relativeError(backwardFilter(k, x, dy, false, g).dFilter, ref.conv2dBackwardFilter(x, dy, g).dFilter));
  }
  for (const [pass, { max, mean, count }] of Object.entries(passes)) {
    assert.ok(max <= WINOGRAD_BOUND, `${pass}: largest error ${max} exceeds ${WINOGRAD_BOUND}`);
    assert.ok(mean / count <= WINOGRAD_MEAN_BOUND, `${pass}: mean error ${mean / count} exceeds ${WINOGRAD_MEAN_BOUND}`);
  }
  // Image-like: smooth non-negative pictures, He-initialised filters, and the ReLU maps of one layer as the next one's input.
  for (const [r, inC, outC] of [[3, 3, 16], [3, 16, 32], [5, 1, 8], [5, 8, 16]]) {
    const g = geometry(4, [28, 28], inC, outC, r, 'same');
    const n = sizes(g);
    const x = Float32Array.from({ length: n.x }, (_, i) => {
      const pixel = Math.floor(i / inC), row = Math.floor(pixel / 28) % 28, column = pixel % 28;
      return Math.max(0, Math.sin(row / 3 + (i % inC)) * Math.cos(column / 4) - 0.2);
    });
    const limit = Math.sqrt(6 / (r * r * inC));
    const filter = rng.array(n.filter, -limit, limit);
    const exact = ref.conv2dForward(x, filter, undefined, g, true);
    const forwardError = relativeError(forward(k, x, filter, undefined, g, true), exact);
    const dy = rng.array(n.y, -1e-3, 1e-3).map((v, i) => (exact[i] > 0 ? v : 0));
    const filterError = relativeError(backwardFilter(k, x, dy, false, g).dFilter, ref.conv2dBackwardFilter(x, dy, g).dFilter);
    const inputError = relativeError(backwardInput(k, dy, filter, g), ref.conv2dBackwardInput(dy, filter, g));
    for (const [pass, e] of [['forward', forwardError], ['backward input', inputError], ['backward filter', filterError]] as const) {
      assert.ok(e.max <= WINOGRAD_BOUND && e.mean <= WINOGRAD_MEAN_BOUND, `image-like ${r}×${r} ${inC}→${outC} ${pass}: ${e.max}, mean ${e.mean}`);
    }
  }
});

test('conv2dWinogradForwardMaxPool is the forward pass then a 2×2 max pooling at stride 2, the same bits and argmax', async () => {
  const k = await kernels();
  // Output channels in whole f32x4; odd output sizes leave a row or column no window takes, some tiles hang past the output.
  geometries.map((g): Conv2dArgs => [...g.slice(0, 6), 4 * rng.int(1, 6), ...g.slice(7)] as Conv2dArgs).forEach((g, i) => {
    const n = sizes(g), [batch, , , , outH, outW, outC] = g;
    const pooledFloats = batch * (outH >> 1) * (outW >> 1) * outC;
    const pool = [batch, outH, outW, outC, outH >> 1, outW >> 1, 2, 2, 2, 2, 0, 0] as const;
    const x = rng.array(n.x), u = transformed(k, rng.array(n.filter), g, false), bias = rng.array(outC);
    const activation = i % 3, scratch = scratchFloats(k, 'forward', g), withArgmax = i % 4 !== 3;
    const [y, argmax] = withBuffers([x, u, bias], [pooledFloats, pooledFloats, scratch], ([px, pu, pb], [py, pa, ps]) =>
      k.conv2dWinogradForwardMaxPool(px, pu, pb, py, withArgmax ? pa : 0, ps, activation, ...g));
    const [, expectedY, expectedArgmax] = withBuffers([x, u, bias], [n.y, pooledFloats, pooledFloats, scratch], ([px, pu, pb], [pc, py, pa, ps]) => {
      k.conv2dWinogradForward(px, pu, pb, pc, ps, activation, ...g);
      k.maxPoolForward(pc, py, pa, ...pool);
    });
    assertSameBits(y, expectedY, `pooled output ${describe(g)}`);
    if (withArgmax) assertSameBits(argmax, expectedArgmax, `argmax ${describe(g)}`);
    else assert.ok(argmax.every((v) => Number.isNaN(v)), 'argmax 0: nothing written');
  });
});

test('conv2dWinogradForwardMaxPool traps rather than write past its output when the channels are not whole f32x4', async () => {
  const k = await kernels();
  const g = geometry(1, [8, 8], 8, 6, 3, 'same');
  const u = transformed(k, rng.array(9 * 8 * 6), g, false);
  assert.throws(() => withBuffers([rng.array(512), u], [96, 96, scratchFloats(k, 'forward', g)],
    ([px, pu], [py, pa, ps]) => k.conv2dWinogradForwardMaxPool(px, pu, 0, py, pa, ps, 0, ...g)), (e: Error) => e instanceof WebAssembly.RuntimeError);
});

test('the same bits from run to run, and for a batch whole or example by example', async () => {
  const k = await kernels();
  for (const g of [geometry(3, [13, 11], 12, 20, 3, 'same'), geometry(3, [10, 9], 5, 9, 5, 'same')]) {
    const n = sizes(g);
    const x = rng.array(n.x), filter = rng.array(n.filter), dy = rng.array(n.y), bias = rng.array(g[6]);
    const y = forward(k, x, filter, bias, g, true), dx = backwardInput(k, dy, filter, g);
    assertSameBits(forward(k, x, filter, bias, g, true), y, `forward again ${describe(g)}`);
    assertSameBits(backwardInput(k, dy, filter, g), dx, `backward input again ${describe(g)}`);
    assertSameBits(backwardFilter(k, x, dy, true, g).dFilter, backwardFilter(k, x, dy, true, g).dFilter, `backward filter again ${describe(g)}`);
    const one: Conv2dArgs = [1, ...g.slice(1)] as Conv2dArgs;
    const ones = sizes(one);
    for (let b = 0; b < g[0]; b++) {
      const yb = forward(k, x.subarray(b * ones.x, (b + 1) * ones.x), filter, bias, one, true);
      assertSameBits(yb, y.subarray(b * ones.y, (b + 1) * ones.y), `forward example ${b} ${describe(g)}`);
      const dxb = backwardInput(k, dy.subarray(b * ones.y, (b + 1) * ones.y), filter, one);
      assertSameBits(dxb, dx.subarray(b * ones.x, (b + 1) * ones.x), `backward input example ${b} ${describe(g)}`);
    }
  }
});

test.run();
