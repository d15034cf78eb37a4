// The augmentation kernels against their plain references on random shapes (odd sizes included).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/augment.js';

const rng = random(31);

test('gaussianNoise matches the reference stream on 100 lengths and seeds, odd lengths included; in place too', async () => {
  const k = await kernels();
  for (let run = 0; run < 100; run++) {
    const n = run < 9 ? run + 1 : rng.int(1, 5000);
    const stddev = rng.pick([0, 0.1, 1, rng.next() * 3]);
    const seed = rng.pick([0, 1, 0xffffffff, rng.int(0, 0xffffffff)]);
    const x = rng.array(n, -2, 2);
    const [y] = withBuffers([x], [n], ([px], [py]) => k.gaussianNoise(px, py, n, stddev, seed));
    assertClose(y, ref.gaussianNoise(x, stddev, seed), 1e-4, `n=${n} stddev=${stddev} seed=${seed}`);
    const [inPlace] = withBuffers([], [x], ([], [p]) => k.gaussianNoise(p, p, n, stddev, seed));
    assertClose(inPlace, y, 0, `in place n=${n}`);
  }
});

test('gaussianNoise draws a standard normal: mean 0, stddev as asked, differing by seed', async () => {
  const k = await kernels();
  const n = 200001;
  const [a, b] = withBuffers([], [new Float32Array(n), new Float32Array(n)], ([], [pa, pb]) => {
    k.gaussianNoise(pa, pa, n, 0.5, 7);
    k.gaussianNoise(pb, pb, n, 0.5, 8);
  });
  const mean = a.reduce((s, v) => s + v, 0) / n;
  const sd = Math.sqrt(a.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
  assert.ok(Math.abs(mean) < 0.005 && Math.abs(sd - 0.5) < 0.005, `mean ${mean}, stddev ${sd}`);
  assert.ok(a.filter((v) => Math.abs(v) > 1.5).length / n < 0.005, 'beyond 3 standard deviations: rare');
  assert.not.equal(a.slice(0, 8), b.slice(0, 8));
});

test('flipImages matches the reference on 60 random shapes, every flip', async () => {
  const k = await kernels();
  for (let run = 0; run < 60; run++) {
    const batch = rng.int(1, 6), height = rng.int(1, 9), width = rng.int(1, 9), channels = rng.pick([1, 2, 3, 4, 5, 7, 8]);
    const x = rng.array(batch * height * width * channels);
    const flips = Int32Array.from({ length: batch }, () => rng.int(0, 3));
    const [y] = withBuffers([x, flips], [x.length], ([px, pf], [py]) => k.flipImages(px, py, pf, batch, height, width, channels));
    assertClose(y, ref.flipImages(x, flips, batch, height, width, channels), 0, `${batch}×${height}×${width}×${channels} flips ${flips}`);
  }
});

test.run();
