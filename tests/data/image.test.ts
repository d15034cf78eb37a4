import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { FileFormatError } from '../../src/errors.js';
import { decodeImage, resizeGrey, toModelInput, type GreyImage } from '../../src/data/image.js';
import { readGreyImage } from '../../src/data/image-node.js';
import { assertClose, random } from '../helpers.js';
import { encodePgm, encodePng } from './encoders.js';
import { expectError } from './expect-error.js';

const decode = (bytes: Uint8Array, name = 'test-image') =>
  decodeImage(bytes, name, (c, expectedLength) => inflateSync(c, { maxOutputLength: expectedLength + 1 }));
const rng = random(5);
const bytesOf = (length: number) => Uint8Array.from({ length }, () => rng.int(0, 255));
// Half the bytes from evenly spaced levels, so Paeth distances tie and its tie-breaking is exercised.
const filterableBytes = (length: number) =>
  Uint8Array.from({ length }, () => (rng.next() < 0.5 ? rng.int(0, 255) : rng.pick([0, 40, 80, 120, 160, 200, 240])));

test('PGM P2 and P5 decode to the same grey values', () => {
  const samples = bytesOf(12);
  for (const format of ['P2', 'P5'] as const) {
    const image = decode(encodePgm(format, 4, 3, samples));
    assert.equal([image.width, image.height], [4, 3], format);
    assertClose(image.pixels, Array.from(samples, (s) => s / 255), 1e-6, format);
  }
  assertClose(decode(encodePgm('P2', 2, 1, new Uint8Array([3, 7]), 7)).pixels, [3 / 7, 1], 1e-6, 'maxval 7');
});

test('PGM with 16-bit samples', () => {
  const header = new TextEncoder().encode('P5 2 1 65535\n');
  const image = decode(Uint8Array.of(...header, 0x80, 0x00, 0xff, 0xff));
  assertClose(image.pixels, [0x8000 / 65535, 1], 1e-6);
});

test('a truncated P5 or a P2 short of pixels → FileFormatError naming the file', async () => {
  await expectError(() => decode(encodePgm('P5', 4, 3, bytesOf(11)), 'short.pgm'), FileFormatError, 'short.pgm', /truncated/);
  await expectError(() => decode(encodePgm('P2', 4, 3, bytesOf(11)), 'short.pgm'), FileFormatError, 'short.pgm', /pixel 11 of 12/);
});

test('a header that claims a huge image is refused before anything that size is allocated', async () => {
  const header = new TextEncoder().encode('P5\n100000 100000\n255\n');
  await expectError(() => decode(Uint8Array.from([...header, 1, 2, 3]), 'huge.pgm'), FileFormatError, 'huge.pgm', /truncated/);
  const png = encodePng({ width: 2, height: 2, colourType: 0, samples: bytesOf(4), filters: [0, 0] });
  new DataView(png.buffer, png.byteOffset).setUint32(16, 100000); // IHDR width
  new DataView(png.buffer, png.byteOffset).setUint32(20, 100000); // IHDR height
  await expectError(() => decode(png, 'huge.png'), FileFormatError, 'huge.png', /too large/);
});

const FILTERS = [0, 1, 2, 3, 4];
const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;

const pngCases: [string, number, 8 | 16, (s: (i: number) => number) => number][] = [
  ['grey', 0, 8, (s) => s(0)],
  ['RGB', 2, 8, (s) => luma(s(0), s(1), s(2))],
  ['grey+alpha', 4, 8, (s) => s(0) * s(1) + 1 - s(1)],
  ['RGBA', 6, 8, (s) => luma(s(0), s(1), s(2)) * s(3) + 1 - s(3)],
  ['grey 16-bit', 0, 16, (s) => s(0)],
  ['RGBA 16-bit', 6, 16, (s) => luma(s(0), s(1), s(2)) * s(3) + 1 - s(3)],
];
for (const [name, colourType, bitDepth, expectedGrey] of pngCases) {
  test(`PNG ${name}, rows using all five filter types`, () => {
    const channels = { 0: 1, 2: 3, 4: 2, 6: 4 }[colourType]!;
    const width = 7, height = 10, sampleBytes = bitDepth / 8;
    const samples = filterableBytes(width * height * channels * sampleBytes);
    const image = decode(encodePng({ width, height, colourType, bitDepth, samples, filters: FILTERS }));
    assert.equal([image.width, image.height], [width, height]);
    const expected = Array.from({ length: width * height }, (_, p) => expectedGrey((c) => {
      const i = (p * channels + c) * sampleBytes;
      return bitDepth === 8 ? samples[i] / 255 : (samples[i] * 256 + samples[i + 1]) / 65535;
    }));
    assertClose(image.pixels, expected, 1e-5, name);
  });
}

const grey = (filters: number[], extra: object = {}) =>
  encodePng({ width: 3, height: 2, colourType: 0, samples: bytesOf(6), filters, ...extra });
const pngFailures: [string, Uint8Array, RegExp][] = [
  ['interlaced', grey([0], { interlace: 1 }), /interlaced/],
  ['palette', encodePng({ width: 3, height: 2, colourType: 3, samples: bytesOf(6), filters: [0] }), /colour type 3 \(palette\)/],
  ['2-bit', encodePng({ width: 8, height: 2, colourType: 0, bitDepth: 2 as 8, samples: bytesOf(4), filters: [0] }), /bit depth 2/],
  ['unknown filter', grey([0, 5]), /row 1 has filter type 5/],
  ['cut short', grey([0]).subarray(0, 40), /truncated/],
  ['corrupt compressed data', corruptIdat(grey([1])), /corrupt compressed image data/],
  ['neither PNG nor PGM', new TextEncoder().encode('GIF89a'), /not a PNG or PGM/],
];
for (const [what, bytes, detail] of pngFailures) {
  test(`image ${what} → FileFormatError naming the file`, () =>
    expectError(() => decode(bytes, 'drawing.png'), FileFormatError, 'drawing.png', detail));
}

/** Overwrites the zlib header inside the IDAT chunk (after signature 8 + IHDR 25 + IDAT length and type 8). */
function corruptIdat(png: Uint8Array): Uint8Array {
  const copy = png.slice();
  copy.fill(0xff, 41, 45);
  return copy;
}

const image = (height: number, width: number, values: number[]): GreyImage => ({ pixels: Float32Array.from(values), height, width });

test('resizeGrey averages areas when shrinking, repeats when enlarging, and keeps the mean', () => {
  const four = image(2, 4, [0, 1, 0.5, 0.5, 1, 0, 0.25, 0.75]);
  assertClose(resizeGrey(four, 1, 2).pixels, [0.5, 0.5], 1e-6, '2×4 → 1×2');
  assertClose(resizeGrey(image(1, 2, [0, 1]), 2, 4).pixels, [0, 0, 1, 1, 0, 0, 1, 1], 1e-6, '1×2 → 2×4');
  assertClose(resizeGrey(image(1, 3, [0, 0.3, 0.9]), 1, 2).pixels, [0.1, 0.7], 1e-6, '3 → 2 with shared middle pixel');
  const big = image(37, 53, Array.from(rng.array(37 * 53, 0, 1)));
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  assertClose([mean(resizeGrey(big, 28, 28).pixels)], [mean(big.pixels)], 1e-4, 'mean kept');
});

test('toModelInput inverts a dark digit on a light page, and obeys a forced choice', () => {
  const page = image(3, 3, [1, 1, 1, 1, 0, 1, 1, 1, 1]);
  const auto = toModelInput(page, { height: 3, width: 3 });
  assert.ok(auto.inverted);
  assert.equal(Array.from(auto.input), [0, 0, 0, 0, 1, 0, 0, 0, 0]);
  const mnistLike = image(3, 3, [0, 0, 0, 0, 1, 0, 0, 0, 0]);
  assert.not.ok(toModelInput(mnistLike, { height: 3, width: 3 }).inverted);
  assert.not.ok(toModelInput(page, { height: 3, width: 3, invert: false }).inverted);
  assert.equal(Array.from(toModelInput(mnistLike, { height: 3, width: 3, invert: true }).input), [1, 1, 1, 1, 0, 1, 1, 1, 1]);
  assert.is(toModelInput(page, { height: 28, width: 28 }).input.length, 784);
});

test('readGreyImage reads PNG and PGM files from disk', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'convas-image-'));
  try {
    const samples = bytesOf(6);
    await writeFile(join(dir, 'a.png'), encodePng({ width: 3, height: 2, colourType: 0, samples, filters: [4, 3] }));
    await writeFile(join(dir, 'a.pgm'), encodePgm('P5', 3, 2, samples));
    for (const file of ['a.png', 'a.pgm']) assertClose((await readGreyImage(join(dir, file))).pixels, Array.from(samples, (s) => s / 255), 1e-6, file);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
