// The in-memory form every loader returns, and pure helpers to encode labels, shuffle and split.
import { ConfigError, ValueError } from '../errors.js';
import { seededRandom } from '../random.js';
import { shownValue } from '../shown-value.js';

/** Labelled images, NHWC. */
export interface Dataset {
  /** [count, height, width, channels]: 0..1 for digits and IDX files; images from folders as their normalisation says. */
  images: Float32Array;
  /** One class index per image, each < classes. */
  labels: Uint8Array;
  count: number;
  height: number;
  width: number;
  /** 1 (grey) or 3 (RGB). */
  channels: number;
  classes: number;
}

/** [labels.length, classes] with a 1 at each label's class. */
export function oneHot(labels: ArrayLike<number>, classes: number): Float32Array {
  if (!Number.isInteger(classes) || classes < 1) throw new ConfigError(`oneHot: classes must be a positive integer, got ${shownValue(classes)}`);
  const encoded = new Float32Array(labels.length * classes);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i];
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      throw new ValueError(`oneHot: label ${shownValue(label)} at index ${i} is out of range for ${classes} classes; expected an integer from 0 to ${classes - 1}`);
    }
    encoded[i * classes + label] = 1;
  }
  return encoded;
}

/**
 * A copy of the images and labels at `indices`, in that order.
 * `classes` is kept from `dataset`, so subsets of one dataset agree on the output size.
 */
export function subset(dataset: Dataset, indices: ArrayLike<number>): Dataset {
  const { count, height, width, channels, classes } = dataset;
  const pixels = height * width * channels;
  const images = new Float32Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const from = indices[i];
    if (!Number.isInteger(from) || from < 0 || from >= count) {
      throw new ValueError(`subset index ${from} (position ${i}) is outside 0..${count - 1}`);
    }
    images.set(dataset.images.subarray(from * pixels, (from + 1) * pixels), i * pixels);
    labels[i] = dataset.labels[from];
  }
  return { images, labels, count: indices.length, height, width, channels, classes };
}

/** 0..count-1 in an order fixed by `seed` (Fisher–Yates on the library's seeded generator: the same split everywhere). */
export function seededPermutation(count: number, seed: number): Uint32Array {
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  seededRandom(seed).shuffle(order);
  return order;
}

/** Shuffles `dataset` with `seed` and cuts it into `trainCount` training images and the rest for testing. */
export function splitDataset(dataset: Dataset, trainCount: number, seed: number): { train: Dataset; test: Dataset } {
  if (!Number.isInteger(trainCount) || trainCount < 1 || trainCount >= dataset.count) {
    throw new ConfigError(
      `training count ${trainCount} cannot split ${dataset.count} images: it must be a whole number from 1 to ${dataset.count - 1}`,
    );
  }
  const order = seededPermutation(dataset.count, seed);
  return { train: subset(dataset, order.subarray(0, trainCount)), test: subset(dataset, order.subarray(trainCount)) };
}
