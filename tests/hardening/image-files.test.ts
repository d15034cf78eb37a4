// Hostile image files. A seeded fuzz of JPEG, PNG, GIF, WebP, BMP and AVIF files (bytes changed, files cut anywhere):
// each decodes to a well-formed image or fails with a FileFormatError naming the file — never
// another error, never a hang (each decode is timed). Then a folder load in which every kind of
// bad file is skipped with a warning while the good images load. FUZZ_SECONDS (default 20, a
// quarter of it here) bounds the run, FUZZ_SEED picks the stream.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import jpeg from 'jpeg-js';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileFormatError, decodeImage, imageDatasetFromDirectory } from '../../src/index.js';
import { encodePng } from '../data/encoders.js';
import { random } from '../helpers.js';
import { temporaryDirectory } from '../temporary-directory.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20) / 4;
const SEED = Number(process.env.FUZZ_SEED ?? 20240612);
/** No small file may take this long to decode or to be refused. */
const SLOW_MS = 2000;

const rng = random(SEED);
const smooth = (width: number, height: number) => Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 13) % 256));
const originals: Array<[string, Uint8Array]> = [
  ['baseline.jpg', new Uint8Array(jpeg.encode({ width: 19, height: 13, data: smooth(19, 13) }, 80).data)],
  ['progressive.jpg', new Uint8Array(await readFile('tests/fixtures/images/gradient-progressive.jpg'))],
  ['grey.jpg', new Uint8Array(await readFile('tests/fixtures/images/gradient-grey.jpg'))],
  ['rgba.png', encodePng({ width: 9, height: 7, colourType: 6, samples: Uint8Array.from({ length: 9 * 7 * 4 }, () => rng.int(0, 255)), filters: [0, 1, 2, 3, 4] })],
  ['interlaced.png', encodePng({ width: 11, height: 6, colourType: 2, bitDepth: 16, samples: Uint8Array.from({ length: 11 * 6 * 6 }, () => rng.int(0, 255)), filters: [4, 1], interlace: 1 })],
  // Formats only browsers decode: in Node each is refused by name, once its header is read.
  ...await Promise.all(['gradient.gif', 'gradient.webp', 'gradient.bmp', 'gradient.avif'].map(async (name): Promise<[string, Uint8Array]> => [name, new Uint8Array(await readFile(`tests/fixtures/images/${name}`))])),
  ['palette.png', encodePng({ width: 8, height: 5, colourType: 3, bitDepth: 4, samples: Uint8Array.from({ length: 20 }, () => rng.int(0, 255) & 0x77), filters: [2], palette: Uint8Array.from({ length: 24 }, () => rng.int(0, 255)), transparency: Uint8Array.of(0, 128) })],
];

/** Decodes `bytes` named `name`: a well-formed image, or a FileFormatError naming it; anything else fails the test. */
async function decodesOrRefuses(bytes: Uint8Array, name: string, what: string): Promise<'decoded' | 'refused'> {
  const start = performance.now();
  try {
    const image = await decodeImage(bytes, { name });
    assert.ok(Number.isInteger(image.width) && image.width > 0 && Number.isInteger(image.height) && image.height > 0, `${what}: size`);
    assert.is(image.data.length, image.width * image.height * 4, `${what}: RGBA samples`);
    return 'decoded';
  } catch (error) {
    if (!(error instanceof FileFormatError) || !(error as Error).message.includes(name)) {
      assert.unreachable(`${what}: ${(error as Error)?.name}: ${(error as Error)?.message}`);
    }
    return 'refused';
  } finally {
    assert.ok(performance.now() - start < SLOW_MS, `${what}: took ${(performance.now() - start).toFixed(0)} ms`);
  }
}

test('every cut of every file decodes or is refused by name', async () => {
  for (const [name, bytes] of originals) {
    for (let length = 0; length < bytes.length; length++) await decodesOrRefuses(bytes.subarray(0, length), name, `${name} cut to ${length} bytes`);
  }
});

test(`changed bytes: a well-formed image or a FileFormatError, never a hang (seed ${SEED}, ${SECONDS} s)`, async () => {
  const counts = { decoded: 0, refused: 0 };
  const deadline = performance.now() + SECONDS * 1000;
  while (performance.now() < deadline) {
    const [name, original] = rng.pick(originals);
    const bytes = original.slice();
    const changes: string[] = [];
    for (let k = rng.int(1, 4); k > 0; k--) {
      const at = rng.int(0, bytes.length - 1);
      bytes[at] = rng.next() < 0.3 ? rng.pick([0, 0xff, 0x7f, 0x80]) : rng.int(0, 255);
      changes.push(`${at}=${bytes[at]}`);
    }
    counts[await decodesOrRefuses(bytes, name, `seed ${SEED}: ${name} with bytes ${changes.join(', ')}`)]++;
  }
  console.log(`image file fuzz: seed ${SEED}: ${counts.decoded} decoded, ${counts.refused} refused`);
  assert.ok(counts.decoded >= 1 && counts.refused >= 1, `both outcomes reached: ${JSON.stringify(counts)}`);
});

test('a folder of hostile files: each skipped with a warning naming it, the good images loaded, nothing thrown', async () => {
  const dir = await temporaryDirectory('hostile');
  // Not the formats only browsers decode: Node refuses them.
  const good = originals.filter(([name]) => !name.startsWith('grey') && !name.startsWith('gradient.'));
  const bomb = encodePng({ width: 4, height: 4, colourType: 0, samples: new Uint8Array(16), filters: [0] });
  new DataView(bomb.buffer).setUint32(16, 60000); // IHDR: 60000×60000
  new DataView(bomb.buffer).setUint32(20, 60000);
  const hostile: Record<string, Uint8Array> = {
    'empty.jpg': new Uint8Array(0), 'text.png': new TextEncoder().encode('not an image at all'), 'cut.jpg': originals[0][1].subarray(0, 150),
    'cut.png': originals[3][1].subarray(0, 70), 'bomb.png': bomb, 'gif.jpg': new TextEncoder().encode('GIF89a\x01\x00\x01\x00'),
  };
  for (const label of ['a', 'b']) {
    await mkdir(join(dir, label));
    for (const [name, bytes] of good) await writeFile(join(dir, label, name), bytes);
    for (const [name, bytes] of Object.entries(hostile)) await writeFile(join(dir, label, name), bytes);
  }
  const warnings: string[] = [];
  let data;
  try {
    data = await imageDatasetFromDirectory(dir, { size: 6, onWarning: (w) => warnings.push(w) });
  } catch (error) {
    assert.unreachable(`the load failed: ${(error as Error).message}`);
  }
  assert.is(data!.train.count, 2 * good.length);
  const expected = ['a', 'b'].flatMap((label) => Object.keys(hostile).map((name) => join(dir, label, name)));
  for (const file of expected) assert.ok(warnings.some((w) => w.startsWith(`${file}: skipped (`)), `a warning names ${file}: ${warnings.join('\n')}`);
  assert.ok(warnings.some((w) => w.includes('declares 60000×60000 pixels')), 'the bomb is refused by its declared size');
});

test.run();
