// Decoding in Node (jpeg-js, pngjs): every PNG colour type and bit depth, palettes, transparency and
// interlacing, written by the tests' own encoder from known samples and compared pixel for pixel;
// JPEG baseline (jpeg-js's encoder), progressive and greyscale (fixtures made with Pillow), EXIF
// orientation; PGM. Then the files a decoder must refuse, each a FileFormatError naming the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import jpeg from 'jpeg-js';
import { spawnSync } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { deflateSync } from 'node:zlib';
import { ConfigError, FileFormatError, StorageError, decodeImage, loadImage } from '../../src/index.js';
import type { RgbaImage } from '../../src/data/rgba-image.js';
import { random } from '../helpers.js';
import { ADAM7, PNG_CHANNELS, chunk, encodePgm, encodePng, markedRgbJpeg, withExifOrientation, withPngExifOrientation, withoutAdobeSegment } from './encoders.js';
import { expectError } from './expect-error.js';
import { GRADIENT, gradientAt, gradientRgba } from './image-fixtures.js';

const rng = random(5);
const FILTERS = [0, 1, 2, 3, 4];
// Half the bytes from evenly spaced levels, so Paeth distances tie and its tie-breaking is exercised.
const filterableBytes = (length: number) =>
  Uint8Array.from({ length }, () => (rng.next() < 0.5 ? rng.int(0, 255) : rng.pick([0, 40, 80, 120, 160, 200, 240])));

interface PngCase {
  what: string;
  colourType: number;
  bitDepth: number;
  interlace?: number;
  palette?: number;
  /** tRNS: 'key' makes one sample value transparent (grey, RGB); 'alpha' gives each palette entry an alpha. */
  transparency?: 'key' | 'alpha';
}

const PNG_CASES: PngCase[] = [
  ...[1, 2, 4, 8, 16].map((bitDepth) => ({ what: `grey ${bitDepth}-bit`, colourType: 0, bitDepth })),
  { what: 'grey 8-bit with a transparent grey level', colourType: 0, bitDepth: 8, transparency: 'key' },
  { what: 'RGB 8-bit', colourType: 2, bitDepth: 8 },
  { what: 'RGB 16-bit', colourType: 2, bitDepth: 16 },
  { what: 'RGB 8-bit with a transparent colour', colourType: 2, bitDepth: 8, transparency: 'key' },
  ...[1, 2, 4, 8].map((bitDepth) => ({ what: `palette ${bitDepth}-bit`, colourType: 3, bitDepth, palette: Math.min(2 ** bitDepth, 200) })),
  { what: 'palette 8-bit with alpha per entry', colourType: 3, bitDepth: 8, palette: 37, transparency: 'alpha' },
  { what: 'grey+alpha 8-bit', colourType: 4, bitDepth: 8 },
  { what: 'grey+alpha 16-bit', colourType: 4, bitDepth: 16 },
  { what: 'RGBA 8-bit', colourType: 6, bitDepth: 8 },
  { what: 'RGBA 16-bit', colourType: 6, bitDepth: 16 },
  { what: 'interlaced RGB 8-bit', colourType: 2, bitDepth: 8, interlace: 1 },
  { what: 'interlaced grey 8-bit', colourType: 0, bitDepth: 8, interlace: 1 },
  { what: 'interlaced RGBA 16-bit', colourType: 6, bitDepth: 16, interlace: 1 },
  { what: 'interlaced palette 8-bit with alpha', colourType: 3, bitDepth: 8, interlace: 1, palette: 20, transparency: 'alpha' },
];

/** Sample `i` of a row packed at `bitDepth` bits (big-endian at 16). */
function sampleAt(row: Uint8Array, i: number, bitDepth: number): number {
  if (bitDepth === 16) return (row[2 * i] << 8) | row[2 * i + 1];
  if (bitDepth === 8) return row[i];
  const bit = i * bitDepth;
  return (row[bit >> 3] >> (8 - bitDepth - (bit & 7))) & (2 ** bitDepth - 1);
}

for (const c of PNG_CASES) {
  test(`PNG ${c.what}: every pixel as stored, rows using all five filter types`, async () => {
    const width = c.interlace ? 13 : 11, height = c.interlace ? 9 : 6;
    const channels = PNG_CHANNELS[c.colourType];
    const rowBytes = Math.ceil((width * channels * c.bitDepth) / 8);
    let samples = filterableBytes(rowBytes * height);
    const max = 2 ** c.bitDepth - 1;
    let palette: Uint8Array | undefined, transparency: Uint8Array | undefined;
    if (c.palette) {
      palette = filterableBytes(3 * c.palette);
      // Indices within the palette: reduce each packed sample modulo its size.
      const indices = Uint8Array.from({ length: width * height }, () => rng.int(0, c.palette! - 1));
      samples = new Uint8Array(rowBytes * height);
      indices.forEach((index, p) => {
        const y = Math.floor(p / width), bit = (p % width) * c.bitDepth;
        samples[y * rowBytes + (bit >> 3)] |= index << (8 - c.bitDepth - (bit & 7));
      });
      if (c.transparency === 'alpha') transparency = filterableBytes(c.palette - 3); // the last entries stay opaque
    }
    // A transparent sample value taken from the image itself, so some pixels match it.
    const key = c.transparency === 'key' ? Array.from({ length: channels }, (_, k) => sampleAt(samples, k, c.bitDepth)) : undefined;
    if (key) transparency = Uint8Array.from(key.flatMap((v) => [v >> 8, v & 0xff]));

    const image = await decodeImage(encodePng({ width, height, colourType: c.colourType, bitDepth: c.bitDepth, samples, filters: FILTERS, interlace: c.interlace, palette, transparency }), { name: 'variant.png' });
    assert.equal([image.width, image.height], [width, height]);
    assert.is(image.greyscale, c.colourType === 0 || c.colourType === 4);
    assert.ok(c.bitDepth === 16 ? image.data instanceof Uint16Array : image.data.BYTES_PER_ELEMENT === 1, 'sample size');
    const full = c.bitDepth === 16 ? 65535 : 255;
    // Below 8 bits samples are scaled to 8 (v·255/max, rounded); 16-bit ones stay 16-bit.
    const scale = (v: number) => (c.bitDepth >= 8 ? v : Math.round((v * 255) / max));
    for (let p = 0; p < width * height; p++) {
      const row = samples.subarray(Math.floor(p / width) * rowBytes), x = p % width;
      const s = Array.from({ length: channels }, (_, k) => sampleAt(row, x * channels + k, c.bitDepth));
      let expected: number[];
      if (c.colourType === 3) {
        expected = [...palette!.subarray(3 * s[0], 3 * s[0] + 3), transparency?.[s[0]] ?? 255];
      } else {
        const colour = channels >= 3 ? s.slice(0, 3) : [s[0], s[0], s[0]];
        const alpha = channels === 2 || channels === 4 ? s[channels - 1] : key && s.every((v, k) => v === key[k]) ? 0 : max;
        expected = [...colour.map(scale), scale(alpha)];
      }
      const actual = Array.from(image.data.subarray(4 * p, 4 * p + 4));
      // The colour of a fully transparent pixel is not kept (browsers lose it too): only its alpha counts.
      if (expected[3] === 0) assert.is(actual[3], 0, `pixel ${p} alpha`);
      else assert.equal(actual, expected, `pixel ${p} of ${c.what} (full scale ${full})`);
    }
  });
}

/** Largest and mean absolute difference of two RGBA images' colours, in levels of 255. */
function difference(image: RgbaImage, expected: Uint8Array): { max: number; mean: number } {
  let max = 0, sum = 0, n = 0;
  for (let i = 0; i < expected.length; i++) {
    if (i % 4 === 3) continue;
    const d = Math.abs(image.data[i] - expected[i]);
    max = Math.max(max, d);
    sum += d;
    n++;
  }
  return { max, mean: sum / n };
}

const fixture = (name: string) => new Uint8Array(readFileSync(`tests/fixtures/images/${name}`));
const baselineJpeg = () => new Uint8Array(jpeg.encode({ width: GRADIENT.width, height: GRADIENT.height, data: gradientRgba() }, 95).data);

test('JPEG baseline (jpeg-js\'s encoder) and progressive (Pillow): the gradient within a few levels', async () => {
  for (const [what, bytes] of [['baseline', baselineJpeg()], ['progressive', fixture('gradient-progressive.jpg')]] as const) {
    const image = await decodeImage(bytes, { name: what });
    assert.equal([image.width, image.height, image.greyscale], [GRADIENT.width, GRADIENT.height, false], what);
    assert.ok(image.data instanceof Uint8Array && image.data.length === GRADIENT.width * GRADIENT.height * 4, `${what}: RGBA bytes`);
    assert.ok(image.data.every((v, i) => i % 4 !== 3 || v === 255), `${what}: opaque`);
    const { max, mean } = difference(image, gradientRgba());
    assert.ok(max <= 12 && mean <= 2, `${what}: off by at most ${max}, ${mean.toFixed(2)} on average`);
  }
});

test('JPEG with components R, G, B (an Adobe segment with transform 0 before the first scan, or the ids R, G, B): the samples as stored, as libjpeg and browsers decode them; a JFIF segment still means YCbCr', async () => {
  // A grey ramp: stored as Y = the grey, Cb = Cr = 128; read as R, G, B that is (grey, 128, 128).
  const { width, height } = GRADIENT;
  const grey = (p: number) => gradientAt(p % width, Math.floor(p / width))[0];
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) rgba.set([grey(p), grey(p), grey(p), 255], 4 * p);
  const ycc = new Uint8Array(jpeg.encode({ width, height, data: rgba }, 95).data);
  const expected = (rgb: boolean) => Uint8Array.from(rgba, (v, i) => (rgb && i % 4 !== 0 && i % 4 !== 3 ? 128 : v));
  const cases = [
    ['Adobe segment', true], ['component ids', true], ['Adobe segment after JFIF', false],
    // libjpeg decides at the first scan, and counts a JFIF segment only if it has at least 14 bytes.
    ['Adobe segment after frame header', true], ['short JFIF segment', true],
  ] as const;
  for (const [how, rgb] of cases) {
    const { max, mean } = difference(await decodeImage(markedRgbJpeg(ycc, how)), expected(rgb));
    // Before, jpeg-js converted every three-component JPEG from YCbCr: R, G, B came out grey, up to 128 levels off.
    assert.ok(max <= 12 && mean <= 2, `${how}: ${rgb ? 'R, G, B' : 'YCbCr'}, off by at most ${max}, ${mean.toFixed(2)} on average`);
  }
});

test('JPEG CMYK (Pillow\'s, Adobe-style), with its Adobe segment, with one of an odd version, and without one (read as CMYK, as libjpeg and browsers read it; before, refused): the gradient within a few levels', async () => {
  const cmyk = fixture('gradient-cmyk.jpg');
  // An Adobe segment whose version's first byte is not 0 ('Adobe' then 1): libjpeg reads it (its transform
  // says CMYK), so browsers decode the file; before, Node refused it (unsupported colour mode, 4 components).
  const oddVersion = cmyk.slice();
  oddVersion[new TextDecoder('latin1').decode(cmyk).indexOf('Adobe') + 5] = 1;
  const cases = [['with an Adobe segment', cmyk], ['without', withoutAdobeSegment(cmyk)], ['with an Adobe segment of version 1.x', oddVersion]] as const;
  for (const [what, bytes] of cases) {
    assert.is(bytes.length < cmyk.length, what === 'without', `${what}: the segment is ${what === 'without' ? 'gone' : 'there'}`);
    const image = await decodeImage(bytes, { name: 'cmyk.jpg' });
    assert.equal([image.width, image.height, image.greyscale], [GRADIENT.width, GRADIENT.height, false], what);
    const { max, mean } = difference(image, gradientRgba());
    assert.ok(max <= 12 && mean <= 2, `${what}: off by at most ${max}, ${mean.toFixed(2)} on average`);
  }
});

test('JPEG greyscale (one component): grey pixels, marked greyscale', async () => {
  const image = await decodeImage(fixture('gradient-grey.jpg'), { name: 'grey.jpg' });
  assert.is(image.greyscale, true);
  const expected = new Uint8Array(image.data.length);
  for (let p = 0; p < GRADIENT.width * GRADIENT.height; p++) {
    const b = gradientAt(p % GRADIENT.width, Math.floor(p / GRADIENT.width))[2];
    expected.set([b, b, b, 255], 4 * p);
    assert.ok(image.data[4 * p] === image.data[4 * p + 1] && image.data[4 * p] === image.data[4 * p + 2], `pixel ${p} grey`);
  }
  const { max, mean } = difference(image, expected);
  assert.ok(max <= 12 && mean <= 2, `off by at most ${max}, ${mean.toFixed(2)} on average`);
});

test('JPEG EXIF orientation 1–8: the image is shown upright, as browsers show it', async () => {
  const plain = await decodeImage(baselineJpeg());
  const { width: w, height: h } = plain;
  const pixel = (image: RgbaImage, x: number, y: number) => Array.from(image.data.subarray(4 * (y * image.width + x), 4 * (y * image.width + x) + 4));
  // Where stored pixel (x, y) is shown, for each orientation (EXIF 2.3, tag 0x0112).
  const shownAt: Array<(x: number, y: number) => [number, number]> = [
    (x, y) => [x, y], (x, y) => [w - 1 - x, y], (x, y) => [w - 1 - x, h - 1 - y], (x, y) => [x, h - 1 - y],
    (x, y) => [y, x], (x, y) => [h - 1 - y, x], (x, y) => [h - 1 - y, w - 1 - x], (x, y) => [y, w - 1 - x],
  ];
  for (let orientation = 1; orientation <= 8; orientation++) {
    const shown = await decodeImage(withExifOrientation(baselineJpeg(), orientation));
    assert.equal([shown.width, shown.height], orientation >= 5 ? [h, w] : [w, h], `orientation ${orientation}: size`);
    for (const [x, y] of [[0, 0], [w - 1, 0], [3, h - 1], [w - 2, 5]]) {
      const [sx, sy] = shownAt[orientation - 1](x, y);
      assert.equal(pixel(shown, sx, sy), pixel(plain, x, y), `orientation ${orientation}: stored (${x}, ${y}) shown at (${sx}, ${sy})`);
    }
  }
});

test('PNG eXIf orientation 1–8 before the image data turns the image as Chromium does; one after the data is ignored, as Chromium ignores it', async () => {
  const [w, h] = [5, 3];
  const samples = Uint8Array.from({ length: w * h * 3 }, (_, i) => i);
  const png = encodePng({ width: w, height: h, colourType: 2, samples, filters: [0] });
  const plain = await decodeImage(png);
  const pixel = (image: RgbaImage, x: number, y: number) => Array.from(image.data.subarray(4 * (y * image.width + x), 4 * (y * image.width + x) + 4));
  // Where stored pixel (x, y) is shown, for each orientation, as in the JPEG test above.
  const shownAt: Array<(x: number, y: number) => [number, number]> = [
    (x, y) => [x, y], (x, y) => [w - 1 - x, y], (x, y) => [w - 1 - x, h - 1 - y], (x, y) => [x, h - 1 - y],
    (x, y) => [y, x], (x, y) => [h - 1 - y, x], (x, y) => [h - 1 - y, w - 1 - x], (x, y) => [y, w - 1 - x],
  ];
  for (let orientation = 1; orientation <= 8; orientation++) {
    const shown = await decodeImage(withPngExifOrientation(png, orientation, 'before data'));
    assert.equal([shown.width, shown.height], orientation >= 5 ? [h, w] : [w, h], `orientation ${orientation}: size`);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const [sx, sy] = shownAt[orientation - 1](x, y);
        assert.equal(pixel(shown, sx, sy), pixel(plain, x, y), `orientation ${orientation}: stored (${x}, ${y}) shown at (${sx}, ${sy})`);
      }
    }
    const after = await decodeImage(withPngExifOrientation(png, orientation, 'after data'));
    assert.equal([after.width, after.height, Array.from(after.data)], [w, h, Array.from(plain.data)], `orientation ${orientation} after the data: as stored`);
  }
});

test('PNG with two eXIf chunks before the image data: the first says, as in libpng and Chromium (a second is ignored); a TIFF byte order neither II nor MM: no orientation', async () => {
  const [w, h] = [5, 3];
  const png = encodePng({ width: w, height: h, colourType: 2, samples: Uint8Array.from({ length: w * h * 3 }, (_, i) => i), filters: [0] });
  const plain = await decodeImage(png);
  const same = (a: RgbaImage, b: RgbaImage, what: string) =>
    assert.equal([a.width, a.height, Array.from(a.data)], [b.width, b.height, Array.from(b.data)], what);
  // Each chunk goes in right after IHDR, so the one added last comes first.
  same(await decodeImage(withPngExifOrientation(withPngExifOrientation(png, 3, 'before data'), 6, 'before data')),
    await decodeImage(withPngExifOrientation(png, 6, 'before data')), 'eXIf 6 then 3: turned by 6');
  same(await decodeImage(withPngExifOrientation(withPngExifOrientation(png, 6, 'before data'), 1, 'before data')), plain, 'eXIf 1 then 6: as stored');
  const bigEndian = await decodeImage(withPngExifOrientation(png, 6, 'before data', 'MM'));
  assert.equal([bigEndian.width, bigEndian.height], [h, w], 'byte order MM: turned by 6');
  same(await decodeImage(withPngExifOrientation(png, 6, 'before data', 'XX')), plain, 'byte order XX: as stored');
});

test('PGM P2 and P5, 8-bit, 16-bit and a small maximum value: grey samples scaled to the full range', async () => {
  const samples = Uint8Array.from({ length: 12 }, () => rng.int(0, 255));
  for (const format of ['P2', 'P5'] as const) {
    const image = await decodeImage(encodePgm(format, 4, 3, samples), { name: format });
    assert.equal([image.width, image.height, image.greyscale], [4, 3, true]);
    assert.equal(Array.from(image.data), Array.from(samples).flatMap((s) => [s, s, s, 255]), format);
  }
  assert.equal(Array.from((await decodeImage(encodePgm('P2', 2, 1, new Uint8Array([3, 7]), 7))).data), [109, 109, 109, 255, 255, 255, 255, 255]);
  const wide = await decodeImage(Uint8Array.of(...new TextEncoder().encode('P5 2 1 65535\n'), 0x80, 0x00, 0xff, 0xff));
  assert.equal(Array.from(wide.data), [0x8000, 0x8000, 0x8000, 65535, 65535, 65535, 65535, 65535]);
});

const greyPng = (extra: Partial<Parameters<typeof encodePng>[0]> = {}) =>
  encodePng({ width: 3, height: 2, colourType: 0, samples: Uint8Array.of(1, 2, 3, 4, 5, 6), filters: [0], ...extra });
/** `png` with IHDR's width and height set (at bytes 16 and 20). */
function withSize(png: Uint8Array, width: number, height: number): Uint8Array {
  const copy = png.slice();
  new DataView(copy.buffer).setUint32(16, width);
  new DataView(copy.buffer).setUint32(20, height);
  return copy;
}
/** A JPEG whose frame header (SOF0, found by its marker) declares `width`×`height`. */
function jpegWithSize(width: number, height: number): Uint8Array {
  const copy = baselineJpeg().slice();
  const sof = copy.findIndex((b, i) => b === 0xff && copy[i + 1] === 0xc0);
  new DataView(copy.buffer).setUint16(sof + 5, height);
  new DataView(copy.buffer).setUint16(sof + 7, width);
  return copy;
}
/** The baseline JPEG with its frame marker (SOF0) changed to another frame's: how the file is coded. */
function withFrameMarker(marker: number): Uint8Array {
  const copy = baselineJpeg().slice();
  copy[copy.findIndex((b, i) => b === 0xff && copy[i + 1] === 0xc0) + 1] = marker;
  return copy;
}
const cut = (bytes: Uint8Array, fraction: number) => bytes.subarray(0, Math.floor(bytes.length * fraction));

const REFUSED: Array<[string, () => Uint8Array, RegExp]> = [
  ['an empty file', () => new Uint8Array(0), /the file is empty/],
  ['a TIFF', () => Uint8Array.of(0x49, 0x49, 0x2a, 0, 8, 0, 0, 0), /not an image convas reads \(it starts with bytes 49 49 2a 00\); expected a JPEG, PNG or PGM file/],
  ['text', () => new TextEncoder().encode('hello'), /not an image convas reads/],
  ['a PNG cut inside its header', () => cut(greyPng(), 0.3), /truncated PNG/],
  ['a PNG cut inside its image data', () => greyPng().subarray(0, 50), /truncated PNG: chunk IDAT/],
  ['a PNG cut before IEND', () => greyPng().subarray(0, greyPng().length - 12), /truncated PNG: the file ends .* before its IEND chunk/],
  ['a PNG whose first chunk is not IHDR', () => Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10, 0, 0, 0, 0, 73, 69, 78, 68, 0, 0, 0, 0), /first chunk is "IEND"; expected IHDR/],
  ['a PNG with corrupt compressed data', () => { const p = greyPng(); p.fill(0xff, 41, 45); return p; }, /corrupt or truncated PNG/],
  ['a PNG with a wrong checksum', () => { const p = greyPng().slice(); p[29] ^= 0xff; return p; }, /corrupt or truncated PNG/],
  ['a PNG of 0×2 pixels', () => withSize(greyPng(), 0, 2), /the PNG is 0×2 pixels; expected at least 1×1/],
  ['a PNG declaring 100000×100000 pixels (a decompression bomb)', () => withSize(greyPng(), 100000, 100000), /declares 100000×100000 pixels \(10000\.0 megapixels\), more than the 50 megapixels allowed/],
  ['a JPEG cut in half', () => cut(baselineJpeg(), 0.5), /corrupt or truncated JPEG/],
  ['a progressive JPEG cut short', () => cut(fixture('gradient-progressive.jpg'), 0.8), /corrupt or truncated JPEG/],
  ['a JPEG cut before its frame header', () => baselineJpeg().subarray(0, 30), /truncated JPEG/],
  ['a JPEG of 24×0 pixels', () => jpegWithSize(24, 0), /the JPEG is 24×0 pixels/],
  ['a JPEG declaring 65535×65535 pixels', () => jpegWithSize(65535, 65535), /declares 65535×65535 pixels/],
  ['an arithmetic-coded JPEG (SOF9)', () => withFrameMarker(0xc9), /arithmetic JPEG is not supported in Node; baseline and progressive \(Huffman-coded\) JPEGs are/],
  ['a lossless JPEG (SOF3)', () => withFrameMarker(0xc3), /lossless JPEG is not supported in Node/],
  ['a PGM cut short', () => encodePgm('P5', 4, 3, new Uint8Array(11)), /truncated: 4×3 pixels need 12 bytes, but 11 follow/],
];

for (const [what, make, detail] of REFUSED) {
  test(`decodeImage refuses ${what}: a FileFormatError naming the file`, () =>
    expectError(() => decodeImage(make(), { name: 'photo.file' }), FileFormatError, 'photo.file', detail));
}

test('decompression bombs: PNGs whose data inflates past their size are refused, without inflating it all', async () => {
  const zeros = new Uint8Array(64 * 2 ** 20);
  // A 10×10 RGB image whose compressed data inflates to 64 MB.
  const bomb = (interlace: number) => {
    const png = encodePng({ width: 10, height: 10, colourType: 2, samples: new Uint8Array(300), filters: [0], interlace });
    const idat = deflateSync(zeros);
    const at = png.findIndex((b, i) => String.fromCharCode(...png.subarray(i, i + 4)) === 'IDAT') - 4;
    return Uint8Array.from([...png.subarray(0, at), ...chunk('IDAT', idat), ...png.subarray(png.length - 12)]);
  };
  for (const interlace of [0, 1]) {
    const before = process.memoryUsage().arrayBuffers;
    await expectError(() => decodeImage(bomb(interlace), { name: 'bomb.png' }), FileFormatError, 'bomb.png', /inflates to more than the \d+ bytes its 10×10 pixels take/);
    assert.ok(process.memoryUsage().arrayBuffers - before < 16 * 2 ** 20, 'the 64 MB were never inflated');
  }
  await expectError(() => decodeImage(baselineJpeg(), { name: 'small.jpg', maxPixels: 100 }), FileFormatError, 'small.jpg', /more than the 0.0001 megapixels allowed/);
});

test('loadImage reads a path, a file: URL, a Blob and an http URL; a missing file, a folder and a 404 are FileFormatErrors naming them, a path it cannot read and a server it cannot reach StorageErrors saying why, a URL that is not one or of another scheme ConfigErrors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convas-load-'));
  const png = greyPng();
  const path = join(dir, 'grey.png');
  writeFileSync(path, png);
  const expected = Array.from((await decodeImage(png)).data);
  const server = createServer((request, response) => {
    if (request.url === '/grey.png') response.end(png);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    for (const source of [path, pathToFileURL(path), pathToFileURL(path).href, new Blob([png.slice()]), `${url}/grey.png`, new URL(`${url}/grey.png`)]) {
      assert.equal(Array.from((await loadImage(source)).data), expected, String(source));
    }
    await expectError(() => loadImage(join(dir, 'none.png')), FileFormatError, join(dir, 'none.png'), /file not found/);
    await expectError(() => loadImage(dir), FileFormatError, dir, /is a directory; expected an image file/);
    await expectError(() => loadImage(`${url}/none.png`), FileFormatError, `${url}/none.png`, /HTTP 404/);
    // Before, these were Node's own errors ("fetch failed" named no URL).
    const underAFile = join(path, 'under-a-file.png');
    await expectError(() => loadImage(underAFile), StorageError, underAFile, /cannot be read \(ENOTDIR: not a directory\)$/);
    // Node's own message names the path too: it is said once.
    const message = await loadImage(underAFile).catch((error: Error) => error.message);
    assert.is(String(message).split(underAFile).length, 2, `the path once: "${message}"`);
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const nobody = `http://127.0.0.1:${(closed.address() as AddressInfo).port}/grey.png`;
    await new Promise((resolve) => closed.close(resolve));
    // Node says why (the error's cause); before, every failure read "no connection, no such server, or … (CORS)".
    await expectError(() => loadImage(nobody), StorageError, nobody, /cannot be fetched: no connection: the server refused it \(connect ECONNREFUSED/);
    await expectError(() => loadImage('http://nosuch.invalid/x.png'), StorageError, 'http://nosuch.invalid/x.png', /cannot be fetched: no such server \(.*(ENOTFOUND|EAI_AGAIN)/);
    await expectError(() => loadImage('http://127.0.0.1:1/x.png'), StorageError, 'http://127.0.0.1:1/x.png', /cannot be fetched: fetch refuses port 1/);
    // A URL that is not one, or one of a scheme fetch cannot read, is a mistake in the call.
    for (const bad of ['http://exa mple.com/x.png', 'http://[::1/x.png']) {
      await expectError(() => loadImage(bad), ConfigError, bad, /not a valid URL; expected one such as https:/);
    }
    await expectError(() => loadImage('ftp://example.com/x.png'), ConfigError, 'ftp://example.com/x.png', /the scheme ftp: cannot be fetched; expected an http: or https: URL/);
    writeFileSync(join(dir, 'cut.png'), png.subarray(0, 30));
    await expectError(() => loadImage(join(dir, 'cut.png')), FileFormatError, join(dir, 'cut.png'), /truncated PNG/);
    await expectError(() => loadImage(new File([png.slice(0, 30)], 'picked.png')), FileFormatError, 'picked.png', /truncated PNG/);
  } finally {
    server.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadImage stops a file or download longer than any image of maxPixels: a body that never ends, a device, are refused, not read until memory runs out; an answer without a body is an empty file', async () => {
  const png = greyPng();
  const chunk = new Uint8Array(2 ** 16);
  const server = createServer((request, response) => {
    if (request.url === '/declared.png') return void response.writeHead(200, { 'content-length': String(2 ** 40) }).end();
    if (request.url === '/no-content.png') return void response.writeHead(204).end();
    response.write(png);
    const more = () => { while (response.write(chunk)); };
    response.on('drain', more);
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const tooLong = (limit: number) => new RegExp(`holds \\d+ bytes or more, more than the ${limit} read of an image file .*or a larger maxPixels$`);
    await expectError(() => loadImage(`${url}/endless.png`, { maxPixels: 100 }), FileFormatError, `${url}/endless.png`, tooLong(800 + 2 ** 24));
    await expectError(() => loadImage(`${url}/declared.png`), FileFormatError, `${url}/declared.png`, tooLong(400e6 + 2 ** 24));
    // An answer without a body is an empty file (before: a TypeError reading the missing body).
    await expectError(() => loadImage(`${url}/no-content.png`), FileFormatError, `${url}/no-content.png`, /empty/);
    // A device named as a path is not read for ever, a Blob not at all; a maxPixels of NaN would have lifted every limit.
    await expectError(() => loadImage('/dev/zero', { maxPixels: 100 }), FileFormatError, '/dev/zero', tooLong(800 + 2 ** 24));
    await expectError(() => loadImage(new File([new Uint8Array(2 ** 24 + 9)], 'big.png'), { maxPixels: 1 }), FileFormatError, 'big.png', tooLong(8 + 2 ** 24));
    for (const maxPixels of [NaN, 0, -1, '9' as unknown as number]) {
      await expectError(() => loadImage(`${url}/endless.png`, { maxPixels }), ConfigError, 'maxPixels', /expected a number of pixels above 0/);
    }
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test('loadImage reads a pipe (a FIFO, as /dev/stdin is) to its end', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convas-pipe-'));
  const fifo = join(dir, 'picture.png');
  try {
    const made = spawnSync('mkfifo', [fifo]);
    assert.is(made.status, 0, String(made.stderr));
    const png = greyPng();
    const written = new Promise<void>((resolve) => createWriteStream(fifo).end(png, () => resolve()));
    const image = await loadImage(fifo);
    await written;
    assert.equal(Array.from(image.data), Array.from((await decodeImage(png)).data));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('ADAM7 covers every pixel once (the test encoder\'s interlacing)', () => {
  const seen = new Uint8Array(13 * 9);
  for (const [x0, y0, dx, dy] of ADAM7) for (let y = y0; y < 9; y += dy) for (let x = x0; x < 13; x += dx) seen[y * 13 + x]++;
  assert.ok(seen.every((n) => n === 1));
});

test.run();
