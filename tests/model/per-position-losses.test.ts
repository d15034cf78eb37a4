// Keras's per-position cross-entropies: an output of [H, W, C] (a softmax or sigmoid per pixel, as a
// segmentation net ends) scored over its last axis at each position and averaged over positions and
// batch. Against TensorFlow.js itself (tfjs-layers, cpu backend) at odd sizes — the loss, every
// weight's gradient (what one TF.js SGD step at rate 1 takes off each weight) and the metrics —
// against central differences, and what stays refused (class weights, as in Keras and TF.js).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  type CompileOptions, ConfigError, type Model, ShapeError, ValueError, data, init, layers, sequential, tensor,
} from '../../src/index.js';
import { checkModelGradients } from '../gradient-check.js';
import { assertClose, gradientOf, random } from '../helpers.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

const HEIGHT = 5, WIDTH = 7;
const IMAGE = [HEIGHT, WIDTH, 2];
const POSITIONS = HEIGHT * WIDTH;
const N = 3;
const TOLERANCE = 1e-4;

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

type Activation = 'softmax' | 'sigmoid' | 'linear' | 'logSoftmax';
/** The activations the TF.js model ends in (tfjs-layers' typed activation names leave logSoftmax out). */
type TfjsActivation = Exclude<Activation, 'logSoftmax'>;

/** A small segmentation net in both libraries: a 3×3 convolution, then a 1×1 one to `classes` per pixel. */
function models(activation: Activation, tfjsActivation: TfjsActivation, classes: number) {
  const tfjsModel = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: IMAGE, filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
    tfl.layers.conv2d({ filters: classes, kernelSize: 1, activation: tfjsActivation }),
  ] });
  const convas = segmenter(activation, classes);
  const rng = random(3);
  tfjsModel.setWeights(tfjsModel.getWeights().map((w) => tf.tensor(rng.array(w.size, -0.8, 0.8), w.shape)));
  convas.setWeights(tfjsModel.getWeights().map((w) => tensor(w.dataSync() as Float32Array, [...w.shape])));
  return { tfjsModel, convas };
}

const segmenter = (activation: Activation, classes: number) => sequential({ inputShape: IMAGE, seed: 5, layers: [
  layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }),
  layers.conv2d({ filters: classes, kernelSize: 1, activation }),
] });

const images = () => random(4).array(N * POSITIONS * 2);
/** A class id per pixel. */
const ids = (seed: number, classes: number) => {
  const rng = random(seed);
  return Float32Array.from({ length: N * POSITIONS }, () => rng.int(0, classes - 1));
};
const oneHot = (classIds: Float32Array, classes: number) => {
  const v = new Float32Array(classIds.length * classes);
  classIds.forEach((id, i) => (v[i * classes + id] = 1));
  return v;
};
const yesNo = (seed: number, length: number) => random(seed).array(length).map((v) => (v > 0 ? 1 : 0));

interface Targets { tfjs: Float32Array; tfjsShape: number[]; convas: Float32Array; convasShape: number[] }
const same = (values: Float32Array, classes: number): Targets =>
  ({ tfjs: values, tfjsShape: [N, HEIGHT, WIDTH, classes], convas: values, convasShape: [N, HEIGHT, WIDTH, classes] });
/** TF.js takes ids as [n, h, w, 1]; convas as Keras does, [n, h, w] or [n, h, w, 1]. */
const sparse = (convasShape: number[]): Targets =>
  ({ tfjs: ids(6, 3), tfjsShape: [N, HEIGHT, WIDTH, 1], convas: ids(6, 3), convasShape });

type TfLoss = string | ((yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor);
type TfMetric = (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.Tensor;
const onProbabilities = (metric: TfMetric, activation: (z: tf.Tensor) => tf.Tensor): TfMetric => (t, z) => metric(t, activation(z));

interface Case {
  what: string;
  activation: Activation;
  tfjsActivation: TfjsActivation;
  tfjsLoss: TfLoss;
  loss: CompileOptions['loss'];
  classes: number;
  targets: () => Targets;
  /** TF.js's accuracy of this loss, on TF.js's outputs. */
  accuracy: TfMetric;
}

const cases: Case[] = [
  { what: 'categoricalCrossentropy (fused with a softmax per pixel)', activation: 'softmax', tfjsActivation: 'softmax',
    tfjsLoss: 'categoricalCrossentropy', loss: 'categoricalCrossentropy', classes: 3, targets: () => same(oneHot(ids(7, 3), 3), 3),
    accuracy: tfl.metrics.categoricalAccuracy },
  { what: 'sparseCategoricalCrossentropy, ids [n, h, w]', activation: 'softmax', tfjsActivation: 'softmax',
    tfjsLoss: 'sparseCategoricalCrossentropy', loss: 'sparseCategoricalCrossentropy', classes: 3, targets: () => sparse([N, HEIGHT, WIDTH]),
    accuracy: tfl.metrics.sparseCategoricalAccuracy },
  { what: 'sparseCategoricalCrossentropy, ids [n, h, w, 1]', activation: 'softmax', tfjsActivation: 'softmax',
    tfjsLoss: 'sparseCategoricalCrossentropy', loss: 'sparseCategoricalCrossentropy', classes: 3,
    targets: () => sparse([N, HEIGHT, WIDTH, 1]), accuracy: tfl.metrics.sparseCategoricalAccuracy },
  { what: 'categoricalCrossentropy of a logSoftmax per pixel (TF.js: of its softmax)', activation: 'logSoftmax', tfjsActivation: 'softmax',
    tfjsLoss: 'categoricalCrossentropy', loss: 'categoricalCrossentropy', classes: 3, targets: () => same(oneHot(ids(8, 3), 3), 3),
    accuracy: tfl.metrics.categoricalAccuracy },
  // tf.losses.softmaxCrossEntropy smooths by shape[1] (the height here), not the classes: Keras's smoothing given to it smoothed.
  { what: 'categoricalCrossentropy, labelSmoothing 0.1 (TF.js: tf.losses.softmaxCrossEntropy of t·0.9 + 0.1/3)', activation: 'softmax',
    tfjsActivation: 'linear', tfjsLoss: (t, z) => tf.losses.softmaxCrossEntropy(tf.add(tf.mul(t, 0.9), 0.1 / 3), z), loss: { type: 'categoricalCrossentropy', labelSmoothing: 0.1 },
    classes: 3, targets: () => same(oneHot(ids(9, 3), 3), 3), accuracy: tfl.metrics.categoricalAccuracy },
  { what: 'categoricalCrossentropy fromLogits', activation: 'linear', tfjsActivation: 'linear',
    tfjsLoss: (t, z) => tf.losses.softmaxCrossEntropy(t, z), loss: { type: 'categoricalCrossentropy', fromLogits: true },
    classes: 3, targets: () => same(oneHot(ids(10, 3), 3), 3), accuracy: tfl.metrics.categoricalAccuracy },
  // TF.js takes ids only with its sparse loss by name, which has no fromLogits: its one-hot form here.
  { what: 'sparseCategoricalCrossentropy fromLogits, ids [n, h, w] (TF.js: tf.losses.softmaxCrossEntropy of them one-hot)',
    activation: 'linear', tfjsActivation: 'linear', tfjsLoss: (t, z) => tf.losses.softmaxCrossEntropy(t, z),
    loss: { type: 'sparseCategoricalCrossentropy', fromLogits: true }, classes: 3,
    targets: () => ({ tfjs: oneHot(ids(6, 3), 3), tfjsShape: [N, HEIGHT, WIDTH, 3], convas: ids(6, 3), convasShape: [N, HEIGHT, WIDTH] }),
    accuracy: tfl.metrics.categoricalAccuracy },
  { what: 'binaryCrossentropy (fused with a sigmoid per pixel, [h, w, 1])', activation: 'sigmoid', tfjsActivation: 'sigmoid',
    tfjsLoss: 'binaryCrossentropy', loss: 'binaryCrossentropy', classes: 1, targets: () => same(yesNo(11, N * POSITIONS), 1),
    accuracy: tfl.metrics.binaryAccuracy },
  { what: 'binaryCrossentropy fromLogits, labelSmoothing 0.2, two labels per pixel (TF.js: tf.losses.sigmoidCrossEntropy)',
    activation: 'linear', tfjsActivation: 'linear', tfjsLoss: (t, z) => tf.losses.sigmoidCrossEntropy(t, z, undefined, 0.2),
    loss: { type: 'binaryCrossentropy', fromLogits: true, labelSmoothing: 0.2 }, classes: 2, targets: () => same(yesNo(12, N * POSITIONS * 2), 2),
    accuracy: onProbabilities(tfl.metrics.binaryAccuracy, tf.sigmoid) },
];

/** What one TF.js SGD step at rate 1 on the whole batch takes off each weight: its gradient, with the loss and the accuracy. */
async function tfjsGradients(c: Case, tfjsModel: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor) {
  const accuracy = tf.mean(c.accuracy(y, tfjsModel.predict(x) as tf.Tensor)).dataSync()[0];
  const before = tfjsModel.getWeights().map((w) => w.dataSync() as Float32Array);
  tfjsModel.compile({ optimizer: tf.train.sgd(1), loss: c.tfjsLoss as string });
  const loss = await tfjsModel.trainOnBatch(x, y) as number;
  const gradients = tfjsModel.getWeights().map((w, i) => before[i].map((v, j) => v - w.dataSync()[j]));
  return { loss, accuracy, gradients };
}

for (const c of cases) {
  test(`per position, as TF.js: loss, every gradient and accuracy — ${c.what}`, async () => {
    const { tfjsModel, convas } = models(c.activation, c.tfjsActivation, c.classes);
    const y = c.targets();
    const x = tensor(images(), [N, ...IMAGE]), convasY = tensor(y.convas, y.convasShape);
    convas.compile({ optimizer: 'sgd', loss: c.loss });
    const loss = convas.lossAndGradients(x, convasY);
    const gradients = convas.trainableWeights.map(gradientOf);
    const evaluation = convas.evaluate(x, convasY);
    const expected = await tfjsGradients(c, tfjsModel, tf.tensor(images(), [N, ...IMAGE]), tf.tensor(y.tfjs, y.tfjsShape));
    assertClose([loss, evaluation.loss], [expected.loss, expected.loss], 1e-5, `${c.what}: loss (training, evaluate)`);
    gradients.forEach((g, i) => assertClose(g, expected.gradients[i], TOLERANCE, `${c.what}: gradient of weight ${i}`));
    assert.ok(gradients.every((g) => g.some((v) => v !== 0)), `${c.what}: every weight has a gradient`);
    assert.ok(Math.abs(evaluation.accuracy - expected.accuracy) < 1e-6, `${c.what}: accuracy ${evaluation.accuracy}, TF.js ${expected.accuracy}`);
    // Counted per position: a share of the N·H·W pixels (or of their labels), not of the N examples.
    const counted = evaluation.accuracy * N * POSITIONS * (c.classes === 2 ? 2 : 1);
    assert.ok(Math.abs(counted - Math.round(counted)) < 1e-6 && evaluation.accuracy > 0 && evaluation.accuracy < 1, `${c.what}: ${evaluation.accuracy}`);
    convas.dispose();
  });
}

test('per position, as TF.js: precision and recall of a yes/no per pixel, and a loss that falls as fit trains', async () => {
  const { tfjsModel, convas } = models('sigmoid', 'sigmoid', 1);
  // Yes where the pixel's first channel tops its second: a rule the net can learn.
  const pixels = images();
  const targets = Float32Array.from({ length: N * POSITIONS }, (_, i) => (pixels[2 * i] > pixels[2 * i + 1] ? 1 : 0));
  const x = tensor(images(), [N, ...IMAGE]), y = tensor(targets, [N, HEIGHT, WIDTH, 1]);
  convas.compile({ optimizer: { type: 'sgd', learningRate: 0.5 }, loss: 'binaryCrossentropy', metrics: ['precision', 'recall', 'confusionMatrix'] });
  const result = convas.evaluate(x, y);
  // TF.js's precision and recall count outputs equal to 1: its yes/no at 0.5 first, as Keras's threshold.
  const probabilities = tfjsModel.predict(tf.tensor(images(), [N, ...IMAGE])) as tf.Tensor, ty = tf.tensor(targets, [N, HEIGHT, WIDTH, 1]);
  const yes = tf.cast(tf.greater(probabilities, 0.5), 'float32');
  assertClose([result.precision as number, result.recall as number],
    [tfl.metrics.precision(ty, yes).dataSync()[0], tfl.metrics.recall(ty, yes).dataSync()[0]], 1e-6, 'precision, recall');
  // One yes/no per pixel: a 2×2 matrix over every pixel.
  const matrix = result.confusionMatrix as number[][];
  assert.is(matrix.flat().reduce((a, b) => a + b, 0), N * POSITIONS);
  const history = await convas.fit(x, y, { epochs: 30, batchSize: 2, shuffle: false });
  const losses = history.history.loss as number[], accuracies = history.history.acc as number[];
  assert.ok(losses[29] < losses[0] * 0.5 && accuracies[29] > 0.9, `the loss fell from ${losses[0]} to ${losses[29]}, accuracy ${accuracies[29]}`);
  convas.dispose();
});

test('per position: every weight\'s gradient matches central differences', async () => {
  const x = tensor(images(), [N, ...IMAGE]);
  for (const c of cases) {
    const net = segmenter(c.activation, c.classes);
    net.compile({ optimizer: 'sgd', loss: c.loss });
    const y = c.targets();
    checkModelGradients(net, x, tensor(y.convas, y.convasShape), c.what, random(9).next);
    net.dispose();
  }
});

test('per position: fitDataset and evaluateDataset read ids of [n, h, w] as fit and evaluate do', async () => {
  const net = segmenter('softmax', 3);
  net.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['perClassRecall'] });
  const xs = images(), classIds = ids(14, 3);
  const expected = net.evaluate(tensor(xs, [N, ...IMAGE]), tensor(classIds, [N, HEIGHT, WIDTH]));
  const dataset = data.fromArrays(tensor(xs, [N, ...IMAGE]), tensor(classIds, [N, HEIGHT, WIDTH])).batch(2);
  const got = await net.evaluateDataset(dataset);
  assertClose([got.loss, got.accuracy], [expected.loss, expected.accuracy], 1e-6, 'evaluateDataset');
  assert.equal(got.perClassRecall, expected.perClassRecall);
  assert.is((expected.perClassRecall as number[]).length, 3, 'a recall per class, not per pixel');
  const plain = [{ xs: { values: xs, shape: [N, ...IMAGE] }, ys: { values: classIds, shape: [N, HEIGHT, WIDTH, 1] } }];
  const history = await net.fitDataset(data.from(plain), { epochs: 2 });
  assert.is((history.history.loss as number[]).length, 2);
  net.dispose();
});

test('per position, as TF.js: categoricalHinge scores each pixel\'s classes (loss and every gradient)', async () => {
  const { tfjsModel, convas } = models('linear', 'linear', 3);
  const y = oneHot(ids(17, 3), 3);
  const x = tensor(images(), [N, ...IMAGE]);
  convas.compile({ optimizer: 'sgd', loss: 'categoricalHinge' });
  const loss = convas.lossAndGradients(x, tensor(y, [N, HEIGHT, WIDTH, 3]));
  const gradients = convas.trainableWeights.map(gradientOf);
  const hinge: Case = { ...cases[0], what: 'categoricalHinge', tfjsLoss: 'categoricalHinge' };
  const expected = await tfjsGradients(hinge, tfjsModel, tf.tensor(images(), [N, ...IMAGE]), tf.tensor(y, [N, HEIGHT, WIDTH, 3]));
  assertClose([loss, convas.evaluate(x, tensor(y, [N, HEIGHT, WIDTH, 3])).loss], [expected.loss, expected.loss], 1e-5, 'categoricalHinge: loss');
  gradients.forEach((g, i) => assertClose(g, expected.gradients[i], TOLERANCE, `categoricalHinge: gradient of weight ${i}`));
  convas.dispose();
});

test('per position, as TF.js: the metrics of a loss that reads the whole output (meanAbsoluteError, huber, meanSquaredError) count each pixel', async () => {
  for (const loss of ['meanAbsoluteError', 'huber', 'meanSquaredError'] as const) {
    const { tfjsModel, convas } = models('softmax', 'softmax', 3);
    const y = oneHot(ids(18, 3), 3);
    convas.compile({ optimizer: 'sgd', loss, metrics: ['categoricalAccuracy', { type: 'topKCategoricalAccuracy', k: 2 }, 'perClassRecall', 'confusionMatrix'] });
    const result = convas.evaluate(tensor(images(), [N, ...IMAGE]), tensor(y, [N, HEIGHT, WIDTH, 3]));
    const ty = tf.tensor(y, [N, HEIGHT, WIDTH, 3]), predicted = tfjsModel.predict(tf.tensor(images(), [N, ...IMAGE])) as tf.Tensor;
    const accuracy = tf.mean(tfl.metrics.categoricalAccuracy(ty, predicted)).dataSync()[0];
    // Top 2 of 3: right unless the target class has the smallest output of its pixel.
    const p = predicted.dataSync(), ranks = Array.from({ length: N * POSITIONS }, (_, r) => [0, 1, 2].filter((c) => p[r * 3 + c] > p[r * 3 + ids(18, 3)[r]]).length);
    const topTwo = ranks.filter((above) => above < 2).length / ranks.length;
    assertClose([result.accuracy, result.categoricalAccuracy as number], [accuracy, accuracy], 1e-6, `${loss}: accuracy per pixel, as TF.js's 'accuracy'`);
    assert.ok(result.accuracy > 0 && result.accuracy < 1, `${loss}: ${result.accuracy}`);
    assert.ok(Math.abs((result.topKCategoricalAccuracy as number) - topTwo) < 1e-6, `${loss}: top-2 ${result.topKCategoricalAccuracy}, TF.js ${topTwo}`);
    assert.is((result.perClassRecall as number[]).length, 3, `${loss}: a recall per class`);
    assert.is((result.confusionMatrix as number[][]).flat().reduce((a, b) => a + b, 0), N * POSITIONS, `${loss}: every pixel in the matrix`);
    convas.dispose();
  }
});

test('per position: class weights are refused (as Keras and TF.js refuse them for targets of rank > 2), and so are ids that do not fit', async () => {
  const x = tensor(images(), [N, ...IMAGE]);
  const net = segmenter('softmax', 3);
  net.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const y = tensor(ids(15, 3), [N, HEIGHT, WIDTH]);
  await rejectsWith(() => net.fit(x, y, { classWeight: { 0: 2 } }), ConfigError, 'fit: classWeight', '35 positions of 3', 'Keras and TF.js',
    'fit(x, y, { sampleWeight }) weighs each position with weights of shape [n, 5, 7]');
  const dataset = data.fromArrays(x, y).batch(2);
  await rejectsWith(() => net.fitDataset(dataset, { classWeight: [1, 2, 1] }), ConfigError, 'fitDataset: classWeight', '35 positions');
  const pixels = segmenter('sigmoid', 1);
  pixels.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  await rejectsWith(() => pixels.fit(x, tensor(yesNo(16, N * POSITIONS), [N, HEIGHT, WIDTH, 1]), { classWeight: { 1: 3 } }),
    ConfigError, 'classWeight', '35 positions of 1');
  // Whatever the loss: Keras and TF.js refuse class weights for any target of rank above 2.
  const regression = segmenter('softmax', 3);
  regression.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  await rejectsWith(() => regression.fit(x, tensor(oneHot(ids(15, 3), 3), [N, HEIGHT, WIDTH, 3]), { classWeight: [1, 2, 1] }),
    ConfigError, 'fit: classWeight', '35 positions of 3');
  regression.dispose();
  // Ids of another shape, or outside the classes (named by example and pixel).
  throwsWith(() => net.evaluate(x, tensor(ids(15, 3).slice(0, N * 30), [N, 5, 6])), ShapeError, '[n, 5, 7] or [n, 5, 7, 1]', '[3, 5, 6]');
  const outside = ids(15, 3);
  outside[POSITIONS + 2 * WIDTH + 4] = 3;
  throwsWith(() => net.evaluate(x, tensor(outside, [N, HEIGHT, WIDTH, 1])), ValueError, 'y[1, 2, 4] is 3', 'from 0 to 2');
  throwsWith(() => net.evaluate(x, tensor(oneHot(ids(15, 3), 3), [N, HEIGHT, WIDTH, 3])), ShapeError, '[n, 5, 7] or [n, 5, 7, 1]');
  net.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  throwsWith(() => net.evaluate(x, y), ShapeError, '[n, 5, 7, 3]');
  // Sparse labels need classes on the last axis; a softmax per pixel flattened is not one row of classes.
  throwsWith(() => pixels.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' }), ConfigError, '[5, 7, 1]');
  const flattened = sequential({ inputShape: IMAGE, layers: [layers.conv2d({ filters: 3, kernelSize: 1, activation: 'softmax' }), layers.flatten()] });
  throwsWith(() => flattened.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' }), ConfigError, '105 of them', 'rows of 3');
  [net, pixels, flattened].forEach((m: Model) => m.dispose());
});

test('per position: targets of the output\'s size in another layout (height and width swapped, flattened) are refused by fit, evaluate and fitDataset; axes of 1 aside, the output\'s shape is taken', async () => {
  const x = tensor(images(), [N, ...IMAGE]);
  const net = segmenter('softmax', 3);
  net.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const weights = net.getWeights().map((w) => w.dataSync());
  const targets = oneHot(ids(19, 3), 3);
  for (const shape of [[N, WIDTH, HEIGHT, 3], [N, POSITIONS, 3], [N, POSITIONS * 3]]) {
    const y = tensor(targets, shape);
    await rejectsWith(() => net.fit(x, y), ShapeError, `y has shape [${shape.join(', ')}]`, 'outputs [n, 5, 7, 3]');
    throwsWith(() => net.evaluate(x, y), ShapeError, 'outputs [n, 5, 7, 3]');
    await rejectsWith(() => net.fit(x, tensor(targets, [N, HEIGHT, WIDTH, 3]), { validationData: [x, y] }), ShapeError, 'validationData', 'outputs [n, 5, 7, 3]');
    await rejectsWith(() => net.fitDataset(data.fromArrays(x, y).batch(2)), ShapeError, `ys has shape [2, ${shape.slice(1).join(', ')}]`, 'takes [n, 5, 7, 3]');
  }
  net.getWeights().forEach((w, i) => assert.equal(w.dataSync(), weights[i], 'nothing trained on refused targets'));
  // A yes/no per pixel: masks of [n, h, w] for an output of [h, w, 1], as Keras takes them.
  const pixels = segmenter('sigmoid', 1);
  pixels.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  const masks = yesNo(20, N * POSITIONS);
  assertClose([pixels.evaluate(x, tensor(masks, [N, HEIGHT, WIDTH])).loss], [pixels.evaluate(x, tensor(masks, [N, HEIGHT, WIDTH, 1])).loss], 0, 'masks');
  await pixels.fitDataset(data.fromArrays(x, tensor(masks, [N, HEIGHT, WIDTH])).batch(2));
  throwsWith(() => pixels.evaluate(x, tensor(masks, [N, WIDTH, HEIGHT])), ShapeError, 'outputs [n, 5, 7, 1]');
  [net, pixels].forEach((m: Model) => m.dispose());
});

test('per position: ids of another shape ([n, h], [n, w, h]) are the same ShapeError from fit, evaluate, fitDataset and evaluateDataset', async () => {
  const x = tensor(images(), [N, ...IMAGE]);
  const net = segmenter('softmax', 3);
  net.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const said = (name: string, shape: number[]) =>
    [`loss sparseCategoricalCrossentropy takes ${name} as class ids of shape [n, 5, 7] or [n, 5, 7, 1]`, `got [${shape.join(', ')}]`];
  for (const shape of [[N, HEIGHT], [N, WIDTH, HEIGHT]]) {
    const y = tensor(ids(21, 3).slice(0, shape.reduce((a, b) => a * b)), shape);
    await rejectsWith(() => net.fit(x, y), ShapeError, 'fit', ...said('y', shape));
    throwsWith(() => net.evaluate(x, y), ShapeError, ...said('y', shape));
    const batched = [2, ...shape.slice(1)];
    await rejectsWith(() => net.fitDataset(data.fromArrays(x, y).batch(2)), ShapeError, 'fitDataset: batch 1', ...said('ys', batched));
    await rejectsWith(() => net.evaluateDataset(data.fromArrays(x, y).batch(2)), ShapeError, 'batch 1', ...said('ys', batched));
  }
  net.dispose();
});

test.run();
