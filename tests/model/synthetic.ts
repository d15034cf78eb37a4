// Small synthetic image sets for training tests: strokes of four orientations at random places,
// and a small CNN for them.
import { layers, sequential } from '../../src/index.js';
import type { ActivationName } from '../../src/layers/activation-function.js';
import { random } from '../helpers.js';

/** n images size×size×1 with one stroke each: 0 horizontal, 1 vertical, 2 diagonal, 3 anti-diagonal. */
export function strokes(n: number, size: number, seed: number): { images: Float32Array; labels: Float32Array } {
  const rng = random(seed);
  const images = new Float32Array(n * size * size);
  const labels = new Float32Array(n * 4);
  for (let i = 0; i < n; i++) {
    const cls = i % 4;
    labels[i * 4 + cls] = 1;
    const base = i * size * size;
    for (let p = 0; p < size * size; p++) images[base + p] = 0.1 * rng.next();
    const length = rng.int(4, size - 1);
    const r0 = rng.int(0, size - length), c0 = rng.int(0, size - length);
    const fixed = rng.int(0, size - 1);
    for (let t = 0; t < length; t++) {
      const [r, c] = [[fixed, c0 + t], [r0 + t, fixed], [r0 + t, c0 + t], [r0 + t, c0 + length - 1 - t]][cls];
      images[base + r * size + c] = 1;
    }
  }
  return { images, labels };
}

/** The layers of a small CNN for 8×8×1 images with four outputs, ending in `activation` (new layers each call). */
export const smallCnnLayers = (activation: ActivationName = 'softmax') => [
  layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
  layers.maxPool2d({ poolSize: 2 }),
  layers.conv2d({ filters: 6, kernelSize: 3, strides: 2, activation: 'tanh' }),
  layers.flatten(),
  layers.dense({ units: 4, activation }),
];

/** That CNN as a model. */
export const smallCnn = (seed: number, activation: ActivationName = 'softmax') =>
  sequential({ inputShape: [8, 8, 1], seed, layers: smallCnnLayers(activation) });
