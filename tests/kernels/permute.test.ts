import { test } from 'uvu';
import { permuteArgs } from '../../src/layers/permute.js';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/permute.js';

const rng = random(21);

/** A random permutation of 0…n−1. */
function shuffled(n: number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(0, i);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

test('permute matches the reference for every rank 1–4, odd sizes, batches 1–3, 120 cases', async () => {
  const k = await kernels();
  for (let i = 0; i < 120; i++) {
    const rank = 1 + (i % 4);
    const shape = Array.from({ length: rank }, () => rng.int(1, 7));
    const order = shuffled(rank), batch = rng.int(1, 3);
    const n = batch * shape.reduce((a, b) => a * b, 1);
    const x = rng.array(n);
    const [d0, d1, d2, d3, s0, s1, s2, s3] = permuteArgs(shape, order);
    const [y] = withBuffers([x], [n], ([px], [py]) => k.permute(px, py, batch, d0, d1, d2, d3, s0, s1, s2, s3));
    assertClose(y, ref.permute(x, batch, shape, order), 0, `permute [${batch}, ${shape}] by ${order}`);
  }
});

test.run();
