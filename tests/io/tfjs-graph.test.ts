// Graph models (the functional API) checked against TensorFlow.js itself (cpu backend): graphs
// built and saved by tfjs-layers — merges, nesting, frozen layers, several inputs and outputs —
// load in convas and predict alike; one SGD step on the same batch moves the weights alike; convas
// graphs saved as TF.js load in TF.js and predict alike; graph files convas cannot read are refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { FileFormatError, type Model, init, input, layers, loadModel, model, sequential } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { modelFileName, newModelLocation, readModelJson, saveTfjs, writeModelJson } from './tfjs-files.js';
import { assertLoadsInTfjs, assertSamePredictions, assertSameStep, batch, on, viaFile } from './tfjs-compare.js';

const IMAGE = [5, 7, 3];

// --- TF.js graphs

function tfjsResidual(name = 'residual', prefix = ''): tfl.LayersModel {
  const x = tfl.input({ shape: IMAGE, name: `${prefix}image` });
  const conv = on(tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: `${prefix}conv` }), x);
  const sum = on(tfl.layers.add({ name: `${prefix}skip` }), [conv, x]);
  return tfl.model({ inputs: x, outputs: on(tfl.layers.reLU({ name: `${prefix}relu` }), sum), name });
}

/** Two convolutions of the image joined on `axis`: channels for −1 and 3; for 1 and 2 the image and a cropped one. */
function tfjsConcatenate(axis: number): tfl.LayersModel {
  const x = tfl.input({ shape: IMAGE });
  if (axis === 1 || axis === 2) {
    const cropped = on(tfl.layers.conv2d({ filters: 3, kernelSize: axis === 1 ? [2, 1] : [1, 3] }), x);
    return tfl.model({ inputs: x, outputs: on(tfl.layers.concatenate({ axis }), [x, cropped]) });
  }
  const a = on(tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }), x);
  const b = on(tfl.layers.conv2d({ filters: 4, kernelSize: 1, activation: 'tanh' }), x);
  return tfl.model({ inputs: x, outputs: on(tfl.layers.concatenate({ axis }), [a, b]) });
}

/** The image, and two convolutions of it, merged elementwise (three inputs, so the n-ary path runs). */
function tfjsMerge(kind: 'multiply' | 'average' | 'maximum'): tfl.LayersModel {
  const x = tfl.input({ shape: IMAGE });
  const a = on(tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh' }), x);
  const b = on(tfl.layers.conv2d({ filters: 3, kernelSize: 1 }), x);
  return tfl.model({ inputs: x, outputs: on(tfl.layers[kind](), [a, x, b]) });
}

const tfjsHead = (name: string, inputShape: number[]) => tfl.sequential({ name, layers: [
  tfl.layers.flatten({ inputShape }), tfl.layers.dense({ units: 6, activation: 'relu', name: `${name}_hidden` }),
  tfl.layers.dense({ units: 3, activation: 'softmax', name: `${name}_out` }),
] });

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

test('TF.js → convas: a residual block (conv2d same, add the block input, relu)', async () => {
  const tfjsModel = tfjsResidual();
  const loaded = await viaFile(tfjsModel);
  assert.is(loaded.className, 'Model');
  assert.equal(loaded.layers.map((l) => l.name), ['image', 'conv', 'skip', 'relu']);
  assert.equal(loaded.getLayer('skip').className, 'Add');
  assertSamePredictions(loaded, tfjsModel, 'residual');
});

test('TF.js → convas: two branches concatenated on axis -1 and 3 (channels), and on 1 and 2', async () => {
  for (const axis of [-1, 3, 1, 2]) {
    const tfjsModel = tfjsConcatenate(axis);
    assertSamePredictions(await viaFile(tfjsModel), tfjsModel, `axis ${axis}`);
  }
});

test('TF.js → convas: multiply, average and maximum of three tensors', async () => {
  for (const kind of ['multiply', 'average', 'maximum'] as const) {
    const tfjsModel = tfjsMerge(kind);
    assertSamePredictions(await viaFile(tfjsModel), tfjsModel, kind);
  }
});

test('TF.js → convas: a Sequential nested in a Model, a Model in a Model, a Model in a Sequential', async () => {
  const x = tfl.input({ shape: IMAGE });
  const features = on(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), x);
  const withHead = tfl.model({ inputs: x, outputs: on(tfjsHead('head', [5, 7, 4]), features) });
  const loaded = await viaFile(withHead);
  assert.is(loaded.getLayer('head').className, 'Sequential');
  assertSamePredictions(loaded, withHead, 'Sequential in a Model');

  const outer = tfl.input({ shape: IMAGE });
  const widened = on(tfl.layers.conv2d({ filters: 3, kernelSize: 1, name: 'widen' }), outer);
  const block = on(tfjsResidual('block', 'block_'), widened);
  const modelInModel = tfl.model({ inputs: outer, outputs: on(tfjsHead('classes', IMAGE), block) });
  assertSamePredictions(await viaFile(modelInModel), modelInModel, 'Model in a Model');

  const modelInSequential = tfl.sequential({ layers: [tfjsResidual('first', 'first_'), tfl.layers.flatten(), tfl.layers.dense({ units: 2 })] });
  assertSamePredictions(await viaFile(modelInSequential), modelInSequential, 'Model in a Sequential');
});

test('TF.js → convas: layers frozen in TF.js (trainable false in the file) are frozen in convas', async () => {
  const x = tfl.input({ shape: IMAGE });
  const frozenConv = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'frozen_conv' });
  const head = tfjsHead('frozen_head', [5, 7, 4]);
  frozenConv.trainable = false;
  head.layers[1].trainable = false; // a layer inside a nested model
  const tfjsModel = tfl.model({ inputs: x, outputs: on(head, on(frozenConv, x)) });
  const loaded = await viaFile(tfjsModel);
  assert.is(loaded.getLayer('frozen_conv').trainable, false);
  const nested = loaded.getLayer('frozen_head') as Model;
  assert.equal(nested.layers.map((l) => l.trainable), [true, false, true]);
  const names = (m: { trainableWeights: Array<{ name: string }> }) => m.trainableWeights.map((w) => w.name);
  assert.equal(names(loaded), tfjsModel.trainableWeights.map((w) => w.originalName));
  assertSamePredictions(loaded, tfjsModel, 'frozen');
});

test('TF.js → convas: two inputs; two outputs (predict gives an array), one of them also read by a layer', async () => {
  const image = tfl.input({ shape: IMAGE, name: 'image' });
  const vector = tfl.input({ shape: [4], name: 'vector' });
  const looked = on(tfl.layers.flatten(), on(tfl.layers.conv2d({ filters: 2, kernelSize: 3 }), image));
  const seen = on(tfl.layers.dense({ units: 5, activation: 'tanh' }), looked);
  const heard = on(tfl.layers.dense({ units: 5, activation: 'sigmoid' }), vector);
  const answer = on(tfl.layers.dense({ units: 3, activation: 'softmax' }), on(tfl.layers.concatenate(), [seen, heard]));
  for (const inputs of [[image, vector], [vector, image]]) {
    const twoInputs = tfl.model({ inputs, outputs: answer });
    const loaded = await viaFile(twoInputs);
    assert.equal(loaded.inputs.map((t) => t.name), inputs.map((t) => t.sourceLayer.name));
    assertSamePredictions(loaded, twoInputs, 'two inputs');
  }

  const x = tfl.input({ shape: IMAGE });
  const features = on(tfl.layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu', name: 'features' }), x);
  const classes = on(tfl.layers.dense({ units: 3, activation: 'softmax' }), on(tfl.layers.flatten(), features));
  const twoOutputs = tfl.model({ inputs: x, outputs: [classes, features] });
  const loadedTwo = await viaFile(twoOutputs);
  assert.is(loadedTwo.predictOutputs(batch([IMAGE], 2, 3).convas[0]).length, 2, 'predictOutputs returns one tensor per output');
  assertSamePredictions(loadedTwo, twoOutputs, 'two outputs');
});

// --- one training step

test('one SGD step agrees with TF.js: tensors read by several layers, concatenated channels, pooling and a softmax', async () => {
  const x = tfl.input({ shape: IMAGE });
  const trunk = on(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'trunk' }), x);
  const left = on(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'left' }), trunk);
  const right = on(tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'right' }), trunk);
  const joined = on(tfl.layers.concatenate(), [on(tfl.layers.add(), [left, right, trunk]), left]);
  const pooled = on(tfl.layers.flatten(), on(tfl.layers.maxPooling2d({ poolSize: 2 }), joined));
  await assertSameStep(tfl.model({ inputs: x, outputs: on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), pooled) }), 'fan-out');
});

test('one SGD step agrees with TF.js: two inputs through multiply (also of a tensor by itself), maximum, average and concatenate', async () => {
  const image = tfl.input({ shape: IMAGE });
  const vector = tfl.input({ shape: [4] });
  const looked = on(tfl.layers.flatten(), on(tfl.layers.conv2d({ filters: 2, kernelSize: 3, name: 'look' }), image));
  const seen = on(tfl.layers.dense({ units: 5, activation: 'tanh', name: 'seen' }), looked);
  const heard = on(tfl.layers.dense({ units: 5, activation: 'sigmoid', name: 'heard' }), vector);
  const product = on(tfl.layers.multiply(), [seen, heard]);
  const larger = on(tfl.layers.maximum(), [seen, heard]);
  const mean = on(tfl.layers.average(), [product, larger, seen]);
  const squared = on(tfl.layers.multiply(), [heard, heard]); // one layer reading a tensor twice
  const joined = on(tfl.layers.concatenate(), [product, larger, mean, squared]);
  const out = on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), joined);
  await assertSameStep(tfl.model({ inputs: [image, vector], outputs: out }), 'merges');
});

test('one SGD step agrees with TF.js: through a nested Model whose input is read twice, into a nested Sequential', async () => {
  const x = tfl.input({ shape: IMAGE });
  const before = on(tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'before' }), x);
  const block = on(tfjsResidual('block', 'block_'), before);
  await assertSameStep(tfl.model({ inputs: x, outputs: on(tfjsHead('head', IMAGE), block) }), 'nested');
});

test('one SGD step agrees with TF.js: frozen layers keep their weights, gradients still pass through them', async () => {
  const x = tfl.input({ shape: IMAGE });
  const first = on(tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'tanh', name: 'first' }), x);
  const middle = tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: 'middle' });
  middle.trainable = false;
  const summed = on(tfl.layers.add(), [on(middle, first), first]);
  const head = tfjsHead('head', IMAGE);
  head.layers[1].trainable = false;
  await assertSameStep(tfl.model({ inputs: x, outputs: on(head, summed) }), 'frozen',
    ['middle/kernel', 'middle/bias', 'head_hidden/kernel', 'head_hidden/bias']);

  const y = tfl.input({ shape: IMAGE });
  const start = on(tfl.layers.conv2d({ filters: 3, kernelSize: 1, name: 'start' }), y);
  const frozenBlock = on(tfjsResidual('frozen_block', 'frozen_block_'), start);
  await assertSameStep(tfl.model({ inputs: y, outputs: on(tfjsHead('last', IMAGE), frozenBlock) }), 'frozen nested model',
    ['frozen_block_conv/kernel', 'frozen_block_conv/bias'], ['frozen_block']);
});

// --- convas graphs in TF.js

const convasResidual = (name: string, prefix: string) => {
  const x = input({ shape: IMAGE, name: `${prefix}image` });
  const conv = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', name: `${prefix}conv` }).apply(x);
  return model({ inputs: x, outputs: layers.relu().apply(layers.add({ name: `${prefix}skip` }).apply([conv, x])), name });
};

const convasHead = (name: string, inputShape: number[]) => sequential({ name, inputShape, layers: [
  layers.flatten(), layers.dense({ units: 6, activation: 'relu', name: `${name}_hidden` }), layers.dense({ units: 3, activation: 'softmax' }),
] });

test('convas → TF.js: a residual block and concatenations (channels, and rows or columns counted from the end) load in tf.loadLayersModel and predict alike', async () => {
  await assertLoadsInTfjs(convasResidual('residual', ''), 'residual');
  for (const axis of [-1, 3]) {
    const x = input({ shape: IMAGE });
    const a = layers.conv2d({ filters: 2, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
    const b = layers.conv2d({ filters: 4, kernelSize: 1, activation: 'tanh' }).apply(x);
    await assertLoadsInTfjs(model({ inputs: x, outputs: layers.concatenate({ axis }).apply([a, b, x]) }), `concatenate axis ${axis}`);
  }
  // Along rows or columns, counted from the end: TF.js takes any negative axis for the last at run time, so the file counts from the start.
  for (const axis of [-2, -3]) {
    const x = input({ shape: IMAGE });
    const a = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
    await assertLoadsInTfjs(model({ inputs: x, outputs: layers.concatenate({ axis }).apply([a, x]) }), `concatenate axis ${axis}`);
  }
});

test('convas → TF.js: a nested Sequential and a nested Model, each also as the output', async () => {
  const x = input({ shape: IMAGE });
  const features = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
  const inTfjs = await assertLoadsInTfjs(model({ inputs: x, outputs: convasHead('head', [5, 7, 4]).apply(features) }), 'Sequential in a Model');
  assert.is(inTfjs.getLayer('head').getClassName(), 'Sequential');

  const outer = input({ shape: IMAGE });
  const block = convasResidual('block', 'block_').apply(layers.conv2d({ filters: 3, kernelSize: 1 }).apply(outer));
  await assertLoadsInTfjs(model({ inputs: outer, outputs: block }), 'Model in a Model');
  await assertLoadsInTfjs(sequential({ inputShape: IMAGE, layers: [convasResidual('first', 'first_'), layers.flatten(), layers.dense({ units: 2 })] }),
    'Model in a Sequential');
});

test('convas → TF.js: frozen layers are frozen in TF.js (trainable false), a frozen nested model too', async () => {
  const x = input({ shape: IMAGE });
  const frozenConv = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'frozen_conv' });
  const head = convasHead('frozen_head', [5, 7, 4]);
  frozenConv.trainable = false;
  head.trainable = false;
  const m = model({ inputs: x, outputs: head.apply(frozenConv.apply(x)) });
  const inTfjs = await assertLoadsInTfjs(m, 'frozen');
  assert.is(inTfjs.getLayer('frozen_conv').trainable, false);
  assert.equal(inTfjs.trainableWeights.map((w) => w.originalName), []);
  assert.equal(inTfjs.nonTrainableWeights.length, m.nonTrainableWeights.length);
});

test('convas → TF.js: two inputs and two outputs', async () => {
  const image = input({ shape: IMAGE, name: 'image' });
  const vector = input({ shape: [4], name: 'vector' });
  const features = layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }).apply(image);
  const seen = layers.dense({ units: 5, activation: 'tanh' }).apply(layers.flatten().apply(features));
  const heard = layers.dense({ units: 5 }).apply(vector);
  const classes = layers.dense({ units: 3, activation: 'softmax' }).apply(layers.multiply().apply([seen, heard]));
  const inTfjs = await assertLoadsInTfjs(model({ inputs: [image, vector], outputs: [classes, features] }), 'two inputs, two outputs');
  assert.equal(inTfjs.inputNames, ['image', 'vector']);
});

// --- the activations Keras models use: as activation names and as layers

/** Every activation name TF.js has beyond linear, relu, tanh, sigmoid and softmax (TF.js's names). */
const TFJS_ACTIVATIONS = ['relu6', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'hardSigmoid'] as const;

/** The activation on a conv2d, as an Activation layer and on a dense layer, before a softmax head. */
function tfjsActivations(activation: (typeof TFJS_ACTIVATIONS)[number]): tfl.LayersModel {
  const x = tfl.input({ shape: IMAGE });
  const conv = on(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation, name: 'conv' }), x);
  const mixed = on(tfl.layers.activation({ activation }), on(tfl.layers.conv2d({ filters: 3, kernelSize: 1, name: 'mix' }), conv));
  const hidden = on(tfl.layers.dense({ units: 6, activation, name: 'hidden' }), on(tfl.layers.flatten(), mixed));
  return tfl.model({ inputs: x, outputs: on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), hidden) });
}

const convasActivations = (activation: (typeof TFJS_ACTIVATIONS)[number]) => {
  const x = input({ shape: IMAGE });
  const conv = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation }).apply(x);
  const mixed = layers.activation({ activation }).apply(layers.conv2d({ filters: 3, kernelSize: 1 }).apply(conv));
  const hidden = layers.dense({ units: 6, activation }).apply(layers.flatten().apply(mixed));
  return model({ inputs: x, outputs: layers.dense({ units: 3, activation: 'softmax' }).apply(hidden) });
};

/** Each activation layer (TF.js's ReLU, LeakyReLU, ELU, PReLU, Softmax) in one model; `softmaxLast`: the output is a Softmax layer. */
function tfjsActivationLayers(softmaxLast: boolean): tfl.LayersModel {
  const x = tfl.input({ shape: IMAGE });
  const conv = (name: string, kernelSize = 1) => tfl.layers.conv2d({ filters: 4, kernelSize, padding: 'same', name });
  let t = on(tfl.layers.reLU({ maxValue: 6, name: 'relu6' }), on(conv('c1', 3), x));
  t = on(tfl.layers.prelu({ sharedAxes: [1, 2], name: 'prelu_channels' }), on(conv('c2', 3), t));
  t = on(tfl.layers.leakyReLU({ alpha: 0.2, name: 'leaky' }), on(conv('c3'), t));
  t = on(tfl.layers.elu({ name: 'elu' }), on(conv('c4'), t));
  t = on(tfl.layers.reLU({ maxValue: 0.7, name: 'relu_capped' }), on(conv('c5'), t));
  t = on(tfl.layers.softmax({ axis: -1, name: 'channel_softmax' }), on(conv('c6'), t));
  t = on(tfl.layers.dense({ units: 6, name: 'hidden' }), on(tfl.layers.flatten(), t));
  t = on(tfl.layers.reLU({ name: 'relu' }), on(tfl.layers.prelu({ name: 'prelu_units' }), t));
  const out = softmaxLast ? on(tfl.layers.softmax({ name: 'out_softmax' }), on(tfl.layers.dense({ units: 3, name: 'out' }), t))
    : on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), t);
  return tfl.model({ inputs: x, outputs: out });
}

function convasActivationLayers(): Model {
  const x = input({ shape: IMAGE });
  const conv = (kernelSize = 1) => layers.conv2d({ filters: 4, kernelSize, padding: 'same' });
  let t = layers.reLU({ maxValue: 6 }).apply(conv(3).apply(x));
  t = layers.prelu({ sharedAxes: [1, 2] }).apply(conv(3).apply(t));
  t = layers.leakyReLU({ alpha: 0.2 }).apply(conv().apply(t));
  t = layers.elu().apply(conv().apply(t));
  t = layers.reLU({ maxValue: 0.7 }).apply(conv().apply(t));
  t = layers.softmax().apply(conv().apply(t));
  t = layers.reLU().apply(layers.prelu().apply(layers.dense({ units: 6 }).apply(layers.flatten().apply(t))));
  return model({ inputs: x, outputs: layers.softmax().apply(layers.dense({ units: 3 }).apply(t)) });
}

test('TF.js → convas: every activation name TF.js has, on conv2d, dense and Activation layers, predicts alike and steps alike', async () => {
  for (const activation of TFJS_ACTIVATIONS) {
    const tfjsModel = tfjsActivations(activation);
    assertSamePredictions(await viaFile(tfjsModel), tfjsModel, activation);
    await assertSameStep(tfjsModel, activation);
  }
});

test('TF.js → convas: ReLU (plain, capped at 6 and below), LeakyReLU, ELU, PReLU (per channel, per unit) and Softmax layers', async () => {
  for (const softmaxLast of [false, true]) {
    const tfjsModel = tfjsActivationLayers(softmaxLast);
    const loaded = await viaFile(tfjsModel);
    assert.equal(['relu6', 'prelu_channels', 'leaky', 'elu', 'channel_softmax', 'prelu_units'].map((n) => loaded.getLayer(n).className),
      ['ReLU', 'PReLU', 'LeakyReLU', 'ELU', 'Softmax', 'PReLU']);
    assert.equal(loaded.getLayer('prelu_channels').params[0].shape, [1, 1, 4], 'one slope per channel');
    assertSamePredictions(loaded, tfjsModel, `activation layers${softmaxLast ? ', Softmax layer last' : ''}`);
    await assertSameStep(tfjsModel, `activation layers${softmaxLast ? ', Softmax layer last' : ''}`);
  }
});

test('one SGD step agrees with TF.js through each activation layer alone, right after a convolution (slopes of PReLU included)', async () => {
  const made = [
    tfl.layers.reLU(), tfl.layers.reLU({ maxValue: 6 }), tfl.layers.reLU({ maxValue: 0.3 }), tfl.layers.leakyReLU({ alpha: 0.2 }),
    // TF.js's softmax() defaults to axis 1, the last axis of flat inputs only (Keras: −1).
    tfl.layers.elu(), tfl.layers.prelu({ sharedAxes: [1, 2] }), tfl.layers.prelu(), tfl.layers.softmax({ axis: -1 }),
  ];
  for (const layer of made) {
    const x = tfl.input({ shape: IMAGE });
    const activated = on(layer, on(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' }), x));
    const out = on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), on(tfl.layers.flatten(), activated));
    await assertSameStep(tfl.model({ inputs: x, outputs: out }), `${layer.getClassName()} ${JSON.stringify(layer.getConfig())}`);
  }
});

test('convas → TF.js: the activation names and layers load in tf.loadLayersModel and predict alike', async () => {
  for (const activation of TFJS_ACTIVATIONS) await assertLoadsInTfjs(convasActivations(activation), activation);
  const inTfjs = await assertLoadsInTfjs(convasActivationLayers(), 'activation layers');
  assert.equal(inTfjs.layers.filter((l) => l.getClassName() === 'PReLU').map((l) => l.getWeights()[0].shape), [[1, 1, 4], [6]]);
});

// --- graph files convas cannot read

/** `block` with a flatten and a dense layer (tail) after it. */
function tfjsTail(block: tfl.LayersModel): tfl.LayersModel {
  return tfl.model({ inputs: block.inputs, outputs: on(tfl.layers.dense({ units: 2, name: 'tail' }), on(tfl.layers.flatten(), block.outputs[0])) });
}

/** A TF.js model (the residual block unless given) saved by TF.js, its model.json edited by `edit`: refused with `detail`. */
async function refusedGraph(edit: (json: Record<string, any>) => void, detail: RegExp, tfjsModel = tfjsResidual()) {
  const where = await newModelLocation();
  await saveTfjs(tfjsModel, where);
  const json = await readModelJson(where);
  edit(json);
  await writeModelJson(where, json);
  await expectError(() => loadModel(where), FileFormatError, await modelFileName(where), detail);
}

/** A layer of a saved graph, by name (the residual block's are image, conv, skip, relu). */
const graphLayer = (json: Record<string, any>, name: string) => json.modelTopology.config.layers.find((l: { name: string }) => l.name === name);

/** Keras 3's way of listing what a layer reads: a call's args holding symbolic tensors by their keras_history. */
const keras3Node = (...names: string[]) => {
  const tensors = names.map((name) => ({
    class_name: '__keras_tensor__', config: { shape: [null, ...IMAGE], dtype: 'float32', keras_history: [name, 0, 0] },
  }));
  return { args: tensors.length === 1 ? tensors : [tensors], kwargs: {} };
};

test('TF.js graph files convas cannot read are refused, naming the layer and why', async () => {
  const x = tfl.input({ shape: [4] });
  const shared = tfl.layers.dense({ units: 4, name: 'shared' });
  await refusedGraph(() => {}, /layer 2 \(shared\) is applied 2 times; convas applies each layer once/,
    tfl.model({ inputs: x, outputs: on(shared, on(shared, x)) }));
  await refusedGraph((j) => { graphLayer(j, 'skip').inbound_nodes[0][1][0] = 'nowhere'; },
    /modelTopology: layer skip reads "nowhere", which is not a layer of this model/);
  await refusedGraph((j) => { graphLayer(j, 'conv').inbound_nodes[0][0][0] = 'relu'; }, /modelTopology: layer conv is in a cycle/);
  // The cycle named is the cycle, not a layer after it that is listed first.
  await refusedGraph((j) => {
    graphLayer(j, 'skip').inbound_nodes[0][1][0] = 'relu';
    j.modelTopology.config.layers.reverse();
  }, /modelTopology: layer relu is in a cycle/, tfjsTail(tfjsResidual()));
  await refusedGraph((j) => { graphLayer(j, 'relu').inbound_nodes[0][0][2] = 1; }, /reads output 1 of skip; convas layers have one output/);
  for (const kwargs of ['str', 5, null]) {
    await refusedGraph((j) => { graphLayer(j, 'relu').inbound_nodes[0][0][3] = kwargs; },
      new RegExp(`\\(relu\\) inbound_nodes\\[0\\]\\[0\\] has call arguments ${JSON.stringify(kwargs)}; expected an object of keyword arguments`));
  }
  await refusedGraph((j) => {
    graphLayer(j, 'conv').inbound_nodes = [keras3Node('image')];
    graphLayer(j, 'skip').inbound_nodes = [keras3Node('conv', 'image')];
    graphLayer(j, 'relu').inbound_nodes = [keras3Node('skip')];
  }, /layer 2 \(conv\) inbound_nodes\[0\] is a Keras 3 node \({ args, kwargs }\); convas reads the TF.js and Keras 2 format/);
});

test.run();
