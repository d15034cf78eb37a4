// DepthwiseConv2D, SeparableConv2D and dilated Conv2D checked against TensorFlow.js itself (cpu
// backend): models built and saved by tfjs-layers load in convas and predict alike; one SGD step from
// the same weights moves them alike; convas models saved as TF.js load in tf.loadLayersModel and
// predict alike. Where TF.js departs from Keras (it ignores a DepthwiseConv2D's dilation_rate; it
// writes SeparableConv2D without depth_multiplier) convas follows Keras, checked against the reference, and
// reads the multiplier TF.js leaves out from the depthwise kernel's shape.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { getBackend } from '../../src/backend/wasm.js';
import { FileFormatError, type Model, init, input, layers, loadModel, model, sequential } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { assertClose } from '../helpers.js';
import { type StackLayer, stackBackward, stackForward } from '../reference/stack.js';
import { modelFileName, newModelLocation, readModelJson, saveTfjs, writeModelJson } from './tfjs-files.js';
import { TOLERANCE, assertLoadsInTfjs, assertSamePredictions, assertSameStep, batch, labels, on, randomizeTfjs, viaFile } from './tfjs-compare.js';

const IMAGE = [11, 13, 3];

/**
 * MobileNet's depthwise settings in a chain: depthMultiplier 1 and 2, strides 1 and 2, 'same' and
 * 'valid', with and without bias, then a separable convolution and a Conv2D dilated by `dilation`,
 * and a softmax head (for the training step).
 */
function tfjsDepthwiseChain(dilation = 2): tfl.LayersModel {
  const x = tfl.input({ shape: IMAGE });
  let y = on(tfl.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu', name: 'dw_same' }), x);
  y = on(tfl.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, strides: 2, useBias: false, name: 'dw_valid_s2_x2' }), y);
  y = on(tfl.layers.separableConv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu', name: 'separable' }), y);
  y = on(tfl.layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: dilation, padding: 'same', activation: 'tanh', name: 'dilated' }), y);
  y = on(tfl.layers.depthwiseConv2d({ kernelSize: [3, 2], depthMultiplier: 2, strides: 2, padding: 'same', name: 'dw_same_s2_x2' }), y);
  const out = on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), on(tfl.layers.flatten(), y));
  return tfl.model({ inputs: x, outputs: out });
}

/** Strided and dilated separable convolutions, a dilated Conv2D with 'valid' padding and unequal rates, a depthwise 5×5. */
function tfjsSeparableChain(dilated = true): tfl.LayersModel {
  const x = tfl.input({ shape: IMAGE });
  let y = on(tfl.layers.separableConv2d({ filters: 6, kernelSize: 3, strides: 2, name: 'separable_s2' }), x);
  y = on(tfl.layers.separableConv2d({ filters: 4, kernelSize: 2, dilationRate: dilated ? 2 : 1, padding: 'same', useBias: false, name: 'separable_dilated' }), y);
  y = on(tfl.layers.conv2d({ filters: 3, kernelSize: 2, dilationRate: dilated ? [1, 2] : 1, name: 'dilated_valid' }), y);
  y = on(tfl.layers.depthwiseConv2d({ kernelSize: 5, padding: 'same', activation: 'relu', name: 'dw5' }), y);
  const out = on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), on(tfl.layers.flatten(), y));
  return tfl.model({ inputs: x, outputs: out });
}

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

test('TF.js → convas: depthwise (depthMultiplier 1 and 2, strides 1 and 2, same and valid), separable and dilated convolutions predict alike', async () => {
  const chain = tfjsDepthwiseChain();
  const loaded = await viaFile(chain);
  assert.equal(loaded.layers.slice(1, 6).map((l) => l.className), ['DepthwiseConv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2D', 'DepthwiseConv2D']);
  assert.equal(loaded.getLayer('dilated').getConfig().dilationRate, [2, 2]);
  assert.equal(loaded.getLayer('dw_valid_s2_x2').outputShape, [5, 6, 6]);
  assertSamePredictions(loaded, chain, 'depthwise chain');
  const separable = tfjsSeparableChain();
  assertSamePredictions(await viaFile(separable), separable, 'separable chain');
});

test('one SGD step agrees with TF.js: depthwise and separable kernels and biases', async () => {
  await assertSameStep(tfjsDepthwiseChain(1), 'depthwise chain');
  await assertSameStep(tfjsSeparableChain(false), 'separable chain');
});

/** A loaded model's layers (weights copied) as the naive reference of a chain takes them. */
function referenceStack(m: Model): StackLayer[] {
  const memory = getBackend().memory;
  return m.layers.filter((l) => l.className !== 'InputLayer').map((l) => ({ config: l.getConfig(), inputShape: [...l.inputShape],
    weights: l.params.map((p) => memory.f32(p.value, p.size).slice()) }));
}

test('one SGD step of dilated convolutions agrees with the reference (TF.js has no gradients for dilation > 1)', async () => {
  for (const [what, tfjsModel] of [['depthwise chain', tfjsDepthwiseChain()], ['separable chain', tfjsSeparableChain()]] as const) {
    const m = await viaFile(tfjsModel, 3);
    const stack = referenceStack(m);
    const n = 5, learningRate = 0.1;
    const x = batch([IMAGE], n, 4).convas[0], y = labels(n, 3, 5).convas;
    const inputs = x.dataSync(), targets = y.dataSync();
    const outputs = stackForward(stack, inputs, n);
    // Cross-entropy of the softmax outputs, averaged over the batch: ∂/∂p = −t / (p·n).
    const dy = outputs[outputs.length - 1].map((p, i) => -targets[i] / (p * n));
    const { grads } = stackBackward(stack, [inputs, ...outputs.slice(0, -1)], outputs, dy, n);
    m.compile({ optimizer: { type: 'sgd', learningRate }, loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, batchSize: n, shuffle: false });
    const trained = referenceStack(m);
    stack.forEach((layer, i) => layer.weights.forEach((w, j) => assertClose(trained[i].weights[j], w.map((v, k) => v - learningRate * grads[i][j][k]),
      TOLERANCE, `${what}: ${m.layers.filter((l) => l.className !== 'InputLayer')[i].params[j].name}`)));
  }
});

test('convas → TF.js: depthwise, separable and dilated convolutions load in tf.loadLayersModel and predict alike', async () => {
  const x = input({ shape: IMAGE });
  let y = layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }).apply(x);
  y = layers.depthwiseConv2d({ kernelSize: 3, strides: 2, useBias: false }).apply(y);
  y = layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu' }).apply(y);
  y = layers.separableConv2d({ filters: 3, kernelSize: 2, dilationRate: 2, padding: 'same' }).apply(y);
  y = layers.conv2d({ filters: 5, kernelSize: 3, dilationRate: [2, 1], padding: 'same', activation: 'relu' }).apply(y);
  const inTfjs = await assertLoadsInTfjs(model({ inputs: x, outputs: y }), 'depthwise, separable, dilated');
  assert.equal(inTfjs.layers.slice(1).map((l) => l.getClassName()), ['DepthwiseConv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'SeparableConv2D', 'Conv2D']);
  await assertLoadsInTfjs(sequential({ inputShape: IMAGE, layers: [layers.depthwiseConv2d({ kernelSize: 2 }), layers.flatten(), layers.dense({ units: 2 })] }),
    'a Sequential with a depthwise convolution');
});

/** The loaded model's own outputs and those of the naive reference of its layers, on one batch. */
function againstReference(m: Model, what: string): void {
  const x = batch([IMAGE], 4, 11);
  const expected = stackForward(referenceStack(m), x.convas[0].dataSync(), 4);
  assertClose(m.predict(x.convas[0]).dataSync(), expected[expected.length - 1], TOLERANCE, what);
}

test("a dilated DepthwiseConv2D follows Keras, not TF.js (which ignores dilation_rate): checked against the reference", async () => {
  const x = tfl.input({ shape: IMAGE });
  const dilated = on(tfl.layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 2, padding: 'same', depthMultiplier: 2, name: 'dw_dilated' }), x);
  const tfjsModel = tfl.model({ inputs: x, outputs: dilated });
  const loaded = await viaFile(tfjsModel);
  assert.equal(loaded.getLayer('dw_dilated').getConfig().dilationRate, [2, 2]);
  againstReference(loaded, 'dilated depthwise from a TF.js file');
  const probe = batch([IMAGE], 2, 12);
  const tfjsOutput = (tfjsModel.predict(probe.tfjs[0]) as tf.Tensor).dataSync();
  assert.ok(loaded.predict(probe.convas[0]).dataSync().some((v, i) => Math.abs(v - tfjsOutput[i]) > 1e-3),
    'TF.js computes this layer undilated; if it now agrees, the README\'s list of departures is out of date');

  // Saved by convas in TF.js's format, dilation_rate is written, and read back alike.
  const own = sequential({ inputShape: IMAGE, layers: [layers.depthwiseConv2d({ kernelSize: 2, dilationRate: [3, 2], padding: 'valid', name: 'mine' })] });
  const where = await newModelLocation();
  await own.save(where, { format: 'tfjs' });
  const json = await readModelJson(where);
  assert.equal(json.modelTopology.config.layers[1].config.dilation_rate, [3, 2]);
  againstReference(await loadModel(where), 'dilated depthwise read back');
});

test("TF.js writes SeparableConv2D without depth_multiplier: its depthwise kernel's shape gives it, and the layer saves back with it", async () => {
  const x = tfl.input({ shape: IMAGE });
  let y = on(tfl.layers.separableConv2d({ filters: 4, kernelSize: 3, depthMultiplier: 2, name: 'sep' }), x);
  y = on(tfl.layers.separableConv2d({ filters: 2, kernelSize: 2, depthMultiplier: 3, padding: 'same', activation: 'relu', name: 'sep_x3' }), y);
  const tfjsModel = tfl.model({ inputs: x, outputs: y });
  randomizeTfjs(tfjsModel, 2);
  const where = await newModelLocation();
  await saveTfjs(tfjsModel, where);
  const json = await readModelJson(where);
  const config = json.modelTopology.config.layers[1].config;
  assert.is(config.depth_multiplier, undefined, 'TF.js wrote depth_multiplier; the README\'s list of departures is out of date');
  const loaded = await loadModel(where);
  assert.equal([loaded.getLayer('sep').getConfig().depthMultiplier, loaded.getLayer('sep_x3').getConfig().depthMultiplier], [2, 3]);
  assertSamePredictions(loaded, tfjsModel, 'separable with depthMultiplier 2 and 3, from TF.js\'s file');
  // Saved back for TF.js, the setting is written, so TF.js reads the layer as it was.
  const inTfjs = await assertLoadsInTfjs(loaded, 'separable with depthMultiplier 2 and 3, saved back');
  assert.equal((inTfjs.getLayer('sep_x3') as unknown as { depthMultiplier: number }).depthMultiplier, 3);

  // A file that gives the setting (as Keras writes it) is read as it says: a kernel of another shape is refused, naming the weight.
  config.depth_multiplier = 1;
  await writeModelJson(where, json);
  await expectError(() => loadModel(where), FileFormatError, await modelFileName(where), /\(sep\/depthwise_kernel\) has shape \[3, 3, 3, 2\], but the model's layers make it \[3, 3, 3, 1\]/);
  config.depth_multiplier = 2;
  await writeModelJson(where, json);
  assertSamePredictions(await loadModel(where), tfjsModel, 'separable with depth_multiplier 2 given');
});

test('impossible depthwise settings in a TF.js file are refused when it loads', async () => {
  const where = await newModelLocation();
  await saveTfjs(tfjsDepthwiseChain(), where);
  const original = JSON.stringify(await readModelJson(where));
  const refused = async (edit: (layers: Array<{ config: Record<string, unknown> }>) => void, detail: RegExp) => {
    const json = JSON.parse(original);
    edit(json.modelTopology.config.layers);
    await writeModelJson(where, json);
    await expectError(() => loadModel(where), FileFormatError, await modelFileName(where), detail);
  };
  await refused((l) => { l[1].config.depth_multiplier = 0; }, /depthMultiplier must be a positive integer, got 0/);
  await refused((l) => { l[2].config.dilation_rate = [2, 2]; }, /strides > 1 cannot be combined with dilationRate > 1/);
  await refused((l) => Object.assign(l[1].config, { padding: 'valid', dilation_rate: [9, 9] }),
    /the 19×19 window \(3×3 taps dilated by 9×9\) is larger than the padded input 11×13/);
  await refused((l) => { l[3].config.depthwise_regularizer = { class_name: 'L2', config: { l2: 0.01 } }; }, /depthwise_regularizer .* expected null/);
});

test.run();
