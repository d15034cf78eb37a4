// Loads an MNIST-layout directory of IDX files (raw or gzipped) from disk. Node only.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ConfigError, FileFormatError, ShapeError } from '../errors.js';
import type { Dataset } from './dataset.js';
import { idxDataset } from './idx.js';

/** The four files of the MNIST distribution, by their canonical names. */
const FILES = {
  trainImages: 'train-images-idx3-ubyte',
  trainLabels: 'train-labels-idx1-ubyte',
  testImages: 't10k-images-idx3-ubyte',
  testLabels: 't10k-labels-idx1-ubyte',
};

/**
 * Reads train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte and
 * t10k-labels-idx1-ubyte from `dir`. Each may also be gzipped (`.gz`) or spelled with a dot
 * (`train-images.idx3-ubyte`, as some mirrors do). Both sets get the same number of classes.
 */
export async function loadIdxDirectory(dir: string): Promise<{ train: Dataset; test: Dataset }> {
  const [trainImages, trainLabels, testImages, testLabels] = await Promise.all(
    [FILES.trainImages, FILES.trainLabels, FILES.testImages, FILES.testLabels].map((name) => readIdxFile(dir, name)),
  );
  const train = idxDataset(trainImages.bytes, trainLabels.bytes, { images: trainImages.path, labels: trainLabels.path });
  const test = idxDataset(testImages.bytes, testLabels.bytes, { images: testImages.path, labels: testLabels.path });
  if (train.height !== test.height || train.width !== test.width) {
    throw new ShapeError(
      `${testImages.path} has ${test.height}×${test.width} images but ${trainImages.path} has ${train.height}×${train.width}; expected the same size`,
    );
  }
  const classes = Math.max(train.classes, test.classes);
  return { train: { ...train, classes }, test: { ...test, classes } };
}

/** The bytes of the first spelling of `name` found in `dir`, gunzipped if they are gzip. */
async function readIdxFile(dir: string, name: string): Promise<{ path: string; bytes: Uint8Array }> {
  const dotted = name.replace(/-(idx\d-ubyte)$/, '.$1');
  const candidates = [name, `${name}.gz`, dotted, `${dotted}.gz`].map((file) => join(dir, file));
  for (const path of candidates) {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(path);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    return { path, bytes: isGzip(bytes) ? gunzip(bytes, path) : bytes };
  }
  throw new ConfigError(`no ${name} (or ${name}.gz) in ${dir}; an IDX data directory needs ${Object.values(FILES).join(', ')}`);
}

// Decided by content, not by the name: a `.gz` that a download tool already unpacked still loads.
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function gunzip(bytes: Uint8Array, path: string): Uint8Array {
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new FileFormatError(`${path}: corrupt gzip data (${(error as Error).message})`);
  }
}
