import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ConfigError, FileFormatError } from '../../src/errors.js';
import { idxDataset, parseIdxImages, parseIdxLabels } from '../../src/data/idx.js';
import { loadIdxDirectory } from '../../src/data/idx-node.js';
import { encodeIdx } from './encoders.js';
import { expectError } from './expect-error.js';

// Three 2×3 images with distinct pixels, labels 0, 4, 1 (so 5 classes).
const pixels = Uint8Array.from({ length: 18 }, (_, i) => i * 15);
const labels = new Uint8Array([0, 4, 1]);
const imageFile = encodeIdx([3, 2, 3], pixels);
const labelFile = encodeIdx([3], labels);
const names = { images: 'imgs.idx', labels: 'labels.idx' };

test('images and labels round-trip through IDX', () => {
  const ds = idxDataset(imageFile, labelFile, names);
  assert.equal([ds.count, ds.height, ds.width, ds.classes], [3, 2, 3, 5]);
  assert.equal(Array.from(ds.images), Array.from(pixels, (p) => Math.fround(p / 255)));
  assert.equal(Array.from(ds.labels), [0, 4, 1]);
});

test('classes is at least 2 even when every label is 0', () => {
  assert.is(idxDataset(encodeIdx([1, 1, 1], new Uint8Array([9])), encodeIdx([1], new Uint8Array([0])), names).classes, 2);
});

const imageCorruptions: [string, Uint8Array, RegExp][] = [
  ['bad magic number', Uint8Array.of(0x12, 0x34, ...imageFile.subarray(2)), /bad magic number 0x12340803.*expected 0x00000803/],
  ['gzip given raw', gzipSync(imageFile), /bad magic number.*gzip/],
  ['wrong data type', Uint8Array.of(0, 0, 0x0d, ...imageFile.subarray(3)), /data type 0x0d \(float32\); expected 0x08/],
  ['wrong number of dimensions', encodeIdx([3, 6], pixels), /has 2 dimensions; expected 3/],
  ['file shorter than the magic', imageFile.subarray(0, 3), /3 bytes.*truncated/],
  ['truncated header', imageFile.subarray(0, 10), /shorter than its 16-byte header/],
  ['truncated pixels', imageFile.subarray(0, imageFile.length - 1), /truncated: header says 3 count × 2 rows × 3 columns = 18 bytes.*only 17/],
  ['extra trailing bytes', Uint8Array.of(...imageFile, 0, 0), /2 extra trailing bytes/],
  ['zero images', encodeIdx([0, 2, 3], new Uint8Array(0)), /holds 0 images/],
  ['zero-size images', encodeIdx([3, 0, 3], new Uint8Array(0)), /0×3 pixels/],
];
for (const [what, bytes, detail] of imageCorruptions) {
  test(`images file with ${what} → FileFormatError naming the file`, () =>
    expectError(() => parseIdxImages(bytes, 'broken-images.idx'), FileFormatError, 'broken-images.idx', detail));
}

test('labels file with wrong dimensions or extra bytes → FileFormatError naming the file', async () => {
  await expectError(() => parseIdxLabels(imageFile, 'l.idx'), FileFormatError, 'l.idx', /has 3 dimensions; expected 1 \(count\)/);
  await expectError(() => parseIdxLabels(Uint8Array.of(...labelFile, 7), 'l.idx'), FileFormatError, 'l.idx', /1 extra trailing bytes/);
});

test('image and label counts that disagree → FileFormatError naming both files', async () => {
  const twoLabels = encodeIdx([2], new Uint8Array([0, 1]));
  await expectError(() => idxDataset(imageFile, twoLabels, names), FileFormatError, 'imgs.idx', /3 images but labels\.idx holds 2 labels/);
});

async function withDirectory(files: Record<string, Uint8Array>, body: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'convas-idx-'));
  try {
    await Promise.all(Object.entries(files).map(([name, bytes]) => writeFile(join(dir, name), bytes)));
    await body(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const testLabels = new Uint8Array([6]); // a class the training set lacks
const testImages = encodeIdx([1, 2, 3], pixels.subarray(0, 6));
const mnistFiles = {
  'train-images-idx3-ubyte': imageFile,
  'train-labels-idx1-ubyte': labelFile,
  't10k-images-idx3-ubyte': testImages,
  't10k-labels-idx1-ubyte': encodeIdx([1], testLabels),
};

function gzipped(files: Record<string, Uint8Array>): Record<string, Uint8Array> {
  return Object.fromEntries(Object.entries(files).map(([name, bytes]) => [`${name}.gz`, gzipSync(bytes)]));
}

for (const [variant, files] of [
  ['raw', mnistFiles],
  ['gzipped', gzipped(mnistFiles)],
  ['dot-named', Object.fromEntries(Object.entries(mnistFiles).map(([n, b]) => [n.replace('-idx', '.idx'), b]))],
] as const) {
  test(`loadIdxDirectory reads ${variant} files; train and test share the class count`, () =>
    withDirectory(files, async (dir) => {
      const { train, test: held } = await loadIdxDirectory(dir);
      assert.equal([train.count, held.count, train.height, train.width], [3, 1, 2, 3]);
      assert.equal([train.classes, held.classes], [7, 7]);
      assert.equal(Array.from(train.labels), [0, 4, 1]);
      assert.equal(Array.from(held.images), Array.from(pixels.subarray(0, 6), (p) => Math.fround(p / 255)));
    }));
}

test('loadIdxDirectory: a missing file → error naming the file and the directory', () => {
  const { 't10k-labels-idx1-ubyte': _, ...withoutTestLabels } = mnistFiles;
  return withDirectory(withoutTestLabels, (dir) =>
    expectError(() => loadIdxDirectory(dir), ConfigError, 't10k-labels-idx1-ubyte', new RegExp(`in ${dir}`)));
});

test('loadIdxDirectory: a corrupt .gz → FileFormatError naming the file', () => {
  const files = gzipped(mnistFiles);
  const gz = files['train-labels-idx1-ubyte.gz'];
  files['train-labels-idx1-ubyte.gz'] = gz.subarray(0, gz.length - 6);
  return withDirectory(files, (dir) =>
    expectError(() => loadIdxDirectory(dir), FileFormatError, join(dir, 'train-labels-idx1-ubyte.gz'), /corrupt gzip/));
});

test('loadIdxDirectory: a corrupt file inside names its full path', () =>
  withDirectory({ ...mnistFiles, 't10k-images-idx3-ubyte': testImages.subarray(0, 20) }, (dir) =>
    expectError(() => loadIdxDirectory(dir), FileFormatError, join(dir, 't10k-images-idx3-ubyte'), /truncated/)));

test.run();
