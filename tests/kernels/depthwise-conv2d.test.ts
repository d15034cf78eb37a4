import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/depthwise-conv2d.js';
import { ConfigError } from '../../src/errors.js';
import { FUSED_ACTIVATION, type DepthwiseConv2dArgs, type Kernels } from '../../src/backend/kernels.js';
import { type Padding, resolvePadding2d } from '../../src/window.js';

const rng = random(5);
const { depthwiseSizes: sizes } = ref;

function geometry(batch: number, [inH, inW]: [number, number], channels: number, dm: number,
  [kH, kW]: [number, number], [strideH, strideW]: [number, number], padding: Padding, [dilationH, dilationW]: [number, number] = [1, 1]): DepthwiseConv2dArgs {
  const g = resolvePadding2d([inH, inW], [kH, kW], [strideH, strideW], padding, 'test', [dilationH, dilationW]);
  return [batch, inH, inW, channels, g.outHeight, g.outWidth, dm, kH, kW, strideH, strideW, g.top, g.left, dilationH, dilationW];
}

/**
 * Odd sizes and channel counts so the SIMD tails run, every padding, strides and dilations 1–3 (the
 * kernels take both at once, though the layers refuse that as Keras does), depth multipliers 1–3;
 * windows that do not fit the padded input are drawn again.
 */
function randomGeometry(): DepthwiseConv2dArgs {
  for (;;) {
    const padding: Padding = rng.pick<Padding>(['valid', 'same', 'full', rng.int(0, 2),
      [rng.int(0, 3), rng.int(0, 3), rng.int(0, 3), rng.int(0, 3)]]);
    const kernel = (): number => rng.pick([1, 2, 3, 3, 3, 5]);
    try {
      return geometry(rng.pick([1, 1, 2, 3]), [rng.int(1, 14), rng.int(1, 14)], rng.pick([1, 3, 4, 5, 7, 8, 12, 13, rng.int(1, 24)]),
        rng.pick([1, 1, 1, 2, 3]), [kernel(), kernel()], [rng.int(1, 3), rng.int(1, 3)], padding, [rng.pick([1, 1, 2, 3]), rng.pick([1, 1, 2, 3])]);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
  }
}

const geometries: DepthwiseConv2dArgs[] = [
  ...Array.from({ length: 120 }, randomGeometry),
  // MobileNet's windows: 3×3, stride 1 and 2, 'same' and 'valid', channel counts a multiple of 4 and not,
  // rows long enough for blocks of four outputs and a remainder.
  geometry(2, [9, 11], 16, 1, [3, 3], [1, 1], 'same'),
  geometry(2, [10, 13], 16, 1, [3, 3], [2, 2], 'same'),
  geometry(1, [12, 12], 32, 1, [3, 3], [2, 2], 'valid'),
  geometry(3, [7, 9], 19, 1, [3, 3], [1, 1], 'valid'),
  geometry(1, [14, 14], 24, 1, [3, 3], [1, 2], [0, 1, 0, 1]), // ZeroPadding2D [[0, 1], [0, 1]] then 'valid'
  geometry(2, [11, 10], 6, 1, [3, 3], [2, 1], 'same'),
  geometry(1, [7, 9], 256, 1, [3, 3], [1, 1], 'same'), // pixels 1 KB apart: pairs of outputs instead of blocks
  geometry(1, [9, 11], 20, 1, [3, 3], [3, 3], 'same'), // pairs at stride 3, sixteen channels and a tail of four
  geometry(1, [8, 8], 8, 2, [3, 3], [1, 1], 'same'), // depthMultiplier 2
  geometry(1, [9, 9], 5, 3, [3, 3], [2, 2], 'same'),
  geometry(2, [13, 12], 12, 1, [3, 3], [1, 1], 'same', [2, 2]), // dilated
  geometry(1, [9, 9], 4, 1, [5, 5], [1, 1], 'same'),
  geometry(1, [6, 6], 3, 1, [3, 3], [1, 1], 'full'),
  geometry(1, [5, 5], 9, 1, [3, 3], [1, 1], 3), // more padding than the kernel reaches: a negative pad in backward input
];

function forward(k: Kernels, x: Float32Array, filter: Float32Array, bias: Float32Array | undefined, g: DepthwiseConv2dArgs, activation: ref.FusedActivation) {
  const inputs = bias ? [x, filter, bias] : [x, filter];
  return withBuffers(inputs, [sizes(g).y], ([px, pf, pb], [py]) =>
    k.depthwiseConv2dForward(px, pf, pb ?? 0, py, FUSED_ACTIVATION[activation === 'linear' ? 'none' : activation], ...g))[0];
}

function backwardInput(k: Kernels, dy: Float32Array, filter: Float32Array, g: DepthwiseConv2dArgs) {
  return withBuffers([dy, filter], [sizes(g).x, g[7] * g[8] * g[3]], ([pdy, pf], [pdx, scratch]) =>
    k.depthwiseConv2dBackwardInput(pdy, pf, pdx, scratch, ...g))[0];
}

function backwardFilter(k: Kernels, x: Float32Array, dy: Float32Array, withBias: boolean, g: DepthwiseConv2dArgs) {
  const [dFilter, dBias] = withBuffers([x, dy], [sizes(g).filter, sizes(g).outChannels],
    ([px, pdy], [pdf, pdb]) => k.depthwiseConv2dBackwardFilter(px, pdy, pdf, withBias ? pdb : 0, ...g));
  return { dFilter, dBias };
}

const describe = (g: DepthwiseConv2dArgs) =>
  `[${g.slice(0, 4)}] ${g[7]}×${g[8]}×${g[6]} stride ${g[9]},${g[10]} pad ${g[11]},${g[12]} dilation ${g[13]},${g[14]} out ${g[4]}×${g[5]}`;

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i], 0);

test('reference: a hand-computed depthwise convolution, depthMultiplier 2 in TensorFlow\'s channel order', () => {
  // Two channels, 2×2 input, 1×2 kernel, depthMultiplier 2: output channel c·2 + m reads channel c.
  const x = Float32Array.from([1, 10, 2, 20, 3, 30, 4, 40]);
  const filter = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]); // [ky 0][kx][c][m]
  const g = geometry(1, [2, 2], 2, 2, [1, 2], [1, 1], 'valid');
  // Row 0: c0 = 1·1 + 2·5, 1·2 + 2·6; c1 = 10·3 + 20·7, 10·4 + 20·8. Row 1 likewise with 3, 4 and 30, 40.
  assert.equal([...ref.depthwiseConv2dForward(x, filter, undefined, g)], [11, 14, 170, 200, 23, 30, 370, 440]);
  const dilated = geometry(1, [1, 3], 1, 1, [1, 2], [1, 1], 'valid', [1, 2]);
  assert.equal([...ref.depthwiseConv2dForward(Float32Array.from([1, 2, 3]), Float32Array.from([10, 100]), undefined, dilated)], [310]);
});

test('reference: the backward passes are the adjoints of the forward pass', () => {
  for (const g of geometries.slice(0, 30)) {
    const n = sizes(g);
    const x = rng.array(n.x), filter = rng.array(n.filter), dy = rng.array(n.y);
    const forwardDot = dot(dy, ref.depthwiseConv2dForward(x, filter, undefined, g));
    assert.ok(Math.abs(dot(ref.depthwiseConv2dBackwardInput(dy, filter, g), x) - forwardDot) < 1e-3, describe(g));
    assert.ok(Math.abs(dot(ref.depthwiseConv2dBackwardFilter(x, dy, g).dFilter, filter) - forwardDot) < 1e-3, describe(g));
  }
});

test(`depthwiseConv2dForward matches the reference on ${geometries.length} geometries, with and without bias, ReLU and ReLU6`, async () => {
  const k = await kernels();
  for (const [i, g] of geometries.entries()) {
    const n = sizes(g);
    // Values up to ±4 so that ReLU6 clips some outputs.
    const x = rng.array(n.x, -4, 4), filter = rng.array(n.filter), bias = i % 2 ? rng.array(n.outChannels) : undefined;
    const activation = (['linear', 'relu', 'relu6'] as const)[i % 3];
    assertClose(forward(k, x, filter, bias, g, activation), ref.depthwiseConv2dForward(x, filter, bias, g, activation), 1e-4,
      `forward ${activation} ${describe(g)}`);
  }
});

test(`depthwiseConv2dBackwardInput matches the reference on ${geometries.length} geometries`, async () => {
  const k = await kernels();
  for (const g of geometries) {
    const n = sizes(g);
    const dy = rng.array(n.y), filter = rng.array(n.filter);
    assertClose(backwardInput(k, dy, filter, g), ref.depthwiseConv2dBackwardInput(dy, filter, g), 1e-4, `backward input ${describe(g)}`);
  }
});

test(`depthwiseConv2dBackwardFilter matches the reference on ${geometries.length} geometries, with and without dBias`, async () => {
  const k = await kernels();
  for (const [i, g] of geometries.entries()) {
    const n = sizes(g);
    const x = rng.array(n.x), dy = rng.array(n.y);
    const got = backwardFilter(k, x, dy, i % 2 === 1, g), expected = ref.depthwiseConv2dBackwardFilter(x, dy, g);
    assertClose(got.dFilter, expected.dFilter, 1e-4, `backward filter ${describe(g)}`);
    if (i % 2) assertClose(got.dBias, expected.dBias, 1e-4, `backward bias ${describe(g)}`);
    else assert.ok(got.dBias.every(Number.isNaN), 'dBias = 0 means absent: nothing is written');
  }
});

test('results are bit-identical from run to run', async () => {
  const k = await kernels();
  const g = geometry(3, [20, 19], 13, 1, [3, 3], [1, 1], 'same');
  const n = sizes(g);
  const x = rng.array(n.x), filter = rng.array(n.filter), dy = rng.array(n.y);
  assertClose(forward(k, x, filter, undefined, g, 'linear'), forward(k, x, filter, undefined, g, 'linear'), 0, 'forward');
  assertClose(backwardInput(k, dy, filter, g), backwardInput(k, dy, filter, g), 0, 'backward input');
  assertClose(backwardFilter(k, x, dy, true, g).dFilter, backwardFilter(k, x, dy, true, g).dFilter, 0, 'backward filter');
});

test.run();
