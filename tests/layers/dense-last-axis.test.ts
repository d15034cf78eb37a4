// Dense on an input of more than one axis per example ([h, w, c], [steps, features]): Keras applies it
// along the last axis, a row per position. Against TensorFlow.js (tfjs-layers, cpu backend) at odd
// sizes — predictions, one SGD step of every weight, files both ways — and against central
// differences; and a training step allocates nothing once planned.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { getBackend } from '../../src/backend/wasm.js';
import { init, input, layers, model, sequential, tensor } from '../../src/index.js';
import { checkModelGradients } from '../gradient-check.js';
import { random } from '../helpers.js';
import { assertLoadsInTfjs, assertSamePredictions, assertSameStep, viaFile } from '../io/tfjs-compare.js';

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

/** TF.js models with a Dense on images, sequences and a rank-4 input, and one per pixel as the output (flattened for a one-row loss). */
const tfjsModels = (): Array<[string, () => tfl.LayersModel]> => [
  ['a Dense on each pixel of an image, between convolutions', () => tfl.sequential({ layers: [
    tfl.layers.inputLayer({ inputShape: [7, 5, 3] }),
    tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv' }),
    tfl.layers.dense({ units: 6, activation: 'tanh', name: 'perPixel' }),
    tfl.layers.conv2d({ filters: 2, kernelSize: 2, name: 'after' }),
    tfl.layers.flatten({ name: 'flat' }),
    tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
  ] })],
  ['a Dense on each step of a sequence, without bias, then a flat Dense', () => tfl.sequential({ layers: [
    tfl.layers.inputLayer({ inputShape: [9, 5] }),
    tfl.layers.dense({ units: 7, activation: 'relu', useBias: false, name: 'perStep' }),
    tfl.layers.flatten({ name: 'flat' }),
    tfl.layers.dense({ units: 4, activation: 'softmax', name: 'out' }),
  ] })],
  ['two Denses on a rank-4 input', () => tfl.sequential({ layers: [
    tfl.layers.inputLayer({ inputShape: [3, 2, 5, 3] }),
    tfl.layers.dense({ units: 5, activation: 'sigmoid', name: 'first' }),
    tfl.layers.dense({ units: 2, name: 'second' }),
    tfl.layers.flatten({ name: 'flat' }),
    tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
  ] })],
];

for (const [what, make] of tfjsModels()) {
  test(`TF.js files: ${what} loads, predicts and takes an SGD step as in TF.js`, async () => {
    const reference = make();
    const loaded = await viaFile(reference, 2);
    assertSamePredictions(loaded, reference, what);
    await assertSameStep(make(), what);
    loaded.dispose();
  });
}

test('a convas model with a Dense on each pixel saves as TF.js, which predicts as convas; a softmax per pixel from a Dense trains per pixel', async () => {
  const x = input({ shape: [5, 7, 2] });
  const features = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
  const pixels = layers.dense({ units: 3, activation: 'softmax' }).apply(layers.dense({ units: 5, activation: 'relu' }).apply(features));
  const net = model({ inputs: x, outputs: pixels, seed: 3 });
  assert.equal(net.outputShape, [5, 7, 3]);
  const inTfjs = await assertLoadsInTfjs(net, 'dense per pixel');
  // The same step in both: a per-pixel softmax from a Dense scored per pixel (as Keras's segmentation heads).
  const rng = random(6);
  const xs = rng.array(4 * 70), ids = Float32Array.from({ length: 4 * 35 }, () => rng.int(0, 2));
  net.setWeights(inTfjs.getWeights().map((w) => tensor(w.dataSync() as Float32Array, [...w.shape])));
  net.compile({ optimizer: { type: 'sgd', learningRate: 0.5 }, loss: 'sparseCategoricalCrossentropy' });
  await net.fit(tensor(xs, [4, 5, 7, 2]), tensor(ids, [4, 5, 7]), { epochs: 1, batchSize: 4 });
  inTfjs.compile({ optimizer: tf.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' });
  await inTfjs.fit(tf.tensor(xs, [4, 5, 7, 2]), tf.tensor(ids, [4, 5, 7, 1]), { epochs: 1, batchSize: 4 });
  const expected = inTfjs.getWeights();
  net.getWeights().forEach((w, i) => {
    const e = expected[i].dataSync();
    w.dataSync().forEach((v, j) => assert.ok(Math.abs(v - e[j]) <= 1e-4 * Math.max(1, Math.abs(e[j])), `weight ${i}[${j}]: ${v}, TF.js ${e[j]}`));
  });
  net.dispose();
});

test('Dense along the last axis: every weight\'s gradient (through the input gradient too) matches central differences', async () => {
  const rng = random(7);
  for (const [shape, activation] of [[[5, 3, 2], 'tanh'], [[7, 3], 'sigmoid'], [[3, 2, 3, 2], 'linear']] as const) {
    const net = sequential({ inputShape: [...shape], seed: 8, layers: [
      layers.dense({ units: 4, activation }), layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    net.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const positions = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    const y = new Float32Array(3 * positions * 3);
    for (let i = 0; i < 3 * positions; i++) y[i * 3 + rng.int(0, 2)] = 1;
    const x = tensor(rng.array(3 * positions * shape[shape.length - 1]), [3, ...shape]);
    checkModelGradients(net, x, tensor(y, [3, ...shape.slice(0, -1), 3]), `dense on [${shape}] after ${activation}`, rng.next);
    net.dispose();
  }
});

test('a batch normalisation after a Dense on pixels folds into it (predict({ foldBatchNorm })) to the same predictions', async () => {
  const rng = random(10);
  const net = sequential({ inputShape: [4, 3, 2], seed: 4, layers: [layers.dense({ units: 5 }), layers.batchNormalization(), layers.activation({ activation: 'relu' })] });
  net.setWeights(net.getWeights().map((w, i) => tensor(rng.array(w.size, i === 5 ? 0.5 : -1, 1), [...w.shape]))); // a positive moving variance
  const x = tensor(rng.array(3 * 24), [3, 4, 3, 2]);
  const plain = net.predict(x).dataSync(), folded = net.predict(x, { foldBatchNorm: true }).dataSync();
  plain.forEach((v, i) => assert.ok(Math.abs(v - folded[i]) <= 1e-5 * Math.max(1, Math.abs(v)), `output ${i}: ${v}, folded ${folded[i]}`));
  net.dispose();
});

test('a model with Denses on pixels: wasm memory after 1 epoch equals wasm memory after 4', async () => {
  const rng = random(9);
  const net = sequential({ inputShape: [6, 5, 2], seed: 2, layers: [
    layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }), layers.dense({ units: 4, activation: 'relu' }),
    layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const x = tensor(rng.array(24 * 60), [24, 6, 5, 2]), y = tensor(Float32Array.from({ length: 24 }, (_, i) => i % 3), [24]);
  await net.fit(x, y, { epochs: 1, batchSize: 7 });
  const afterOne = { used: getBackend().memory.bytesInUse, reserved: getBackend().memory.bytesReserved };
  await net.fit(x, y, { epochs: 3, batchSize: 7 });
  assert.equal({ used: getBackend().memory.bytesInUse, reserved: getBackend().memory.bytesReserved }, afterOne);
  [net, x, y].forEach((t) => t.dispose());
});

test.run();
