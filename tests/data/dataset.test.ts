import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ValueError } from '../../src/errors.js';
import { oneHot, seededPermutation, splitDataset, subset, type Dataset } from '../../src/data/dataset.js';

/** `count` 2×2 images whose pixels all equal index/count, labelled index mod 3. */
function numbered(count: number): Dataset {
  const images = Float32Array.from({ length: count * 4 }, (_, i) => Math.floor(i / 4) / count);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  return { images, labels, count, height: 2, width: 2, channels: 1, classes: 3 };
}

/** The original index of each image, read back from its pixels. */
const indicesOf = (ds: Dataset, total: number) => Array.from({ length: ds.count }, (_, i) => Math.round(ds.images[i * 4] * total));

test('oneHot puts a single 1 at each label', () => {
  assert.equal(Array.from(oneHot(new Uint8Array([2, 0, 1]), 3)), [0, 0, 1, 1, 0, 0, 0, 1, 0]);
  assert.throws(() => oneHot(new Uint8Array([3]), 3), (e: unknown) => e instanceof ValueError);
});

test('subset copies images and labels in the order given and keeps classes', () => {
  const ds = numbered(10);
  const picked = subset(ds, [7, 2, 2]);
  assert.equal(indicesOf(picked, 10), [7, 2, 2]);
  assert.equal(Array.from(picked.labels), [1, 2, 2]);
  assert.is(picked.classes, 3);
  assert.is(picked.images.length, 12);
  assert.throws(() => subset(ds, [10]), (e: unknown) => e instanceof ValueError);
});

test('seededPermutation is a permutation, fixed by its seed', () => {
  const order = seededPermutation(1000, 42);
  assert.equal([...order].sort((a, b) => a - b), Array.from({ length: 1000 }, (_, i) => i));
  assert.equal(order, seededPermutation(1000, 42));
  assert.not.equal(Array.from(order), Array.from(seededPermutation(1000, 43)));
  assert.not.equal(Array.from(order), Array.from({ length: 1000 }, (_, i) => i), 'shuffled');
});

test('splitDataset: same seed same split, another seed another split, no image lost or repeated', () => {
  const ds = numbered(100);
  const a = splitDataset(ds, 80, 7), b = splitDataset(ds, 80, 7), c = splitDataset(ds, 80, 8);
  assert.is(a.train.count, 80);
  assert.is(a.test.count, 20);
  assert.equal(indicesOf(a.train, 100), indicesOf(b.train, 100));
  assert.equal(indicesOf(a.test, 100), indicesOf(b.test, 100));
  assert.not.equal(indicesOf(a.test, 100), indicesOf(c.test, 100));
  const all = [...indicesOf(a.train, 100), ...indicesOf(a.test, 100)].sort((x, y) => x - y);
  assert.equal(all, Array.from({ length: 100 }, (_, i) => i));
  for (const part of [a.train, a.test]) {
    indicesOf(part, 100).forEach((original, i) => assert.is(part.labels[i], original % 3, 'label travels with its image'));
  }
});

test('splitDataset refuses a training count that leaves either side empty', () => {
  for (const bad of [0, 100, 101, 2.5]) {
    assert.throws(() => splitDataset(numbered(100), bad, 1), (e: unknown) => e instanceof ConfigError, `trainCount ${bad}`);
  }
});

test.run();
