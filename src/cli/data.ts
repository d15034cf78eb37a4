// The images a command works on: the digits bundled with the `mnist` package (split 8,000 / 2,000
// with the fixed default seed, so `train` and `evaluate` agree on the held-out set), a directory of
// IDX files, or a directory of class folders of images (held out: a seeded share of the files).
import { readdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { type Dataset, oneHot } from '../data/dataset.js';
import { loadIdxDirectory } from '../data/idx-node.js';
import { imageDatasetFromDirectory } from '../data/image-folders.js';
import { loadBundledDigits } from '../data/mnist-node.js';
import { ConfigError } from '../errors.js';
import { type Tensor, tensor } from '../tensor.js';
import type { Preset } from './args.js';

/**
 * What `convas train` records in a model trained on image folders (its user-defined metadata), so
 * that predict and evaluate prepare images as training did and name the classes.
 */
export interface ImageModelMetadata {
  classNames: string[];
  imageInput: { size: [number, number]; channels: 1 | 3; normalize: Preset; crop: 'center' };
  /** The held-out share of the images in `directory` (absolute; older models lack it), by the seed. */
  validation: { split: number; seed: number; directory?: string };
}

export interface ImageFolderSettings {
  size: [number, number];
  channels: 1 | 3 | 'auto';
  normalize: Preset;
  validationSplit: number;
  seed: number;
}

export interface LoadedData {
  train: Dataset;
  test: Dataset;
  /** For messages: "the bundled digits" or the directory. */
  source: string;
  /** Image folders only: the metadata a model trained on them keeps. */
  metadata?: ImageModelMetadata;
}

export interface LoadingReport {
  progress(done: number, total: number, file: string): void;
  warning(message: string): void;
}

export async function loadData(dir: string | undefined, images: ImageFolderSettings, report: LoadingReport): Promise<LoadedData> {
  if (dir === undefined) return { ...(await loadBundledDigits()), source: 'the bundled mnist digits' };
  if (await holdsIdxFiles(dir)) return { ...(await loadIdxDirectory(dir)), source: dir };
  const { size, channels, normalize, validationSplit, seed } = images;
  const data = await imageDatasetFromDirectory(dir, {
    size, channels, normalize, crop: 'center', validationSplit, seed, onProgress: report.progress, onWarning: report.warning,
  });
  if (data.classNames.length < 2) {
    throw new ConfigError(`${dir}: one class folder (${JSON.stringify(data.classNames[0])}); a classifier needs a folder of images for each of two classes or more`);
  }
  // A split of 0 scores every image (evaluate on a folder of its own); a run needs images on both sides.
  const test = validationSplit === 0 ? data.train : data.validation;
  const readable = `${data.train.count + (data.validation?.count ?? 0)} readable images`;
  if (!test || test.count === 0) throw new ConfigError(`${dir}: ${readable} leave none to test on with --validation-split ${validationSplit}; add images or raise it`);
  if (data.train.count === 0) throw new ConfigError(`${dir}: ${readable} leave none to train on with --validation-split ${validationSplit}; add images or lower it`);
  const metadata: ImageModelMetadata = {
    classNames: data.classNames,
    imageInput: { size, channels: data.train.channels as 1 | 3, normalize, crop: 'center' },
    validation: { split: validationSplit, seed, directory: resolve(dir) },
  };
  return { train: data.train, test, source: dir, metadata };
}

/** IDX files are recognised by their names (train-images-idx3-ubyte…); anything else is read as image folders. */
async function holdsIdxFiles(dir: string): Promise<boolean> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (error) {
    throw new ConfigError(`${dir}: cannot read the data directory (${(error as Error).message}); expected IDX files ` +
      '(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte) or one folder of images per class');
  }
  return names.some((name) => /idx[13]-ubyte/.test(name));
}

/** Images as [count, height, width, channels]. */
export function imagesTensor(data: Dataset): Tensor {
  return tensor(data.images, [data.count, data.height, data.width, data.channels]);
}

/** Labels one-hot, as [count, classes]. */
export function labelsTensor(data: Dataset): Tensor {
  return tensor(oneHot(data.labels, data.classes), [data.count, data.classes]);
}
