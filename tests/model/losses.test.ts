// Every loss through a whole model: each parameter's gradient against central differences (fused
// with the output activation and not), the accuracy fit and evaluate report for each kind of
// target, and the settings and data a loss refuses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConfigError, type CompileOptions, type Model, ShapeError, ValueError, argmaxRows, layers, sequential, tensor,
} from '../../src/index.js';
import type { ActivationName } from '../../src/layers/activation-function.js';
import { checkModelGradients } from '../gradient-check.js';
import { assertClose, gradientOf, kernels, random } from '../helpers.js';
import { rejectsWith, throwsWith } from '../throws-with.js';
import { smallCnn, smallCnnLayers, strokes } from './synthetic.js';

const N = 6;

const rng = random(21);
let images: ReturnType<typeof tensor>;
test.before(async () => {
  await kernels();
  images = tensor(strokes(N, 8, 3).images, [N, 8, 8, 1]);
});
const oneHot = () => tensor(strokes(N, 8, 3).labels, [N, 4]);
const ids = (shape: number[]) => tensor(Float32Array.from({ length: N }, (_, i) => i % 4), shape);
const multiLabel = () => tensor(Float32Array.from({ length: N * 4 }, () => rng.int(0, 1)), [N, 4]);
const plusMinusOne = () => tensor(Float32Array.from({ length: N * 4 }, () => rng.pick([-1, 1])), [N, 4]);
const values = () => tensor(rng.array(N * 4, -1, 1), [N, 4]);
/** Rows of probabilities: distributions for the KL divergence. */
const softLabels = () => {
  const w = rng.array(N * 4, 0.1, 1);
  for (let r = 0; r < N; r++) {
    const total = w[r * 4] + w[r * 4 + 1] + w[r * 4 + 2] + w[r * 4 + 3];
    for (let c = 0; c < 4; c++) w[r * 4 + c] /= total;
  }
  return tensor(w, [N, 4]);
};
/** Counts, as poisson scores rates against them. */
const counts = () => tensor(Float32Array.from({ length: N * 4 }, () => rng.int(0, 3)), [N, 4]);

/** [loss, output activation, targets]: every loss, fused with its activation where one pairs with it and not. */
const cases: Array<[CompileOptions['loss'], ActivationName, () => ReturnType<typeof tensor>]> = [
  [{ type: 'categoricalCrossentropy', labelSmoothing: 0.1 }, 'softmax', oneHot],
  [{ type: 'categoricalCrossentropy', labelSmoothing: 0.2 }, 'sigmoid', oneHot],
  ['sparseCategoricalCrossentropy', 'softmax', () => ids([N])],
  [{ type: 'sparseCategoricalCrossentropy', labelSmoothing: 0.1 }, 'softmax', () => ids([N, 1])],
  ['sparseCategoricalCrossentropy', 'sigmoid', () => ids([N])],
  [{ type: 'categoricalCrossentropy', labelSmoothing: 0.1 }, 'logSoftmax', oneHot],
  ['sparseCategoricalCrossentropy', 'logSoftmax', () => ids([N])],
  ['binaryCrossentropy', 'sigmoid', multiLabel],
  [{ type: 'binaryCrossentropy', labelSmoothing: 0.2 }, 'sigmoid', multiLabel],
  ['binaryCrossentropy', 'softmax', multiLabel],
  ['hinge', 'tanh', plusMinusOne],
  ['hinge', 'linear', multiLabel],
  ['squaredHinge', 'tanh', plusMinusOne],
  ['categoricalHinge', 'linear', oneHot],
  ['meanAbsoluteError', 'linear', values],
  ['huber', 'linear', () => tensor(rng.array(N * 4, -3, 3), [N, 4])],
  [{ type: 'huber', delta: 0.3 }, 'tanh', values],
  // fromLogits: the output is the logits, softmax or sigmoid is the loss's
  [{ type: 'categoricalCrossentropy', fromLogits: true }, 'linear', oneHot],
  [{ type: 'sparseCategoricalCrossentropy', fromLogits: true, labelSmoothing: 0.1 }, 'linear', () => ids([N])],
  [{ type: 'binaryCrossentropy', fromLogits: true }, 'linear', multiLabel],
  [{ type: 'binaryCrossentropy', fromLogits: true, labelSmoothing: 0.2 }, 'tanh', multiLabel],
  ['kullbackLeiblerDivergence', 'softmax', softLabels],
  ['poisson', 'sigmoid', counts],
  ['logcosh', 'linear', () => tensor(rng.array(N * 4, -3, 3), [N, 4])],
  ['meanSquaredLogarithmicError', 'sigmoid', () => tensor(rng.array(N * 4, 0, 2), [N, 4])],
  ['meanAbsolutePercentageError', 'linear', values],
  ['cosineProximity', 'linear', values],
];

const describe = (loss: CompileOptions['loss']) => (typeof loss === 'string' ? loss : JSON.stringify(loss));

test('every loss: each parameter gradient of a whole model matches central differences', async () => {
  await kernels();
  for (const [loss, activation, targets] of cases) {
    const model = smallCnn(5, activation);
    model.compile({ optimizer: 'sgd', loss });
    checkModelGradients(model, images, targets(), `${describe(loss)} after ${activation}`, random(9).next);
    model.dispose();
  }
});

test('a loss fused with the output activation, computed from the logits, equals the formula on predict\'s probabilities', async () => {
  await kernels();
  for (const [loss, activation, targets] of [['sparseCategoricalCrossentropy', 'softmax', () => ids([N])],
    ['binaryCrossentropy', 'sigmoid', multiLabel]] as const) {
    const model = smallCnn(7, activation);
    model.compile({ optimizer: 'sgd', loss });
    const y = targets();
    const p = model.predict(images).dataSync(), t = y.dataSync();
    const expected = loss === 'binaryCrossentropy'
      ? -Array.from(p).reduce((s, o, i) => s + t[i] * Math.log(o) + (1 - t[i]) * Math.log(1 - o), 0) / (N * 4)
      : -Array.from(t).reduce((s, id, r) => s + Math.log(p[r * 4 + id]), 0) / N;
    const { loss: actual } = model.evaluate(images, y);
    assert.ok(Math.abs(actual - expected) < 1e-5 * Math.max(1, expected), `${loss}: evaluate ${actual}, formula ${expected}`);
    model.dispose();
  }
});

test('the categorical cross-entropies of a logSoftmax output read it as log-probabilities (PyTorch\'s NLLLoss): as a softmax model scores and trains', async () => {
  await kernels();
  for (const [loss, targets] of [['sparseCategoricalCrossentropy', () => ids([N])], [{ type: 'categoricalCrossentropy', labelSmoothing: 0.1 }, oneHot]] as const) {
    const logProbabilities = smallCnn(7, 'logSoftmax'), probabilities = smallCnn(7, 'softmax');
    const y = targets();
    for (const model of [logProbabilities, probabilities]) model.compile({ optimizer: 'sgd', loss });
    const o = logProbabilities.predict(images).dataSync(), t = y.dataSync();
    if (loss === 'sparseCategoricalCrossentropy') {
      const expected = -Array.from(t).reduce((s, id, r) => s + o[r * 4 + id], 0) / N;
      const { loss: actual } = logProbabilities.evaluate(images, y);
      assert.ok(Math.abs(actual - expected) < 1e-5 * Math.max(1, expected), `evaluate ${actual}, −mean of the labels' log-probabilities ${expected}`);
    }
    const { loss: softmaxLoss } = probabilities.evaluate(images, y);
    assert.ok(Math.abs(logProbabilities.evaluate(images, y).loss - softmaxLoss) < 1e-5, `${describe(loss)}: the softmax model's loss`);
    for (const model of [logProbabilities, probabilities]) await model.fit(images, y, { epochs: 2, batchSize: 3, shuffle: false });
    const trained = logProbabilities.getWeights(), reference = probabilities.getWeights();
    trained.forEach((w, i) => assertClose(w.dataSync(), reference[i].dataSync(), 1e-4, `${describe(loss)}: weight ${i} after training`));
    logProbabilities.dispose();
    probabilities.dispose();
  }
});

test('fromLogits on a linear output equals the fused loss of the same layer ending in softmax or sigmoid', async () => {
  await kernels();
  for (const [loss, activation, targets] of [['sparseCategoricalCrossentropy', 'softmax', () => ids([N])],
    ['categoricalCrossentropy', 'softmax', oneHot], ['binaryCrossentropy', 'sigmoid', multiLabel]] as const) {
    const probabilities = smallCnn(7, activation), logits = smallCnn(7, 'linear');
    probabilities.compile({ optimizer: 'sgd', loss });
    logits.compile({ optimizer: 'sgd', loss: { type: loss, fromLogits: true } });
    const y = targets();
    const expected = probabilities.lossAndGradients(images, y), actual = logits.lossAndGradients(images, y);
    assert.ok(Math.abs(actual - expected) < 1e-6 * Math.max(1, expected), `${loss}: fromLogits ${actual}, fused ${expected}`);
    logits.trainableWeights.forEach((w, i) => assertClose(gradientOf(w), gradientOf(probabilities.trainableWeights[i]), 1e-6, `${loss}: weight ${i}`));
    assert.ok(Math.abs(logits.evaluate(images, y).loss - probabilities.evaluate(images, y).loss) < 1e-6 * Math.max(1, expected), `${loss}: evaluate`);
    probabilities.dispose();
    logits.dispose();
  }
});

test('a logSoftmax output behind Reshape or Flatten (or a Dropout of rate 0) is still read as log-probabilities', async () => {
  await kernels();
  const y = ids([N]);
  const behind = () => [layers.reshape({ targetShape: [1, 4] }), layers.dropout({ rate: 0 }), layers.flatten()];
  const logProbabilities = sequential({ inputShape: [8, 8, 1], seed: 7, layers: [...smallCnnLayers('logSoftmax'), ...behind()] });
  const probabilities = sequential({ inputShape: [8, 8, 1], seed: 7, layers: [...smallCnnLayers('softmax'), ...behind()] });
  for (const model of [logProbabilities, probabilities]) model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const o = logProbabilities.predict(images).dataSync(), t = y.dataSync();
  const expected = -Array.from(t).reduce((s, id, r) => s + o[r * 4 + id], 0) / N;
  const { loss: actual } = logProbabilities.evaluate(images, y);
  assert.ok(Math.abs(actual - expected) < 1e-5 * Math.max(1, expected), `evaluate ${actual}, −mean of the labels' log-probabilities ${expected}`);
  assert.ok(Math.abs(actual - probabilities.evaluate(images, y).loss) < 1e-5, 'the softmax model\'s loss');
  // The gradients too, not only that some are made: those of the softmax twin.
  logProbabilities.lossAndGradients(images, y);
  probabilities.lossAndGradients(images, y);
  logProbabilities.trainableWeights.forEach((w, i) => assertClose(gradientOf(w), gradientOf(probabilities.trainableWeights[i]), 1e-5, `gradient ${i}`));
  logProbabilities.dispose();
  probabilities.dispose();
});

test('a Dropout after a logSoftmax output is refused (it scales log-probabilities while training), and so are yes/no metrics on log-probabilities', async () => {
  await kernels();
  const dropped = sequential({ inputShape: [8, 8, 1], layers: [...smallCnnLayers('logSoftmax'), layers.dropout({ rate: 0.5 })] });
  throwsWith(() => dropped.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' }), ConfigError, 'Dropout', 'logSoftmax');
  throwsWith(() => smallCnn(1, 'logSoftmax').compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['precision'] }),
    ConfigError, 'precision', 'log-probabilities');
});

test('binaryCrossentropy refuses a logSoftmax output, whose log-probabilities it would clip to nothing', async () => {
  await kernels();
  throwsWith(() => smallCnn(1, 'logSoftmax').compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' }), ConfigError,
    'binaryCrossentropy', 'logSoftmax', 'sigmoid');
  const behindFlatten = sequential({ inputShape: [8, 8, 1], layers: [...smallCnnLayers('logSoftmax'), layers.flatten()] });
  throwsWith(() => behindFlatten.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' }), ConfigError, 'logSoftmax');
});

test('the KL divergence and MSLE refuse a logSoftmax output, whose log-probabilities they would clip to ε: no gradient at all', async () => {
  await kernels();
  // PyTorch's KLDivLoss takes log-probabilities; Keras's kl_divergence takes probabilities, clipped to [1e-7, 1].
  throwsWith(() => smallCnn(1, 'logSoftmax').compile({ optimizer: 'sgd', loss: 'kl_divergence' }), ConfigError,
    'kullbackLeiblerDivergence', 'logSoftmax', "'softmax'", 'KLDivLoss');
  throwsWith(() => smallCnn(1, 'logSoftmax').compile({ optimizer: 'sgd', loss: 'meanSquaredLogarithmicError' }), ConfigError,
    'meanSquaredLogarithmicError', 'logSoftmax');
  const behindFlatten = sequential({ inputShape: [8, 8, 1], layers: [...smallCnnLayers('logSoftmax'), layers.flatten()] });
  throwsWith(() => behindFlatten.compile({ optimizer: 'sgd', loss: 'kullbackLeiblerDivergence' }), ConfigError, 'logSoftmax');
});

test('a logSoftmax over other rows than the output\'s classes is refused by the categorical cross-entropies', async () => {
  await kernels();
  const pairs = sequential({ inputShape: [8, 8, 1], layers: [...smallCnnLayers('linear'), layers.reshape({ targetShape: [2, 2] }),
    layers.activation({ activation: 'logSoftmax' }), layers.flatten()] });
  throwsWith(() => pairs.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' }), ConfigError,
    'classes (4 of them', 'rows of 2');
});

/** evaluate's accuracy, and fit's for the same batch before its step, against `expected` computed from predict. */
async function assertAccuracy(model: Model, y: ReturnType<typeof tensor>, expected: (outputs: Float32Array) => number, what: string) {
  const want = expected(model.predict(images).dataSync());
  assert.ok(want > 0 && want < 1, `${what}: a test that can tell right from wrong (${want})`);
  assert.ok(Math.abs(model.evaluate(images, y, { batchSize: 4 }).accuracy - want) < 1e-12, `${what}: evaluate`);
  const history = await model.fit(images, y, { epochs: 1, batchSize: N, shuffle: false });
  assert.ok(Math.abs(history.history.acc[0] - want) < 1e-12, `${what}: fit reports ${history.history.acc[0]}, expected ${want}`);
}

test('accuracy follows the loss: class ids, per-output yes/no at 0.5, per-output sign for the hinges', async () => {
  await kernels();
  const sparse = smallCnn(11, 'softmax');
  sparse.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const labels = tensor([0, 1, 2, 3, 1, 3], [N]);
  await assertAccuracy(sparse, labels, (o) => argmaxRows(o, 4).reduce((n, c, r) => n + Number(c === labels.dataSync()[r]), 0) / N, 'sparse');

  const binary = smallCnn(12, 'sigmoid');
  binary.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
  const yes = tensor(Float32Array.from({ length: N * 4 }, (_, i) => (i * 7) % 3 === 0 ? 1 : 0), [N, 4]);
  await assertAccuracy(binary, yes, (o) => o.reduce((n, v, i) => n + Number((v > 0.5 ? 1 : 0) === yes.dataSync()[i]), 0) / (N * 4), 'binary');

  // From logits, an output is a yes above 0 (σ(z) > 0.5), not above 0.5; tanh makes outputs on both sides of 0.5 and of 0.
  const fromLogits = smallCnn(14, 'tanh');
  fromLogits.compile({ optimizer: 'sgd', loss: { type: 'binaryCrossentropy', fromLogits: true }, metrics: ['binaryAccuracy'] });
  const rightAtZero = (o: Float32Array) => o.reduce((n, v, i) => n + Number((v > 0 ? 1 : 0) === yes.dataSync()[i]), 0) / (N * 4);
  const outputs = fromLogits.predict(images).dataSync();
  assert.ok(outputs.some((v) => v > 0 && v <= 0.5), 'outputs that a threshold of 0.5 would count otherwise');
  await assertAccuracy(fromLogits, yes, rightAtZero, 'binary from logits');
  assert.ok(Math.abs((fromLogits.evaluate(images, yes).binaryAccuracy as number) - rightAtZero(fromLogits.predict(images).dataSync())) < 1e-12,
    'binaryAccuracy from logits');

  const hinge = smallCnn(13, 'tanh');
  hinge.compile({ optimizer: 'sgd', loss: 'hinge' });
  const signs = tensor(Float32Array.from({ length: N * 4 }, (_, i) => ((i * 5) % 3 === 0 ? 1 : -1)), [N, 4]);
  await assertAccuracy(hinge, signs, (o) => o.reduce((n, v, i) => n + Number(v > 0 === signs.dataSync()[i] > 0), 0) / (N * 4), 'hinge');
});

test('a softmax\'s logits (a categorical cross-entropy fromLogits) have no yes/no cut: the yes/no metrics are refused, the class ones kept', async () => {
  await kernels();
  for (const metric of ['binaryAccuracy', 'precision', 'recall'] as const) {
    throwsWith(() => smallCnn(1, 'linear').compile({ optimizer: 'sgd', loss: { type: 'categoricalCrossentropy', fromLogits: true }, metrics: [metric] }),
      ConfigError, metric, 'softmax\'s logits', 'categoricalAccuracy');
  }
  const model = smallCnn(1, 'linear');
  model.compile({ optimizer: 'sgd', loss: { type: 'categoricalCrossentropy', fromLogits: true }, metrics: ['categoricalAccuracy', 'perClassPrecision'] });
  const probabilities = smallCnn(1, 'softmax');
  probabilities.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['categoricalAccuracy', 'perClassPrecision'] });
  const fromLogits = model.evaluate(images, oneHot()), fromProbabilities = probabilities.evaluate(images, oneHot());
  assert.equal(fromLogits.categoricalAccuracy, fromProbabilities.categoricalAccuracy);
  assert.equal(fromLogits.perClassPrecision, fromProbabilities.perClassPrecision);
});

test('compile warns, once, of logits read as probabilities, of probabilities read as logits, and of poisson on outputs that can go negative', async () => {
  await kernels();
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => warned.push(message);
  try {
    for (const [activation, loss] of [['softmax', 'categoricalCrossentropy'], ['sigmoid', 'binaryCrossentropy'], ['tanh', 'binaryCrossentropy'],
      ['linear', { type: 'binaryCrossentropy', fromLogits: true }], ['linear', 'huber']] as const) {
      smallCnn(1, activation).compile({ optimizer: 'sgd', loss });
    }
    assert.equal(warned, [], 'the pairs that fit');
    for (let i = 0; i < 2; i++) smallCnn(1, 'linear').compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    assert.is(warned.length, 1, 'one warning for two compiles');
    for (const part of ['sparseCategoricalCrossentropy', 'no activation', 'clipped', "activation 'softmax'", 'fromLogits: true']) {
      assert.ok(warned[0].includes(part), `"${warned[0]}" names ${part}`);
    }
    smallCnn(1, 'sigmoid').compile({ optimizer: 'sgd', loss: { type: 'binaryCrossentropy', fromLogits: true } });
    assert.is(warned.length, 2);
    assert.ok(warned[1].includes('fromLogits: true') && warned[1].includes('sigmoid') && warned[1].includes('not logits'), warned[1]);
    assert.ok(warned[1].includes('works from the sigmoid\'s logits anyway'), warned[1]);
    // After an activation the loss does not fuse with, leaving fromLogits out is still the advice, but not that it then works from the logits.
    smallCnn(1, 'sigmoid').compile({ optimizer: 'sgd', loss: { type: 'categoricalCrossentropy', fromLogits: true } });
    assert.is(warned.length, 3);
    assert.ok(warned[2].includes('leave fromLogits out') && !warned[2].includes('anyway'), warned[2]);
    // poisson takes the logarithm of its output: a linear or tanh one can go negative, a softplus one cannot.
    for (const activation of ['softplus', 'sigmoid', 'relu'] as const) smallCnn(1, activation).compile({ optimizer: 'sgd', loss: 'poisson' });
    assert.is(warned.length, 3, 'poisson after activations that are never negative');
    smallCnn(1, 'linear').compile({ optimizer: 'sgd', loss: 'poisson' });
    assert.is(warned.length, 4);
    for (const part of ['poisson', "'linear'", 'negative', 'NaN', "'softplus'"]) assert.ok(warned[3].includes(part), `"${warned[3]}" names ${part}`);
  } finally {
    console.warn = warn;
  }
});

test('Keras\'s names of the losses are TF.js\'s: the same loss and gradients, kept under TF.js\'s name', async () => {
  await kernels();
  type KerasCase = [CompileOptions['loss'], CompileOptions['loss'], ActivationName, () => ReturnType<typeof tensor>];
  /** Each of Keras's names of one loss. */
  const named = (names: CompileOptions['loss'][], ...rest: [CompileOptions['loss'], ActivationName, () => ReturnType<typeof tensor>]) =>
    names.map((name): KerasCase => [name, ...rest]);
  const keras: KerasCase[] = [
    ['categorical_crossentropy', 'categoricalCrossentropy', 'softmax', oneHot],
    [{ type: 'sparse_categorical_crossentropy', fromLogits: true }, { type: 'sparseCategoricalCrossentropy', fromLogits: true }, 'linear', () => ids([N])],
    ['binary_crossentropy', 'binaryCrossentropy', 'sigmoid', multiLabel],
    ['mean_squared_error', 'meanSquaredError', 'linear', values], ['mse', 'meanSquaredError', 'linear', values],
    ['mean_absolute_error', 'meanAbsoluteError', 'linear', values], ['mae', 'meanAbsoluteError', 'linear', values],
    [{ type: 'huber', delta: 0.5 }, { type: 'huber', delta: 0.5 }, 'linear', values], ['hinge', 'hinge', 'tanh', plusMinusOne],
    ['squared_hinge', 'squaredHinge', 'tanh', plusMinusOne], ['categorical_hinge', 'categoricalHinge', 'softmax', oneHot],
    ['MSE', 'meanSquaredError', 'linear', values], ['MAE', 'meanAbsoluteError', 'linear', values],
    ...named(['kl_divergence', 'kld', 'KLD', 'kullback_leibler_divergence', 'klDivergence'], 'kullbackLeiblerDivergence', 'softmax', softLabels),
    ['poisson', 'poisson', 'sigmoid', counts],
    ...named(['log_cosh', 'logcosh', 'logCosh'], 'logcosh', 'linear', values),
    ...named(['mean_squared_logarithmic_error', 'msle', 'MSLE'], 'meanSquaredLogarithmicError', 'sigmoid', values),
    ...named(['mean_absolute_percentage_error', 'mape', 'MAPE'], 'meanAbsolutePercentageError', 'linear', values),
    ...named(['cosine_similarity', 'cosine_proximity', 'cosineSimilarity'], 'cosineProximity', 'linear', values),
  ];
  for (const [kerasName, name, activation, targets] of keras) {
    const theirs = smallCnn(3, activation), ours = smallCnn(3, activation);
    theirs.compile({ optimizer: 'sgd', loss: kerasName });
    ours.compile({ optimizer: 'sgd', loss: name });
    assert.equal(theirs.compileConfig!.loss, name, describe(kerasName));
    const y = targets();
    assert.is(theirs.lossAndGradients(images, y), ours.lossAndGradients(images, y), describe(kerasName));
    theirs.trainableWeights.forEach((w, i) => assert.equal(gradientOf(w), gradientOf(ours.trainableWeights[i]), `${describe(kerasName)}: weight ${i}`));
    theirs.dispose();
    ours.dispose();
  }
});

test('impossible loss settings and targets that do not fit the loss are refused, naming them', async () => {
  await kernels();
  const model = smallCnn(1, 'softmax');
  const compile = (loss: unknown) => model.compile({ optimizer: 'sgd', loss: loss as CompileOptions['loss'] });
  throwsWith(() => compile('dice'), ConfigError, 'dice', 'sparseCategoricalCrossentropy', 'huber');
  throwsWith(() => compile({ type: 'binaryCrossentropy', labelSmoothing: 1.5 }), ConfigError, 'labelSmoothing', '[0, 1]');
  throwsWith(() => compile({ type: 'huber', delta: 0 }), ConfigError, 'delta', 'positive');
  throwsWith(() => compile({ type: 'hinge', labelSmoothing: 0.1 }), ConfigError, 'hinge', 'labelSmoothing');
  throwsWith(() => compile({ type: 'meanSquaredError', fromLogits: true }), ConfigError, 'meanSquaredError', 'fromLogits');
  throwsWith(() => compile({ type: 'binaryCrossentropy', fromLogits: 1 }), ConfigError, 'fromLogits', 'true or false');
  const oneOutput = sequential({ inputShape: [3], layers: [layers.dense({ units: 1, activation: 'sigmoid' })] });
  throwsWith(() => oneOutput.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' }), ConfigError,
    'sparseCategoricalCrossentropy', '[1]');

  compile('sparseCategoricalCrossentropy');
  await rejectsWith(() => model.fit(images, oneHot()), ShapeError, 'fit: loss sparseCategoricalCrossentropy');
  throwsWith(() => model.evaluate(images, oneHot()), ShapeError, 'sparseCategoricalCrossentropy', '[n] or [n, 1]', '[6, 4]');
  throwsWith(() => model.evaluate(images, tensor([0, 1, 2, 3, 4, 0], [N])), ValueError, 'y[4] is 4', 'from 0 to 3');
  throwsWith(() => model.evaluate(images, tensor([0, 1, 2.5, 3, 1, 0], [N, 1])), ValueError, 'y[2] is 2.5');
  throwsWith(() => model.evaluate(images, tensor([0, 1, -1, 3, 1, 0], [N])), ValueError, 'y[2] is -1');
  compile('categoricalCrossentropy');
  throwsWith(() => model.evaluate(images, ids([N])), ShapeError, 'sparseCategoricalCrossentropy');
});

test.run();
