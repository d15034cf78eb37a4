// BatchNormalization checked against TensorFlow.js itself (cpu backend): models built in tfjs-layers
// with batch normalisation after a convolution and after a dense layer, random weights and random
// moving statistics, saved by TF.js and loaded by convas, predict alike; one SGD step moves every
// weight alike, the moving statistics included — apart from one departure taken on purpose and
// accounted for here: for a 4-D batch convas moves moving_variance towards the unbiased batch
// variance, as Keras's fused kernel does, where TF.js takes the biased one. Saved back in TF.js
// format, the model loads in tf.loadLayersModel and predicts alike.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { FileFormatError, type Model, init, loadModel, tensor } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { assertClose, random } from '../helpers.js';
import { loadInTfjs, modelFileName, newModelLocation, readModelJson, saveTfjs, writeModelJson } from './tfjs-files.js';

const TOLERANCE = 1e-4;
const IMAGE = [6, 5, 3];
const MOMENTUM = 0.9;

type TfTensor = tfl.SymbolicTensor;
const on = (layer: { apply(x: TfTensor | TfTensor[]): unknown }, x: TfTensor) => layer.apply(x) as TfTensor;

/**
 * image → conv2d → BatchNormalization → ReLU → flatten → dense → BatchNormalization → dense softmax;
 * `options` go to both normalisations.
 */
function tfjsModel(options: { center?: boolean; scale?: boolean } = {}): tfl.LayersModel {
  const x = tfl.input({ shape: IMAGE, name: 'image' });
  const conv = on(tfl.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', name: 'conv' }), x);
  const normalised = on(tfl.layers.batchNormalization({ momentum: MOMENTUM, epsilon: 1e-3, name: 'conv_bn', ...options }), conv);
  const flat = on(tfl.layers.flatten(), on(tfl.layers.reLU({ name: 'conv_relu' }), normalised));
  const hidden = on(tfl.layers.dense({ units: 7, name: 'hidden' }), flat);
  const hiddenNormalised = on(tfl.layers.batchNormalization({ momentum: MOMENTUM, epsilon: 1e-2, name: 'hidden_bn', ...options }), hidden);
  return tfl.model({ inputs: x, outputs: on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), hiddenNormalised) });
}

/** Every array random, the moving variances positive and away from 1, the moving means away from 0. */
function randomize(m: tfl.LayersModel, seed: number): void {
  const rng = random(seed);
  m.setWeights(m.weights.map((w) => {
    const size = w.shape.reduce((a, b) => a! * b!, 1)!;
    return tf.tensor(w.originalName.endsWith('moving_variance') ? rng.array(size, 0.3, 3) : rng.array(size, -0.6, 0.6), w.shape as number[]);
  }));
}

function batch(n: number, seed: number) {
  const values = random(seed).array(n * IMAGE.reduce((a, b) => a * b, 1), -1, 2);
  return { convas: tensor(values, [n, ...IMAGE]), tfjs: tf.tensor(values, [n, ...IMAGE]) };
}

function labels(n: number, seed: number) {
  const rng = random(seed), values = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) values[i * 3 + rng.int(0, 2)] = 1;
  return { convas: tensor(values, [n, 3]), tfjs: tf.tensor(values, [n, 3]) };
}

async function viaFile(m: tfl.LayersModel): Promise<Model> {
  const where = await newModelLocation();
  await saveTfjs(m, where);
  return loadModel(where);
}

function assertSamePredictions(convas: Model, tfjsModel: tfl.LayersModel, what: string): void {
  const x = batch(37, 7);
  assertClose(convas.predict(x.convas).dataSync(), (tfjsModel.predict(x.tfjs) as tf.Tensor).dataSync() as Float32Array, TOLERANCE, what);
}

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

test('TF.js → convas: batch normalisation after conv2d and after dense predicts alike, with every center/scale setting', async () => {
  for (const [center, scale] of [[true, true], [false, true], [true, false], [false, false]]) {
    const m = tfjsModel({ center, scale });
    randomize(m, 1);
    const loaded = await viaFile(m);
    assert.equal(loaded.getLayer('conv_bn').getConfig(),
      { className: 'BatchNormalization', name: 'conv_bn', axis: -1, momentum: MOMENTUM, epsilon: 1e-3, center, scale });
    // getWeights() in TF.js's order: the trainable weights of every layer, then the moving statistics.
    assert.equal(loaded.weights.map((p) => p.name), m.weights.map((w) => w.originalName), 'weight order');
    assertSamePredictions(loaded, m, `center ${center}, scale ${scale}`);
  }
});

test('Keras files: the channel axis written as a positive index or a one-element list (as Keras 2 writes it) loads; another axis is refused', async () => {
  const m = tfjsModel();
  randomize(m, 9);
  const where = await newModelLocation();
  await saveTfjs(m, where);
  const file = await modelFileName(where);
  const json = await readModelJson(where);
  const config = (name: string) => json.modelTopology.config.layers.find((l: { name: string }) => l.name === name).config;
  config('conv_bn').axis = [3];
  config('hidden_bn').axis = 1;
  await writeModelJson(where, json);
  assertSamePredictions(await loadModel(where), m, 'axis [3] and 1');
  config('conv_bn').axis = [1];
  await writeModelJson(where, json);
  await expectError(() => loadModel(where), FileFormatError, file, /conv_bn: axis 1 is not the channel axis/);
});

test('one SGD step agrees with TF.js, moving statistics included (Keras\'s Bessel correction for the 4-D batch accounted for)', async () => {
  const m = tfjsModel();
  randomize(m, 2);
  const loaded = await viaFile(m);
  const n = 6;
  const x = batch(n, 3), y = labels(n, 4);
  // What conv_bn normalises in this step: the convolution's output before the step moves its weights.
  const convOutput = tfl.model({ inputs: m.inputs, outputs: m.getLayer('conv').output as TfTensor }).predict(x.tfjs) as tf.Tensor;
  const biasedVariance = tf.moments(convOutput, [0, 1, 2]).variance.dataSync() as Float32Array;
  const count = n * IMAGE[0] * IMAGE[1];

  m.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  await m.fit(x.tfjs, y.tfjs, { epochs: 1, batchSize: n, shuffle: false });
  loaded.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  const before = new Map(loaded.weights.map((p, i) => [p.name, loaded.getWeights()[i].dataSync()]));
  await loaded.fit(x.convas, y.convas, { epochs: 1, batchSize: n, shuffle: false });

  const tfjsAfter = new Map(m.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
  // TF.js: moving ← moving − (moving − σ²)(1 − momentum) with the biased σ². Keras's fused kernel
  // (and convas) take n/(n − 1)·σ² for a 4-D batch, which adds (1 − momentum)·σ²/(n − 1).
  const expected = new Map(tfjsAfter);
  expected.set('conv_bn/moving_variance', tfjsAfter.get('conv_bn/moving_variance')!.map((v, c) => v + (1 - MOMENTUM) * biasedVariance[c] / (count - 1)));
  const actual = loaded.getWeights();
  // A bias right before a batch normalisation has a gradient of exactly zero (the batch mean takes it
  // away), in both libraries; every other weight moves.
  const stillBiases = ['conv/bias', 'hidden/bias'];
  loaded.weights.forEach((p, i) => {
    const values = actual[i].dataSync();
    assertClose(values, expected.get(p.name)!, TOLERANCE, p.name);
    if (stillBiases.includes(p.name)) assertClose(values, before.get(p.name)!, 1e-6, `${p.name} stays`);
    else assert.not.equal([...values], [...before.get(p.name)!], `${p.name} moved`);
  });
  // The correction is larger than the tolerance: without it, the comparison would fail.
  const uncorrected = tfjsAfter.get('conv_bn/moving_variance')!;
  const corrected = expected.get('conv_bn/moving_variance')!;
  assert.ok(uncorrected.some((v, c) => Math.abs(v - corrected[c]) > 10 * TOLERANCE * Math.max(1, Math.abs(v))), 'the Bessel correction shows');
});

test('a frozen BatchNormalization: TF.js keeps it in training mode and moves its statistics; convas (as Keras) does neither', async () => {
  const m = tfjsModel();
  randomize(m, 5);
  const loaded = await viaFile(m);
  m.getLayer('hidden_bn').trainable = false;
  loaded.getLayer('hidden_bn').trainable = false;
  const x = batch(8, 6), y = labels(8, 7);
  const statistics = (names: string[], read: (name: string) => Float32Array) => names.map(read).map((v) => [...v]);
  const names = ['hidden_bn/moving_mean', 'hidden_bn/moving_variance'];
  const tfjsRead = (name: string) => m.weights.find((w) => w.originalName === name)!.read().dataSync() as Float32Array;
  const convasRead = (name: string) => loaded.getWeights()[loaded.weights.findIndex((p) => p.name === name)].dataSync();
  const before = statistics(names, convasRead);
  assert.equal(statistics(names, tfjsRead), before);
  m.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  await m.fit(x.tfjs, y.tfjs, { epochs: 1, batchSize: 8 });
  loaded.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  await loaded.fit(x.convas, y.convas, { epochs: 1, batchSize: 8 });
  assert.equal(statistics(names, convasRead), before, 'convas leaves a frozen layer\'s statistics');
  assert.not.equal(statistics(names, tfjsRead), before, 'TF.js 4.22 moves them (the departure the README lists)');
});

/**
 * Keras's fine-tuning pattern built in tfjs-layers: image → a nested model (conv2d, BatchNormalization)
 * called with training false → flatten → dense → BatchNormalization called so → dense softmax.
 */
function tfjsFineTuned(): tfl.LayersModel {
  const inner = tfl.input({ shape: IMAGE, name: 'base_image' });
  const conv = on(tfl.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', name: 'base_conv' }), inner);
  const base = tfl.model({ inputs: inner, outputs: on(tfl.layers.batchNormalization({ momentum: MOMENTUM, name: 'base_bn' }), conv), name: 'base' });
  const x = tfl.input({ shape: IMAGE, name: 'image' });
  const hidden = on(tfl.layers.dense({ units: 7, name: 'hidden' }), on(tfl.layers.flatten({ name: 'flat' }), base.apply(x, { training: false }) as TfTensor));
  const normalised = tfl.layers.batchNormalization({ momentum: MOMENTUM, name: 'hidden_bn' }).apply(hidden, { training: false }) as TfTensor;
  return tfl.model({ inputs: x, outputs: on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), normalised) });
}

const MOVING = ['base_bn/moving_mean', 'base_bn/moving_variance', 'hidden_bn/moving_mean', 'hidden_bn/moving_variance'];
const inboundOf = (json: Record<string, any>, name: string) => json.modelTopology.config.layers.find((l: { name: string }) => l.name === name).inbound_nodes;

test('Keras\'s training=False call, in inbound_nodes as {"training": false}, on a nested model and on a layer: convas keeps their statistics in fit; TF.js 4.22 stores it but moves them', async () => {
  const m = tfjsFineTuned();
  randomize(m, 9);
  const where = await newModelLocation();
  await saveTfjs(m, where);
  const json = await readModelJson(where);
  assert.equal(inboundOf(json, 'base'), [[['image', 0, 0, { training: false }]]], 'written as Keras writes it');
  assert.equal(inboundOf(json, 'hidden_bn'), [[['hidden', 0, 0, { training: false }]]]);
  const loaded = await loadModel(where);
  assertSamePredictions(loaded, m, 'loaded by convas');
  const tfjsRead = (name: string) => [...m.weights.find((w) => w.originalName === name)!.read().dataSync()];
  const convasRead = (name: string) => [...loaded.getWeights()[loaded.weights.findIndex((p) => p.name === name)].dataSync()];
  const before = MOVING.map(convasRead);
  assert.equal(MOVING.map(tfjsRead), before);
  const x = batch(8, 10), y = labels(8, 11);
  m.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  await m.fit(x.tfjs, y.tfjs, { epochs: 1, batchSize: 8 });
  loaded.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  await loaded.fit(x.convas, y.convas, { epochs: 1, batchSize: 8 });
  assert.equal(MOVING.map(convasRead), before, 'convas, as Keras, keeps the statistics of calls in inference mode');
  MOVING.forEach((name, i) => assert.not.equal(tfjsRead(name), before[i], `TF.js 4.22 moves ${name} (the departure the README lists)`));

  json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'hidden_bn').inbound_nodes[0][0][3] = { training: true };
  await writeModelJson(where, json);
  await expectError(() => loadModel(where), FileFormatError, await modelFileName(where), /\(hidden_bn\) inbound_nodes\[0\] calls the layer with training true, which convas does not support/);
});

test('{"training": null} (an unset call argument, as Keras may leave it) and a reference without kwargs (older TF.js files) follow the run: those statistics move in fit', async () => {
  const where = await newModelLocation();
  await saveTfjs(tfjsFineTuned(), where);
  const json = await readModelJson(where);
  inboundOf(json, 'base')[0][0].length = 3;
  inboundOf(json, 'hidden_bn')[0][0][3] = { training: null };
  await writeModelJson(where, json);
  const loaded = await loadModel(where);
  assert.equal(loaded.layers.filter((l) => l.inboundNode?.inferenceMode).map((l) => l.name), []);
  const convasRead = (name: string) => [...loaded.getWeights()[loaded.weights.findIndex((p) => p.name === name)].dataSync()];
  const before = MOVING.map(convasRead);
  const x = batch(8, 12), y = labels(8, 13);
  loaded.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  await loaded.fit(x.convas, y.convas, { epochs: 1, batchSize: 8 });
  MOVING.forEach((name, i) => assert.not.equal(convasRead(name), before[i], `${name} moves`));
});

test('convas → TF.js: calls in inference mode are written as {"training": false}; tf.loadLayersModel reads them (and writes them back), and so does convas', async () => {
  const loaded = await viaFile(tfjsFineTuned());
  const where = await newModelLocation();
  await loaded.save(where, { format: 'tfjs' });
  const json = await readModelJson(where);
  assert.equal(inboundOf(json, 'base'), [[['image', 0, 0, { training: false }]]]);
  assert.equal(inboundOf(json, 'hidden_bn'), [[['hidden', 0, 0, { training: false }]]]);
  assert.equal(inboundOf(json, 'out'), [[['hidden_bn', 0, 0, {}]]]);
  const inTfjs = await loadInTfjs(where);
  assertSamePredictions(loaded, inTfjs, 'read by TF.js');
  assert.equal(inboundOf({ modelTopology: inTfjs.toJSON(null, false) }, 'base'), [[['image', 0, 0, { training: false }]]], 'TF.js keeps the call argument');
  const again = await loadModel(where);
  assert.equal(again.layers.filter((l) => l.inboundNode?.inferenceMode).map((l) => l.name), ['base', 'hidden_bn']);
});

test('convas → TF.js: saved in TF.js format, the model loads in tf.loadLayersModel and predicts alike', async () => {
  for (const [center, scale] of [[true, true], [false, false]]) {
    const m = tfjsModel({ center, scale });
    randomize(m, 8);
    const loaded = await viaFile(m);
    const where = await newModelLocation();
    await loaded.save(where, { format: 'tfjs' });
    const json = await readModelJson(where);
    const written = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'conv_bn').config;
    assert.equal(written.gamma_initializer, { class_name: 'Ones', config: {} });
    const inTfjs = await loadInTfjs(where);
    assert.equal(inTfjs.weights.map((w) => w.originalName), loaded.weights.map((p) => p.name));
    assertSamePredictions(loaded, inTfjs, `center ${center}, scale ${scale}, read back by TF.js`);
    assertSamePredictions(await loadModel(where), inTfjs, 'read back by convas');
  }
});

test.run();
