// save(…, { format: 'onnx' }): convas models written as ONNX predict in ONNX Runtime as in convas
// (images fed to ONNX Runtime channels-first), and those the ONNX reader reads load back into convas
// predicting the same (the rest, whose operators it does not read yet, against ONNX Runtime only).
// Every layer and activation with an ONNX equivalent is covered, nested models and several inputs
// and outputs too; a layer or setting without one is a ConfigError naming it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, Layer, type Model, type SymbolicTensor, init, input, layers, loadModel, model, sequential, tensor } from '../../src/index.js';
import { encodeOnnx } from '../../src/onnx/index.js';
import { expectError } from '../data/expect-error.js';
import { assertClose, random } from '../helpers.js';
import { temporaryDirectory } from '../io/model-files.js';
import { onnxModel } from './builder.js';
import { assertAgreesWithOrt, runOrt } from './ort.js';
import { onnx } from '../../src/onnx/proto/onnx.js';

/** NCHW dims of a model input's convas shape (batch 3). */
const onnxDims = (shape: readonly number[]) => (shape.length === 3 ? [3, shape[2], shape[0], shape[1]] : [3, ...shape]);

/** The model written as ONNX: ONNX Runtime agrees with convas, and convas reads it back to the same predictions. */
async function roundTrip(m: Model, what: string) {
  const bytes = encodeOnnx(m);
  await assertAgreesWithOrt(m, bytes, m.inputShapes.map(onnxDims), what);
  const back = await loadModel(bytes);
  const rng = random(9);
  const xs = m.inputShapes.map((s) => tensor(rng.array(3 * s.reduce((a, b) => a * b, 1)), [3, ...s]));
  const expected = m.predictOutputs(xs), actual = back.predictOutputs(xs);
  expected.forEach((e, k) => assertClose(actual[k].dataSync(), e.dataSync(), 1e-5, `${what}: read back, output ${k}`));
  back.dispose();
}

test.before(async () => {
  await init();
});

test('conv2d (every padding, strides, activations, without bias, groups), pools (max, average, sum; valid, same, explicit), dense, dropout', async () => {
  const m = sequential({ inputShape: [11, 10, 3], seed: 1, layers: [
    layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.conv2d({ filters: 5, kernelSize: [2, 3], strides: [2, 1], padding: 'full', activation: 'tanh', useBias: false }),
    layers.maxPool2d({ poolSize: 3, strides: 2, padding: 'same' }),
    layers.conv2d({ filters: 3, kernelSize: 2, padding: [1, 0, 2, 1], activation: 'sigmoid' }),
    layers.avgPool2d({ poolSize: [2, 3], strides: 1, padding: 'same' }),
    layers.sumPool2d({ poolSize: 2, strides: 1, padding: [1, 0, 0, 1] }),
    layers.avgPool2d({ poolSize: 2, padding: [1, 1, 0, 1] }),
    layers.conv2d({ filters: 4, kernelSize: 1, strides: 2, padding: 1 }),
    layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', groups: 2, activation: 'relu' }),
    layers.flatten(), layers.dropout({ rate: 0.4 }), layers.dense({ units: 6, activation: 'relu' }),
    layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  await roundTrip(m, 'sequential CNN');
});

test('augmentation layers and GaussianNoise, which pass their input through at inference, are written as Identity', async () => {
  const m = sequential({ inputShape: [9, 8, 3], seed: 2, layers: [
    layers.randomFlip(), layers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1 }), layers.randomRotation({ factor: 0.1 }),
    layers.randomZoom({ heightFactor: 0.1 }), layers.randomBrightness({ factor: 0.2 }), layers.randomContrast({ factor: 0.2 }),
    layers.gaussianNoise({ stddev: 0.1 }), layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), layers.flatten(), layers.dense({ units: 3 }),
  ] });
  await roundTrip(m, 'augmented CNN');
  const back = await loadModel(encodeOnnx(m));
  assert.equal(back.layers.map((l) => l.getConfig().className).filter((c) => c.startsWith('Random') || c === 'GaussianNoise'), [], 'read back without them');
  back.dispose();
  const cropped = sequential({ inputShape: [9, 8, 3], layers: [layers.randomCrop({ height: 6, width: 6 }), layers.flatten(), layers.dense({ units: 2 })] });
  assert.throws(() => encodeOnnx(cropped), /RandomCrop, which convas does not write as ONNX/);
});

test('an output that is the model\'s input or another output, passed through unchanged, is refused (convas reads each output as a tensor of its own)', () => {
  const x = input({ shape: [3] });
  const d = layers.dense({ units: 2 }).apply(x);
  assert.throws(() => encodeOnnx(model({ inputs: x, outputs: [x, d] })), /output 0 of model .* is the model's input, passed through unchanged/);
  assert.throws(() => encodeOnnx(model({ inputs: x, outputs: layers.gaussianNoise({ stddev: 0.1 }).apply(x) })), /output 0 .* is the model's input/);
  assert.throws(() => encodeOnnx(model({ inputs: x, outputs: [d, layers.gaussianNoise({ stddev: 0.1 }).apply(d)] })), /output 1 .* is output 0/);
  assert.throws(() => encodeOnnx(model({ inputs: x, outputs: [d, layers.activation({ activation: 'linear' }).apply(x)] })), /output 1 .* is the model's input/);
});

test('activation layers on images and features, softmax over the channels; rescaling by numbers and per channel', async () => {
  const m = sequential({ inputShape: [4, 5, 3], seed: 2, layers: [
    layers.rescaling({ scale: [0.5, -1, 2], offset: [0.1, 0, -0.2] }), layers.relu(), layers.softmax(),
    layers.rescaling({ scale: 3 }), layers.tanh(), layers.activation({ activation: 'linear' }),
    layers.flatten(), layers.rescaling({ scale: 1, offset: -0.5 }), layers.sigmoid(), layers.dense({ units: 3 }), layers.softmax(),
  ] });
  await roundTrip(m, 'activations');
});

test('merges of two and three tensors, concatenation along every axis, and every permutation of an image', async () => {
  const x = input({ shape: [4, 3, 2] });
  const a = layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }).apply(x);
  const b = layers.conv2d({ filters: 2, kernelSize: 1, activation: 'tanh' }).apply(x);
  const merged = [
    layers.add().apply([a, b]), layers.add().apply([a, b, x]), layers.multiply().apply([a, b]), layers.multiply().apply([a, b, x]),
    layers.average().apply([a, b, x]), layers.maximum().apply([a, b]),
  ];
  const joined = [1, 2, 3, -1].map((axis) => layers.concatenate({ axis }).apply(merged.slice(0, 3)));
  const permuted = [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]].map((dims) =>
    layers.flatten().apply(layers.permute({ dims }).apply(layers.maximum().apply([a, x]))));
  const flat = [...merged, ...joined].map((t) => layers.flatten().apply(t));
  const out = layers.concatenate().apply([...flat, ...permuted]);
  await roundTrip(model({ inputs: x, outputs: [out, joined[0]], seed: 3 }), 'graph');
});

test('several inputs and outputs, a nested Sequential and a nested Model, flat inputs and permutations of [A, B]', async () => {
  const image = input({ shape: [5, 5, 2], name: 'image' });
  const features = input({ shape: [3, 4], name: 'features' });
  const inner = sequential({ name: 'inner', inputShape: [5, 5, 2], layers: [layers.conv2d({ filters: 3, kernelSize: 3 }), layers.flatten()] });
  const sideIn = input({ shape: [3, 4] });
  const side = model({ name: 'side', inputs: sideIn, outputs: layers.flatten().apply(layers.permute({ dims: [2, 1] }).apply(sideIn)) });
  const joined = layers.concatenate().apply([inner.apply(image), side.apply(features)]);
  const out = layers.dense({ units: 2 }).apply(joined);
  await roundTrip(model({ inputs: [image, features], outputs: [out, joined], seed: 4 }), 'two inputs, nested models');
});

test('a model loaded with inputLayout NCHW is written taking and giving what its file did', async () => {
  const rng = random(12);
  const original = onnxModel({
    inputs: [{ name: 'a', dims: ['N', 2, 4, 3] }, { name: 'b', dims: ['N', 2, 4, 3] }], outputs: ['sum', 'flat'],
    nodes: [
      { op: 'Conv', inputs: ['a', 'w'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1] } },
      { op: 'Add', inputs: ['c', 'b'], outputs: ['sum'] }, { op: 'Flatten', inputs: ['sum'], outputs: ['flat'] },
    ],
    initializers: { w: { dims: [2, 2, 3, 3], data: rng.array(36) } },
  });
  const nchw = await loadModel(original, { inputLayout: 'NCHW' });
  const saved = encodeOnnx(nchw);
  const graph = onnx.ModelProto.decode(saved).graph!;
  const dims = (values: onnx.IValueInfoProto[]) => values.map((v) => v.type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue)));
  assert.equal(dims(graph.input!), [['batch', 2, 4, 3], ['batch', 2, 4, 3]]);
  assert.equal(dims(graph.output!), [['batch', 2, 4, 3], ['batch', 24]]);
  assert.not.ok(graph.node!.some((n) => n.opType === 'Transpose' && (n.input![0] === 'a' || n.output![0] === graph.output![0].name)),
    'no transposes at the ends');
  const inputs = [0, 1].map(() => ({ values: rng.array(48), dims: [2, 2, 4, 3] }));
  const expected = await runOrt(original, inputs), written = await runOrt(saved, inputs);
  written.forEach((w, k) => {
    assert.equal(w.dims, expected[k].dims);
    assertClose(w.values, expected[k].values, 1e-5, `output ${k} of the written file`);
  });
  const back = await loadModel(saved, { inputLayout: 'NCHW' });
  assert.equal(back.inputShapes, nchw.inputShapes);
  const outputs = back.predictOutputs(inputs.map((i) => tensor(i.values, i.dims)));
  expected.forEach((e, k) => assertClose(outputs[k].dataSync(), e.values, 1e-5, `output ${k} read back`));
});

/** Every weight of the model random in [-0.5, 0.5), moving variances in [0.5, 1.5): none at its default. */
function randomized(m: Model, seed: number): Model {
  const rng = random(seed);
  m.setWeights(m.weights.map((p) => tensor(p.name.endsWith('moving_variance') ? rng.array(p.size, 0.5, 1.5) : rng.array(p.size, -0.5, 0.5), [...p.shape])));
  return m;
}

/** The model written as ONNX predicts in ONNX Runtime as in convas (for layers the ONNX reader does not read back yet). */
const agreesWithOrt = (m: Model, what: string) => assertAgreesWithOrt(m, encodeOnnx(m), m.inputShapes.map(onnxDims), what);

const ACTIVATIONS = ['relu6', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'hardSigmoid', 'hardSwish', 'logSoftmax'] as const;

test('every activation name: on conv2d, dense and Activation layers, of images and of features, read back (GELU from its Erf nodes)', async () => {
  for (const activation of ACTIVATIONS) {
    const m = sequential({ inputShape: [5, 4, 3], seed: 5, layers: [
      layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation }), layers.activation({ activation }),
      layers.flatten(), layers.dense({ units: 6, activation }), layers.activation({ activation }),
    ] });
    await roundTrip(randomized(m, 5), activation);
  }
});

test('Dense along the last axis: on pixels a 1×1 Conv, on sequences MatMul and Add (both read back), on rank-4 inputs MatMul and Add (ONNX Runtime), softmax per row', async () => {
  const image = sequential({ inputShape: [5, 4, 3], seed: 6, layers: [
    layers.dense({ units: 4, activation: 'relu' }), layers.dense({ units: 3, activation: 'softmax', useBias: false }),
  ] });
  await roundTrip(randomized(image, 6), 'dense on pixels');
  const sequence = sequential({ inputShape: [6, 5], seed: 7, layers: [
    layers.dense({ units: 4, useBias: false }), layers.dense({ units: 7, activation: 'relu' }), layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  await roundTrip(randomized(sequence, 7), 'dense on a sequence');
  const back = await loadModel(encodeOnnx(sequence));
  assert.equal(back.layers.map((l) => [l.getConfig().className, l.getConfig().useBias, l.getConfig().activation]),
    [['InputLayer', undefined, undefined], ['Dense', false, 'linear'], ['Dense', true, 'relu'], ['Dense', true, 'softmax']],
    'each MatMul a Dense that takes in the Add of its bias and the activation after it, as the model had them');
  back.dispose();
  const block = input({ shape: [2, 3, 4, 5] });
  const cells = layers.dense({ units: 2, activation: 'tanh' }).apply(block);
  const m = randomized(model({ inputs: block, outputs: cells, seed: 7 }), 7);
  await assertAgreesWithOrt(m, encodeOnnx(m), [[3, 2, 3, 4, 5]], 'dense on rank-4 inputs');
});

test('activation layers: Softmax; ReLU capped, leaky, both (Relu, Clip, LeakyRelu); LeakyReLU, ELU; PReLU per element and per channel; Clip with both bounds and with one', async () => {
  // Each layer reads the same values of both signs, of images and of features, and is an output of its own.
  const x = input({ shape: [4, 5, 3] });
  const image = layers.conv2d({ filters: 3, kernelSize: 1 }).apply(x);
  const features = layers.dense({ units: 5 }).apply(layers.flatten().apply(x));
  const activations = () => [layers.softmax(), layers.reLU(), layers.reLU({ maxValue: 0.4 }), layers.reLU({ negativeSlope: 0.2 }),
    layers.reLU({ negativeSlope: 0.3, maxValue: 0.1 }), layers.leakyReLU({ alpha: 0.15 }), layers.elu({ alpha: 0.7 }), layers.prelu(),
    layers.clip({ min: -0.3, max: 0.2 }), layers.clip({ min: 0.1 }), layers.clip({ max: -0.2 })];
  const outputs = [image, features].flatMap((t) => activations().map((layer) => layer.apply(t)));
  const m = model({ inputs: x, outputs: [...outputs, layers.prelu({ sharedAxes: [1, 2] }).apply(image)], seed: 6 });
  await agreesWithOrt(randomized(m, 6), 'activation layers');
});

test('BatchNormalization of images and of features, with and without γ and β, as predict runs it', async () => {
  const m = sequential({ inputShape: [4, 3, 5], seed: 7, layers: [
    layers.batchNormalization(), layers.conv2d({ filters: 4, kernelSize: 2 }), layers.batchNormalization({ center: false, epsilon: 0.01 }),
    layers.flatten(), layers.dense({ units: 6 }), layers.batchNormalization({ scale: false }), layers.batchNormalization({ center: false, scale: false }),
  ] });
  await agreesWithOrt(randomized(m, 7), 'batch normalisation');
});

test('DepthwiseConv2D as a grouped Conv (depth multipliers, strides, dilations, every padding, with and without bias), SeparableConv2D as two, dilated Conv2D', async () => {
  const m = sequential({ inputShape: [13, 11, 3], seed: 8, layers: [
    layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'relu6' }),
    layers.depthwiseConv2d({ kernelSize: [3, 2], dilationRate: [2, 3], padding: 'full', useBias: false }),
    layers.depthwiseConv2d({ kernelSize: 2, strides: [2, 1], padding: [1, 0, 0, 1], activation: 'relu' }),
    layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, padding: 'same', activation: 'tanh' }),
    layers.separableConv2d({ filters: 4, kernelSize: 2, dilationRate: 2, useBias: false }),
    layers.conv2d({ filters: 3, kernelSize: 3, dilationRate: [2, 1], padding: 'same', activation: 'relu' }),
    layers.conv2d({ filters: 2, kernelSize: 2, dilationRate: 3 }),
  ] });
  await agreesWithOrt(randomized(m, 8), 'depthwise, separable and dilated convolutions');
});

test('Conv2DTranspose as ConvTranspose: valid, same, full and explicit padding, strides below, at and above the kernel', async () => {
  const m = sequential({ inputShape: [3, 4, 2], seed: 9, layers: [
    layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }),
    layers.conv2dTranspose({ filters: 2, kernelSize: [2, 3], strides: [3, 1], useBias: false }),
    layers.conv2dTranspose({ filters: 3, kernelSize: 3, padding: 'full' }),
    layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 3, padding: 'same' }),
    layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: [2, 1], padding: [1, 0, 0, 2], activation: 'tanh' }),
  ] });
  await agreesWithOrt(randomized(m, 9), 'transposed convolutions');
});

test('BorderPadding2D as Pad with its mode, read back; it saves in the convas format and TF.js, which has no such layer, is refused naming it', async () => {
  const m = sequential({ inputShape: [5, 7, 3], seed: 11, layers: [
    layers.borderPadding2d({ padding: [[2, 1], [0, 4]], mode: 'reflect', name: 'mirror' }), layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }),
    layers.borderPadding2d({ padding: 3, mode: 'edge', name: 'edges' }),
  ] });
  await roundTrip(randomized(m, 11), 'border padding');
  const dir = await temporaryDirectory();
  await m.save(dir);
  const again = await loadModel(dir), x = tensor(random(4).array(2 * 105), [2, 5, 7, 3]);
  assert.equal(again.layers.flatMap((l) => l.getConfig().mode ?? []), ['reflect', 'edge']);
  assertClose(again.predict(x).dataSync(), m.predict(x).dataSync(), 0, 'convas format, read back');
  const elsewhere = await temporaryDirectory();
  await expectError(async () => m.save(elsewhere, { format: 'tfjs' }), ConfigError, 'mirror', /is a BorderPadding2D, which TensorFlow.js does not have/);
});

test('ZeroPadding2D as Pad, Cropping2D as Slice, Reshape (image ↔ features, image to image), global pooling, UpSampling2D as Resize', async () => {
  const x = input({ shape: [6, 5, 3] });
  const padded = layers.zeroPadding2d({ padding: [[1, 2], [0, 3]] }).apply(layers.conv2d({ filters: 2, kernelSize: 1 }).apply(x));
  const cropped = layers.cropping2d({ cropping: [[2, 1], [1, 0]] }).apply(padded);
  const regrouped = layers.reshape({ targetShape: [cropped.shape[1], cropped.shape[0], -1] }).apply(cropped);
  const flat = layers.reshape({ targetShape: [-1] }).apply(regrouped);
  const image = layers.reshape({ targetShape: [2, -1, 2] }).apply(layers.dense({ units: 12 }).apply(flat));
  const nearest = layers.upSampling2d({ size: [2, 3] }).apply(image);
  const bilinear = layers.upSampling2d({ size: [3, 2], interpolation: 'bilinear' }).apply(x);
  const pooled = [
    layers.globalAveragePooling2d().apply(nearest), layers.globalMaxPooling2d().apply(bilinear),
    layers.flatten().apply(layers.globalMaxPooling2d({ keepdims: true }).apply(x)), layers.flatten().apply(layers.globalAveragePooling2d({ keepdims: true }).apply(padded)),
  ];
  const m = model({ inputs: x, outputs: [layers.concatenate().apply(pooled), nearest, bilinear, cropped, regrouped], seed: 10 });
  await agreesWithOrt(randomized(m, 10), 'shape layers');
});

test('ChannelSlice as Slice of the channels (images) or features, read back as ChannelSlice', async () => {
  const x = input({ shape: [5, 4, 7] });
  const image = layers.channelSlice({ start: 2, end: 6 }).apply(layers.conv2d({ filters: 7, kernelSize: 1 }).apply(x));
  const features = layers.channelSlice({ start: 1, end: 4 }).apply(layers.dense({ units: 5 }).apply(layers.flatten().apply(image)));
  const m = model({ inputs: x, outputs: [image, features, layers.channelSlice({ start: 0, end: 1 }).apply(x)], seed: 11 });
  await roundTrip(m, 'channel slices');
  const back = await loadModel(encodeOnnx(m));
  assert.is(back.layers.filter((l) => l.getConfig().className === 'ChannelSlice').length, 3, 'read back as three ChannelSlice layers');
  back.dispose();
});

test('LayerNormalization of images, features and sequences, with and without γ and β, as its opset-13 decomposition, read back as one layer', async () => {
  const x = input({ shape: [4, 3, 5] }), tokens = input({ shape: [3, 6] });
  const image = layers.layerNormalization({ epsilon: 1e-5 }).apply(layers.conv2d({ filters: 6, kernelSize: 2 }).apply(x));
  const bare = layers.layerNormalization({ center: false, scale: false }).apply(image);
  const features = layers.layerNormalization({ center: false }).apply(layers.dense({ units: 7 }).apply(layers.flatten().apply(bare)));
  const sequence = layers.layerNormalization({ scale: false, epsilon: 0.1 }).apply(tokens);
  const m = randomized(model({ inputs: [x, tokens], outputs: [image, features, sequence], seed: 12 }), 12);
  await roundTrip(m, 'layer normalisation');
  const back = await loadModel(encodeOnnx(m));
  // The names too: a layer read from several nodes is named after the last, which carries the layer's name.
  const settings = (of: Model) => of.layers.filter((l) => l.getConfig().className === 'LayerNormalization').map((l) => {
    const { epsilon, ...rest } = l.getConfig();
    return { ...rest, epsilon: Math.fround(epsilon as number) };
  });
  assert.equal(settings(back), settings(m), 'read back as four LayerNormalization layers with the same names and settings');
  back.dispose();
});

test('UnitNormalization of images, features and sequences, with Keras\'s floor, another, and none, as ReduceL2 (Clip) Div, read back as one layer', async () => {
  const x = input({ shape: [4, 3, 5] }), tokens = input({ shape: [3, 6] });
  const image = layers.unitNormalization().apply(layers.conv2d({ filters: 6, kernelSize: 2 }).apply(x));
  const features = layers.unitNormalization({ minNorm: 0 }).apply(layers.dense({ units: 7 }).apply(layers.flatten().apply(image)));
  const sequence = layers.unitNormalization({ minNorm: 2.5 }).apply(tokens);
  const m = randomized(model({ inputs: [x, tokens], outputs: [image, features, sequence], seed: 13 }), 13);
  await roundTrip(m, 'unit normalisation');
  const back = await loadModel(encodeOnnx(m));
  const floors = (of: Model) => of.layers.filter((l) => l.getConfig().className === 'UnitNormalization').map((l) => [l.name, Math.fround(l.getConfig().minNorm as number)]);
  assert.equal(floors(back), floors(m), 'read back as three UnitNormalization layers with the same names and floors');
  back.dispose();
});

test('GroupNormalization of images: groups of several channels as PyTorch writes nn.GroupNorm, one per channel as InstanceNormalization, read back as one layer under its name', async () => {
  const x = input({ shape: [5, 4, 6] });
  const conv = layers.conv2d({ filters: 6, kernelSize: 2 }).apply(x);
  const two = layers.groupNormalization({ groups: 2, name: 'two_groups' }).apply(conv);
  const instance = layers.groupNormalization({ groups: -1, epsilon: 1e-5, name: 'instance' }).apply(two);
  const whole = layers.groupNormalization({ groups: 1, center: false, name: 'whole' }).apply(instance);
  const bare = layers.groupNormalization({ groups: 3, center: false, scale: false, name: 'bare' }).apply(whole);
  const m = randomized(model({ inputs: [x], outputs: [bare], seed: 14 }), 14);
  await roundTrip(m, 'group normalisation');
  const back = await loadModel(encodeOnnx(m));
  // γ 1 and β 0 are written for a layer without them, and read back as weights.
  const settings = (of: Model) => of.layers.filter((l) => l.getConfig().className === 'GroupNormalization').map((l) => {
    const { epsilon, groups } = l.getConfig();
    return [l.name, Math.fround(epsilon as number), groups === -1 ? 6 : groups];
  });
  assert.equal(settings(back), settings(m), 'read back as four GroupNormalization layers with the same names and settings');
  back.dispose();
});

test('Resizing as Resize with sizes: bilinear and nearest, every coordinate mode, up and down, the batch left open', async () => {
  const x = input({ shape: [7, 5, 3] });
  const outputs = (['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const).flatMap((coordinates) => [
    layers.resizing({ height: 11, width: 3, coordinates }).apply(x),
    layers.resizing({ height: 4, width: 9, interpolation: 'nearest', coordinates }).apply(x),
  ]);
  await agreesWithOrt(model({ inputs: x, outputs, seed: 12 }), 'resizing');
});

test('Resizing as Resize: bicubic with ONNX\'s settings by sizes, and every interpolation by non-whole scales, in every coordinate mode, read back alike', async () => {
  const x = input({ shape: [7, 5, 3] });
  const onnxCubic = { interpolation: 'bicubic', cubicCoefficient: -0.75, cubicExcludeOutside: false, cubicTable: false } as const;
  const outputs = (['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const).flatMap((coordinates) => [
    layers.resizing({ height: 11, width: 3, coordinates, ...onnxCubic }).apply(x),
    layers.resizing({ height: 4, width: 9, coordinates, ...onnxCubic, cubicCoefficient: -0.5, cubicExcludeOutside: true }).apply(x),
    // 7·1.5 = 10.5 and 5·0.7 = 3.5 pixels: 10×3, coordinates by the scales.
    layers.resizing({ height: 10, width: 3, coordinates, scales: [1.5, 0.7], ...onnxCubic }).apply(x),
    layers.resizing({ height: 10, width: 3, coordinates, scales: [1.5, 0.7] }).apply(x),
    layers.resizing({ height: 10, width: 3, coordinates, scales: [1.5, 0.7], interpolation: 'nearest' }).apply(x),
  ]);
  await roundTrip(model({ inputs: x, outputs, seed: 13 }), 'resizing by scales, bicubic');
});

test('Resizing ONNX cannot express is a ConfigError naming the layer: Keras\'s tabled bicubic, scales that disagree with the size or keep it', async () => {
  const file = join(await temporaryDirectory(), 'm.onnx');
  const save = (options: Partial<Parameters<typeof layers.resizing>[0]>, height = 10, width = 3) =>
    sequential({ inputShape: [7, 5, 3], layers: [layers.resizing({ height, width, name: 'rs', ...options })] }).save(file, { format: 'onnx' });
  await expectError(() => save({ interpolation: 'bicubic' }), ConfigError, 'rs', /cubicTable true/);
  await expectError(() => save({ scales: [1.3, 0.7] }), ConfigError, 'rs', /scales 1.3×0.7, which give ONNX 9×3 pixels of its 7×5 input, not its 10×3/);
  await expectError(() => save({ scales: [1.1, 1.1] }, 7, 5), ConfigError, 'rs', /scales 1.1×1.1 that keep the size 7×5/);
  // 2 → 41 rows with half-pixel centres: output 20 reads 20.5·(2/41 in f32) − 0.5 = 0.49999994 by in/out, but ½ exactly by
  // out/in, as ONNX Runtime maps sizes. (Aligned corners compute o·(in − 1)/(out − 1) as ONNX Runtime does: no such tie.)
  const tie = (options: Partial<Parameters<typeof layers.resizing>[0]>, height: number, width: number) =>
    sequential({ inputShape: [2, 8, 3], layers: [layers.resizing({ height, width, interpolation: 'nearest', name: 'tie', ...options })] });
  await expectError(() => tie({}, 41, 8).save(file, { format: 'onnx' }), ConfigError, 'tie', /resizes nearest from 2×8 to 41×8 with half_pixel coordinates by in\/out/);
  await roundTrip(tie({ coordinates: 'align_corners' }, 2, 47), 'nearest with aligned corners at a tie');
  // Given the scales ONNX Runtime derives from the sizes (out/in), the layer takes its pixels, and is written with sizes.
  await roundTrip(tie({ scales: [Math.fround(41 / 2), 1] }, 41, 8), 'nearest by out/in at a tie');
});

test('settings ONNX cannot express are ConfigErrors naming the layer: a ReLU threshold, normalising the last of two feature axes, groups of a sequence, a floor no float32 holds', async () => {
  const file = join(await temporaryDirectory(), 'm.onnx');
  const relu = sequential({ inputShape: [3], layers: [layers.reLU({ threshold: 0.5, name: 'thresholded' })] });
  await expectError(() => relu.save(file, { format: 'onnx' }), ConfigError, 'thresholded', /threshold 0.5/);
  const bn = sequential({ inputShape: [4, 3], layers: [layers.batchNormalization({ name: 'rows' })] });
  await expectError(() => bn.save(file, { format: 'onnx' }), ConfigError, 'rows', /\[4, 3\] input/);
  const gn = sequential({ inputShape: [5, 4], layers: [layers.groupNormalization({ groups: 2, name: 'sequence_groups' })] });
  await expectError(() => gn.save(file, { format: 'onnx' }), ConfigError, 'sequence_groups', /normalises a \[5, 4\] input; convas writes the group normalisation of images only/);
  // A Clip's bound is a float32: 1e39 would be written as ∞ (a file convas refuses to read), 1e-46 as 0 (rows of zeros then NaN).
  for (const [minNorm, detail] of [[1e39, /has minNorm 1e\+39, which a float32 Clip bound rounds to Infinity/], [1e-46, /has minNorm 1e-46, which a float32 Clip bound rounds to 0/]] as const) {
    const un = sequential({ inputShape: [3], layers: [layers.unitNormalization({ minNorm, name: 'floored' })] });
    await expectError(() => un.save(file, { format: 'onnx' }), ConfigError, 'floored', detail);
  }
});

/** A layer class of the user's own (registered so it could load), which the ONNX writer cannot know. */
class Doubling extends Layer {
  readonly className = 'Doubling';
  constructor() {
    super('twice', 'doubling');
  }
  protected computeOutputShape([shape]: number[][]) {
    return shape;
  }
  protected planBuffers() {}
  forward([x]: number[]) {
    return x;
  }
  protected backpropagate(dy: number) {
    return [dy];
  }
  getConfig() {
    return { className: this.className, name: this.name };
  }
}

test('a layer without an ONNX equivalent is a ConfigError naming it; ONNX goes to a file, a directory or downloads, not IndexedDB', async () => {
  const x = input({ shape: [3] });
  const m = model({ inputs: x, outputs: layers.dense({ units: 2 }).apply(new Doubling().apply(x as SymbolicTensor<Layer>)) });
  const dir = await temporaryDirectory();
  await expectError(() => m.save(join(dir, 'm.onnx'), { format: 'onnx' }), ConfigError, 'twice', /Doubling, which convas does not write as ONNX/);
  const good = sequential({ inputShape: [3], layers: [layers.dense({ units: 2 })] });
  await good.save(dir, { format: 'onnx' });
  await good.save(join(dir, 'named.onnx'), { format: 'onnx' });
  for (const file of ['model.onnx', 'named.onnx']) assert.equal(await readFile(join(dir, file)), Buffer.from(encodeOnnx(good)), file);
  await expectError(() => good.save('indexeddb://m', { format: 'onnx' }), ConfigError, 'indexeddb://m', /an \.onnx file or a directory/);
  await expectError(() => good.save(join(dir, 'm.json'), { format: 'onnx' }), ConfigError, 'm.json', /an \.onnx file or a directory/);
  await expectError(() => good.save(join(dir, 'm.onnx')), ConfigError, 'm.onnx', /a directory \(Node\)/);
});

test.run();
