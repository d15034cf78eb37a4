import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Pool2dArgs } from '../../src/backend/kernels.js';
import { resolvePadding2d } from '../../src/window.js';
import { asInt32, assertClose, assertSameBits, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/pool.js';

const rng = random(7);

function randomGeometry(): Pool2dArgs {
  const padding = rng.pick(['valid', 'same'] as const);
  const poolHeight = rng.int(1, 4), poolWidth = rng.int(1, 4);
  const strideHeight = rng.int(1, 3), strideWidth = rng.int(1, 3);
  const inHeight = rng.int(padding === 'valid' ? poolHeight : 1, 12), inWidth = rng.int(padding === 'valid' ? poolWidth : 1, 12);
  const g = resolvePadding2d([inHeight, inWidth], [poolHeight, poolWidth], [strideHeight, strideWidth], padding, 'test');
  return [rng.pick([1, 1, 2, 3]), inHeight, inWidth, rng.pick([1, 3, 4, 5, 8, rng.int(1, 12)]),
    g.outHeight, g.outWidth, poolHeight, poolWidth, strideHeight, strideWidth, g.top, g.left];
}

/**
 * 2×2 windows at stride 2, as most CNNs pool: the kernel's fast path takes those inside the input
 * with channels in whole f32x4 (4, 8, 12), the general walk the rest (odd sizes under 'same' hang
 * over the edge; 6 channels leave a tail).
 */
function commonGeometries(): Pool2dArgs[] {
  return [4, 8, 12, 6].flatMap((channels) => [[2, 8, 8], [1, 9, 7], [3, 14, 14], [1, 2, 2]].flatMap(([batch, inHeight, inWidth]) =>
    (['valid', 'same'] as const).map((padding): Pool2dArgs => {
      const g = resolvePadding2d([inHeight, inWidth], [2, 2], [2, 2], padding, 'test');
      return [batch, inHeight, inWidth, channels, g.outHeight, g.outWidth, 2, 2, 2, 2, g.top, g.left];
    })));
}

/** Explicit padding [top, bottom, left, right], each less than the window (ONNX pads; also PyTorch's ceil_mode). */
function explicitGeometry(): Pool2dArgs {
  const poolHeight = rng.int(2, 4), poolWidth = rng.int(2, 4), strideHeight = rng.int(1, 3), strideWidth = rng.int(1, 3);
  const padding: [number, number, number, number] = [rng.int(0, poolHeight - 1), rng.int(0, poolHeight - 1), rng.int(0, poolWidth - 1), rng.int(0, poolWidth - 1)];
  const inHeight = rng.int(poolHeight, 12), inWidth = rng.int(poolWidth, 12);
  const g = resolvePadding2d([inHeight, inWidth], [poolHeight, poolWidth], [strideHeight, strideWidth], padding, 'test');
  return [rng.pick([1, 2]), inHeight, inWidth, rng.pick([1, 3, 4, 7]), g.outHeight, g.outWidth, poolHeight, poolWidth, strideHeight, strideWidth, g.top, g.left];
}

const geometries = [...Array.from({ length: 150 }, randomGeometry), ...commonGeometries(), ...Array.from({ length: 40 }, explicitGeometry)];
const size = (g: Pool2dArgs) => ({ in: g[0] * g[1] * g[2] * g[3], out: g[0] * g[4] * g[5] * g[3] });
/** Half the inputs take values from {0, 1, 2} only, so windows are full of ties. */
const input = (n: number, i: number) => (i % 2 ? rng.array(n) : Float32Array.from({ length: n }, () => rng.int(0, 2)));

test('maxPool forward and backward match the reference, ties going to the first in window order', async () => {
  const k = await kernels();
  geometries.forEach((g, i) => {
    const n = size(g), x = input(n.in, i), dy = rng.array(n.out);
    const [y, argmaxBytes] = withBuffers([x], [n.out, n.out], ([px], [py, pa]) => k.maxPoolForward(px, py, pa, ...g));
    const argmax = asInt32(argmaxBytes), expected = ref.maxPoolForward(x, g);
    assertClose(y, expected.y, 0, `maxPool forward y ${g}`);
    assertClose(argmax, expected.argmax, 0, `maxPool forward argmax ${g}`);
    const [yAlone] = withBuffers([x], [n.out], ([px], [py]) => k.maxPoolForward(px, py, 0, ...g));
    assertClose(yAlone, expected.y, 0, `maxPool forward without argmax ${g}`);
    const [dx] = withBuffers([dy, argmax], [n.in], ([pdy, pa], [pdx]) => k.maxPoolBackward(pdy, pa, pdx, 0, ...g));
    assertClose(dx, ref.maxPoolBackward(dy, argmax, n.in), 1e-6, `maxPool backward ${g}`);
  });
});

test('maxPool backward given the pooled output takes the ReLU before it in: the same bits as backward, then reluBackward', async () => {
  const k = await kernels();
  geometries.forEach((g, i) => {
    const n = size(g);
    // A ReLU's output: zeros (ties among them, and windows of nothing but zeros) and positive values.
    const x = input(n.in, i).map((v) => Math.max(0, i % 2 ? v : v - 1)), dy = rng.array(n.out);
    const [, , dxFolded, dxThenRelu] = withBuffers([x, dy], [n.out, n.out, n.in, n.in], ([px, pdy], [py, pa, pFolded, pdx]) => {
      k.maxPoolForward(px, py, pa, ...g);
      k.maxPoolBackward(pdy, pa, pFolded, py, ...g);
      k.maxPoolBackward(pdy, pa, pdx, 0, ...g);
      k.reluBackward(px, pdx, pdx, n.in);
    });
    assertSameBits(dxFolded, dxThenRelu, `maxPool backward with the ReLU folded in ${g}`);
  });
});

test('maxPool on an all-equal window picks its first element, never the padding', async () => {
  const k = await kernels();
  // 3×3 input, 2×2 windows, stride 2, 'same': the last row and column of windows hang over the edge.
  const g: Pool2dArgs = [1, 3, 3, 1, 2, 2, 2, 2, 2, 2, 0, 0];
  const x = new Float32Array(9).fill(-5);
  const [y, argmax] = withBuffers([x], [4, 4], ([px], [py, pa]) => k.maxPoolForward(px, py, pa, ...g));
  assert.equal(Array.from(y), [-5, -5, -5, -5]);
  assert.equal(Array.from(asInt32(argmax)), [0, 2, 6, 8]);
});

for (const average of [0, 1]) {
  test(`${average ? 'average' : 'sum'} pooling forward and backward match the reference`, async () => {
    const k = await kernels();
    geometries.forEach((g, i) => {
      const n = size(g), x = input(n.in, i), dy = rng.array(n.out);
      const [y] = withBuffers([x], [n.out], ([px], [py]) => k.avgPoolForward(px, py, average, ...g));
      assertClose(y, ref.avgPoolForward(x, average === 1, g), 1e-5, `avgPool forward ${g}`);
      const [dx] = withBuffers([dy], [n.in], ([pdy], [pdx]) => k.avgPoolBackward(pdy, pdx, average, ...g));
      assertClose(dx, ref.avgPoolBackward(dy, average === 1, g), 1e-5, `avgPool backward ${g}`);
    });
  });
}

test('average pooling divides by the input elements inside the window (padding not counted)', async () => {
  const k = await kernels();
  // 3×3 of ones, 2×2 windows, stride 2, 'same': a corner window holds a single element.
  const g: Pool2dArgs = [1, 3, 3, 1, 2, 2, 2, 2, 2, 2, 0, 0];
  const [y] = withBuffers([new Float32Array(9).fill(1)], [4], ([px], [py]) => k.avgPoolForward(px, py, 1, ...g));
  assert.equal(Array.from(y), [1, 1, 1, 1]);
});

test('windows lying wholly in padding give 0, argmax −1, and no gradient', async () => {
  const k = await kernels();
  // 2×2 input, 1×1 windows, stride 1, two rows and columns of padding at the top left.
  const g: Pool2dArgs = [1, 2, 2, 2, 4, 4, 1, 1, 1, 1, 2, 2];
  const n = size(g), x = rng.array(n.in), dy = rng.array(n.out);
  const [y, argmaxBytes] = withBuffers([x], [n.out, n.out], ([px], [py, pa]) => k.maxPoolForward(px, py, pa, ...g));
  const argmax = asInt32(argmaxBytes), expected = ref.maxPoolForward(x, g);
  assertClose(argmax, expected.argmax, 0, 'argmax');
  assertClose(y, expected.y, 0, 'max');
  assert.is(argmax[0], -1);
  const [dx] = withBuffers([dy, argmax], [n.in], ([pdy, pa], [pdx]) => k.maxPoolBackward(pdy, pa, pdx, 0, ...g));
  assertClose(dx, ref.maxPoolBackward(dy, argmax, n.in), 0, 'max backward');
  for (const average of [0, 1]) {
    const [mean, dMean] = withBuffers([x, dy], [n.out, n.in], ([px, pdy], [py, pdx]) => {
      k.avgPoolForward(px, py, average, ...g);
      k.avgPoolBackward(pdy, pdx, average, ...g);
    });
    assertClose(mean, ref.avgPoolForward(x, average === 1, g), 1e-6, 'avg');
    assertClose(dMean, ref.avgPoolBackward(dy, average === 1, g), 1e-6, 'avg backward');
  }
});

test.run();
