// affineTransformImages and its backward against the plain reference on random shapes: odd sizes,
// channels 1–9 (SIMD tails), every fill mode and interpolation, translations, rotations, zooms and
// general maps. The backward is checked as the transpose of the reference's (linear) forward.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/affine-images.js';

const rng = random(47);

/** A random 2×3 map of one of the kinds the layers draw, or a general one. */
function randomTransform(height: number, width: number): number[] {
  const kind = rng.int(0, 3);
  if (kind === 0) return [1, 0, rng.pick([rng.int(-width, width), (rng.next() - 0.5) * 3 * width]), 0, 1, (rng.next() - 0.5) * 3 * height];
  if (kind === 1) {
    const angle = (rng.next() - 0.5) * 4 * Math.PI, cos = Math.cos(angle), sin = Math.sin(angle);
    return [cos, -sin, (width - 1 - (cos * (width - 1) - sin * (height - 1))) / 2, sin, cos, (height - 1 - (sin * (width - 1) + cos * (height - 1))) / 2];
  }
  if (kind === 2) {
    const zx = 0.2 + rng.next() * 2, zy = 0.2 + rng.next() * 2;
    return [zx, 0, ((width - 1) / 2) * (1 - zx), 0, zy, ((height - 1) / 2) * (1 - zy)];
  }
  return Array.from({ length: 6 }, (_, i) => (i % 3 === 2 ? (rng.next() - 0.5) * 20 : (rng.next() - 0.5) * 4));
}

function randomCase() {
  const batch = rng.int(1, 3), height = rng.int(1, 9), width = rng.int(1, 9), channels = rng.int(1, 9);
  const [outHeight, outWidth] = rng.next() < 0.5 ? [height, width] : [rng.int(1, 9), rng.int(1, 9)];
  const transforms = new Float32Array(Array.from({ length: batch }, () => randomTransform(height, width)).flat());
  return { batch, height, width, channels, outHeight, outWidth, transforms, x: rng.array(batch * height * width * channels) };
}

test('affineTransformImages matches the reference on 400 random shapes, every fill mode and interpolation', async () => {
  const k = await kernels();
  for (let run = 0; run < 400; run++) {
    const { batch, height, width, channels, outHeight, outWidth, transforms, x } = randomCase();
    const fillMode = run % 4, interpolation = (run >> 2) % 2, fillValue = rng.pick([0, 0.5, -2]);
    const [y] = withBuffers([x, transforms, Float32Array.of(fillValue)], [batch * outHeight * outWidth * channels], ([px, pt, pf], [py]) =>
      k.affineTransformImages(px, py, pt, batch, height, width, channels, outHeight, outWidth, fillMode, interpolation, pf));
    assertClose(y, ref.affineTransformImages(x, transforms, batch, height, width, channels, fillMode, interpolation, fillValue, outHeight, outWidth), 1e-4,
      `${batch}×${height}×${width}×${channels} → ${outHeight}×${outWidth} ${ref.FILL_MODES[fillMode]} ${ref.INTERPOLATIONS[interpolation]} [${transforms.join(', ')}]`);
  }
});

test('the identity map gives the input back, and constant fill outside gives fillValue', async () => {
  const k = await kernels();
  const x = rng.array(2 * 5 * 7 * 3);
  const identity = new Float32Array([1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0]);
  for (let mode = 0; mode < 4; mode++) for (let interpolation = 0; interpolation < 2; interpolation++) {
    const [y] = withBuffers([x, identity, Float32Array.of(9)], [x.length], ([px, pt, pf], [py]) =>
      k.affineTransformImages(px, py, pt, 2, 5, 7, 3, 5, 7, mode, interpolation, pf));
    assertClose(y, x, 0, `identity, mode ${mode}, interpolation ${interpolation}`);
  }
  const away = new Float32Array([1, 0, 100, 0, 1, 0, 1, 0, 0, 0, 1, -100]);
  const [y] = withBuffers([x, away, Float32Array.of(9)], [x.length], ([px, pt, pf], [py]) => k.affineTransformImages(px, py, pt, 2, 5, 7, 3, 5, 7, 0, 1, pf));
  assert.ok(y.every((v) => v === 9), 'all fill');
});

test('affineTransformImagesBackward is the transpose of the reference forward on 150 random shapes', async () => {
  const k = await kernels();
  for (let run = 0; run < 150; run++) {
    const { batch, height, width, channels, outHeight, outWidth, transforms } = randomCase();
    const fillMode = run % 4, interpolation = (run >> 2) % 2, size = height * width * channels, outSize = outHeight * outWidth * channels;
    const dy = rng.array(batch * outSize);
    const [dx] = withBuffers([dy, transforms], [batch * size], ([pdy, pt], [pdx]) =>
      k.affineTransformImagesBackward(pdy, pdx, pt, batch, height, width, channels, outHeight, outWidth, fillMode, interpolation));
    const expected = new Float32Array(batch * size);
    for (let b = 0; b < batch; b++) {
      const t = transforms.subarray(b * 6, b * 6 + 6), unit = new Float32Array(size);
      for (let j = 0; j < size; j++) {
        unit.fill(0);
        unit[j] = 1;
        const column = ref.affineTransformImages(unit, t, 1, height, width, channels, fillMode, interpolation, 0, outHeight, outWidth);
        expected[b * size + j] = column.reduce((s, v, i) => s + v * dy[b * outSize + i], 0);
      }
    }
    assertClose(dx, expected, 1e-4, `${batch}×${height}×${width}×${channels} → ${outHeight}×${outWidth} ${ref.FILL_MODES[fillMode]} ${ref.INTERPOLATIONS[interpolation]}`);
  }
});

test.run();
