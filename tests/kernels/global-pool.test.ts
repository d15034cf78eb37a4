import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { asInt32, assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/global-pool.js';

const rng = random(19);

/** [batch, positions, channels]: odd channel counts so the f32x4 tails run, one position up to a 12×12 map. */
const shapes = Array.from({ length: 150 }, () => [rng.pick([1, 1, 2, 3, 5]), rng.int(1, 12) * rng.int(1, 12),
  rng.pick([1, 2, 3, 4, 5, 7, 8, 9, rng.int(1, 40)])] as const);
/** Half the inputs take values from {0, 1, 2} only, so the maxima tie. */
const input = (n: number, i: number) => (i % 2 ? rng.array(n) : Float32Array.from({ length: n }, () => rng.int(0, 2)));

test('global average pooling forward and backward match the reference', async () => {
  const k = await kernels();
  shapes.forEach(([batch, positions, channels], i) => {
    const x = input(batch * positions * channels, i), dy = rng.array(batch * channels);
    const what = `[${batch}, ${positions}, ${channels}]`;
    const [y] = withBuffers([x], [batch * channels], ([px], [py]) => k.globalAvgPoolForward(px, py, batch, positions, channels));
    assertClose(y, ref.globalAvgPoolForward(x, batch, positions, channels), 1e-4, `average forward ${what}`);
    const [dx] = withBuffers([dy], [x.length], ([pdy], [pdx]) => k.globalAvgPoolBackward(pdy, pdx, batch, positions, channels));
    assertClose(dx, ref.globalAvgPoolBackward(dy, batch, positions, channels), 1e-4, `average backward ${what}`);
  });
});

test('global max pooling forward and backward match the reference, ties going to the first position', async () => {
  const k = await kernels();
  shapes.forEach(([batch, positions, channels], i) => {
    const x = input(batch * positions * channels, i), dy = rng.array(batch * channels);
    const what = `[${batch}, ${positions}, ${channels}]`;
    const expected = ref.globalMaxPoolForward(x, batch, positions, channels);
    const [y, argmaxBytes] = withBuffers([x], [batch * channels, batch * channels], ([px], [py, pa]) =>
      k.globalMaxPoolForward(px, py, pa, batch, positions, channels));
    const argmax = asInt32(argmaxBytes);
    assertClose(y, expected.y, 0, `max forward ${what}`);
    assertClose(argmax, expected.argmax, 0, `max argmax ${what}`);
    const [yAlone] = withBuffers([x], [batch * channels], ([px], [py]) => k.globalMaxPoolForward(px, py, 0, batch, positions, channels));
    assertClose(yAlone, expected.y, 0, `max forward without argmax ${what}`);
    const [dx] = withBuffers([dy, argmax], [x.length], ([pdy, pa], [pdx]) => k.globalMaxPoolBackward(pdy, pa, pdx, batch, positions, channels));
    assertClose(dx, ref.globalMaxPoolBackward(dy, argmax, batch, positions, channels), 0, `max backward ${what}`);
  });
});

test('global max pooling of equal values picks the first position in every lane', async () => {
  const k = await kernels();
  const [, argmax] = withBuffers([new Float32Array(3 * 6).fill(-2)], [6, 6], ([px], [py, pa]) => k.globalMaxPoolForward(px, py, pa, 1, 3, 6));
  assert.equal(Array.from(asInt32(argmax)), [0, 0, 0, 0, 0, 0]);
});

test.run();
