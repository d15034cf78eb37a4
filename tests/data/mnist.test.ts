import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loadBundledDigits } from '../../src/data/mnist-node.js';

let mnistDir: string | undefined;
try {
  mnistDir = dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
} catch {
  console.log('skipping the bundled-digits tests: the optional "mnist" package is not installed');
}

const cacheDir = await mkdtemp(join(tmpdir(), 'convas-digits-'));
const cacheFile = join(cacheDir, 'digits.bin');
const countsPerClass = (labels: Uint8Array) => labels.reduce((counts, l) => (counts[l]++, counts), new Array(10).fill(0));

if (mnistDir) {
  test('first load: 8000/2000 split of 28×28 digits in 10 classes, values in [0,1], every package image once', async () => {
    const { train, test: held } = await loadBundledDigits({ seed: 1, cacheFile });
    assert.equal([train.count, held.count], [8000, 2000]);
    for (const ds of [train, held]) {
      assert.equal([ds.height, ds.width, ds.classes, ds.images.length], [28, 28, 10, ds.count * 784]);
      assert.ok(ds.images.every((v) => v >= 0 && v <= 1), 'values in [0, 1]');
    }
    const expected = await Promise.all(Array.from({ length: 10 }, async (_, label) =>
      JSON.parse(await readFile(join(mnistDir!, 'src', 'digits', `${label}.json`), 'utf8')).data.length / 784));
    const trainCounts = countsPerClass(train.labels), testCounts = countsPerClass(held.labels);
    assert.equal(trainCounts.map((n: number, c: number) => n + testCounts[c]), expected, 'images per class');
    assert.ok(testCounts.every((n: number) => n > 100), 'the test set mixes every class');
  });

  test('second load reuses the cache: same bytes on disk, same split, milliseconds', async () => {
    const before = await stat(cacheFile);
    const start = performance.now();
    const first = await loadBundledDigits({ seed: 1, cacheFile });
    const elapsed = performance.now() - start;
    assert.is((await stat(cacheFile)).mtimeMs, before.mtimeMs, 'cache not rewritten');
    assert.is(before.size, 16 + 4 + 10000 * 785);
    // The unchanged mtime shows the cache was not rebuilt. The time bound is loose (a cached load
    // takes milliseconds here) so that a slow or busy machine does not fail it.
    assert.ok(elapsed < 5000, `cached load (the JSON parse alone takes ~800 ms) took ${elapsed.toFixed(0)} ms`);
    const again = await loadBundledDigits({ seed: 1, cacheFile });
    assert.equal(first.test.labels, again.test.labels);
    assert.equal(first.test.images, again.test.images);
    const other = await loadBundledDigits({ seed: 2, cacheFile, trainCount: 9000 });
    assert.equal([other.train.count, other.test.count], [9000, 1000]);
    assert.not.equal(Array.from(other.test.labels), Array.from(first.test.labels.subarray(0, 1000)), 'another seed, another split');
  });

  test('a damaged cache is rebuilt', async () => {
    const good = await readFile(cacheFile);
    await writeFile(cacheFile, good.subarray(0, good.length - 1));
    const { train } = await loadBundledDigits({ seed: 1, cacheFile });
    assert.is(train.count, 8000);
    assert.equal(await readFile(cacheFile), good);
  });
}

test.after(() => rm(cacheDir, { recursive: true, force: true }));
test.run();
