import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RESIZE_COORDINATES, type ResizeCoordinates } from '../../src/backend/kernels.js';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/resize.js';

const rng = random(23);

/** Odd sizes, channels 1 to 9 (so the f32x4 tails run), up and down and unequal per axis, sizes of 1 included. */
function randomShape(): ref.ResizeShape {
  return {
    batch: rng.pick([1, 1, 2, 3]), inHeight: rng.int(1, 11), inWidth: rng.int(1, 11),
    channels: rng.int(1, 9), outHeight: rng.int(1, 23), outWidth: rng.int(1, 23),
  };
}

const shapes = [...Array.from({ length: 120 }, randomShape),
  // The PyTorch decoder's last resize (up by no whole factor) and a halving.
  { batch: 2, inHeight: 16, inWidth: 16, channels: 3, outHeight: 37, outWidth: 29 },
  { batch: 1, inHeight: 10, inWidth: 8, channels: 8, outHeight: 5, outWidth: 4 }];
const args = (s: ref.ResizeShape) => [s.batch, s.inHeight, s.inWidth, s.channels, s.outHeight, s.outWidth] as const;

for (const mode of Object.keys(RESIZE_COORDINATES) as ResizeCoordinates[]) {
  for (const bilinear of [0, 1]) {
    const kind = `${bilinear ? 'bilinear' : 'nearest'} ${mode}`;
    test(`${kind} resize forward and backward match the reference`, async () => {
      const k = await kernels();
      for (const s of shapes) {
        const inLength = s.batch * s.inHeight * s.inWidth * s.channels, outLength = s.batch * s.outHeight * s.outWidth * s.channels;
        const x = rng.array(inLength), dy = rng.array(outLength);
        const [y] = withBuffers([x], [outLength], ([px], [py]) => k.resizeForward(px, py, bilinear, RESIZE_COORDINATES[mode], ...args(s)));
        assertClose(y, ref.resizeForward(x, s, bilinear === 1, mode), 1e-4, `${kind} forward ${JSON.stringify(s)}`);
        const [dx] = withBuffers([dy], [inLength], ([pdy], [pdx]) => k.resizeBackward(pdy, pdx, bilinear, RESIZE_COORDINATES[mode], ...args(s)));
        assertClose(dx, ref.resizeBackward(dy, s, bilinear === 1, mode), 1e-4, `${kind} backward ${JSON.stringify(s)}`);
      }
    });
  }
}

test('one row [0, 4, 8] resized to 5 in each mode: where the outputs sit between pixels', async () => {
  const k = await kernels();
  const row = (mode: ResizeCoordinates, bilinear: number) => withBuffers([Float32Array.from([0, 4, 8])], [5],
    ([px], [py]) => k.resizeForward(px, py, bilinear, RESIZE_COORDINATES[mode], 1, 1, 3, 1, 1, 5))[0];
  // half_pixel: sources −0.2 (clamped), 0.4, 1, 1.6, 2.2 (clamped); align_corners: 0, 0.5, 1, 1.5, 2; asymmetric: 0, 0.6, 1.2, 1.8, 2.4.
  assertClose(row('half_pixel', 1), [0, 1.6, 4, 6.4, 8], 1e-6, 'half_pixel');
  assertClose(row('align_corners', 1), [0, 2, 4, 6, 8], 1e-6, 'align_corners');
  assertClose(row('asymmetric', 1), [0, 2.4, 4.8, 7.2, 8], 1e-6, 'asymmetric');
  assert.equal(Array.from(row('asymmetric', 0)), [0, 0, 4, 4, 8]);
  assert.equal(Array.from(row('half_pixel', 0)), [0, 0, 4, 8, 8]);
});

test.run();
