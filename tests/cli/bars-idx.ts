// A tiny image dataset for command-line tests: 8×8 bars in MNIST's IDX files.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeIdx } from '../data/encoders.js';
import { random } from '../helpers.js';

export const SIDE = 8;

/** An 8×8 image of class 0 (a horizontal bar), 1 (a vertical bar) or 2 (a diagonal), placed at random, with noise. */
export function drawImage(label: number, rng: ReturnType<typeof random>): Uint8Array {
  const pixels = new Uint8Array(SIDE * SIDE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(0, 40);
  const at = rng.int(1, SIDE - 2);
  for (let k = 0; k < SIDE; k++) {
    const [y, x] = label === 0 ? [at, k] : label === 1 ? [k, at] : [k, k];
    pixels[y * SIDE + x] = 255;
  }
  return pixels;
}

/** MNIST-named IDX files in `dir`: `trainCount` training and `testCount` test images; the labels cycle 0, 1, 2. */
export function writeBarsIdx(dir: string, trainCount: number, testCount: number): void {
  const write = (imagesName: string, labelsName: string, count: number, seed: number) => {
    const rng = random(seed);
    const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
    const images = new Uint8Array(count * SIDE * SIDE);
    labels.forEach((label, i) => images.set(drawImage(label, rng), i * SIDE * SIDE));
    writeFileSync(join(dir, imagesName), encodeIdx([count, SIDE, SIDE], images));
    writeFileSync(join(dir, labelsName), encodeIdx([count], labels));
  };
  write('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', trainCount, 1);
  write('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', testCount, 2);
}
