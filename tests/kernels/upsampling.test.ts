import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RESIZE_COORDINATES } from '../../src/backend/kernels.js';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/upsampling.js';

const rng = random(17);

/** Odd sizes and channel counts, so the f32x4 tails run; factors 1 to 4 on each axis, often unequal. */
function randomShape(): ref.UpSamplingShape {
  return {
    batch: rng.pick([1, 1, 2, 3]), inHeight: rng.int(1, 9), inWidth: rng.int(1, 9),
    channels: rng.pick([1, 3, 4, 5, 7, 8, rng.int(1, 13)]), sizeHeight: rng.int(1, 4), sizeWidth: rng.int(1, 4),
  };
}

const shapes = [...Array.from({ length: 150 }, randomShape),
  // A 1×1 image (every output reads the one pixel) and the common 2×2 up-sampling of a feature map.
  { batch: 2, inHeight: 1, inWidth: 1, channels: 5, sizeHeight: 3, sizeWidth: 2 },
  { batch: 3, inHeight: 7, inWidth: 7, channels: 16, sizeHeight: 2, sizeWidth: 2 }];
const args = (s: ref.UpSamplingShape) => [s.batch, s.inHeight, s.inWidth, s.channels, s.sizeHeight, s.sizeWidth] as const;
const lengths = (s: ref.UpSamplingShape) => {
  const input = s.batch * s.inHeight * s.inWidth * s.channels;
  return { input, output: input * s.sizeHeight * s.sizeWidth };
};

test('nearest up-sampling forward and backward match the reference', async () => {
  const k = await kernels();
  for (const s of shapes) {
    const n = lengths(s), x = rng.array(n.input), dy = rng.array(n.output);
    const [y] = withBuffers([x], [n.output], ([px], [py]) => k.upSampling2dForward(px, py, ...args(s)));
    assertClose(y, ref.upSampling2dForward(x, s, false), 1e-4, `nearest forward ${JSON.stringify(s)}`);
    const [dx] = withBuffers([dy], [n.input], ([pdy], [pdx]) => k.upSampling2dBackward(pdy, pdx, ...args(s)));
    assertClose(dx, ref.upSampling2dBackward(dy, s, false), 1e-4, `nearest backward ${JSON.stringify(s)}`);
  }
});

// UpSampling2D's bilinear mode runs the resizing kernel with half-pixel centres: it must be Keras's up-sampling.
const resizeArgs = (s: ref.UpSamplingShape) =>
  [s.batch, s.inHeight, s.inWidth, s.channels, s.inHeight * s.sizeHeight, s.inWidth * s.sizeWidth] as const;

test('bilinear up-sampling (resizing with half-pixel centres) forward and backward match the reference', async () => {
  const k = await kernels();
  for (const s of shapes) {
    const n = lengths(s), x = rng.array(n.input), dy = rng.array(n.output);
    const [y] = withBuffers([x], [n.output], ([px], [py]) => k.resizeForward(px, py, 1, RESIZE_COORDINATES.half_pixel, 0, ...resizeArgs(s)));
    assertClose(y, ref.upSampling2dForward(x, s, true), 1e-4, `bilinear forward ${JSON.stringify(s)}`);
    const [dx] = withBuffers([dy], [n.input], ([pdy], [pdx]) => k.resizeBackward(pdy, pdx, 1, RESIZE_COORDINATES.half_pixel, 0, ...resizeArgs(s)));
    assertClose(dx, ref.upSampling2dBackward(dy, s, true), 1e-4, `bilinear backward ${JSON.stringify(s)}`);
  }
});

test('up-sampling by 2 puts bilinear outputs at a quarter and three quarters between pixels, the edges copying the border pixel', async () => {
  const k = await kernels();
  // One row [0, 4, 8] up-sampled by 2 along the width: half-pixel centres sit at −¼ (clamped to 0), ¼, ¾, 1¼, 1¾, 2¼ (clamped to 2).
  const row = { batch: 1, inHeight: 1, inWidth: 3, channels: 1, sizeHeight: 1, sizeWidth: 2 };
  const [y] = withBuffers([Float32Array.from([0, 4, 8])], [6], ([px], [py]) => k.resizeForward(px, py, 1, RESIZE_COORDINATES.half_pixel, 0, ...resizeArgs(row)));
  assert.equal(Array.from(y), [0, 1, 3, 5, 7, 8]);
  const [nearest] = withBuffers([Float32Array.from([0, 4, 8])], [6], ([px], [py]) => k.upSampling2dForward(px, py, ...args(row)));
  assert.equal(Array.from(nearest), [0, 0, 4, 4, 8, 8]);
});

test.run();
