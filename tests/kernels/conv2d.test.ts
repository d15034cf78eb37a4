import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, assertSameBits, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/conv2d.js';
import { ConfigError } from '../../src/errors.js';
import { type Conv2dArgs, FUSED_ACTIVATION, type Kernels } from '../../src/backend/kernels.js';
import { relu6Forward } from '../reference/elementwise.js';
import { type Padding, resolvePadding2d } from '../../src/window.js';

const rng = random(3);

function geometry(batch: number, [inH, inW]: [number, number], inC: number, outC: number,
  [kH, kW]: [number, number], [strideH, strideW]: [number, number], padding: Padding): Conv2dArgs {
  const g = resolvePadding2d([inH, inW], [kH, kW], [strideH, strideW], padding, 'test');
  return [batch, inH, inW, inC, g.outHeight, g.outWidth, outC, kH, kW, strideH, strideW, g.top, g.left];
}

/** Odd channel counts so SIMD tails run; windows that do not fit the padded input are drawn again. */
function randomGeometry(): Conv2dArgs {
  for (;;) {
    const channels = () => rng.pick([1, 3, 5, 7, rng.int(1, 20)]);
    const padding: Padding = rng.pick<Padding>(['valid', 'same', 'full',
      [rng.int(0, 3), rng.int(0, 3), rng.int(0, 3), rng.int(0, 3)]]);
    try {
      return geometry(rng.pick([1, 1, 2, 3]), [rng.int(1, 12), rng.int(1, 12)], channels(), channels(),
        [rng.int(1, 5), rng.int(1, 5)], [rng.int(1, 3), rng.int(1, 3)], padding);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
  }
}

const geometries: Conv2dArgs[] = [
  ...Array.from({ length: 110 }, randomGeometry),
  geometry(1, [5, 5], 3, 4, [1, 1], [1, 1], 'valid'), // pointwise
  geometry(3, [7, 6], 17, 5, [1, 1], [1, 1], 'valid'),
  geometry(1, [9, 9], 1, 1, [1, 1], [2, 2], 'valid'), // 1×1 but strided
  geometry(2, [28, 28], 16, 32, [3, 3], [1, 1], 'same'),
  geometry(2, [12, 12], 20, 7, [5, 5], [1, 1], 'full'),
  geometry(2, [11, 13], 5, 9, [2, 4], [3, 2], [0, 3, 2, 1]),
  geometry(2, [28, 28], 1, 8, [5, 5], [1, 1], 'same'), // LeNet's layers: full 8-channel panels
  geometry(2, [14, 14], 8, 16, [5, 5], [1, 1], 'same'),
  geometry(2, [9, 10], 12, 12, [3, 3], [1, 1], 'same'), // a half panel of 4 channels
  geometry(1, [9, 9], 4, 20, [3, 3], [2, 2], [3, 3, 0, 1]), // more padding than the kernel: a negative frame pad in backward input
  // Images large enough that the backward filter walks their rows in chunks: dy packed, dy read in
  // place (few taps), and a kernel shorter than its stride.
  geometry(1, [44, 41], 16, 32, [3, 3], [1, 1], 'same'),
  geometry(1, [40, 37], 16, 96, [1, 1], [1, 1], 'valid'),
  geometry(1, [80, 75], 8, 64, [1, 1], [2, 2], 'valid'),
];

const sizes = (g: Conv2dArgs) => ({
  x: g[0] * g[1] * g[2] * g[3], y: g[0] * g[4] * g[5] * g[6], filter: g[7] * g[8] * g[3] * g[6],
});

/** activation: a FUSED_ACTIVATION code. */
function forward(k: Kernels, x: Float32Array, filter: Float32Array, bias: Float32Array | undefined, g: Conv2dArgs,
  activation: number = FUSED_ACTIVATION.none) {
  const inputs = bias ? [x, filter, bias] : [x, filter];
  return withBuffers(inputs, [sizes(g).y, k.conv2dScratchBytes(...g) / 4], ([px, pf, pb], [py, scratch]) =>
    k.conv2dForward(px, pf, pb ?? 0, py, scratch, activation, ...g))[0];
}

function backwardInput(k: Kernels, dy: Float32Array, filter: Float32Array, g: Conv2dArgs) {
  return withBuffers([dy, filter], [sizes(g).x, k.conv2dScratchBytes(...g) / 4], ([pdy, pf], [pdx, scratch]) =>
    k.conv2dBackwardInput(pdy, pf, pdx, scratch, ...g))[0];
}

function backwardFilter(k: Kernels, x: Float32Array, dy: Float32Array, withBias: boolean, g: Conv2dArgs) {
  const [dFilter, dBias] = withBuffers([x, dy], [sizes(g).filter, g[6], k.conv2dScratchBytes(...g) / 4],
    ([px, pdy], [pdf, pdb, scratch]) => k.conv2dBackwardFilter(px, pdy, pdf, withBias ? pdb : 0, scratch, ...g));
  return { dFilter, dBias };
}

const describe = (g: Conv2dArgs) =>
  `[${g.slice(0, 4)}] ${g[7]}×${g[8]}→${g[6]} stride ${g[9]},${g[10]} pad ${g[11]},${g[12]} out ${g[4]}×${g[5]}`;

const dot = (a: Float32Array, b: Float32Array) => a.reduce((sum, v, i) => sum + v * b[i], 0);

test('reference: a hand-computed 2×2 convolution', () => {
  const x = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  const g = geometry(1, [3, 3], 1, 1, [2, 2], [1, 1], 'valid');
  assert.equal([...ref.conv2dForward(x, Float32Array.from([1, 0, 0, 1]), Float32Array.from([10]), g)], [16, 18, 22, 24]);
});

test('reference: the backward passes are the adjoints of the forward pass', () => {
  for (const g of geometries.slice(0, 30)) {
    const n = sizes(g);
    const x = rng.array(n.x), filter = rng.array(n.filter), dy = rng.array(n.y);
    const forwardDot = dot(dy, ref.conv2dForward(x, filter, undefined, g));
    assert.ok(Math.abs(dot(ref.conv2dBackwardInput(dy, filter, g), x) - forwardDot) < 1e-3, describe(g));
    assert.ok(Math.abs(dot(ref.conv2dBackwardFilter(x, dy, g).dFilter, filter) - forwardDot) < 1e-3, describe(g));
  }
});

test(`conv2dForward matches the reference on ${geometries.length} geometries, with and without bias and ReLU`, async () => {
  const k = await kernels();
  for (const [i, g] of geometries.entries()) {
    const n = sizes(g);
    const x = rng.array(n.x), filter = rng.array(n.filter), bias = i % 2 ? rng.array(g[6]) : undefined, relu = i % 3 === 0;
    assertClose(forward(k, x, filter, bias, g, relu ? FUSED_ACTIVATION.relu : FUSED_ACTIVATION.none), ref.conv2dForward(x, filter, bias, g, relu), 1e-4,
      `forward${relu ? ' relu' : ''} ${describe(g)}`);
  }
});

test(`conv2dForward with ReLU6 (the FUSED_ACTIVATION code) is relu6 of the reference on ${geometries.length} geometries`, async () => {
  const k = await kernels();
  let capped = 0;
  for (const [i, g] of geometries.entries()) {
    const n = sizes(g);
    // Inputs up to ±4, so that sums of a few taps pass 6 and the cap is tested.
    const x = rng.array(n.x, -4, 4), filter = rng.array(n.filter), bias = i % 2 ? rng.array(g[6], -3, 3) : undefined;
    const plain = ref.conv2dForward(x, filter, bias, g);
    capped += plain.filter((v) => v > 6).length;
    assertClose(forward(k, x, filter, bias, g, FUSED_ACTIVATION.relu6), relu6Forward(plain), 1e-4, `forward relu6 ${describe(g)}`);
  }
  assert.ok(capped > 1000, `only ${capped} outputs above 6: the cap is hardly tested`);
});

test(`conv2dBackwardInput matches the reference on ${geometries.length} geometries`, async () => {
  const k = await kernels();
  for (const g of geometries) {
    const n = sizes(g);
    const dy = rng.array(n.y), filter = rng.array(n.filter);
    assertClose(backwardInput(k, dy, filter, g), ref.conv2dBackwardInput(dy, filter, g), 1e-4, `backward input ${describe(g)}`);
  }
});

test(`conv2dBackwardFilter matches the reference on ${geometries.length} geometries, with and without dBias`, async () => {
  const k = await kernels();
  for (const [i, g] of geometries.entries()) {
    const n = sizes(g);
    const x = rng.array(n.x), dy = rng.array(n.y);
    const got = backwardFilter(k, x, dy, i % 2 === 1, g), expected = ref.conv2dBackwardFilter(x, dy, g);
    assertClose(got.dFilter, expected.dFilter, 1e-4, `backward filter ${describe(g)}`);
    if (i % 2) assertClose(got.dBias, expected.dBias, 1e-4, `backward bias ${describe(g)}`);
    else assert.ok(got.dBias.every(Number.isNaN), 'dBias = 0 means absent: nothing is written');
  }
});

test('a kernel covering the whole padded input gives a 1×1 output', async () => {
  const k = await kernels();
  for (const g of [
    geometry(2, [4, 5], 3, 6, [6, 9], [1, 1], [1, 1, 2, 2]),
    geometry(1, [3, 3], 7, 5, [5, 5], [2, 3], 1),
    geometry(3, [5, 2], 2, 3, [5, 2], [3, 3], 'valid'),
  ]) {
    assert.equal([g[4], g[5]], [1, 1], describe(g));
    const n = sizes(g);
    const x = rng.array(n.x), filter = rng.array(n.filter), dy = rng.array(n.y), bias = rng.array(g[6]);
    assertClose(forward(k, x, filter, bias, g), ref.conv2dForward(x, filter, bias, g), 1e-4, `forward ${describe(g)}`);
    assertClose(backwardInput(k, dy, filter, g), ref.conv2dBackwardInput(dy, filter, g), 1e-4, `backward input ${describe(g)}`);
    assertClose(backwardFilter(k, x, dy, true, g).dFilter, ref.conv2dBackwardFilter(x, dy, g).dFilter, 1e-4, `backward filter ${describe(g)}`);
  }
});

test('conv2dForwardMaxPool is conv2dForward then a 2×2 max pooling at stride 2, the same bits and argmax', async () => {
  const k = await kernels();
  // Output channels in whole f32x4 (and a half panel of 4); odd output sizes leave a row or column no window takes.
  const pooled = [...geometries.map((g): Conv2dArgs => [...g.slice(0, 6), 4 * rng.int(1, 6), ...g.slice(7)] as Conv2dArgs),
    geometry(2, [28, 28], 1, 8, [5, 5], [1, 1], 'same'), geometry(2, [9, 10], 12, 12, [3, 3], [1, 1], 'same'),
    // One input channel: read as row pairs, frames whose width is not a multiple of 4, uneven pads.
    geometry(3, [13, 11], 1, 12, [5, 4], [1, 1], 'valid'), geometry(2, [10, 7], 1, 20, [3, 3], [1, 1], [2, 0, 1, 3])];
  pooled.forEach((g, i) => {
    const n = sizes(g), [batch, , , , outH, outW, outC] = g;
    const pooledFloats = batch * (outH >> 1) * (outW >> 1) * outC;
    const pool = [batch, outH, outW, outC, outH >> 1, outW >> 1, 2, 2, 2, 2, 0, 0] as const;
    const x = rng.array(n.x), filter = rng.array(n.filter), bias = rng.array(outC);
    const activation = [FUSED_ACTIVATION.none, FUSED_ACTIVATION.relu, FUSED_ACTIVATION.relu6][i % 3];
    const scratch = k.conv2dScratchBytes(...g) / 4, withArgmax = i % 4 !== 3;
    const [y, argmax] = withBuffers([x, filter, bias], [pooledFloats, pooledFloats, scratch], ([px, pf, pb], [py, pa, ps]) =>
      k.conv2dForwardMaxPool(px, pf, pb, py, withArgmax ? pa : 0, ps, activation, ...g));
    const [, expectedY, expectedArgmax] = withBuffers([x, filter, bias], [n.y, pooledFloats, pooledFloats, scratch], ([px, pf, pb], [pc, py, pa, ps]) => {
      k.conv2dForward(px, pf, pb, pc, ps, activation, ...g);
      k.maxPoolForward(pc, py, pa, ...pool);
    });
    assertSameBits(y, expectedY, `pooled output ${g}`);
    if (withArgmax) assertSameBits(argmax, expectedArgmax, `argmax ${g}`);
    else assert.ok(argmax.every((v) => Number.isNaN(v)), 'argmax 0: nothing written');
  });
});

test('conv2dForwardMaxPool of one-channel images (read as row pairs) sets up nothing per call but its packed filter and bias', async () => {
  // A job pays each call's set-up once per slice (a batch is 16 slices on two threads, one on one
  // thread): on an empty batch the call writes no more of its scratch than the packed panels.
  const k = await kernels();
  for (const g of [geometry(0, [28, 28], 1, 8, [5, 5], [1, 1], 'same'), geometry(0, [13, 11], 1, 12, [5, 4], [1, 1], 'valid')]) {
    const [, , , , , , outC, kH, kW] = g;
    const packedFloats = (kH * kW + 1) * Math.ceil(outC / 8) * 8;
    const [scratch] = withBuffers([new Float32Array(kH * kW * outC), new Float32Array(outC)], [k.conv2dScratchBytes(...g) / 4, 0, 0],
      ([pf, pb], [ps, py, pa]) => k.conv2dForwardMaxPool(0, pf, pb, py, pa, ps, FUSED_ACTIVATION.relu, ...g));
    const written = scratch.filter((v) => !Number.isNaN(v)).length;
    assert.ok(written <= packedFloats, `${g}: ${written} floats of scratch written, expected at most the ${packedFloats} of the packed filter and bias`);
  }
});

test('conv2dForwardMaxPool traps rather than write past its output when the channels are not whole f32x4', async () => {
  const k = await kernels();
  const g = geometry(1, [6, 6], 2, 6, [3, 3], [1, 1], 'same');
  assert.throws(() => withBuffers([rng.array(72), rng.array(108)], [54, 54, k.conv2dScratchBytes(...g) / 4],
    ([px, pf], [py, pa, ps]) => k.conv2dForwardMaxPool(px, pf, 0, py, pa, ps, 0, ...g)), (e: Error) => e instanceof WebAssembly.RuntimeError);
});

test('results are bit-identical from run to run', async () => {
  const k = await kernels();
  const g = geometry(3, [20, 20], 7, 9, [3, 3], [1, 1], 'same');
  const n = sizes(g);
  const x = rng.array(n.x), filter = rng.array(n.filter), dy = rng.array(n.y);
  assertClose(forward(k, x, filter, undefined, g), forward(k, x, filter, undefined, g), 0, 'forward');
  assertClose(backwardInput(k, dy, filter, g), backwardInput(k, dy, filter, g), 0, 'backward input');
  assertClose(backwardFilter(k, x, dy, true, g).dFilter, backwardFilter(k, x, dy, true, g).dFilter, 0, 'backward filter');
});

test.run();
