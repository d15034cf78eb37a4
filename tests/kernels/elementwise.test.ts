import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/elementwise.js';

const rng = random(1);
// Lengths around multiples of 4 so the SIMD body and every tail length run.
const lengths = [1, 2, 3, 4, 5, 7, 8, 9, 15, 16, 17, 31, 64, 100, 1023, ...Array.from({ length: 90 }, () => rng.int(1, 3000))];
// [rows, cols] matrices, cols of every residue mod 4.
const matrices = Array.from({ length: 105 }, (_, i) => [rng.int(1, 40), i < 8 ? i + 1 : rng.int(1, 300)]);

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

// Inputs reach far into both saturated ends, and the limits themselves.
const activations = [
  ['tanh', ref.tanhForward, ref.tanhBackward],
  ['sigmoid', ref.sigmoidForward, ref.sigmoidBackward],
] as const;
for (const [name, forward, backward] of activations) {
  test(`${name} forward and backward match the reference on 105 lengths`, async () => {
    const k = await kernels();
    const kForward = name === 'tanh' ? k.tanhForward : k.sigmoidForward;
    const kBackward = name === 'tanh' ? k.tanhBackward : k.sigmoidBackward;
    for (const n of lengths) {
      const x = rng.array(n, -12, 12), dy = rng.array(n);
      x[0] = rng.pick([-1e30, -100, 0, 100, 1e30, -Infinity, Infinity]);
      const [y] = withBuffers([x], [n], ([px], [py]) => kForward(px, py, n));
      assertClose(y, forward(x), 1e-6, `${name} forward n=${n}`);
      const [dx] = withBuffers([y, dy], [n], ([py, pdy], [pdx]) => kBackward(py, pdy, pdx, n));
      assertClose(dx, backward(y, dy), 1e-6, `${name} backward n=${n}`);
    }
  });
}

test('multiply, add and fill are exact on 105 lengths', async () => {
  const k = await kernels();
  for (const n of lengths) {
    const a = rng.array(n, -100, 100), b = rng.array(n, -100, 100), value = rng.next() * 10 - 5;
    const [product, sum, filled] = withBuffers([a, b], [n, n, n], ([pa, pb], [pp, ps, pf]) => {
      k.multiply(pa, pb, pp, n);
      k.add(pa, pb, ps, n);
      k.fill(pf, n, value);
    });
    assertClose(product, ref.multiply(a, b), 0, `multiply n=${n}`);
    assertClose(sum, ref.add(a, b), 0, `add n=${n}`);
    assertClose(filled, ref.fill(n, value), 0, `fill n=${n}`);
  }
});

test('multiply and add may write over an input', async () => {
  const k = await kernels();
  const a = rng.array(37), b = rng.array(37);
  const [inPlace] = withBuffers([b], [a], ([pb], [pa]) => {
    k.add(pa, pb, pa, 37);
    k.multiply(pa, pb, pa, 37);
  });
  assertClose(inPlace, ref.multiply(ref.add(a, b), b), 0, 'in place');
});

test('addBias and sumRows match the reference on 105 matrices', async () => {
  const k = await kernels();
  for (const [rows, cols] of matrices) {
    const y = rng.array(rows * cols), bias = rng.array(cols);
    const [biased] = withBuffers([bias], [y], ([pb], [py]) => k.addBias(py, pb, rows, cols));
    assertClose(biased, ref.addBias(y, bias, rows, cols), 0, `addBias ${rows}x${cols}`);
    const [sums] = withBuffers([y], [cols], ([py], [ps]) => k.sumRows(py, rows, cols, ps));
    assertClose(sums, ref.sumRows(y, rows, cols), 1e-5, `sumRows ${rows}x${cols}`);
  }
});

test('dropoutMask matches the reference stream bit for bit', async () => {
  const k = await kernels();
  for (const n of lengths) {
    const rate = rng.pick([0, 0.1, 0.25, 0.5, 0.8, rng.next()]);
    const seed = rng.pick([0, 1, 0xffffffff, rng.int(0, 0xffffffff)]);
    const [mask] = withBuffers([], [n], ([], [pm]) => k.dropoutMask(pm, n, rate, seed));
    assertClose(mask, ref.dropoutMask(n, rate, seed), 0, `dropout n=${n} rate=${rate} seed=${seed}`);
  }
});

test('dropoutMask drops about rate of the elements, differs by seed and keeps the mean', async () => {
  const k = await kernels();
  const n = 100000;
  for (const rate of [0, 0.2, 0.5, 0.9]) {
    const [a, b] = withBuffers([], [n, n], ([], [pa, pb]) => {
      k.dropoutMask(pa, n, rate, 42);
      k.dropoutMask(pb, n, rate, 43);
    });
    const dropped = a.filter((m) => m === 0).length / n;
    assert.ok(Math.abs(dropped - rate) < 0.01, `rate ${rate}: dropped ${dropped}`);
    const mean = a.reduce((s, m) => s + m, 0) / n;
    assert.ok(Math.abs(mean - 1) < 0.03, `rate ${rate}: mean ${mean}`);
    if (rate > 0) assert.ok(a.some((m, i) => m !== b[i]), `rate ${rate}: seeds 42 and 43 gave the same mask`);
  }
});

test('countNonFinite counts NaN (any payload) and ±Infinity, not the largest floats, −0 or subnormals, on 105 lengths', async () => {
  const k = await kernels();
  const special = [NaN, Infinity, -Infinity, new Float32Array(new Uint32Array([0xffc00001]).buffer)[0],
    3.4028234663852886e38, -3.4028234663852886e38, -0, 1e-45];
  for (const n of lengths) {
    const x = rng.array(n);
    for (let j = rng.int(0, Math.min(n, 6)); j > 0; j--) x[rng.int(0, n - 1)] = rng.pick(special);
    let count = -1;
    withBuffers([x], [], ([px]) => { count = k.countNonFinite(px, n); });
    assert.is(count, ref.countNonFinite(x), `n=${n}`);
  }
});

test.run();
