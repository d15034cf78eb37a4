import { test } from 'uvu';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/gemm.js';

const rng = random(2);
// Sizes around the 4×8 register tile and the cache blocks (256 deep, 128 wide), so every edge path runs.
const edgeSizes = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 70];
const shapes: Array<[number, number, number]> = [
  ...Array.from({ length: 100 }, (): [number, number, number] => [
    rng.pick(edgeSizes), rng.int(1, 70), rng.pick([...edgeSizes, rng.int(1, 70)]),
  ]),
  [1, 1, 1], [70, 70, 70], [4, 600, 8], [5, 300, 263], [33, 257, 520], [300, 1, 9],
];

test('matMul matches the reference on 106 shapes × every transpose and accumulate combination', async () => {
  const k = await kernels();
  for (const [m, depth, n] of shapes) {
    const a = rng.array(m * depth), b = rng.array(depth * n), c = rng.array(m * n);
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const what = `matMul ${m}×${depth}×${n} tA=${transposeA} tB=${transposeB}`;
        const scratch = k.matMulScratchBytes(depth, n) / 4;
        const [product] = withBuffers([a, b], [m * n, scratch], ([pa, pb], [pc, ps]) =>
          k.matMul(pa, pb, pc, ps, m, depth, n, +transposeA, +transposeB, 0));
        assertClose(product, ref.matMul(a, b, m, depth, n, transposeA, transposeB), 1e-4, what);
        const [accumulated] = withBuffers([a, b], [c, scratch], ([pa, pb], [pc, ps]) =>
          k.matMul(pa, pb, pc, ps, m, depth, n, +transposeA, +transposeB, 1));
        assertClose(accumulated, ref.matMul(a, b, m, depth, n, transposeA, transposeB, c), 1e-4, `${what} accumulate`);
      }
    }
  }
});

test('matMul with k = 0 writes zeros, or leaves C when accumulating', async () => {
  const k = await kernels();
  const [zeros] = withBuffers([], [6], ([], [pc]) => k.matMul(0, 0, pc, 0, 2, 0, 3, 0, 0, 0));
  assertClose(zeros, new Float32Array(6), 0, 'k = 0');
  const c = rng.array(6);
  const [kept] = withBuffers([], [c], ([], [pc]) => k.matMul(0, 0, pc, 0, 2, 0, 3, 0, 0, 1));
  assertClose(kept, c, 0, 'k = 0 accumulate');
});

test.run();
