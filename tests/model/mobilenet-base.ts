// The base the transfer-learning tests start from, as a user's would be: a Keras MobileNetV2
// (alpha 0.35) built in tfjs-layers (bench/mobilenet-keras.mjs) and saved by it. No pretrained
// weights can be fetched here, so its kernels are seeded Glorot-uniform (Keras's initialiser; the
// same file every run) and its batch normalisations calibrated on pictures (bench/mobilenet-calibrate.mjs).
// Such a random base's deeper features hardly tell textures apart (a head on out_relu's stayed at
// chance on stripes against dots, where a pretrained MobileNet's would not; the later the cut, the
// worse), while its first block's do: the tests that need a head to learn cut there, at FEATURE_LAYER.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { imageToTensor, init } from '../../src/index.js';
import { calibrateBatchNorm } from '../../bench/mobilenet-calibrate.mjs';
import { mobileNetV2, randomizeBatchNorm } from '../../bench/mobilenet-keras.mjs';
import { random } from '../helpers.js';
import { temporaryDirectory } from '../io/model-files.js';
import { saveTfjs } from '../io/tfjs-files.js';
import { stripesAndDots } from './patterns.js';

/** Where the tests cut the random base for features a head can learn from: the first depthwise block's 16 channels. */
export const FEATURE_LAYER = 'expanded_conv_depthwise_relu';

/** Glorot-uniform kernels from a seeded stream, zero biases, random batch-norm parameters: the same model every run. */
export function seedWeights(model: tfl.LayersModel, seed: number): void {
  const rng = random(seed);
  model.setWeights(model.weights.map((w) => {
    const shape = w.shape as number[];
    if (shape.length === 1) return tf.zeros(shape);
    const receptive = shape.slice(0, -2).reduce((a, b) => a * b, 1);
    const limit = Math.sqrt(6 / (receptive * (shape[shape.length - 2] + shape[shape.length - 1])));
    return tf.tensor(rng.array(shape.reduce((a, b) => a * b, 1), -limit, limit), shape);
  }));
  randomizeBatchNorm(tf, model, rng.next);
}

/** Batch norms calibrated on pictures of stripes and dots (`perClass` of each), so that features differ from picture to picture. */
export function calibrateOnPictures(keras: tfl.LayersModel, size: number, seed: number, perClass = 32): void {
  const pictures = imageToTensor(stripesAndDots(perClass, size, seed + 1000), { size, normalize: '[-1,1]' });
  const calibration = tf.tensor4d(pictures.dataSync(), [2 * perClass, size, size, 3]);
  calibrateBatchNorm(tf, keras, calibration);
  calibration.dispose();
  pictures.dispose();
}

/** The base for size×size×3 inputs normalised to [−1, 1], in tfjs-layers and saved in `dir` as tfjs-layers saves a LayersModel. */
export async function mobileNetBase(size: number, seed = 1, classes = 10): Promise<{ dir: string; keras: tfl.LayersModel }> {
  await init();
  await tf.setBackend('cpu');
  const keras = mobileNetV2(tfl, { alpha: 0.35, inputShape: [size, size, 3], classes });
  seedWeights(keras, seed);
  calibrateOnPictures(keras, size, seed);
  const dir = await temporaryDirectory();
  await saveTfjs(keras, dir);
  return { dir, keras };
}
