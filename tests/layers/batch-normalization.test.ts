// BatchNormalization in models: its settings refused when impossible, its weights (trainable γ and β,
// the moving statistics as state), fit against the naive reference (batch statistics, Keras's
// moving-statistics step, center or scale false), predict with the moving statistics, and Keras's
// rule that a frozen layer runs in inference mode in fit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import {
  ConfigError, DivergenceError, type Layer, type Model, type BatchNormalizationOptions, layers, sequential, tensor,
} from '../../src/index.js';
import { checkGradient } from '../gradient-check.js';
import { assertClose, assertSameBits, kernels, random } from '../helpers.js';
import * as ref from '../reference/batch-norm.js';
import { type StackLayer, stackBackward, stackForward } from '../reference/stack.js';

const valuesOf = (m: Model) => m.getWeights().map((w) => w.dataSync());
const named = (m: Model, name: string) => valuesOf(m)[m.weights.findIndex((p) => p.name === name)];

/** Random weights for every array, variances positive (a moving variance is never negative). */
function randomize(m: Model, seed: number): void {
  const rng = random(seed);
  m.setWeights(m.weights.map((p) => (p.name.endsWith('moving_variance') ? rng.array(p.size, 0.2, 2) : rng.array(p.size, -0.8, 0.8))));
}

function expectConfigError(build: () => unknown, detail: RegExp): void {
  try {
    build();
  } catch (error) {
    assert.instance(error, ConfigError, String(error));
    assert.match((error as Error).message, detail);
    return;
  }
  assert.unreachable(`expected a ConfigError matching ${detail}`);
}

test('impossible settings are ConfigErrors when the model is built: an axis not the channels, ε ≤ 0, momentum outside [0, 1], center or scale not booleans', async () => {
  await kernels();
  const build = (inputShape: number[], options: Record<string, unknown>) => () =>
    sequential({ inputShape, layers: [layers.batchNormalization({ name: 'bn', ...options } as BatchNormalizationOptions)] });
  for (const axis of [0, 1, 2, -2, 4]) expectConfigError(build([4, 4, 3], { axis }), new RegExp(`bn: axis ${axis} is not the channel axis`));
  for (const axis of [0, 2, -2]) expectConfigError(build([5], { axis }), /bn: axis .* is not the channel axis/);
  expectConfigError(build([4, 4, 3], { axis: [1, 3] }), /bn: axis must be an integer .* one axis, the channels/);
  expectConfigError(build([4, 4, 3], { axis: 1.5 }), /bn: axis must be an integer/);
  for (const epsilon of [0, -1e-3, NaN, '0.1']) expectConfigError(build([5], { epsilon }), /bn: epsilon must be a positive number/);
  for (const momentum of [-0.1, 1.01, NaN]) expectConfigError(build([5], { momentum }), /bn: momentum must be a number in \[0, 1\]/);
  expectConfigError(build([5], { center: 'yes' }), /bn: center must be true or false, got "yes"/);
  expectConfigError(build([5], { scale: 1 }), /bn: scale must be true or false, got 1/);
  // The channel axis, either way it can be written, is accepted.
  for (const axis of [-1, 3, [3]]) sequential({ inputShape: [4, 4, 3], layers: [layers.batchNormalization({ axis } as BatchNormalizationOptions)] }).dispose();
  sequential({ inputShape: [5], layers: [layers.batchNormalization({ axis: 1, momentum: 0, epsilon: 1e-9 })] }).dispose();
});

test('weights: γ and β trainable (absent when scale or center is false), the moving statistics state, in TF.js getWeights() order', async () => {
  await kernels();
  const make = (options: BatchNormalizationOptions = {}) => sequential({ inputShape: [4, 4, 2], layers: [
    layers.conv2d({ filters: 3, kernelSize: 3, name: 'c' }), layers.batchNormalization({ name: 'bn', ...options }),
    layers.flatten(), layers.dense({ units: 2, name: 'd' }),
  ] });
  const m = make();
  assert.equal(m.weights.map((p) => p.name), ['c/kernel', 'c/bias', 'bn/gamma', 'bn/beta', 'd/kernel', 'd/bias', 'bn/moving_mean', 'bn/moving_variance']);
  assert.equal(m.nonTrainableWeights.map((p) => p.name), ['bn/moving_mean', 'bn/moving_variance']);
  assert.equal(valuesOf(m).slice(2, 4).map((w) => [...w]), [[1, 1, 1], [0, 0, 0]], 'γ starts at 1, β at 0');
  assert.equal(valuesOf(m).slice(6).map((w) => [...w]), [[0, 0, 0], [1, 1, 1]], 'moving mean at 0, moving variance at 1');
  assert.is(m.parameterCount, 2 * 9 * 3 + 3 + 4 * 3 + 12 * 2 + 2);
  randomize(m, 3);
  const set = valuesOf(m);
  m.setWeights(set);
  valuesOf(m).forEach((w, i) => assertSameBits(w, set[i], `setWeights round trip ${i}`));
  assert.equal(make({ center: false }).weights.map((p) => p.name).filter((n) => n.startsWith('bn')), ['bn/gamma', 'bn/moving_mean', 'bn/moving_variance']);
  assert.equal(make({ scale: false }).weights.map((p) => p.name).filter((n) => n.startsWith('bn')), ['bn/beta', 'bn/moving_mean', 'bn/moving_variance']);
  const frozen = make();
  frozen.getLayer('bn').trainable = false;
  assert.equal(frozen.nonTrainableWeights.map((p) => p.name), ['bn/gamma', 'bn/beta', 'bn/moving_mean', 'bn/moving_variance']);
});

/** The model's layers as the stack reference takes them: configs, input shapes and current weights. */
const stackOf = (m: Model): StackLayer[] => m.layers.map((l: Layer) => ({
  config: l.getConfig(), inputShape: [...l.inputShape], weights: l.params.map((p) => getBackend().memory.f32(p.value, p.size).slice()),
}));

/**
 * One SGD step of fit on the model (its weights and moving statistics randomized, output linear,
 * loss ½Σ(t − o)²) against the reference: the stack's training forward and backward, w − lr·dw for
 * γ, β and the other weights, Keras's step for the moving statistics of the layer at `bnIndex`.
 */
async function assertStepMatchesReference(m: Model, bnIndex: number, n: number, seed: number, what: string) {
  const rng = random(seed), lr = 0.1;
  randomize(m, seed);
  const inputSize = m.inputShape.reduce((a, b) => a * b, 1), outputs = m.outputShape[0];
  const x = rng.array(n * inputSize, -2, 3), t = rng.array(n * outputs);
  const stack = stackOf(m);
  const forward = stackForward(stack, x, n);
  const o = forward[forward.length - 1];
  const reference = stackBackward(stack, [x, ...forward.slice(0, -1)], forward, o.map((v, i) => (v - t[i]) / n), n);
  const bn = stack[bnIndex], channels = bn.inputShape[bn.inputShape.length - 1];
  const { scale, center, epsilon, momentum } = bn.config as unknown as Required<BatchNormalizationOptions>;
  const w = bn.weights.slice();
  const statistics = ref.batchNormTraining(forward[bnIndex - 1], forward[bnIndex - 1].length / channels, channels,
    { gamma: scale ? w.shift() : undefined, beta: center ? w.shift() : undefined, movingMean: w[0], movingVariance: w[1] },
    { epsilon, momentum, besselCorrection: bn.inputShape.length === 3 });
  m.compile({ optimizer: { type: 'sgd', learningRate: lr }, loss: 'meanSquaredError' });
  await m.fit(tensor(x, [n, ...m.inputShape]), tensor(t, [n, outputs]), { batchSize: n, epochs: 1, shuffle: false });
  m.layers.forEach((layer, i) => layer.params.forEach((p, j) => {
    const actual = getBackend().memory.f32(p.value, p.size).slice();
    const expected = p.name.endsWith('moving_mean') ? statistics.movingMean : p.name.endsWith('moving_variance') ? statistics.movingVariance
      : stack[i].weights[j].map((v, k) => v - lr * reference.grads[i][j][k]);
    assertClose(actual, expected, 1e-4, `${what}: ${p.name}`);
  }));
}

test('fit, one SGD step: batch statistics, γ, β and the weights before them, and the moving statistics (Bessel-corrected for images) match the reference', async () => {
  await kernels();
  for (const [center, scale] of [[true, true], [false, true], [true, false], [false, false]]) {
    const options = { center, scale, momentum: 0.9, epsilon: 1e-2 };
    const images = sequential({ inputShape: [5, 4, 3], layers: [
      layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same' }), layers.batchNormalization(options), layers.flatten(), layers.dense({ units: 3 }),
    ] });
    await assertStepMatchesReference(images, 1, 4, 31, `after conv2d, center ${center}, scale ${scale}`);
    const flat = sequential({ inputShape: [7], layers: [layers.dense({ units: 5 }), layers.batchNormalization(options), layers.dense({ units: 2 })] });
    await assertStepMatchesReference(flat, 1, 6, 32, `after dense, center ${center}, scale ${scale}`);
  }
});

test('predict and evaluate normalise with the moving statistics', async () => {
  await kernels();
  for (const inputShape of [[3, 4, 5], [6]]) {
    const m = sequential({ inputShape, layers: [layers.batchNormalization({ epsilon: 0.05 })] });
    randomize(m, 4);
    const [gamma, beta, movingMean, movingVariance] = valuesOf(m);
    const x = random(5).array(7 * m.inputSize, -3, 3), channels = inputShape[inputShape.length - 1];
    const expected = ref.batchNormInference(x, x.length / channels, channels, { gamma, beta, movingMean, movingVariance }, 0.05);
    assertClose(m.predict(tensor(x, [7, ...inputShape])).dataSync(), expected, 1e-5, `predict ${inputShape}`);
  }
});

test('momentum 1 keeps the moving statistics, whatever the optimizer: they are state, not weights', async () => {
  await kernels();
  const m = sequential({ inputShape: [4, 4, 2], layers: [
    layers.conv2d({ filters: 3, kernelSize: 2 }), layers.batchNormalization({ momentum: 1, name: 'bn' }), layers.flatten(), layers.dense({ units: 2, activation: 'softmax' }),
  ] });
  randomize(m, 6);
  const before = valuesOf(m);
  m.compile({ optimizer: { type: 'adam', learningRate: 0.05, weightDecay: 0.1 }, loss: 'categoricalCrossentropy' });
  const rng = random(7);
  await m.fit(tensor(rng.array(40 * 32), [40, 4, 4, 2]), tensor(Float32Array.from({ length: 80 }, (_, i) => (i % 2 === (i >> 4) % 2 ? 1 : 0)), [40, 2]),
    { epochs: 2, batchSize: 8 });
  const after = valuesOf(m);
  assertSameBits(after[6], before[6], 'moving mean');
  assertSameBits(after[7], before[7], 'moving variance');
  assert.not.equal([...after[2]], [...before[2]], 'γ trained');
});

/** dense → batch normalisation → dense softmax, every array random; the data and labels. */
function frozenCase(seed: number) {
  const rng = random(seed);
  const m = sequential({ inputShape: [6], seed, layers: [
    layers.dense({ units: 5, name: 'first' }), layers.batchNormalization({ name: 'bn' }), layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  randomize(m, seed);
  const labels = new Float32Array(30);
  for (let i = 0; i < 10; i++) labels[i * 3 + rng.int(0, 2)] = 1;
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  return { m, x: tensor(rng.array(60, -2, 2), [10, 6]), y: tensor(labels, [10, 3]) };
}

test('a frozen BatchNormalization runs in inference mode in fit (Keras): the loss and gradients of predict, moving statistics unchanged', async () => {
  await kernels();
  const memory = getBackend().memory;
  for (const frozen of [true, false]) {
    const { m, x, y } = frozenCase(8);
    m.getLayer('bn').trainable = !frozen;
    const before = valuesOf(m);
    const trainingLoss = m.lossAndGradients(x, y);
    const predictLoss = m.evaluate(x, y).loss;
    if (!frozen) {
      assert.ok(Math.abs(trainingLoss - predictLoss) > 1e-3, 'a trainable layer normalises with the batch statistics in fit');
      continue;
    }
    assert.ok(Math.abs(trainingLoss - predictLoss) < 1e-6, `fit's loss ${trainingLoss} is predict's ${predictLoss}`);
    // The first layer's gradient is that of predict's loss: through the fixed statistics.
    const kernel = m.getLayer('first').params[0];
    const values = memory.f32(kernel.value, kernel.size).slice();
    const grad = memory.f32(kernel.grad, kernel.size).slice();
    checkGradient('first/kernel through a frozen batch normalisation', values, grad, () => {
      memory.f32(kernel.value, kernel.size).set(values);
      return m.evaluate(x, y).loss;
    }, random(9).next, 30);
    memory.f32(kernel.value, kernel.size).set(values);
    await m.fit(x, y, { epochs: 3, batchSize: 4 });
    const after = valuesOf(m);
    m.nonTrainableWeights.forEach((p) => assertSameBits(named(m, p.name), before[m.weights.indexOf(p)], `${p.name} of the frozen layer`));
    assert.not.equal([...after[0]], [...before[0]], 'the layer before it still trains');
  }
});

test('a BatchNormalization frozen through its model (model.trainable = false, nested) keeps its statistics in the outer fit', async () => {
  await kernels();
  const rng = random(10);
  const inner = sequential({ name: 'inner', inputShape: [6], layers: [layers.dense({ units: 4 }), layers.batchNormalization({ name: 'inner_bn' })] });
  const outer = sequential({ inputShape: [6], layers: [inner, layers.dense({ units: 2, activation: 'softmax' })] });
  randomize(outer, 11);
  inner.trainable = false;
  const before = ['inner_bn/moving_mean', 'inner_bn/moving_variance'].map((n) => named(outer, n));
  outer.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  await outer.fit(tensor(rng.array(48), [8, 6]), tensor(Float32Array.from({ length: 16 }, (_, i) => i % 2), [8, 2]), { epochs: 2, batchSize: 4 });
  ['inner_bn/moving_mean', 'inner_bn/moving_variance'].forEach((n, i) => assertSameBits(named(outer, n), before[i], n));
});

test('trainable changed during fit (a callback) takes effect at the next fit: the BatchNormalization keeps the mode the run began in', async () => {
  await kernels();
  const rng = random(14);
  const x = tensor(rng.array(48), [8, 6]), y = tensor(Float32Array.from({ length: 16 }, (_, i) => i % 2), [8, 2]);
  for (const frozenAtStart of [true, false]) {
    const base = sequential({ name: 'base', inputShape: [6], layers: [layers.dense({ units: 4 }), layers.batchNormalization({ name: 'bn' })] });
    const m = sequential({ inputShape: [6], seed: 2, layers: [base, layers.dense({ units: 2, activation: 'softmax' })] });
    randomize(m, 15);
    base.trainable = !frozenAtStart;
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    const statistics = () => ['bn/moving_mean', 'bn/moving_variance'].map((n) => named(m, n));
    const atStart = statistics();
    let atSwitch: Float32Array[] = [];
    await m.fit(x, y, { epochs: 3, batchSize: 4, onEpochEnd: (epoch) => {
      if (epoch > 0) return;
      atSwitch = statistics();
      base.trainable = frozenAtStart;
    } });
    if (frozenAtStart) {
      statistics().forEach((s, i) => assertSameBits(s, atStart[i], 'frozen as the run began: the statistics never moved'));
    } else {
      assert.not.equal([...atSwitch[0]], [...atStart[0]], 'trainable as the run began: the statistics moved in the first epoch');
      assert.not.equal([...statistics()[0]], [...atSwitch[0]], 'and went on moving after the callback froze it');
    }
    m.dispose();
  }
});

test('a step whose forward pass overflows the moving variance is undone, the moving statistics with it', async () => {
  await kernels();
  const m = sequential({ inputShape: [4, 4, 1], layers: [
    layers.conv2d({ filters: 2, kernelSize: 2 }), layers.batchNormalization({ name: 'bn' }), layers.flatten(), layers.dense({ units: 2 }),
  ] });
  randomize(m, 12);
  const rng = random(13);
  const x = tensor(rng.array(16 * 16), [16, 4, 4, 1]), y = tensor(rng.array(32), [16, 2]);
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  let lastGood = valuesOf(m);
  // Inputs near 1e25 give a batch variance near 1e50, past f32: normalised outputs and gradients stay finite.
  const scaled = tensor(x.dataSync().map((v, i) => (i < 8 * 16 ? v : v * 1e25)), [16, 4, 4, 1]);
  let error: unknown;
  try {
    await m.fit(scaled, y, { batchSize: 8, epochs: 1, shuffle: false, onBatchEnd: () => { lastGood = valuesOf(m); } });
  } catch (e) {
    error = e;
  }
  assert.instance(error, DivergenceError);
  assert.match((error as Error).message, /the step made bn\/moving_variance NaN or infinite \(it was undone\) at epoch 1, batch 2/);
  valuesOf(m).forEach((w, i) => assertSameBits(w, lastGood[i], `${m.weights[i].name} after the undone step`));
});

test.run();
