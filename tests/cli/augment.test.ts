// Random translation: every image moves as a whole by at most maxShift pixels, with zeros moved in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { shiftImages } from '../../src/cli/augment.js';
import { seededRandom } from '../../src/random.js';

/** The (y, x) of the single lit pixel of a height×width image. */
function litPixel(image: Float32Array, width: number): [number, number] {
  const lit = image.findIndex((v) => v !== 0);
  assert.is(image.filter((v) => v !== 0).length, 1, 'exactly one lit pixel');
  return [Math.floor(lit / width), lit % width];
}

test('each image moves as a whole, by every shift from −maxShift to maxShift', () => {
  const count = 400, height = 7, width = 9, pixels = height * width;
  const images = new Float32Array(count * pixels);
  for (let i = 0; i < count; i++) images[i * pixels + 3 * width + 4] = i + 1; // one pixel at (3, 4), its value naming the image
  const shifted = new Float32Array(images.length).fill(NaN);
  shiftImages(images, shifted, count, height, width, 2, seededRandom(5));
  const seen = new Set<string>();
  for (let i = 0; i < count; i++) {
    const image = shifted.subarray(i * pixels, (i + 1) * pixels);
    const [y, x] = litPixel(image, width);
    assert.is(image[y * width + x], i + 1, `image ${i} kept its own pixel`);
    seen.add(`${y - 3},${x - 4}`);
  }
  assert.is(seen.size, 25, `all 5×5 shifts drawn: ${[...seen].join(' ')}`);
});

test('what leaves the frame is dropped and what enters is 0; maxShift 0 copies', () => {
  const image = Float32Array.from({ length: 16 }, (_, i) => i + 1); // 4×4, no zeros
  for (let seed = 0; seed < 20; seed++) {
    const shifted = new Float32Array(16).fill(NaN);
    shiftImages(image, shifted, 1, 4, 4, 1, seededRandom(seed));
    const zeros = shifted.filter((v) => v === 0).length;
    assert.ok([0, 4, 7].includes(zeros), `one row and/or column of zeros, got ${zeros}: ${shifted}`);
    assert.not.ok(shifted.some(Number.isNaN), 'every pixel written');
  }
  const copy = new Float32Array(16);
  shiftImages(image, copy, 1, 4, 4, 0, seededRandom(1));
  assert.equal(copy, image);
});

test.run();
