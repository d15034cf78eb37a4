// Shared by the model-file tests: temporary directories, small models and data, exact comparisons.
import * as assert from 'uvu/assert';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Model, type Tensor, layers, sequential, tensor } from '../../src/index.js';
import { strokes } from '../model/synthetic.js';

export const temporaryDirectory = () => mkdtemp(join(tmpdir(), 'convas-io-'));

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

/** Activation names and layers with their options; relu() and activation({ activation }) are Activation layers. */
export const activationsModel = (seed: number): Model => sequential({ inputShape: [8, 8, 1], seed, layers: [
  layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'gelu' }), layers.reLU({ maxValue: 6 }),
  layers.prelu({ sharedAxes: [1, 2], alphaInitializer: 0.25 }), layers.conv2d({ filters: 4, kernelSize: 2, activation: 'hardSwish' }),
  layers.leakyReLU({ alpha: 0.1 }), layers.reLU({ maxValue: 2, negativeSlope: 0.05, threshold: 0.1 }), layers.elu({ alpha: 0.5 }),
  layers.relu(), layers.flatten(), layers.dense({ units: 8, activation: 'selu' }), layers.activation({ activation: 'softmax' }),
  layers.prelu({ alphaInitializer: 'ones' }), layers.dense({ units: 4 }), layers.softmax(),
] });

/** Asserts two f32 arrays hold the same bits (so −0 ≠ 0 and NaN payloads count). */
export function assertSameBits(actual: Float32Array, expected: Float32Array, what: string): void {
  assert.is(actual.length, expected.length, `${what}: length`);
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  const i = a.findIndex((bits, k) => bits !== e[k]);
  if (i >= 0) assert.unreachable(`${what} differs at index ${i}: ${actual[i]} vs ${expected[i]}`);
}

export function assertSameWeights(actual: Model, expected: Model, what: string): void {
  const a = actual.getWeights(), e = expected.getWeights();
  assert.is(a.length, e.length, `${what}: number of weights`);
  a.forEach((t, i) => {
    assert.equal([...t.shape], [...e[i].shape], `${what}: shape of weight ${i}`);
    assertSameBits(t.dataSync(), e[i].dataSync(), `${what}: weight ${i}`);
  });
}
