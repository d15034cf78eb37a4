// Losses and optimizers against TensorFlow.js itself (tfjs-layers, cpu backend): the same small
// model from the same weights trains three steps on the same batches in both, and every weight
// agrees to 1e-4. Where TF.js lacks a loss with Keras's semantics in tfjs-layers but has it in
// tfjs-core (label smoothing, huber), the TF.js model computes it with the core op. The ones TF.js
// lacks or computes differently from Keras are checked against the plain reference instead, each
// saying why: AdamW (TF.js has none), centered RMSProp and Adadelta (TF.js 4.22 departs from
// Keras, shown below), gradient clipping (TF.js optimizers have none).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { getBackend } from '../../src/backend/wasm.js';
import {
  type CompileOptions, type Model, type OptimizerConfig, type Tensor, init, input, layers, model, sequential, tensor,
} from '../../src/index.js';
import { assertClose, gradientOf, random } from '../helpers.js';
import * as ref from '../reference/optimizers.js';

const TOLERANCE = 1e-4;
const IMAGE = [5, 5, 2];
const N = 6;
const BATCH = 2; // three steps, on three different batches
const CLASSES = 4;

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

type TfLoss = string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor);
/** The output activations these models end in, named alike in both libraries. */
type ActivationName = 'softmax' | 'sigmoid' | 'tanh' | 'linear';

/** The same CNN in both libraries; the TF.js one may end in another activation (its loss then takes the logits). */
function models(activation: ActivationName, tfjsActivation: ActivationName = activation) {
  const tfjsModel = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: IMAGE, filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units: CLASSES, activation: tfjsActivation }),
  ] });
  const convas = sequential({ inputShape: IMAGE, layers: [
    layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.flatten(),
    layers.dense({ units: CLASSES, activation }),
  ] });
  return { tfjsModel, convas };
}

/** A graph whose output is the average of two softmax heads: probabilities that no softmax of convas's can fuse with the loss. */
function averagedHeads() {
  const x = tfl.input({ shape: IMAGE });
  const flat = tfl.layers.flatten().apply(x) as tfl.SymbolicTensor;
  const heads = [0, 1].map(() => tfl.layers.dense({ units: CLASSES, activation: 'softmax' }).apply(flat) as tfl.SymbolicTensor);
  const tfjsModel = tfl.model({ inputs: x, outputs: tfl.layers.average().apply(heads) as tfl.SymbolicTensor });
  const cx = input({ shape: IMAGE });
  const cflat = layers.flatten().apply(cx);
  const cheads = [0, 1].map(() => layers.dense({ units: CLASSES, activation: 'softmax' }).apply(cflat));
  return { tfjsModel, convas: model({ inputs: cx, outputs: layers.average().apply(cheads) }) };
}

/** Random weights in TF.js, copied into convas (both list them in the same order). */
function sameWeights(tfjsModel: tfl.LayersModel, convas: Model, seed: number): void {
  const rng = random(seed);
  tfjsModel.setWeights(tfjsModel.getWeights().map((w) => tf.tensor(rng.array(w.size, -0.5, 0.5), w.shape)));
  convas.setWeights(tfjsModel.getWeights().map((w) => tensor(w.dataSync() as Float32Array, [...w.shape])));
}

const images = (seed: number) => random(seed).array(N * IMAGE.reduce((a, b) => a * b, 1));

/** Trains both three steps and compares every weight; returns convas's weights before, to show they moved. */
async function assertSameTraining(tfjsModel: tfl.LayersModel, convas: Model, tfjs: { optimizer: tf.Optimizer; loss: TfLoss },
  compile: CompileOptions, y: { tfjs: Float32Array; tfjsShape: number[]; convas: Float32Array; convasShape: number[] }, what: string) {
  sameWeights(tfjsModel, convas, 3);
  const x = images(4);
  const before = convas.getWeights().map((w) => w.dataSync());
  tfjsModel.compile({ optimizer: tfjs.optimizer, loss: tfjs.loss as string });
  await tfjsModel.fit(tf.tensor(x, [N, ...IMAGE]), tf.tensor(y.tfjs, y.tfjsShape), { epochs: 1, batchSize: BATCH, shuffle: false });
  convas.compile(compile);
  await convas.fit(tensor(x, [N, ...IMAGE]), tensor(y.convas, y.convasShape), { epochs: 1, batchSize: BATCH, shuffle: false });
  const expected = tfjsModel.getWeights().map((w) => w.dataSync() as Float32Array);
  convas.getWeights().forEach((w, i) => {
    assertClose(w.dataSync(), expected[i], TOLERANCE, `${what}: weight ${i}`);
    assert.not.equal([...w.dataSync()], [...before[i]], `${what}: weight ${i} did not move`);
  });
}

const dense = (values: Float32Array, shape = [N, CLASSES]) => ({ tfjs: values, tfjsShape: shape, convas: values, convasShape: shape });
const oneHot = (seed: number) => {
  const rng = random(seed), v = new Float32Array(N * CLASSES);
  for (let r = 0; r < N; r++) v[r * CLASSES + rng.int(0, CLASSES - 1)] = 1;
  return v;
};
const classIds = () => Float32Array.from({ length: N }, (_, i) => (i * 3) % CLASSES);
/** convas takes ids as [n]; TF.js wants [n, 1]. */
const sparse = () => ({ tfjs: classIds(), tfjsShape: [N, 1], convas: classIds(), convasShape: [N] });
const multiLabel = (seed: number) => random(seed).array(N * CLASSES).map((v) => (v > 0 ? 1 : 0));
/** Rows of probabilities, none of them 0 (where Keras's KL divergence, t clipped to 1e-7, and TF.js's, t as is, part by up to 1.6e-6 for each target of 0). */
const softLabels = (seed: number) => {
  const v = random(seed).array(N * CLASSES, 0.1, 1);
  for (let r = 0; r < N; r++) {
    const row = v.subarray(r * CLASSES, (r + 1) * CLASSES), total = row.reduce((s, x) => s + x, 0);
    row.forEach((x, c) => (row[c] = x / total));
  }
  return v;
};
const plusMinusOne = (seed: number) => random(seed).array(N * CLASSES).map((v) => (v > 0 ? 1 : -1));

// --- losses, with SGD

/** [what, activation, TF.js's activation, TF.js's loss, convas's, targets, SGD's learning rate (default 0.5)]. */
const losses: Array<[string, ActivationName, ActivationName, TfLoss, CompileOptions['loss'], () => ReturnType<typeof dense>, number?]> = [
  ['categoricalCrossentropy (fused with softmax)', 'softmax', 'softmax', 'categoricalCrossentropy', 'categoricalCrossentropy', () => dense(oneHot(5))],
  ['sparseCategoricalCrossentropy (fused with softmax)', 'softmax', 'softmax', 'sparseCategoricalCrossentropy', 'sparseCategoricalCrossentropy', sparse],
  ['binaryCrossentropy (fused with sigmoid)', 'sigmoid', 'sigmoid', 'binaryCrossentropy', 'binaryCrossentropy', () => dense(multiLabel(6))],
  ['binaryCrossentropy (on softmax probabilities)', 'softmax', 'softmax', 'binaryCrossentropy', 'binaryCrossentropy', () => dense(multiLabel(7))],
  ['hinge (−1/1 targets, where TF.js has Keras\'s semantics)', 'tanh', 'tanh', 'hinge', 'hinge', () => dense(plusMinusOne(8))],
  ['squaredHinge (−1/1 targets)', 'tanh', 'tanh', 'squaredHinge', 'squaredHinge', () => dense(plusMinusOne(9))],
  ['categoricalHinge', 'linear', 'linear', 'categoricalHinge', 'categoricalHinge', () => dense(oneHot(10))],
  ['meanAbsoluteError', 'linear', 'linear', 'meanAbsoluteError', 'meanAbsoluteError', () => dense(random(11).array(N * CLASSES))],
  // tfjs-layers has no label smoothing: tfjs-core's losses have it, with Keras's formulas, on logits.
  ['categoricalCrossentropy, labelSmoothing 0.1 (TF.js: tf.losses.softmaxCrossEntropy)', 'softmax', 'linear',
    (t, logits) => tf.losses.softmaxCrossEntropy(t, logits, undefined, 0.1), { type: 'categoricalCrossentropy', labelSmoothing: 0.1 },
    () => dense(oneHot(12))],
  ['binaryCrossentropy, labelSmoothing 0.2 (TF.js: tf.losses.sigmoidCrossEntropy)', 'sigmoid', 'linear',
    (t, logits) => tf.losses.sigmoidCrossEntropy(t, logits, undefined, 0.2), { type: 'binaryCrossentropy', labelSmoothing: 0.2 },
    () => dense(multiLabel(13))],
  // fromLogits: the model ends in no activation, and both losses take its output as the logits.
  ['categoricalCrossentropy, fromLogits (TF.js: tf.losses.softmaxCrossEntropy)', 'linear', 'linear',
    (t, logits) => tf.losses.softmaxCrossEntropy(t, logits), { type: 'categoricalCrossentropy', fromLogits: true }, () => dense(oneHot(18))],
  ['binaryCrossentropy, fromLogits, labelSmoothing 0.1 (TF.js: tf.losses.sigmoidCrossEntropy)', 'linear', 'linear',
    (t, logits) => tf.losses.sigmoidCrossEntropy(t, logits, undefined, 0.1), { type: 'binaryCrossentropy', fromLogits: true, labelSmoothing: 0.1 },
    () => dense(multiLabel(19))],
  // tfjs-layers has no huber either: tfjs-core's huberLoss is Keras's, averaged over every output.
  ['huber (TF.js: tf.losses.huberLoss)', 'linear', 'linear', (t, o) => tf.losses.huberLoss(t, o, undefined, 1),
    'huber', () => dense(random(14).array(N * CLASSES, -2, 2))],
  // Keras's clips meet TF.js's (MSLE's targets below 1e-7). MAPE is in percent: a hundredth of the learning rate.
  ['kullbackLeiblerDivergence (soft targets)', 'softmax', 'softmax', 'kullbackLeiblerDivergence', 'kullbackLeiblerDivergence', () => dense(softLabels(23))],
  ['poisson', 'sigmoid', 'sigmoid', 'poisson', 'poisson', () => dense(random(24).array(N * CLASSES).map((v) => Math.round(2 * (v + 1))))],
  ['logcosh', 'linear', 'linear', 'logcosh', 'logcosh', () => dense(random(25).array(N * CLASSES, -3, 3))],
  ['meanSquaredLogarithmicError', 'sigmoid', 'sigmoid', 'meanSquaredLogarithmicError', 'meanSquaredLogarithmicError',
    () => dense(random(26).array(N * CLASSES, -0.5, 3))],
  ['meanAbsolutePercentageError', 'linear', 'linear', 'meanAbsolutePercentageError', 'meanAbsolutePercentageError',
    () => dense(random(27).array(N * CLASSES, -2, 2)), 0.005],
  ['cosineProximity (Keras\'s cosine_similarity: the negative cosine)', 'linear', 'linear', 'cosineProximity', 'cosineProximity',
    () => dense(random(28).array(N * CLASSES))],
];

for (const [what, activation, tfjsActivation, tfjsLoss, loss, targets, learningRate = 0.5] of losses) {
  test(`three SGD steps agree with TF.js: ${what}`, async () => {
    const { tfjsModel, convas } = models(activation, tfjsActivation);
    await assertSameTraining(tfjsModel, convas, { optimizer: tf.train.sgd(learningRate), loss: tfjsLoss },
      { optimizer: { type: 'sgd', learningRate }, loss }, targets(), what);
  });
}

test('three SGD steps agree with TF.js: sparseCategoricalCrossentropy on probabilities (an average of two softmax heads)', async () => {
  const { tfjsModel, convas } = averagedHeads();
  await assertSameTraining(tfjsModel, convas, { optimizer: tf.train.sgd(0.5), loss: 'sparseCategoricalCrossentropy' },
    { optimizer: { type: 'sgd', learningRate: 0.5 }, loss: 'sparseCategoricalCrossentropy' }, sparse(), 'sparse on probabilities');
});

test('fromLogits agrees with TF.js on logits up to ±100: the loss and every gradient finite and equal', async () => {
  // One dense layer of weights 100·I: the logits are 100·x, x in [−1, 1] with exact ±1s, so ±100 occur.
  const rng = random(20);
  const x = rng.array(N * CLASSES, -1, 1);
  x[0] = 1;
  x[1] = -1;
  x[CLASSES + 2] = -1;
  const kernel = Float32Array.from({ length: CLASSES * CLASSES }, (_, i) => (i % (CLASSES + 1) === 0 ? 100 : 0));
  const bias = rng.array(CLASSES, -1, 1);
  const w = tf.variable(tf.tensor(kernel, [CLASSES, CLASSES])), b = tf.variable(tf.tensor(bias, [CLASSES]));
  for (const [type, targets, tfjsLoss] of [
    ['categoricalCrossentropy', oneHot(21), (t: tf.Tensor, z: tf.Tensor) => tf.losses.softmaxCrossEntropy(t, z)],
    ['binaryCrossentropy', multiLabel(22), (t: tf.Tensor, z: tf.Tensor) => tf.losses.sigmoidCrossEntropy(t, z)],
  ] as const) {
    const convas = sequential({ inputShape: [CLASSES], layers: [layers.dense({ units: CLASSES })] });
    convas.setWeights([tensor(kernel, [CLASSES, CLASSES]), tensor(bias, [CLASSES])]);
    convas.compile({ optimizer: 'sgd', loss: { type, fromLogits: true } });
    const loss = convas.lossAndGradients(tensor(x, [N, CLASSES]), tensor(targets, [N, CLASSES]));
    const [dKernel, dBias] = convas.trainableWeights.map(gradientOf);
    const tx = tf.tensor(x, [N, CLASSES]), ty = tf.tensor(targets, [N, CLASSES]);
    const { value, grads } = tf.variableGrads(() => tfjsLoss(ty, tf.add(tf.matMul(tx, w), b)) as tf.Scalar, [w, b]);
    assert.ok(Number.isFinite(loss) && loss > 10, `${type}: a loss this large shows the logits reach ±100 (${loss})`);
    assert.ok(Math.abs(loss - value.dataSync()[0]) < 1e-4 * loss, `${type}: loss ${loss}, TF.js ${value.dataSync()[0]}`);
    assertClose(dKernel, grads[w.name].dataSync(), TOLERANCE, `${type}: kernel gradient`);
    assertClose(dBias, grads[b.name].dataSync(), TOLERANCE, `${type}: bias gradient`);
    assert.ok([...dKernel, ...dBias].every(Number.isFinite), `${type}: finite gradients`);
    convas.dispose();
  }
});

// --- optimizers, with categorical cross-entropy

const optimizers: Array<[OptimizerConfig, () => tf.Optimizer]> = [
  [{ type: 'sgd', learningRate: 0.1 }, () => tf.train.sgd(0.1)],
  [{ type: 'momentum', learningRate: 0.1, momentum: 0.9 }, () => tf.train.momentum(0.1, 0.9)],
  [{ type: 'momentum', learningRate: 0.1, momentum: 0.8, useNesterov: true }, () => tf.train.momentum(0.1, 0.8, true)],
  [{ type: 'adam', learningRate: 0.01 }, () => tf.train.adam(0.01, 0.9, 0.999, 1e-7)],
  [{ type: 'rmsprop', learningRate: 0.01 }, () => tf.train.rmsprop(0.01, 0.9, 0, 1e-7, false)],
  [{ type: 'rmsprop', learningRate: 0.01, rho: 0.8, momentum: 0.5 }, () => tf.train.rmsprop(0.01, 0.8, 0.5, 1e-7, false)],
  [{ type: 'adagrad', learningRate: 0.1 }, () => tf.train.adagrad(0.1, 0.1)],
  [{ type: 'adagrad', learningRate: 0.05, initialAccumulatorValue: 0.5 }, () => tf.train.adagrad(0.05, 0.5)],
  [{ type: 'adamax', learningRate: 0.01 }, () => tf.train.adamax(0.01, 0.9, 0.999, 1e-7, 0)],
  [{ type: 'adamax', learningRate: 0.02, beta1: 0.8, beta2: 0.99 }, () => tf.train.adamax(0.02, 0.8, 0.99, 1e-7, 0)],
];

for (const [config, tfjsOptimizer] of optimizers) {
  const what = JSON.stringify(config);
  test(`three steps of ${what} agree with TF.js`, async () => {
    const { tfjsModel, convas } = models('softmax');
    await assertSameTraining(tfjsModel, convas, { optimizer: tfjsOptimizer(), loss: 'categoricalCrossentropy' },
      { optimizer: config, loss: 'categoricalCrossentropy' }, dense(oneHot(15)), what);
  });
}

// --- against the reference only

/** Each weight's gradient on the whole batch (weights untouched), and the values. */
function gradients(convas: Model, x: Tensor, y: Tensor) {
  const memory = getBackend().memory;
  convas.lossAndGradients(x, y);
  return convas.params.map((p) => ({ w: memory.f32(p.value, p.size).slice(), g: gradientOf(p) }));
}

/** One fit step on the whole batch against `update` applied by the reference to every weight (biases too). */
async function assertStepMatchesReference(config: OptimizerConfig, update: (w: Float32Array, g: Float32Array[], i: number) => Float32Array,
  what: string, grads: (all: Float32Array[]) => Float32Array[] = (all) => all) {
  const { convas } = models('softmax');
  convas.compile({ optimizer: config, loss: 'categoricalCrossentropy' });
  const x = tensor(images(16), [N, ...IMAGE]), y = tensor(oneHot(17), [N, CLASSES]);
  const before = gradients(convas, x, y);
  const clipped = grads(before.map((b) => b.g));
  await convas.fit(x, y, { epochs: 1, batchSize: N, shuffle: false });
  convas.getWeights().forEach((w, i) => assertClose(w.dataSync(), update(before[i].w, clipped, i), TOLERANCE, `${what}: weight ${i}`));
}

test('AdamW (TF.js has none) matches the reference: the decay taken off every weight, biases included', async () => {
  const [lr, decay] = [0.01, 0.1];
  await assertStepMatchesReference({ type: 'adamw', learningRate: lr, weightDecay: decay }, (w, g, i) =>
    ref.adamwUpdate(w, g[i], new Float32Array(w.length), new Float32Array(w.length), lr, 0.9, 0.999, 1e-7, 1, decay).w, 'adamw');
});

test('centered RMSProp follows Keras (√(ms − mg² + ε)), not TF.js (√(ms − (mg² + ε)), NaN here); checked against the reference', async () => {
  const lr = 0.01;
  await assertStepMatchesReference({ type: 'rmsprop', learningRate: lr, centered: true }, (w, g, i) => {
    const zero = new Float32Array(w.length);
    return ref.rmspropUpdate(w, g[i], zero, zero, zero, lr, 0.9, 0, 1e-7, true).w;
  }, 'centered rmsprop');
  // TF.js on one weight: after one step ms − mg² = 0.1·g² − 0.01·g² is below ε for a small gradient.
  const v = tf.variable(tf.tensor([1, 1]));
  tf.train.rmsprop(lr, 0.9, 0, 1e-7, true).applyGradients([{ name: v.name, tensor: tf.tensor([1e-4, 1]) }]);
  assert.ok(Number.isNaN(v.dataSync()[0]), `TF.js's centered RMSProp gave ${v.dataSync()[0]} on a gradient of 1e-4, not NaN`);
});

test('Adadelta follows Keras (the accumulator updated before it divides), not TF.js (whose first step is lr·g); checked against the reference', async () => {
  const lr = 1;
  await assertStepMatchesReference({ type: 'adadelta', learningRate: lr }, (w, g, i) => {
    const zero = new Float32Array(w.length);
    return ref.adadeltaUpdate(w, g[i], zero, zero, lr, 0.95, 1e-7).w;
  }, 'adadelta');
  const v = tf.variable(tf.tensor([1, 1]));
  tf.train.adadelta(lr, 0.95, 1e-7).applyGradients([{ name: v.name, tensor: tf.tensor([0.5, -2]) }]);
  assertClose(v.dataSync(), [1 - 0.5, 1 + 2], 1e-6, 'TF.js\'s first Adadelta step');
});

test('gradient clipping (TF.js optimizers have none) matches the reference: clipNorm per weight, globalClipNorm, clipValue', async () => {
  const lr = 0.5;
  const sgd = (w: Float32Array, g: Float32Array[], i: number) => ref.sgdUpdate(w, g[i], lr, 0);
  await assertStepMatchesReference({ type: 'sgd', learningRate: lr, clipNorm: 0.05 }, sgd, 'clipNorm',
    (all) => all.map((g) => ref.clipByNorm(g, 0.05)));
  await assertStepMatchesReference({ type: 'sgd', learningRate: lr, globalClipNorm: 0.05 }, sgd, 'globalClipNorm',
    (all) => ref.clipByGlobalNorm(all, 0.05));
  await assertStepMatchesReference({ type: 'sgd', learningRate: lr, clipValue: 0.002 }, sgd, 'clipValue',
    (all) => all.map((g) => ref.clipByValue(g, 0.002)));
  // The clips bind: without them the step differs.
  const { convas } = models('softmax');
  convas.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const unclipped = gradients(convas, tensor(images(16), [N, ...IMAGE]), tensor(oneHot(17), [N, CLASSES]));
  assert.ok(unclipped.some(({ g }) => Math.hypot(...g) > 0.05), 'no gradient is above the clip norm');
  assert.ok(unclipped.some(({ g }) => g.some((v) => Math.abs(v) > 0.002)), 'no gradient value is above the clip value');
});

test.run();
