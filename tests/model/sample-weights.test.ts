// fit's sampleWeight, as Keras's sample_weight: per pixel ([n, h, w]) for a loss scored at each
// position of an [h, w, c] output, or per example ([n]). TF.js's fit refuses sample weights, so the
// reference is plain: the weighted loss written out here from the model's predictions (Σ w·loss of
// each row over the rows), whose value fit must log and whose central differences every weight's
// gradient (what one SGD step at rate 1 takes off it) must match; then the held-out share's
// weights in val_loss, and what is refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  type CompileOptions, ConfigError, type Model, ShapeError, type Tensor, ValueError, init, layers, sequential, tensor,
} from '../../src/index.js';
import { checkGradient } from '../gradient-check.js';
import { random } from '../helpers.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

const HEIGHT = 4, WIDTH = 5, CHANNELS = 2;
const POSITIONS = HEIGHT * WIDTH;
const N = 4;

test.before(async () => {
  await init();
});

/** The loss of one row: an example's (or a pixel's) outputs `o` against its targets `t`. */
type RowLoss = (o: Float32Array, t: Float32Array) => number;

const crossentropy: RowLoss = (o, t) => -t.reduce((sum, ti, c) => sum + (ti ? ti * Math.log(o[c]) : 0), 0);
const binaryCrossentropy: RowLoss = (o, t) => -t.reduce((sum, ti, c) => sum + ti * Math.log(o[c]) + (1 - ti) * Math.log(1 - o[c]), 0) / t.length;
/** convas's meanSquaredError: ½Σ(t − o)² per row. */
const halfSquaredError: RowLoss = (o, t) => t.reduce((sum, ti, c) => sum + (ti - o[c]) ** 2, 0) / 2;

interface Case {
  what: string;
  model: () => Model;
  loss: CompileOptions['loss'];
  rowLoss: RowLoss;
  /** Values per row (the classes at a pixel, or an example's outputs). */
  cols: number;
  /** Rows per example. */
  rows: number;
  /** The targets fit takes, and the same as rows of `cols` one-hot or yes/no values. */
  targets: () => { y: Tensor; rows: Float32Array };
  weightShape: number[];
}

const segmenter = (classes: number, activation: 'softmax' | 'sigmoid') => () => sequential({ inputShape: [HEIGHT, WIDTH, CHANNELS], seed: 4, layers: [
  layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'tanh' }),
  layers.conv2d({ filters: classes, kernelSize: 1, activation }),
] });

/** A class id per pixel, and the same one-hot. */
function pixelClasses(classes: number) {
  const rng = random(6);
  const ids = Float32Array.from({ length: N * POSITIONS }, () => rng.int(0, classes - 1));
  const rows = new Float32Array(ids.length * classes);
  ids.forEach((id, i) => (rows[i * classes + id] = 1));
  return { y: tensor(ids, [N, HEIGHT, WIDTH]), rows };
}

const cases: Case[] = [
  { what: 'a weight per pixel, sparseCategoricalCrossentropy of a softmax per pixel', model: segmenter(3, 'softmax'),
    loss: 'sparseCategoricalCrossentropy', rowLoss: crossentropy, cols: 3, rows: POSITIONS, targets: () => pixelClasses(3),
    weightShape: [N, HEIGHT, WIDTH] },
  { what: 'a weight per example over its pixels, sparseCategoricalCrossentropy of a softmax per pixel', model: segmenter(3, 'softmax'),
    loss: 'sparseCategoricalCrossentropy', rowLoss: crossentropy, cols: 3, rows: POSITIONS, targets: () => pixelClasses(3), weightShape: [N] },
  { what: 'a weight per pixel, binaryCrossentropy of a sigmoid per pixel', model: segmenter(1, 'sigmoid'), loss: 'binaryCrossentropy',
    rowLoss: binaryCrossentropy, cols: 1, rows: POSITIONS, weightShape: [N, HEIGHT, WIDTH],
    targets: () => {
      const rows = random(7).array(N * POSITIONS).map((v) => (v > 0 ? 1 : 0));
      return { y: tensor(rows, [N, HEIGHT, WIDTH, 1]), rows };
    } },
  { what: 'a weight per example, meanSquaredError of a dense output', loss: 'meanSquaredError', rowLoss: halfSquaredError, cols: 3, rows: 1,
    weightShape: [N],
    model: () => sequential({ inputShape: [HEIGHT, WIDTH, CHANNELS], seed: 4, layers: [layers.flatten(), layers.dense({ units: 3, activation: 'tanh' })] }),
    targets: () => {
      const rows = random(8).array(N * 3);
      return { y: tensor(rows, [N, 3]), rows };
    } },
];

const images = () => tensor(random(5).array(N * POSITIONS * CHANNELS), [N, HEIGHT, WIDTH, CHANNELS]);
/** Weights in [0, 3), a quarter of them 0 (masked out). */
const weightsOf = (shape: number[]) => random(9).array(shape.reduce((a, b) => a * b)).map((v) => (v < -0.5 ? 0 : 1.5 + 1.5 * v));

/** The reference: Σ over rows of (the row's example's or pixel's weight) · (its loss), over the rows of examples first … first + n − 1. */
function weightedLoss(c: Case, model: Model, x: Tensor, targets: Float32Array, weights: Float32Array, first = 0, n = N): number {
  const outputs = model.predict(x).dataSync();
  const perPixel = weights.length > N;
  let sum = 0;
  for (let r = first * c.rows; r < (first + n) * c.rows; r++) {
    const row = (values: Float32Array) => values.subarray(r * c.cols, (r + 1) * c.cols);
    sum += weights[perPixel ? r : Math.floor(r / c.rows)] * c.rowLoss(row(outputs), row(targets));
  }
  return sum / (n * c.rows);
}

for (const c of cases) {
  test(`sampleWeight: the loss fit logs and every weight's gradient match the reference — ${c.what}`, async () => {
    const x = images(), { y, rows } = c.targets();
    const weights = weightsOf(c.weightShape);
    const trained = c.model(), reference = c.model();
    trained.compile({ optimizer: { type: 'sgd', learningRate: 1 }, loss: c.loss });
    const before = trained.getWeights().map((w) => w.dataSync());
    // One batch of every example, shuffled: the weights must follow their examples.
    const history = await trained.fit(x, y, { batchSize: N, shuffle: true, sampleWeight: tensor(weights, c.weightShape) });
    const expected = weightedLoss(c, reference, x, rows, weights);
    assert.ok(Math.abs(history.history.loss[0] - expected) <= 1e-5 * Math.max(1, expected), `loss ${history.history.loss[0]} vs ${expected}`);
    const unweighted = weightedLoss(c, reference, x, rows, new Float32Array(weights.length).fill(1));
    assert.ok(Math.abs(unweighted - expected) > 1e-2, 'the weights change the loss, or the test proves nothing');

    const values = reference.getWeights().map((w) => w.dataSync());
    const rng = random(10);
    const pick = () => rng.next();
    trained.getWeights().forEach((w, i) => {
      const gradient = before[i].map((v, j) => v - w.dataSync()[j]);
      checkGradient(`${c.what}, weight ${i}`, values[i], gradient, () => {
        reference.setWeights(values);
        return weightedLoss(c, reference, x, rows, weights);
      }, pick, 40);
    });
  });
}

test('sampleWeight with validationSplit: the held-out examples\' weights weigh val_loss, as Keras splits sample_weight', async () => {
  const c = cases[0];
  const x = images(), { y, rows } = c.targets();
  const weights = weightsOf(c.weightShape);
  const model = c.model();
  model.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: c.loss });
  const history = await model.fit(x, y, { batchSize: 2, validationSplit: 0.5, sampleWeight: tensor(weights, c.weightShape) });
  const expected = weightedLoss(c, model, x, rows, weights, 2, 2);
  assert.ok(Math.abs(history.history.val_loss![0] - expected) <= 1e-5 * Math.max(1, expected), `val_loss ${history.history.val_loss![0]} vs ${expected}`);
});

const near = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-5 * Math.max(1, expected), `${what}: ${actual} vs ${expected}`);

test('validationData [x, y, sampleWeight] (Keras\'s validation_data triple) weighs val_loss, in fit and fitDataset', async () => {
  for (const c of [cases[0], cases[1]]) {
    const x = images(), { y, rows } = c.targets();
    const weights = weightsOf(c.weightShape);
    const validationData: [Tensor, Tensor, Tensor] = [x, y, tensor(weights, c.weightShape)];
    const model = c.model();
    model.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: c.loss });
    const history = await model.fit(x, y, { batchSize: 2, validationData });
    const expected = weightedLoss(c, model, x, rows, weights);
    near(history.history.val_loss![0], expected, `fit, ${c.what}`);
    assert.ok(Math.abs(expected - weightedLoss(c, model, x, rows, new Float32Array(weights.length).fill(1))) > 1e-2, 'the weights matter, or the test proves nothing');
    // A dataset's tensors are disposed once read: the batch is a copy.
    const streamed = await model.fitDataset([{ xs: tensor(x.dataSync(), [...x.shape]), ys: tensor(y.dataSync(), [...y.shape]) }], { validationData });
    near(streamed.history.val_loss![0], weightedLoss(c, model, x, rows, weights), `fitDataset, ${c.what}`);
  }
});

test('evaluate(x, y, { sampleWeight }) weighs the loss as fit does, and a weight per example may be a column, [n, 1]', () => {
  const c = cases[1];
  const x = images(), { y, rows } = c.targets();
  const weights = weightsOf(c.weightShape);
  const model = c.model();
  model.compile({ optimizer: 'sgd', loss: c.loss });
  const expected = weightedLoss(c, model, x, rows, weights);
  near(model.evaluate(x, y, { sampleWeight: tensor(weights, [N]), batchSize: 3 }).loss, expected, 'evaluate, [n]');
  near(model.evaluate(x, y, { sampleWeight: tensor(weights, [N, 1]) }).loss, expected, 'evaluate, [n, 1]');
  assert.ok(Math.abs(model.evaluate(x, y).loss - expected) > 1e-2, 'the weights matter, or the test proves nothing');
  throwsWith(() => model.evaluate(x, y, { sampleWeight: tensor(weights.subarray(1), [N - 1]) }), ShapeError, 'evaluate: sampleWeight has shape');
});

test('fit takes a weight per example as a column, [n, 1], as it takes [n]', async () => {
  const c = cases[1];
  const x = images(), { y } = c.targets();
  const weights = weightsOf(c.weightShape);
  const losses = [];
  for (const shape of [[N], [N, 1]]) {
    const model = c.model();
    model.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: c.loss });
    losses.push((await model.fit(x, y, { batchSize: 2, epochs: 2, shuffle: true, sampleWeight: tensor(weights, shape) })).history.loss);
  }
  assert.equal(losses[1], losses[0]);
});

test('sampleWeight not a tensor, of another shape, per pixel for a loss that scores whole examples, or negative, is refused naming what fits', async () => {
  const x = images();
  const segmentation = cases[0].model();
  segmentation.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const { y } = pixelClasses(3);
  const fit = (model: Model, labels: Tensor, sampleWeight: Tensor) => model.fit(x, labels, { sampleWeight });
  await rejectsWith(() => fit(segmentation, y, tensor(new Float32Array(N * POSITIONS).fill(1), [N, WIDTH, HEIGHT])), ShapeError,
    `sampleWeight has shape [${N}, ${WIDTH}, ${HEIGHT}]`, `[${N}] (one per example) or [${N}, ${HEIGHT}, ${WIDTH}] (one per position`);
  await rejectsWith(() => fit(segmentation, y, tensor(new Float32Array(N - 1).fill(1), [N - 1])), ShapeError, `[${N}] (one per example)`);
  await rejectsWith(() => fit(segmentation, y, tensor(new Float32Array(N).fill(-1), [N])), ValueError, 'sampleWeight holds -1', '≥ 0');
  // Keras takes an array; here the weights are a tensor, as x and y are: the message says what was given and how to pass it.
  await rejectsWith(() => fit(segmentation, y, new Float32Array(N).fill(1) as never), ConfigError, `got a Float32Array of ${N}`, `tensor(weights, [${N}])`);
  const squared = cases[0].model();
  squared.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const oneHot = tensor(pixelClasses(3).rows, [N, HEIGHT, WIDTH, 3]);
  await rejectsWith(() => fit(squared, oneHot, tensor(new Float32Array(N * POSITIONS).fill(1), [N, HEIGHT, WIDTH])), ConfigError,
    'loss meanSquaredError scores each example', `pass one weight per example, [${N}]`);
});

test('sampleWeight: a batch of heavy weights is not taken for a divergence, which is measured against the largest weight', async () => {
  // Class-balancing weights: a rare class weighs 150; the first batch holds none of it, the second only it.
  const n = 64;
  const x = tensor(random(1).array(n * 5), [n, 5]);
  const y = tensor(Float32Array.from({ length: n }, (_, i) => i % 3), [n]);
  const weights = tensor(Float32Array.from({ length: n }, (_, i) => (i < n / 2 ? 0.5 : 150)), [n]);
  const model = sequential({ inputShape: [5], seed: 2, layers: [layers.dense({ units: 3, activation: 'softmax' })] });
  model.compile({ optimizer: { type: 'sgd', learningRate: 1e-4 }, loss: 'sparseCategoricalCrossentropy' });
  const means: number[] = [];
  await model.fit(x, y, { batchSize: n / 2, shuffle: false, sampleWeight: weights, onBatchEnd: (_, logs) => void means.push(logs.loss) });
  const [first, second] = [means[0], 2 * means[1] - means[0]];
  assert.ok(second > 100 * Math.max(first, 1), `the second batch's loss ${second} is over the default bound, 100 × max(${first}, 1), or the test proves nothing`);
});

test.run();
