// The wasm cos and pow that learning-rate schedules use (so that a rate is the same bits on every
// engine) against JavaScript's, which may differ from them only in the last bit.
import { test } from 'uvu';
import { assertClose, kernels, random } from '../helpers.js';

const rng = random(17);

test('mathCos and mathPow agree with Math.cos and Math.pow to the last bits', async () => {
  const k = await kernels();
  const angles = [0, Math.PI / 2, Math.PI, ...Array.from({ length: 500 }, () => rng.next() * Math.PI)];
  assertClose(angles.map((x) => k.mathCos(x)), angles.map(Math.cos), 1e-15, 'cos');
  const pairs = [[0.5, 0], [0.9, 1], [10, 3], [0.96, 10000], ...Array.from({ length: 500 }, () => [0.5 + rng.next(), rng.next() * 300])];
  const relative = (a: number, e: number) => (a - e) / e;
  assertClose(pairs.map(([b, e]) => relative(k.mathPow(b, e), b ** e)), pairs.map(() => 0), 1e-14, 'pow');
});

test.run();
