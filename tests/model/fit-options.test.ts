// fit's validationSplit, classWeight, initialEpoch, verbose (evaluate's, evaluateDataset's and predict's too) and yieldEvery: against TF.js where it has them (the same
// model, weights and data trained in both, every weight to 1e-4), against Keras's rules where TF.js
// departs, and their errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, type CompileOptions, type Model, init, layers, schedules, sequential, tensor } from '../../src/index.js';
import { assertClose, assertSameBits, random } from '../helpers.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

const IMAGE = [4, 4, 1];
const N = 12;
const CLASSES = 3;

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

/** The same small CNN in both libraries, from the same weights. */
function models(units: number, activation: 'softmax' | 'sigmoid', seed: number) {
  const tfjsModel = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: IMAGE, filters: 2, kernelSize: 3, activation: 'relu' }),
    tfl.layers.flatten(),
    tfl.layers.dense({ units, activation }),
  ] });
  const convas = sequential({ inputShape: IMAGE, layers: [
    layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }), layers.flatten(), layers.dense({ units, activation }),
  ] });
  const rng = random(seed);
  tfjsModel.setWeights(tfjsModel.getWeights().map((w) => tf.tensor(rng.array(w.size, -0.5, 0.5), w.shape)));
  convas.setWeights(tfjsModel.getWeights().map((w) => tensor(w.dataSync() as Float32Array, [...w.shape])));
  return { tfjsModel, convas };
}

const images = (seed: number, n = N) => random(seed).array(n * 16);
const ids = (n = N) => Float32Array.from({ length: n }, (_, i) => (i * 7 + 1) % CLASSES);
const oneHotOf = (classIds: Float32Array) => {
  const t = new Float32Array(classIds.length * CLASSES);
  classIds.forEach((c, i) => (t[i * CLASSES + c] = 1));
  return t;
};

function assertSameWeights(convas: Model, tfjsModel: tfl.LayersModel, before: Float32Array[], what: string) {
  const expected = tfjsModel.getWeights().map((w) => w.dataSync() as Float32Array);
  convas.getWeights().forEach((w, i) => {
    assertClose(w.dataSync(), expected[i], 1e-4, `${what}: weight ${i}`);
    assert.not.equal([...w.dataSync()], [...before[i]], `${what}: weight ${i} did not move`);
  });
}

test('validationSplit holds out the last examples, as TF.js: the same weights and val_loss after two epochs', async () => {
  const { tfjsModel, convas } = models(CLASSES, 'softmax', 1);
  const x = images(2), y = oneHotOf(ids());
  const before = convas.getWeights().map((w) => w.dataSync());
  tfjsModel.compile({ optimizer: tf.train.sgd(0.5), loss: 'categoricalCrossentropy' });
  const expected = await tfjsModel.fit(tf.tensor(x, [N, ...IMAGE]), tf.tensor(y, [N, CLASSES]),
    { epochs: 2, batchSize: 3, shuffle: false, validationSplit: 0.25, verbose: 0 });
  convas.compile({ optimizer: { type: 'sgd', learningRate: 0.5 }, loss: 'categoricalCrossentropy' });
  const history = await convas.fit(tensor(x, [N, ...IMAGE]), tensor(y, [N, CLASSES]), { epochs: 2, batchSize: 3, shuffle: false, validationSplit: 0.25 });
  assertSameWeights(convas, tfjsModel, before, 'validationSplit');
  assertClose(history.history.val_loss!, expected.history.val_loss as number[], 1e-4, 'val_loss');
});

test('validationSplit takes the last examples before shuffling: training with shuffle never sees them, val_ logs are evaluate\'s on them', async () => {
  const x = images(3), y = oneHotOf(ids());
  const make = () => {
    const m = sequential({ inputShape: IMAGE, seed: 4, layers: [layers.flatten(), layers.dense({ units: CLASSES, activation: 'softmax' })] });
    m.compile({ optimizer: { type: 'sgd', learningRate: 0.3 }, loss: 'categoricalCrossentropy' });
    return m;
  };
  const split = make(), firstNine = make();
  const history = await split.fit(tensor(x, [N, ...IMAGE]), tensor(y, [N, CLASSES]), { epochs: 3, batchSize: 4, validationSplit: 0.25 });
  // floor(12 · 0.75) = 9 examples train, with the same shuffles as a fit on those nine alone.
  await firstNine.fit(tensor(x.slice(0, 9 * 16), [9, ...IMAGE]), tensor(y.slice(0, 9 * CLASSES), [9, CLASSES]), { epochs: 3, batchSize: 4 });
  split.getWeights().forEach((w, i) => assertSameBits(w.dataSync(), firstNine.getWeights()[i].dataSync(), `weight ${i}`));
  const held = split.evaluate(tensor(x.slice(9 * 16), [3, ...IMAGE]), tensor(y.slice(9 * CLASSES), [3, CLASSES]));
  assert.is(history.history.val_loss![2], held.loss);
  assert.is(history.history.val_acc![2], held.accuracy);
});

test('classWeight multiplies each example\'s loss, as TF.js: one-hot, sparse and yes/no labels, three steps, every weight to 1e-4', async () => {
  const weights = { 0: 0.5, 1: 3, 2: 1.25 };
  const cases: Array<[string, number, 'softmax' | 'sigmoid', string, CompileOptions['loss'], Float32Array, number[], Float32Array, number[]]> = [
    ['one-hot labels', CLASSES, 'softmax', 'categoricalCrossentropy', 'categoricalCrossentropy', oneHotOf(ids()), [N, CLASSES], oneHotOf(ids()), [N, CLASSES]],
    ['class ids', CLASSES, 'softmax', 'sparseCategoricalCrossentropy', 'sparseCategoricalCrossentropy', ids(), [N, 1], ids(), [N]],
    ['one yes/no output', 1, 'sigmoid', 'binaryCrossentropy', 'binaryCrossentropy', ids().map((c) => c % 2), [N, 1], ids().map((c) => c % 2), [N, 1]],
  ];
  for (const [what, units, activation, tfjsLoss, loss, tfjsY, tfjsShape, y, shape] of cases) {
    const { tfjsModel, convas } = models(units, activation, 5);
    const x = images(6);
    const before = convas.getWeights().map((w) => w.dataSync());
    const classWeight = units === 1 ? { 0: 0.5, 1: 3 } : weights;
    tfjsModel.compile({ optimizer: tf.train.adam(0.05), loss: tfjsLoss });
    const expected = await tfjsModel.fit(tf.tensor(x, [N, ...IMAGE]), tf.tensor(tfjsY, tfjsShape), { epochs: 1, batchSize: 4, shuffle: false, classWeight, verbose: 0 });
    convas.compile({ optimizer: { type: 'adam', learningRate: 0.05 }, loss });
    const history = await convas.fit(tensor(x, [N, ...IMAGE]), tensor(y, shape), { epochs: 1, batchSize: 4, shuffle: false, classWeight });
    assertSameWeights(convas, tfjsModel, before, what);
    assertClose(history.history.loss, expected.history.loss as number[], 1e-4, `${what}: the weighted loss`);
  }
});

test('a class missing from classWeight weighs 1 (Keras; TF.js refuses it); an array is indexed by class', async () => {
  const run = async (classWeight?: Record<number, number> | number[]) => {
    const m = sequential({ inputShape: IMAGE, seed: 7, layers: [layers.flatten(), layers.dense({ units: CLASSES, activation: 'softmax' })] });
    m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await m.fit(tensor(images(8), [N, ...IMAGE]), tensor(ids(), [N]), { epochs: 2, batchSize: 5, classWeight });
    return m.getWeights().map((w) => w.dataSync());
  };
  const explicit = await run({ 0: 2, 1: 1, 2: 1 });
  (await run({ 0: 2 })).forEach((w, i) => assertSameBits(w, explicit[i], `missing classes weigh 1: weight ${i}`));
  (await run([2, 1, 1])).forEach((w, i) => assertSameBits(w, explicit[i], `array form: weight ${i}`));
  const plain = await run();
  (await run({ 0: 1, 1: 1, 2: 1 })).forEach((w, i) => assertSameBits(w, plain[i], `weights of 1 are no weights: weight ${i}`));
  assert.not.equal([...explicit[0]], [...plain[0]], 'a weight of 2 changes training');
});

test('a yes/no target of exactly 0.5 is class 0, as Keras rounds it (half to even; TF.js refuses such a target)', async () => {
  const run = async (classWeight?: Record<number, number>) => {
    const m = sequential({ inputShape: IMAGE, seed: 7, layers: [layers.flatten(), layers.dense({ units: 1, activation: 'sigmoid' })] });
    m.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
    await m.fit(tensor(images(8), [N, ...IMAGE]), tensor(new Float32Array(N).fill(0.5), [N, 1]), { epochs: 2, batchSize: 5, classWeight });
    return m.getWeights().map((w) => w.dataSync());
  };
  const plain = await run();
  (await run({ 1: 3 })).forEach((w, i) => assertSameBits(w, plain[i], `class 1's weight leaves 0.5 targets alone: weight ${i}`));
  assert.not.equal([...(await run({ 0: 3 }))[0]], [...plain[0]], 'class 0\'s weight applies to 0.5 targets');
});

test('initialEpoch continues a run: epochs numbered from it, the schedule and the shuffles going on, bit for bit', async () => {
  const x = images(9), y = oneHotOf(ids());
  const make = () => {
    const m = sequential({ inputShape: IMAGE, seed: 10, layers: [layers.flatten(), layers.dropout({ rate: 0.2 }), layers.dense({ units: CLASSES, activation: 'softmax' })] });
    m.compile({ optimizer: { type: 'sgd', learningRate: schedules.exponentialDecay({ initialLearningRate: 0.5, decaySteps: 2, decayRate: 0.5 }) }, loss: 'categoricalCrossentropy' });
    return m;
  };
  const whole = make();
  await whole.fit(tensor(x, [N, ...IMAGE]), tensor(y, [N, CLASSES]), { epochs: 4, batchSize: 5 });
  const parts = make();
  await parts.fit(tensor(x, [N, ...IMAGE]), tensor(y, [N, CLASSES]), { epochs: 2, batchSize: 5 });
  const seen: number[] = [];
  const history = await parts.fit(tensor(x, [N, ...IMAGE]), tensor(y, [N, CLASSES]),
    { epochs: 4, initialEpoch: 2, batchSize: 5, onEpochEnd: (e) => void seen.push(e) });
  assert.equal(history.epoch, [2, 3]);
  assert.equal(seen, [2, 3]);
  parts.getWeights().forEach((w, i) => assertSameBits(w.dataSync(), whole.getWeights()[i].dataSync(), `weight ${i}`));
  // Past the last epoch there is nothing left to train, as in Keras.
  const none = await parts.fit(tensor(x, [N, ...IMAGE]), tensor(y, [N, CLASSES]), { epochs: 4, initialEpoch: 4 });
  assert.equal(none.epoch, []);
});

test('bad settings are ConfigErrors naming them', async () => {
  const m = sequential({ inputShape: IMAGE, layers: [layers.flatten(), layers.dense({ units: CLASSES, activation: 'softmax' })] });
  m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const fit = (options: object) => m.fit(tensor(images(1), [N, ...IMAGE]), tensor(oneHotOf(ids()), [N, CLASSES]), options);
  await rejectsWith(() => fit({ validationSplit: 1 }), ConfigError, 'validationSplit', '[0, 1)');
  await rejectsWith(() => fit({ validationSplit: -0.1 }), ConfigError, 'validationSplit');
  await rejectsWith(() => fit({ validationSplit: 0.95 }), ConfigError, 'validationSplit 0.95 of 12 examples leaves 0 for training and 12');
  await rejectsWith(() => fit({ validationSplit: 0.5, batchSize: 8 }), ConfigError, 'batchSize 8', '6 training examples left by validationSplit');
  await rejectsWith(() => fit({ initialEpoch: -1 }), ConfigError, 'initialEpoch');
  await rejectsWith(() => fit({ initialEpoch: 0.5 }), ConfigError, 'initialEpoch');
  await rejectsWith(() => fit({ classWeight: { 3: 1 } }), ConfigError, 'classWeight names class "3"', '0 to 2');
  await rejectsWith(() => fit({ classWeight: { 1: -2 } }), ConfigError, 'classWeight of class 1');
  await rejectsWith(() => fit({ classWeight: 'balanced' }), ConfigError, 'classWeight');
  await rejectsWith(() => fit({ validationData: [tensor(images(1), [N, ...IMAGE])] }), ConfigError, 'validationData must be [x, y]');
  await rejectsWith(() => fit({ shuffle: 'yes' }), ConfigError, 'shuffle');
  // Keras's 'batch', which TF.js refuses too (NotImplementedError): the message says what to use.
  await rejectsWith(() => fit({ shuffle: 'batch' }), ConfigError, "shuffle 'batch'", 'as TF.js does not take it', 'true shuffles every example');
  await rejectsWith(() => fit({ verbose: 3 }), ConfigError, 'verbose must be 0, 1, 2, true or false');
  await rejectsWith(() => fit({ yieldEvery: 'frame' }), ConfigError, 'yieldEvery', "'batch'", 'milliseconds');
  await rejectsWith(() => fit({ yieldEvery: -1 }), ConfigError, 'yieldEvery');
  await rejectsWith(() => fit({ sampleWeight: tensor(new Float32Array(N).fill(1), [N]), classWeight: { 1: 2 } }), ConfigError,
    'sampleWeight and classWeight cannot be given together');
  // Options convas does not take name what it takes instead.
  await rejectsWith(() => m.fitDataset([], { sampleWeight: 1 } as object), ConfigError, 'fitDataset: sampleWeight', 'fit(x, y, { sampleWeight })');
  await rejectsWith(() => fit({ stepsPerEpoch: 2 }), ConfigError, 'stepsPerEpoch', 'batchesPerEpoch');
  await rejectsWith(() => m.fitDataset([], { stepsPerEpoch: 2 } as object), ConfigError, 'fitDataset: stepsPerEpoch', 'batchesPerEpoch');
});

test('TF.js\'s verbose is taken and changes nothing; yieldEvery decides how often other work runs during a fit', async () => {
  const make = () => {
    const m = sequential({ inputShape: IMAGE, seed: 5, layers: [layers.flatten(), layers.dense({ units: CLASSES, activation: 'softmax' })] });
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    return m;
  };
  const x = tensor(images(1), [N, ...IMAGE]), y = tensor(oneHotOf(ids()), [N, CLASSES]);
  const quiet = make(), verbose = make();
  await quiet.fit(x, y, { epochs: 2, batchSize: 4 });
  await verbose.fit(x, y, { epochs: 2, batchSize: 4, verbose: 2 });
  quiet.getWeights().forEach((w, i) => assertSameBits(verbose.getWeights()[i].dataSync(), w.dataSync(), `weight ${i}`));
  // evaluate's and predict's too, as TF.js's take it (predict's a boolean there).
  assert.equal(quiet.evaluate(x, y, { batchSize: 4, verbose: 0 }), quiet.evaluate(x, y, { batchSize: 4 }));
  assertSameBits(quiet.predict(x, { verbose: false }).dataSync(), quiet.predict(x).dataSync(), 'predict');
  throwsWith(() => quiet.predict(x, { verbose: 'yes' as never }), ConfigError, 'predict: verbose must be 0, 1, 2, true or false');
  // evaluateDataset's, as TF.js's ModelEvaluateDatasetArgs has it beside batches.
  const batches = () => [{ xs: tensor(images(1), [N, ...IMAGE]), ys: tensor(oneHotOf(ids()), [N, CLASSES]) }]; // each pass disposes its batches
  assert.equal(await quiet.evaluateDataset(batches(), { verbose: 0 }), await quiet.evaluateDataset(batches()));
  await rejectsWith(() => quiet.evaluateDataset(batches(), { verbose: 3 as never }), ConfigError, 'evaluateDataset: verbose must be 0, 1, 2, true or false');
  // Turns of the event loop while 3 epochs of 3 batches train (setImmediate runs once per turn).
  const turns = async (yieldEvery: unknown) => {
    let count = 0, running = true;
    const tick = () => {
      if (!running) return;
      count++;
      setImmediate(tick);
    };
    setImmediate(tick);
    await make().fit(x, y, { epochs: 3, batchSize: 4, yieldEvery: yieldEvery as 'auto' });
    running = false;
    return count;
  };
  assert.is(await turns('never'), 0);
  assert.is(await turns('epoch'), 3);
  assert.is(await turns('batch'), 9);
  assert.is(await turns(0), 9);
});

test.run();
