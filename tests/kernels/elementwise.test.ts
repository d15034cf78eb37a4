import { test } from 'uvu';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/elementwise.js';

const rng = random(1);
// Lengths around multiples of 4 so the SIMD body and every tail length run.
const lengths = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 64, 100, 1023, ...Array.from({ length: 90 }, () => rng.int(1, 3000))];

test('relu forward and backward match the reference on 105 lengths', async () => {
  const k = await kernels();
  for (const n of lengths) {
    const x = rng.array(n), dy = rng.array(n);
    const [y] = withBuffers([x], [n], ([px], [py]) => k.reluForward(px, py, n));
    assertClose(y, ref.reluForward(x), 0, `relu forward n=${n}`);
    const [dx] = withBuffers([y, dy], [n], ([py, pdy], [pdx]) => k.reluBackward(py, pdy, pdx, n));
    assertClose(dx, ref.reluBackward(y, dy), 0, `relu backward n=${n}`);
  }
});

test.run();
