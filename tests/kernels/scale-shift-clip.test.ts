// scaleShiftClip and its gradient against the plain references on random shapes (odd channel counts
// run the scalar tails), values falling on both sides of the bounds.
import { test } from 'uvu';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/scale-shift-clip.js';

const rng = random(53);

test('scaleShiftClip and scaleShiftClipGradient match the references on 200 random shapes, bounds infinite too, in place too', async () => {
  const k = await kernels();
  for (let run = 0; run < 200; run++) {
    const batch = rng.int(1, 4), pixels = rng.int(1, 30), channels = rng.int(1, 9);
    const x = rng.array(batch * pixels * channels, -2, 2), dy = rng.array(x.length);
    const scales = rng.array(batch, 0, 2), offsets = rng.array(batch * channels, -1, 1);
    const [low, high] = run % 5 === 0 ? [-Infinity, Infinity] : [rng.next() * -1.5, rng.next() * 1.5];
    const what = `${batch}×${pixels}×${channels} [${low}, ${high}]`;
    const [y, dx] = withBuffers([x, dy, scales, offsets], [x.length, x.length], ([px, pdy, ps, po], [py, pdx]) => {
      k.scaleShiftClip(px, py, ps, po, batch, pixels, channels, low, high);
      k.scaleShiftClipGradient(px, pdy, pdx, ps, po, batch, pixels, channels, low, high);
    });
    assertClose(y, ref.scaleShiftClip(x, scales, offsets, batch, pixels, channels, low, high), 1e-4, what);
    assertClose(dx, ref.scaleShiftClipGradient(x, dy, scales, offsets, batch, pixels, channels, low, high), 0, `gradient ${what}`);
    const [inPlace] = withBuffers([scales, offsets], [x], ([ps, po], [p]) => k.scaleShiftClip(p, p, ps, po, batch, pixels, channels, low, high));
    assertClose(inPlace, y, 0, `in place ${what}`);
  }
});

test.run();
