// Image folders as datasets (imageDatasetFromDirectory), on folders the tests write: classes from
// sorted folder names, images found in nested folders, a seeded validation split, every image as
// imageToPixels makes it, bad files skipped with a warning naming them, and the folder layouts that
// cannot be a dataset refused with a ConfigError.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import jpeg from 'jpeg-js';
import { mkdir, readFile, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, decodeImage, imageDatasetFromDirectory, imageToPixels } from '../../src/index.js';
import { listImageFiles } from '../../src/data/image-folders.js';
import { random } from '../helpers.js';
import { encodePng } from './encoders.js';
import { expectError } from './expect-error.js';
import { temporaryDirectory } from '../temporary-directory.js';

const rng = random(3);
const colourPng = (width: number, height: number) =>
  encodePng({ width, height, colourType: 2, samples: Uint8Array.from({ length: width * height * 3 }, () => rng.int(0, 255)), filters: [1] });
const greyPng = (width: number, height: number) =>
  encodePng({ width, height, colourType: 0, samples: Uint8Array.from({ length: width * height }, () => rng.int(0, 255)), filters: [2] });
const colourJpeg = (width: number, height: number) =>
  new Uint8Array(jpeg.encode({ width, height, data: Uint8Array.from({ length: width * height * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 7) % 256)) }, 90).data);

/** Writes `files` ({ 'cats/a.png': bytes }) under a new temporary folder (removed when the file's tests end) and returns it. */
async function folder(files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = await temporaryDirectory('folders');
  for (const [path, bytes] of Object.entries(files)) {
    await mkdir(join(dir, path, '..'), { recursive: true });
    await writeFile(join(dir, path), bytes);
  }
  return dir;
}

test('classes from sorted folder names, nested images, other files ignored, a bad image skipped with a warning naming it', async () => {
  const dir = await folder({
    'zebra/z1.png': colourPng(9, 7), 'zebra/z2.jpg': colourJpeg(16, 12),
    'cats/c1.png': colourPng(5, 5), 'cats/more/c2.jpeg': colourJpeg(8, 8), 'cats/notes.txt': 'not an image', 'cats/.hidden.png': 'x',
    'dogs/d1.PNG': greyPng(6, 10), 'dogs/broken.jpg': colourJpeg(8, 8).subarray(0, 100), 'dogs/d2.png': colourPng(3, 4),
    '.git/config': 'x', 'README.md': 'x',
  });
  const warnings: string[] = [];
  const progress: Array<[number, number]> = [];
  const data = await imageDatasetFromDirectory(dir, {
    size: [6, 8], normalize: '[-1,1]', onWarning: (w) => warnings.push(w), onProgress: (done, total) => progress.push([done, total]),
  });
  assert.equal(data.classNames, ['cats', 'dogs', 'zebra']);
  assert.is(warnings.length, 1, warnings.join());
  assert.match(warnings[0], new RegExp(`${join(dir, 'dogs', 'broken.jpg')}: skipped \\((corrupt or )?truncated JPEG`));
  assert.equal(data.skipped, warnings);
  assert.equal(progress, [[1, 7], [2, 7], [3, 7], [4, 7], [5, 7], [6, 7], [7, 7]]);
  const { train } = data;
  assert.equal([train.count, train.height, train.width, train.channels, train.classes], [6, 6, 8, 3, 3]);
  assert.is(data.validation, undefined);
  // Files in class order, then sorted paths: cats/c1.png, cats/more/c2.jpeg, dogs/d1.PNG, dogs/d2.png, zebra/…
  assert.equal(Array.from(train.labels), [0, 0, 1, 1, 2, 2]);
  const files = ['cats/c1.png', 'cats/more/c2.jpeg', 'dogs/d1.PNG', 'dogs/d2.png', 'zebra/z1.png', 'zebra/z2.jpg'];
  for (const [i, file] of files.entries()) {
    const expected = imageToPixels(await decodeImage(await readFile(join(dir, file))), { size: [6, 8], normalize: '[-1,1]' });
    assert.equal(Array.from(train.images.subarray(i * 144, (i + 1) * 144)), Array.from(expected), file);
  }
});

test('links to folders are read as those folders, a class folder or one inside it, and a link back up the tree once', async () => {
  const elsewhere = await folder({ 'cats/c1.png': colourPng(5, 5), 'kittens/k1.png': colourPng(4, 4), 'kittens/k2.png': colourPng(4, 6) });
  const dir = await folder({ 'dogs/d1.png': colourPng(6, 6), 'cats/c0.png': colourPng(5, 5) });
  await mkdir(join(dir, 'birds'));
  await symlink(join(elsewhere, 'cats'), join(dir, 'birds', 'flock'));
  await symlink(join(elsewhere, 'kittens'), join(dir, 'cats', 'young'));
  await symlink(join(dir, 'cats'), join(dir, 'cats', 'again')); // a loop
  await symlink(join(elsewhere, 'cats'), join(dir, 'linked'));
  const { classNames, files } = await listImageFiles(dir);
  assert.equal(classNames, ['birds', 'cats', 'dogs', 'linked']);
  assert.equal(files.map((f) => [f.path.slice(dir.length + 1), f.label]), [
    ['birds/flock/c1.png', 0], ['cats/c0.png', 1], ['cats/young/k1.png', 1], ['cats/young/k2.png', 1], ['dogs/d1.png', 2], ['linked/c1.png', 3],
  ]);
});

test('a seeded validation split, as Keras takes it: the same seed the same split, the last share of the shuffled files', async () => {
  const files: Record<string, Uint8Array> = {};
  for (let i = 0; i < 10; i++) files[`a/${i}.png`] = colourPng(4, 4);
  for (let i = 0; i < 7; i++) files[`b/${i}.png`] = colourPng(4, 4);
  const dir = await folder(files);
  const split = (seed: number) => imageDatasetFromDirectory(dir, { size: 4, validationSplit: 0.3, seed, onWarning: assert.unreachable });
  const [one, again, other] = [await split(5), await split(5), await split(6)];
  assert.equal([one.train.count, one.validation!.count], [12, 5]); // trunc(0.3 · 17) = 5
  assert.equal(Array.from(one.validation!.images), Array.from(again.validation!.images));
  assert.not.equal(Array.from(one.validation!.images), Array.from(other.validation!.images));
  // Together the two sets hold every image once.
  const all = (await imageDatasetFromDirectory(dir, { size: 4 })).train;
  const rows = (d: { images: Float32Array; count: number }) => Array.from({ length: d.count }, (_, i) => Array.from(d.images.subarray(i * 48, (i + 1) * 48)).join()).sort();
  assert.equal([...rows(one.train), ...rows(one.validation!)].sort(), rows(all));
});

test("channels 'auto': 1 when every image is stored grey, else 3 with grey images repeated", async () => {
  const grey = await folder({ 'a/1.png': greyPng(5, 5), 'b/2.png': greyPng(7, 3) });
  const allGrey = await imageDatasetFromDirectory(grey, { size: 4, channels: 'auto' });
  assert.is(allGrey.train.channels, 1);
  assert.equal(Array.from(allGrey.train.images.subarray(0, 16)), Array.from(imageToPixels(await decodeImage(await readFile(join(grey, 'a/1.png'))), { size: 4, channels: 1 })));
  const mixed = await folder({ 'a/1.png': greyPng(5, 5), 'b/2.png': colourPng(7, 3) });
  const some = await imageDatasetFromDirectory(mixed, { size: 4, channels: 'auto' });
  assert.is(some.train.channels, 3);
  const first = Array.from(imageToPixels(await decodeImage(await readFile(join(mixed, 'a/1.png'))), { size: 4, channels: 1 }));
  assert.equal(Array.from(some.train.images.subarray(0, 48)), first.flatMap((v) => [v, v, v]));
});

test('folders that cannot be a dataset are ConfigErrors naming the folder', async () => {
  await expectError(() => imageDatasetFromDirectory(join(tmpdir(), 'convas-no-such-folder')), ConfigError, 'convas-no-such-folder', /cannot read the image folder/);
  const loose = await folder({ '1.png': colourPng(3, 3), '2.png': colourPng(3, 3) });
  await expectError(() => imageDatasetFromDirectory(loose), ConfigError, loose, /no class folders; expected one sub-folder per class .*, but the images \(2\) lie directly in it/);
  const empty = await folder({ 'a/1.png': colourPng(3, 3), 'b/notes.txt': 'no images here' });
  await expectError(() => imageDatasetFromDirectory(empty), ConfigError, join(empty, 'b'), /the class folder "b" holds no images/);
  const unreadable = await folder({ 'a/1.png': colourPng(3, 3), 'b/1.png': 'not a png' });
  await expectError(() => imageDatasetFromDirectory(unreadable, { onWarning: () => {} }), ConfigError, unreadable, /none of the images in class folder "b" could be read/);
  await expectError(() => imageDatasetFromDirectory(empty, { validationSplit: 1 }), ConfigError, 'validationSplit 1', /expected a share in \[0, 1\)/);
  await expectError(() => imageDatasetFromDirectory(empty, { channels: 'auto', normalize: 'imagenet' }), ConfigError, "channels 'auto'", /choose 1 or 3 channels/);
  await expectError(() => imageDatasetFromDirectory(empty, { size: -1 }), ConfigError, 'size -1', /positive integers/);
});

test.run();
