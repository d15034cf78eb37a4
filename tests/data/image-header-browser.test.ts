// The formats only browsers decode (GIF, WebP, BMP, AVIF, HEIC): known by their first bytes, their
// declared size read (so a file declaring too many pixels is refused before the browser decodes it);
// in Node each is refused by name, saying which formats Node decodes; a file cut anywhere is a
// FileFormatError, never another error. tests/browser/site.test.ts decodes them in Chromium.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFileSync } from 'node:fs';
import { FileFormatError, decodeImage } from '../../src/index.js';
import { readImageHeader } from '../../src/data/image-header.js';
import { expectError } from './expect-error.js';
import { GRADIENT } from './image-fixtures.js';

const fixture = (name: string) => new Uint8Array(readFileSync(`tests/fixtures/images/${name}`));
/** scripts/make-image-fixtures.py's files of the gradient, by format. */
const FIXTURES = { gif: 'gradient.gif', webp: 'gradient.webp', bmp: 'gradient.bmp', avif: 'gradient.avif' } as const;
const NAMES = { gif: 'GIF', webp: 'WebP', bmp: 'BMP', avif: 'AVIF', heic: 'HEIC' };
/** Each format's name after its article, as messages write it. */
const A_NAME = { gif: 'a GIF', webp: 'a WebP', bmp: 'a BMP', avif: 'an AVIF' };

const ascii = (text: string) => [...text].map((c) => c.charCodeAt(0));
const le16 = (n: number) => [n & 0xff, n >> 8];
const le32 = (n: number) => [n & 0xff, (n >> 8) & 0xff, (n >> 16) & 0xff, n >>> 24];
const be32 = (n: number) => [n >>> 24, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
/** An ISO media box: its size, its type, then its content. */
const box = (type: string, ...content: number[][]) => [...be32(8 + content.flat().length), ...ascii(type), ...content.flat()];
const ispe = (width: number, height: number) => box('ispe', [0, 0, 0, 0], be32(width), be32(height));

/** A HEIC as an iPhone writes it: its brands, then meta → iprp → ipco holding a thumbnail's size and the image's. */
const heic = (brand = 'heic') => Uint8Array.from([
  ...box('ftyp', ascii(`${brand}\0\0\0\0mif1${brand}`)),
  ...box('meta', [0, 0, 0, 0], box('hdlr', new Array(25).fill(0)), box('iprp', box('ipco', ispe(320, 240), ispe(4032, 3024)))),
  ...box('mdat', [1, 2, 3]),
]);
/**
 * An animated AVIF whose items declare 1×1 while its track is `width`×`height`, in a track header
 * of `version` 0 (32-bit times) or 1 (64-bit): libavif decodes the track, at the track's size.
 */
const avifSequence = (width: number, height: number, version: 0 | 1) => Uint8Array.from([
  ...box('ftyp', ascii('avis\0\0\0\0avismif1miafMA1B')),
  ...box('meta', [0, 0, 0, 0], box('iprp', box('ipco', ispe(1, 1)))),
  ...box('moov', box('trak', box('tkhd', [version, 0, 0, 3], new Array(version === 1 ? 84 : 72).fill(0), be32(width * 65536), be32(height * 65536)))),
]);
/** A GIF of a 1×1 screen whose first frame (after a graphic control extension) is 30×20: Chromium grows the screen to it. */
const gifFrameLargerThanScreen = Uint8Array.from([
  ...ascii('GIF89a'), ...le16(1), ...le16(1), 0, 0, 0,
  0x21, 0xf9, 4, 0, 0, 0, 0, 0,
  0x2c, ...le16(0), ...le16(0), ...le16(30), ...le16(20), 0, 2, 2, 0x4c, 0x01, 0, 0x3b,
]);
/** The same GIF's frame made 1×1 and moved to 3000, 2000: Chromium grows the 1×1 screen to 3001×2001 to hold it. */
const gifFrameOffScreen = Uint8Array.from(gifFrameLargerThanScreen);
gifFrameOffScreen.set([...le16(3000), ...le16(2000), ...le16(1), ...le16(1)], 22);
const webp = (chunk: string, data: number[]) => Uint8Array.from([...ascii('RIFF'), ...le32(4 + 8 + data.length), ...ascii('WEBP'), ...ascii(chunk), ...le32(data.length), ...data]);
/** A lossy WebP frame: its 3-byte tag, the start code, 14 bits of width and of height (2 bits of scale above). */
const webpLossy = webp('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, ...le16(300 | 0xc000), ...le16(200), 0, 0]);
/** An extended WebP: flags, then the canvas's width − 1 and height − 1 in 24 bits each. */
const webpExtended = webp('VP8X', [0, 0, 0, 0, 0x0f, 0x27, 0, 0x0f, 0x27, 0]);
/** A BMP with the old OS/2 header (12 bytes, 16-bit sizes), and one stored top down (a negative height). */
const bmp = (dib: number[]) => Uint8Array.from([...ascii('BM'), ...le32(14 + dib.length), 0, 0, 0, 0, ...le32(14 + dib.length), ...dib]);
const bmpOs2 = bmp([...le32(12), ...le16(40), ...le16(30), ...le16(1), ...le16(24)]);
const bmpTopDown = bmp([...le32(40), ...le32(40), ...le32(-30), ...le16(1), ...le16(24), ...new Array(24).fill(0)]);

test('GIF, WebP (lossless, lossy, extended), BMP (Windows, OS/2, top down), AVIF and HEIC: the format and size each declares', () => {
  for (const [format, file] of Object.entries(FIXTURES)) {
    assert.equal(readImageHeader(fixture(file), file), { format, width: GRADIENT.width, height: GRADIENT.height }, file);
  }
  const cases: Array<[string, Uint8Array, object]> = [
    ['a GIF whose first frame is larger than its screen', gifFrameLargerThanScreen, { format: 'gif', width: 30, height: 20 }],
    ['a GIF whose first frame lies past its screen', gifFrameOffScreen, { format: 'gif', width: 3001, height: 2001 }],
    ['a lossy WebP', webpLossy, { format: 'webp', width: 300, height: 200 }],
    ['an extended WebP', webpExtended, { format: 'webp', width: 10000, height: 10000 }],
    ['an OS/2 BMP', bmpOs2, { format: 'bmp', width: 40, height: 30 }],
    ['a top-down BMP', bmpTopDown, { format: 'bmp', width: 40, height: 30 }],
    ['an animated AVIF (its track\'s size, not its items\')', avifSequence(640, 480, 1), { format: 'avif', width: 640, height: 480 }],
    ['an animated AVIF with a version 0 track header', avifSequence(640, 480, 0), { format: 'avif', width: 640, height: 480 }],
    ['a HEIC (the larger of its sizes, not its thumbnail\'s)', heic(), { format: 'heic', width: 4032, height: 3024 }],
  ];
  for (const [what, bytes, header] of cases) assert.equal(readImageHeader(bytes, 'photo'), header, what);
});

test('in Node, GIF, WebP, BMP, AVIF and HEIC are refused by name, saying what Node decodes (before: "not a JPEG, PNG or PGM image"); other files say what is read where', async () => {
  for (const [format, file] of Object.entries(FIXTURES)) {
    await expectError(() => decodeImage(fixture(file), { name: file }), FileFormatError, file,
      new RegExp(`: ${A_NAME[format as keyof typeof A_NAME]} image, which convas decodes in browsers only .*; in Node it decodes JPEG, PNG and PGM`));
  }
  await expectError(() => decodeImage(heic(), { name: 'IMG_0001.HEIC' }), FileFormatError, 'IMG_0001.HEIC', /a HEIC image, which convas decodes in browsers only/);
  await expectError(() => decodeImage(Uint8Array.from(box('ftyp', ascii('isom\0\0\0\0isomavc1'))), { name: 'clip.mp4' }), FileFormatError, 'clip.mp4',
    /not an image convas reads \(it starts with bytes 00 00 00 18\); expected a JPEG, PNG or PGM file, or in a browser a GIF, WebP, BMP, AVIF or HEIC one/);
  // "BM" starts a BMP, and many other files: without a BMP's header after it, such a file is not an image (before: "truncated BMP").
  for (const [name, text] of [['notes.txt', 'BMW service history, 2019 to 2024\n'], ['bm.txt', 'BM'], ['short.txt', 'BMW']]) {
    await expectError(() => decodeImage(Uint8Array.from(ascii(text)), { name }), FileFormatError, name,
      new RegExp(`not an image convas reads \\(it starts with bytes 42 4d.*\\); expected a JPEG, PNG or PGM file`));
  }
});

test('a GIF, WebP, BMP, AVIF or HEIC declaring more than maxPixels is refused before it is decoded', async () => {
  const bombs: Array<[string, Uint8Array, string]> = [
    ['a GIF frame of 65535×65535', Uint8Array.from(gifFrameLargerThanScreen, (b, i) => (i >= 26 && i < 30 ? 0xff : b)), '65535×65535'],
    ['a 1×1 GIF frame at 3000, 2000 on a 1×1 screen', gifFrameOffScreen, '3001×2001'],
    ['an extended WebP of 10000×10000', webpExtended, '10000×10000'],
    ['a BMP of 40×−2000000', bmp([...le32(40), ...le32(40), ...le32(-2e6), ...le16(1), ...le16(24), ...new Array(24).fill(0)]), '40×2000000'],
    ['a HEIC of 4032×3024', heic(), '4032×3024'],
    ['an animated AVIF of 1×1 whose track is 3000×2000', avifSequence(3000, 2000, 1), '3000×2000'],
  ];
  for (const [what, bytes, size] of bombs) {
    await expectError(() => decodeImage(bytes, { name: what, maxPixels: 1e6 }), FileFormatError, what, new RegExp(`declares ${size} pixels .* more than the 1 megapixels allowed`));
  }
  const avif = fixture(FIXTURES.avif);
  const at = avif.findIndex((_, i) => String.fromCharCode(...avif.subarray(i, i + 4)) === 'ispe') + 8;
  avif.set([...be32(60000), ...be32(60000)], at);
  await expectError(() => decodeImage(avif, { name: 'big.avif' }), FileFormatError, 'big.avif', /the AVIF declares 60000×60000 pixels/);
});

// tests/hardening/image-files.test.ts cuts and changes the fixtures.
test('a HEIC, GIF, WebP or BMP header cut anywhere, or a box running past its end, is a FileFormatError naming it (never a RangeError)', async () => {
  for (const file of [heic(), avifSequence(640, 480, 0), gifFrameLargerThanScreen, webpLossy, webpExtended, bmpOs2]) {
    for (let length = 1; length < file.length; length++) {
      await expectError(() => decodeImage(file.subarray(0, length), { name: 'cut.file' }), FileFormatError, 'cut.file', /./);
    }
  }
  const overlong = heic();
  const meta = overlong.findIndex((_, i) => String.fromCharCode(...overlong.subarray(i, i + 4)) === 'meta') - 4;
  overlong.set(be32(5000), meta); // meta declares 5000 bytes
  const shortIspe = Uint8Array.from([...box('ftyp', ascii('heic')), ...box('meta', [0, 0, 0, 0], box('iprp', box('ipco', box('ispe', [0, 0, 0, 0], be32(640)))))]);
  await expectError(() => decodeImage(shortIspe, { name: 'y.heic' }), FileFormatError, 'y.heic', /corrupt HEIC: its ispe property holds 8 bytes; expected 12/);
  await expectError(() => decodeImage(overlong, { name: 'x.heic' }), FileFormatError, 'x.heic', /corrupt or truncated HEIC: the box at byte 24 declares 5000 bytes, where 8 to \d+ fit/);
});

test.run();
