// A fit that diverges stops at once with a DivergenceError naming where, and keeps the last good
// weights: the model still predicts, saves and loads. An exploding loss is a divergence too (a
// batch's loss above divergence.factor × the first batch's since compile, at least 1 — or above
// divergence.maxLoss), while healthy runs of every optimizer are never stopped.
import { createRequire } from 'node:module';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { loadBundledDigits } from '../../src/data/mnist-node.js';
import {
  ConfigError, DivergenceError, type FitOptions, type LayerConfig, type Model, type OptimizerConfig, type Tensor, init, layers,
  callbacks, loadModel, oneHot, schedules, sequential, tensor,
} from '../../src/index.js';
import { OPTIMIZERS } from '../../src/model/optimizer-types.js';
import { assertSameBits, assertSameWeights, strokeData, temporaryDirectory } from '../io/model-files.js';
import { smallCnn } from '../model/synthetic.js';
import { expectError } from '../data/expect-error.js';

/** A linear output under squared error: nothing saturates, so a learning rate far too high blows up. */
const regression = () => sequential({ inputShape: [8, 8, 1], seed: 4, layers: [
  layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }), layers.flatten(), layers.dense({ units: 4 }),
] });

const weightsOf = (model: Model) => model.getWeights().map((w) => w.dataSync());

/**
 * Fits until it diverges, recording the weights after every batch. Returns the error's message and
 * which weights the model kept: 'this step' (from before the failing batch's step), 'step before'
 * (from before the step that led to the failing batch) or 'start' (those fit started from).
 */
async function fitUntilDivergence(model: Model, x: Tensor | Tensor[], y: Tensor, options: FitOptions) {
  const seen = [weightsOf(model)];
  let error: unknown;
  try {
    await model.fit(x, y, { ...options, onBatchEnd: () => void seen.push(weightsOf(model)) });
  } catch (e) {
    error = e;
  }
  assert.instance(error, DivergenceError, `expected a DivergenceError, got ${error}`);
  const message = (error as Error).message;
  assert.match(message, /at epoch \d+, batch \d+; training stopped with the weights/);
  assert.match(message, /Try a lower learningRate \(now [\d.e+-]+\)/);
  const kept = /from before that step/.test(message) ? 'this step' : /from before the step that led to it/.test(message) ? 'step before' : 'start';
  const expected = kept === 'this step' ? seen.at(-1)! : kept === 'step before' ? seen.at(-2)! : seen[0];
  weightsOf(model).forEach((w, i) => assertSameBits(w, expected[i], `weight ${i}: the weights ${kept === 'start' ? 'fit started from' : `from before ${kept}`}`));
  return { message, kept, batchesDone: seen.length - 1 };
}

/** The model still predicts finite values, saves and loads to the same predictions. */
async function assertStillUsable(model: Model, x: Tensor): Promise<void> {
  const prediction = model.predict(x).dataSync();
  assert.ok(prediction.every(Number.isFinite), 'predictions from the kept weights are finite');
  const dir = await temporaryDirectory();
  await model.save(dir);
  const loaded = await loadModel(dir);
  assertSameWeights(loaded, model, 'saved after divergence');
  assertSameBits(loaded.predict(x).dataSync(), prediction, 'loaded predictions');
}

async function divergingRegression(optimizer: OptimizerConfig, scaleWeights = 1, options: FitOptions = {}) {
  await init();
  const { x, y } = strokeData(64, 3);
  const model = regression();
  model.compile({ optimizer, loss: 'meanSquaredError' });
  model.setWeights(model.getWeights().map((w) => w.dataSync().map((v) => v * scaleWeights)));
  const result = await fitUntilDivergence(model, x, y, { epochs: 20, batchSize: 8, ...options });
  return { ...result, model, x };
}

test('learningRate 1e3: fit stops with the last good weights; they predict and save', async () => {
  const { model, x, message } = await divergingRegression({ type: 'sgd', learningRate: 1e3 });
  assert.match(message, /the loss exploded to .* over .* = divergence.factor 100 ×/);
  await assertStillUsable(model, x);
});

test('a step whose update overflows the weights is undone (weights and optimizer state)', async () => {
  // The loss check is off, so that the first step's update reaches the weights and overflows them.
  const { model, x, message, kept } = await divergingRegression({ type: 'momentum', learningRate: 1e38 }, 1, { divergence: false });
  assert.match(message, /the step made .* NaN or infinite \(it was undone\)/);
  assert.is(kept, 'this step');
  await assertStillUsable(model, x);
});

test('an infinite loss stops fit before the step, keeping the weights fit started from', async () => {
  const { message, kept } = await divergingRegression({ type: 'sgd', learningRate: 0.01 }, 1e30);
  assert.match(message, /the loss became (Infinity|NaN) at epoch 1, batch 1; training stopped with the weights fit started from/);
  assert.is(kept, 'start');
});

test('an infinite gradient under a finite loss stops fit before the step', async () => {
  // Outputs near 1e33 stay finite in f32, and so does their squared error summed in f64, but the
  // dense kernel's gradient (inputs near 1e16 times output errors near 1e33) overflows.
  const { message, kept } = await divergingRegression({ type: 'sgd', learningRate: 0.01 }, 1e16, { divergence: false });
  assert.match(message, /the gradient of .* became NaN or infinite at epoch 1, batch 1/);
  assert.is(kept, 'this step');
});

test('a run that diverges still ends: onTrainEnd runs (restoreBestWeights restores), and the error holds the finished epochs', async () => {
  await init();
  const { x, y } = strokeData(64, 3);
  const model = regression();
  // A sane rate for two epochs (8 batches each), then one that blows the third up.
  model.compile({ optimizer: { type: 'sgd', learningRate: schedules.piecewiseConstantDecay({ boundaries: [16], values: [0.01, 1e6] }) },
    loss: 'meanSquaredError' });
  const seen: Array<{ loss: number; weights: Float32Array[] }> = [];
  let trainEnds = 0;
  let error: unknown;
  try {
    await model.fit(x, y, { epochs: 5, batchSize: 8, shuffle: false, callbacks: [
      { onEpochEnd: (_, logs) => void seen.push({ loss: logs.loss!, weights: weightsOf(model) }), onTrainEnd: () => void trainEnds++ },
      // The most loss is "best": the first epoch, not the weights the divergence leaves, so restoring shows.
      callbacks.earlyStopping({ monitor: 'loss', mode: 'max', patience: 100, restoreBestWeights: true }),
    ] });
  } catch (e) {
    error = e;
  }
  assert.instance(error, DivergenceError);
  const { message, history } = error as DivergenceError;
  assert.match(message, /at epoch 3, batch \d+/);
  assert.is(trainEnds, 1);
  assert.equal(history?.epoch, [0, 1]);
  assert.equal(history?.history.loss, seen.map((s) => s.loss));
  let best = 0;
  seen.forEach((s, i) => { if (s.loss > seen[best].loss) best = i; });
  assert.is(best, 0, 'the best epoch is not the last finished one, or the test proves nothing');
  weightsOf(model).forEach((w, i) => assertSameBits(w, seen[best].weights[i], `weight ${i}: the best epoch's`));
  // A callback failing at the end of a diverged run does not hide the divergence: its error goes with it.
  const failing = regression();
  failing.compile({ optimizer: { type: 'sgd', learningRate: schedules.piecewiseConstantDecay({ boundaries: [16], values: [0.01, 1e6] }) },
    loss: 'meanSquaredError' });
  const bug = new Error('a bug in onTrainEnd');
  const thrown = await failing.fit(x, y, { epochs: 5, batchSize: 8, shuffle: false, callbacks: [{ onTrainEnd: () => { throw bug; } }] })
    .catch((e: unknown) => e);
  assert.instance(thrown, DivergenceError);
  assert.is((thrown as DivergenceError).callbackError, bug);
  assert.equal((thrown as DivergenceError).history?.epoch, [0, 1]);
});

// The bundled digits, as the site and the command line train on them.
const mnistInstalled = (() => {
  try {
    createRequire(import.meta.url).resolve('mnist/package.json');
    return true;
  } catch {
    console.log('skipping the digits divergence tests: the optional "mnist" package is not installed');
    return false;
  }
})();

/** The site's small CNN preset. */
const SMALL_CNN: LayerConfig[] = [
  { className: 'Conv2D', filters: 8, kernelSize: 5 }, { className: 'ReLU' }, { className: 'MaxPooling2D', poolSize: 2 },
  { className: 'Flatten' }, { className: 'Dense', units: 10, activation: 'softmax' },
];

async function digits(n: number): Promise<{ x: Tensor; y: Tensor }> {
  await init();
  const { train } = await loadBundledDigits();
  return { x: tensor(train.images.subarray(0, n * 784), [n, 28, 28, 1]), y: tensor(oneHot(train.labels.subarray(0, n), 10), [n, 10]) };
}

const digitsModel = (optimizer: OptimizerConfig) => {
  const model = sequential({ inputShape: [28, 28, 1], layers: SMALL_CNN, seed: 1 });
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return model;
};

if (mnistInstalled) {
  test('digits, learning rate 100: the loss explodes at the second batch (no NaN), fit stops, the weights before the step that did it are kept', async () => {
    const { x, y } = await digits(512);
    for (const type of ['adam', 'sgd', 'momentum'] as const) {
      const model = digitsModel({ type, learningRate: 100 });
      const { message, kept } = await fitUntilDivergence(model, x, y, { epochs: 3, batchSize: 32 });
      assert.match(message, /^fit: the loss exploded to [\d.e+]+, over 2\d\d = divergence\.factor 100 × the first batch's loss since compile, 2\.\d\d at epoch 1, batch 2; /, `${type}: ${message}`);
      assert.is(kept, 'step before', type);
      assert.match(message, /Try a lower learningRate \(now 100\)/);
      const { loss, accuracy } = model.evaluate(x, y);
      assert.ok(loss < 2.5 && accuracy < 0.2, `${type}: the kept weights are the untrained ones (loss ${loss}, accuracy ${accuracy})`);
      await assertStillUsable(model, x);
    }
  });

  test('digits: a schedule that jumps to 100 at step 20 stops at batch 22 with the weights of step 20, which learned', async () => {
    const { x, y } = await digits(1024);
    const model = digitsModel({ type: 'adam', learningRate: schedules.piecewiseConstantDecay({ boundaries: [19], values: [0.003, 100] }) });
    const before = model.evaluate(x, y).accuracy;
    const { message, kept, batchesDone } = await fitUntilDivergence(model, x, y, { epochs: 2, batchSize: 32 });
    assert.match(message, /at epoch 1, batch 22; training stopped with the weights from before the step that led to it/);
    assert.is(kept, 'step before');
    assert.is(batchesDone, 21);
    const after = model.evaluate(x, y).accuracy;
    assert.ok(after > before + 0.3, `the kept weights learned: accuracy ${before} → ${after}`);
  });

  test('digits: the bound is the first batch since compile, across fits; a fit that starts exploded keeps its starting weights', async () => {
    const { x, y } = await digits(256);
    // Steps 0–7 (the first fit's 8 batches) at 0.003, then 100: the second fit's first batch explodes.
    const model = digitsModel({ type: 'adam', learningRate: schedules.piecewiseConstantDecay({ boundaries: [7], values: [0.003, 100] }) });
    await model.fit(x, y, { epochs: 1, batchSize: 32 });
    const trained = weightsOf(model);
    // The jump is at step 8, so the second fit's first step is the first at 100; its second batch explodes.
    const { message, kept } = await fitUntilDivergence(model, x, y, { epochs: 1, batchSize: 32 });
    assert.match(message, /at epoch 1, batch 2; training stopped with the weights from before the step that led to it/);
    assert.is(kept, 'step before');
    weightsOf(model).forEach((w, i) => assertSameBits(w, trained[i], `weight ${i}: the first fit's`));
    // Compiled again at 100 from these weights: a new reference, taken from the first batch. Its
    // own step makes the second batch explode; the second fit then starts from exploded weights,
    // which the bound set by the first fit's first batch catches at once.
    model.compile({ optimizer: { type: 'sgd', learningRate: 100 }, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, batchSize: 256, divergence: false });
    const exploded = weightsOf(model);
    const second = await fitUntilDivergence(model, x, y, { epochs: 1, batchSize: 32 });
    assert.match(second.message, /at epoch 1, batch 1; training stopped with the weights fit started from/);
    weightsOf(model).forEach((w, i) => assertSameBits(w, exploded[i], `weight ${i}: the second fit's start`));
  });

  test('digits: healthy runs of every optimizer, at its default learning rate and a brisk one, are never stopped', async () => {
    const { x, y } = await digits(1024);
    const brisk: Record<string, number> = { sgd: 0.1, momentum: 0.05, adam: 0.01, adamw: 0.01, adamax: 0.01, rmsprop: 0.01, adagrad: 0.1, adadelta: 1 };
    for (const type of OPTIMIZERS) {
      for (const learningRate of [undefined, brisk[type]]) {
        const model = digitsModel({ type, ...(learningRate ? { learningRate } : {}) });
        const history = await model.fit(x, y, { epochs: 2, batchSize: 32 });
        assert.is(history.epoch.length, 2, `${type} ${learningRate ?? 'default'}`);
      }
    }
  });
}

test('fine-tuning a model whose loss starts near 0: the first batch counts as at least 1, so a bumpy but healthy run goes on', async () => {
  await init();
  const { x, y } = strokeData(128, 5);
  const model = smallCnn(2);
  model.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 60, batchSize: 16 });
  // Compiled again, on new examples: the first batch's loss is small (about 0.06), and a brisk rate
  // sends later batches to many times it (about 19×) before the model settles. A tight factor of 10
  // measured from the first batch itself would stop this run; from 1 it does not.
  model.compile({ optimizer: { type: 'sgd', learningRate: 0.2 }, loss: 'categoricalCrossentropy' });
  const { x: other, y: otherLabels } = strokeData(128, 6);
  const batchLosses: number[] = [];
  let sum = 0;
  const history = await model.fit(other, otherLabels, { epochs: 3, batchSize: 16, divergence: { factor: 10 }, onBatchEnd: (b, logs) => {
    if (b === 0) sum = 0;
    batchLosses.push(logs.loss * (b + 1) - sum);
    sum = logs.loss * (b + 1);
  } });
  assert.is(history.epoch.length, 3);
  assert.ok(batchLosses[0] < 0.1 && Math.max(...batchLosses) > 10 * batchLosses[0], `first batch ${batchLosses[0]}, largest ${Math.max(...batchLosses)}`);
  assert.ok(model.evaluate(other, otherLabels).accuracy > 0.9, 'the run was healthy');
});

test('divergence options: maxLoss is a bound of its own; false only stops on NaN and infinity; bad settings are ConfigErrors', async () => {
  await init();
  const { x, y } = strokeData(64, 3);
  const compiled = () => {
    const model = regression();
    model.compile({ optimizer: { type: 'sgd', learningRate: 0.001 }, loss: 'meanSquaredError' });
    return model;
  };
  const first = compiled().evaluate(x, y).loss;
  const { message, kept } = await fitUntilDivergence(compiled(), x, y, { epochs: 1, batchSize: 8, divergence: { maxLoss: first / 100 } });
  assert.match(message, /the loss reached [\d.e+-]+, over divergence\.maxLoss [\d.e+-]+ at epoch 1, batch 1/);
  assert.is(kept, 'start');
  const exploding = regression();
  exploding.compile({ optimizer: { type: 'sgd', learningRate: 5 }, loss: 'meanSquaredError' });
  const losses: number[] = [];
  await exploding.fit(x, y, { epochs: 3, batchSize: 8, divergence: false, onEpochEnd: (_, logs) => void losses.push(logs.loss) });
  assert.ok(losses.every(Number.isFinite) && losses[2] > 100 * Math.max(first, 1), `an exploding run finishes with the check off: ${losses}`);
  const model = compiled();
  for (const [divergence, detail] of [
    [{ factor: 0.5 }, /divergence: factor must be a number ≥ 1, got 0\.5/],
    [{ maxLoss: -1 }, /divergence: maxLoss must be a positive number, got -1/],
    [{ maxLos: 3 }, /divergence: unknown setting maxLos; its settings are factor, maxLoss/],
    [true, /divergence must be \{ factor, maxLoss \} or false, got true/],
  ] as const) {
    await expectError(() => model.fit(x, y, { divergence: divergence as FitOptions['divergence'] }), ConfigError, 'fit', detail);
  }
});

test.run();
