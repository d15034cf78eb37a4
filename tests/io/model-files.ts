// Shared by the model-file tests: temporary directories, small models and data, exact comparisons.
import * as assert from 'uvu/assert';
import { type Model, type Tensor, input, layers, model, sequential, tensor } from '../../src/index.js';
import { strokes } from '../model/synthetic.js';
import { assertSameBits } from '../helpers.js';
import { temporaryDirectory as newTemporaryDirectory } from '../temporary-directory.js';

export { assertSameBits };

/** A new, empty directory for model files, removed when the test file ends. */
export const temporaryDirectory = () => newTemporaryDirectory('io');

/** Images [n, 8, 8, 1] and one-hot labels [n, 4]. */
export function strokeData(n: number, seed: number): { x: Tensor; y: Tensor } {
  const { images, labels } = strokes(n, 8, seed);
  return { x: tensor(images, [n, 8, 8, 1]), y: tensor(labels, [n, 4]) };
}

export const denseModel = (seed: number): Model => sequential({ inputShape: [8, 8, 1], seed, layers: [
  layers.flatten(), layers.dense({ units: 16, activation: 'tanh' }), layers.dense({ units: 4, activation: 'softmax' }),
] });

/** A small CNN; with `dropoutRate` > 0, a dropout layer before the output. */
export const convModel = (seed: number, dropoutRate = 0): Model => sequential({ inputShape: [8, 8, 1], seed, layers: [
  layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPool2d({ poolSize: 2 }),
  layers.conv2d({ filters: 4, kernelSize: 2, activation: 'sigmoid' }), layers.avgPool2d({ poolSize: 3 }),
  layers.flatten(), ...(dropoutRate > 0 ? [layers.dropout({ rate: dropoutRate })] : []), layers.dense({ units: 4, activation: 'softmax' }),
] });

/**
 * Every shape layer, some in settings only the convas format holds (explicit transposed padding,
 * keepdims): a transposed convolution and bilinear up-sampling joined with their skip, padded,
 * cropped, pooled globally and reshaped. [8, 8, 1] → 4 classes.
 */
export function shapeLayersModel(seed: number): Model {
  const x = input({ shape: [8, 8, 1] });
  const skip = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
  const down = layers.maxPool2d().apply(skip);
  const up = layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: [0, 1, 1, 0], activation: 'relu' }).apply(down);
  const smooth = layers.upSampling2d({ interpolation: 'bilinear' }).apply(down);
  const joined = layers.concatenate().apply([skip, up, smooth]);
  const framed = layers.cropping2D({ cropping: 1 }).apply(layers.zeroPadding2d({ padding: 1 }).apply(joined));
  const mean = layers.reshape({ targetShape: [-1] }).apply(layers.globalAveragePooling2d({ keepdims: true }).apply(framed));
  const pooled = layers.concatenate().apply([mean, layers.globalMaxPooling2d().apply(framed)]);
  return model({ inputs: x, outputs: layers.dense({ units: 4, activation: 'softmax' }).apply(pooled), seed });
}

/** Activation names and layers with their options; relu() and activation({ activation }) are Activation layers. */
export const activationsModel = (seed: number): Model => sequential({ inputShape: [8, 8, 1], seed, layers: [
  layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'gelu' }), layers.reLU({ maxValue: 6 }),
  layers.prelu({ sharedAxes: [1, 2], alphaInitializer: 0.25 }), layers.conv2d({ filters: 4, kernelSize: 2, activation: 'hardSwish' }),
  layers.leakyReLU({ alpha: 0.1 }), layers.reLU({ maxValue: 2, negativeSlope: 0.05, threshold: 0.1 }), layers.elu({ alpha: 0.5 }),
  layers.relu(), layers.flatten(), layers.dense({ units: 8, activation: 'selu' }), layers.activation({ activation: 'softmax' }),
  layers.prelu({ alphaInitializer: 'ones' }), layers.dense({ units: 4 }), layers.softmax(),
] });

export function assertSameWeights(actual: Model, expected: Model, what: string): void {
  const a = actual.getWeights(), e = expected.getWeights();
  assert.is(a.length, e.length, `${what}: number of weights`);
  a.forEach((t, i) => {
    assert.equal([...t.shape], [...e[i].shape], `${what}: shape of weight ${i}`);
    assertSameBits(t.dataSync(), e[i].dataSync(), `${what}: weight ${i}`);
  });
  [...a, ...e].forEach((t) => t.dispose());
}
