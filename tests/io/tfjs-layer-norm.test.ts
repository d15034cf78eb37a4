// LayerNormalization checked against TensorFlow.js itself (cpu backend): models built in tfjs-layers
// with layer normalisation after a convolution (over an image's channels), over a sequence's
// features and after a dense layer, saved by TF.js (which writes the axis as [rank − 1]), load in
// convas and predict alike with every center/scale setting; one SGD step from the same weights moves
// every weight alike; convas models saved as TF.js load in tf.loadLayersModel and predict alike.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { FileFormatError, init, input, layers, loadModel, model } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { modelFileName, newModelLocation, readModelJson, saveTfjs, writeModelJson } from './tfjs-files.js';
import { assertLoadsInTfjs, assertSamePredictions, assertSameStep, on, randomizeTfjs, viaFile } from './tfjs-compare.js';

/**
 * An image through conv2d → LayerNormalization → ReLU, and a sequence [5, 6] through
 * LayerNormalization; both flattened, joined, through dense → LayerNormalization → dense softmax.
 * `options` go to every normalisation.
 */
function tfjsModel(options: { center?: boolean; scale?: boolean; epsilon?: number } = {}): tfl.LayersModel {
  const image = tfl.input({ shape: [6, 5, 3], name: 'image' }), sequence = tfl.input({ shape: [5, 6], name: 'sequence' });
  const conv = on(tfl.layers.conv2d({ filters: 7, kernelSize: 3, padding: 'same', name: 'conv' }), image);
  const normalised = on(tfl.layers.reLU(), on(tfl.layers.layerNormalization({ name: 'conv_ln', ...options }), conv));
  const tokens = on(tfl.layers.layerNormalization({ name: 'sequence_ln', ...options }), sequence);
  const joined = on(tfl.layers.concatenate(), [on(tfl.layers.flatten(), normalised), on(tfl.layers.flatten(), tokens)]);
  const hidden = on(tfl.layers.layerNormalization({ name: 'hidden_ln', ...options }), on(tfl.layers.dense({ units: 9, name: 'hidden' }), joined));
  return tfl.model({ inputs: [image, sequence], outputs: on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), hidden) });
}

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

test('TF.js → convas: layer normalisation over channels, features and a sequence\'s features predicts alike, with every center/scale setting', async () => {
  for (const [center, scale] of [[true, true], [false, true], [true, false], [false, false]]) {
    const m = tfjsModel({ center, scale, epsilon: 1e-2 });
    const loaded = await viaFile(m);
    assert.equal(loaded.getLayer('conv_ln').getConfig(), { className: 'LayerNormalization', name: 'conv_ln', axis: 3, epsilon: 1e-2, center, scale });
    assert.equal(loaded.getLayer('sequence_ln').getConfig().axis, 2);
    assert.equal(loaded.weights.map((p) => p.name), m.weights.map((w) => w.originalName), 'weight order');
    assertSamePredictions(loaded, m, `center ${center}, scale ${scale}`);
  }
});

test('one SGD step agrees with TF.js: γ, β and every weight before them', async () => {
  await assertSameStep(tfjsModel(), 'layer normalisation');
});

test('Keras files: an axis other than the last, or rms_scaling, is refused naming the layer', async () => {
  const m = tfjsModel();
  randomizeTfjs(m, 4);
  const where = await newModelLocation();
  await saveTfjs(m, where);
  const file = await modelFileName(where);
  const json = await readModelJson(where);
  const config = json.modelTopology.config.layers.find((l: { name: string }) => l.name === 'conv_ln').config;
  config.axis = [-1];
  await writeModelJson(where, json);
  assertSamePredictions(await loadModel(where), m, 'axis [-1]');
  config.axis = [1, 2, 3];
  await writeModelJson(where, json);
  await expectError(() => loadModel(where), FileFormatError, file, /conv_ln: axis must be an integer \(the last axis, -1\), got \[1,2,3\]/);
  config.axis = [1];
  await writeModelJson(where, json);
  await expectError(() => loadModel(where), FileFormatError, file, /conv_ln: axis 1 is not the last axis/);
  config.axis = [3];
  config.rms_scaling = true;
  await writeModelJson(where, json);
  await expectError(() => loadModel(where), FileFormatError, file, /"conv_ln" \(LayerNormalization\) has rms_scaling true.*expected false/);
});

test('convas → TF.js: saved in TF.js format, the model loads in tf.loadLayersModel and predicts alike', async () => {
  for (const [center, scale] of [[true, true], [false, true], [true, false], [false, false]]) {
    const x = input({ shape: [4, 5, 3] }), tokens = input({ shape: [3, 8] });
    const conv = layers.conv2d({ filters: 5, kernelSize: 3, activation: 'relu' }).apply(x);
    const normalised = layers.layerNormalization({ center, scale, name: 'ln' }).apply(conv);
    const sequence = layers.layerNormalization({ center, scale, epsilon: 1e-5, axis: 2 }).apply(tokens);
    const joined = layers.concatenate().apply([layers.flatten().apply(normalised), layers.flatten().apply(sequence)]);
    const m = model({ inputs: [x, tokens], outputs: layers.dense({ units: 3 }).apply(joined), seed: 2 });
    const inTfjs = await assertLoadsInTfjs(m, `center ${center}, scale ${scale}`);
    assert.equal(inTfjs.weights.map((w) => w.originalName), m.weights.map((p) => p.name));
  }
});

test.run();
