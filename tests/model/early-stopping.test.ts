// callbacks.earlyStopping as Keras computes it: against TF.js's tf.callbacks.earlyStopping on the
// same sequences of monitored values (where TF.js has Keras's behaviour: no baseline), against
// Keras's documented semantics where TF.js departs (baseline, startFromEpoch, restoreBestWeights,
// which TF.js lacks), in a real fit beside TF.js's, and its settings' errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  ConfigError, type EarlyStoppingOptions, type Logs, type TrainedModel, callbacks, init, layers, sequential, tensor,
} from '../../src/index.js';
import { random } from '../helpers.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

/** A stand-in model that only records stopTraining (both libraries' callbacks set it). */
const fakeModel = () => ({ stopTraining: false }) as unknown as TrainedModel & { stopTraining: boolean };

/** The epoch at which convas's earlyStopping stops on these values (−1: never). */
async function convasStop(values: number[], options: EarlyStoppingOptions): Promise<number> {
  const monitor = options.monitor ?? 'val_loss';
  const callback = callbacks.earlyStopping(options);
  const model = fakeModel();
  callback.setModel(model);
  callback.setParams({ epochs: values.length, initialEpoch: 0, doValidation: true, metrics: ['loss', 'acc', 'val_loss', 'val_acc'] });
  callback.onTrainBegin();
  for (let epoch = 0; epoch < values.length; epoch++) {
    callback.onEpochEnd(epoch, { loss: 0, acc: 0, [monitor]: values[epoch] } as Logs);
    if (model.stopTraining) return epoch;
  }
  return -1;
}

/** The same with TF.js's EarlyStopping. */
async function tfjsStop(values: number[], options: EarlyStoppingOptions): Promise<number> {
  const monitor = options.monitor ?? 'val_loss';
  const callback = tfl.callbacks.earlyStopping(options as never);
  const model = { stopTraining: false };
  (callback as unknown as { model: unknown }).model = model;
  await callback.onTrainBegin();
  for (let epoch = 0; epoch < values.length; epoch++) {
    await callback.onEpochEnd(epoch, { [monitor]: values[epoch] });
    if (model.stopTraining) return epoch;
  }
  return -1;
}

test('stops at the same epoch as TF.js on 400 random runs of patience, minDelta, mode and monitor', async () => {
  const rng = random(5);
  let stopped = 0;
  for (let run = 0; run < 400; run++) {
    const monitor = rng.pick(['val_loss', 'val_acc', 'loss', 'acc']);
    const options: EarlyStoppingOptions = {
      monitor, patience: rng.int(0, 4), minDelta: rng.pick([0, 0, 0.01, 0.05, -0.02]), mode: rng.pick(['auto', 'auto', 'min', 'max'] as const),
    };
    // A walk that drifts up, down or neither, sometimes flat (exact ties): improvements, ties and near-misses all occur.
    const drift = rng.pick([-0.45, 0, 0.45]);
    let value = rng.next();
    const values = Array.from({ length: 15 }, () => (value += rng.next() < 0.2 ? 0 : (rng.next() - 0.5 + drift) * 0.1));
    const expected = await tfjsStop(values, options);
    assert.is(await convasStop(values, options), expected, `${JSON.stringify(options)} on ${values.map((v) => v.toFixed(3)).join(' ')}`);
    if (expected >= 0) stopped++;
  }
  assert.ok(stopped > 50 && stopped < 350, `${stopped} of 400 runs stopped: the cases should cover both`);
});

test('with a baseline, Keras\'s rule (which TF.js does not follow): waiting restarts only on an epoch that beats the baseline', async () => {
  // Keras: epoch 0 improves on ∞ (best 0.9) but not on the baseline 0.5, so wait stays 1; epoch 1
  // improves again (0.8), still not the baseline: wait 2, but an improving epoch never stops;
  // epoch 2 (0.85) does not improve and wait 3 ≥ patience 2: stop at epoch 2.
  const values = [0.9, 0.8, 0.85, 0.7, 0.6];
  assert.is(await convasStop(values, { baseline: 0.5, patience: 2 }), 2);
  // TF.js starts its best at the baseline, so it stops one epoch earlier.
  assert.is(await tfjsStop(values, { baseline: 0.5, patience: 2 }), 1);
  // An epoch that beats the baseline restarts the wait.
  assert.is(await convasStop([0.9, 0.4, 0.45, 0.46, 0.47], { baseline: 0.5, patience: 2 }), 3);
});

test('startFromEpoch: the epochs before it are not watched; epoch 0 never stops', async () => {
  // Rising values: with patience 0, stop at the first epoch watched after the first.
  assert.is(await convasStop([1, 2, 3, 4, 5, 6], { patience: 0 }), 1);
  assert.is(await convasStop([1, 2, 3, 4, 5, 6], { patience: 0, startFromEpoch: 3 }), 4);
  // A NaN at epoch 0 improves on nothing, yet Keras never stops at epoch 0 (TF.js does).
  assert.is(await convasStop([NaN, 1, 0.5], { patience: 0 }), -1);
  assert.is(await tfjsStop([NaN, 1, 0.5], { patience: 0 }), 0);
});

// --- in a real fit

const N = 24, FEATURES = 5, CLASSES = 3;

function data(seed: number, n: number) {
  const rng = random(seed);
  const x = rng.array(n * FEATURES);
  const y = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) y[i * CLASSES + rng.int(0, CLASSES - 1)] = 1;
  return { x, y };
}

test('in fit beside TF.js (same model, weights and data): the same val_loss each epoch and the same stopping epoch', async () => {
  const train = data(1, N), held = data(2, 12);
  const tfjsModel = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [FEATURES], units: CLASSES, activation: 'softmax' })] });
  const net = sequential({ inputShape: [FEATURES], layers: [layers.dense({ units: CLASSES, activation: 'softmax' })] });
  net.setWeights(tfjsModel.getWeights().map((w) => tensor(w.dataSync() as Float32Array, [...w.shape])));
  // A large rate on random labels: the held-out loss falls, then rises.
  tfjsModel.compile({ optimizer: tf.train.sgd(1.5), loss: 'categoricalCrossentropy' });
  net.compile({ optimizer: { type: 'sgd', learningRate: 1.5 }, loss: 'categoricalCrossentropy' });
  const options = { monitor: 'val_loss', patience: 2, minDelta: 0.001 };
  const expected = await tfjsModel.fit(tf.tensor(train.x, [N, FEATURES]), tf.tensor(train.y, [N, CLASSES]), {
    epochs: 40, batchSize: 8, shuffle: false, validationData: [tf.tensor(held.x, [12, FEATURES]), tf.tensor(held.y, [12, CLASSES])],
    callbacks: tfl.callbacks.earlyStopping(options), verbose: 0,
  });
  const history = await net.fit(tensor(train.x, [N, FEATURES]), tensor(train.y, [N, CLASSES]), {
    epochs: 40, batchSize: 8, shuffle: false, validationData: [tensor(held.x, [12, FEATURES]), tensor(held.y, [12, CLASSES])],
    callbacks: [callbacks.earlyStopping(options)],
  });
  const tfjsLosses = expected.history.val_loss as number[];
  assert.ok(tfjsLosses.length < 40, `TF.js should stop early (ran ${tfjsLosses.length} epochs)`);
  assert.is(history.epoch.length, tfjsLosses.length);
  history.history.val_loss!.forEach((v, i) => assert.ok(Math.abs(v - tfjsLosses[i]) < 1e-4, `epoch ${i}: ${v} vs ${tfjsLosses[i]}`));
});

test('restoreBestWeights puts back the weights of the best epoch, after an early stop and after the last epoch (Keras 3)', async () => {
  const train = data(3, N), held = data(4, 12);
  for (const patience of [1, 100]) {
    const net = sequential({ inputShape: [FEATURES], seed: 2, layers: [layers.dense({ units: 6, activation: 'tanh' }), layers.dense({ units: CLASSES, activation: 'softmax' })] });
    net.compile({ optimizer: { type: 'sgd', learningRate: 2 }, loss: 'categoricalCrossentropy' });
    const seen: Array<{ loss: number; weights: Float32Array[] }> = [];
    const history = await net.fit(tensor(train.x, [N, FEATURES]), tensor(train.y, [N, CLASSES]), {
      epochs: 12, batchSize: 8, shuffle: false, validationData: [tensor(held.x, [12, FEATURES]), tensor(held.y, [12, CLASSES])],
      callbacks: [
        { onEpochEnd: (_, logs) => void seen.push({ loss: logs.val_loss!, weights: net.getWeights().map((w) => w.dataSync()) }) },
        callbacks.earlyStopping({ patience, restoreBestWeights: true }),
      ],
    });
    // The plain reference: the first epoch whose val_loss is below every earlier one's.
    let best = 0;
    seen.forEach((s, i) => { if (s.loss < seen[best].loss) best = i; });
    assert.ok(best < seen.length - 1, `the last epoch should not be the best (patience ${patience}), or the test proves nothing`);
    if (patience === 1) assert.ok(history.epoch.length < 12, 'stopped early');
    net.getWeights().forEach((w, i) => assert.equal([...w.dataSync()], [...seen[best].weights[i]], `weight ${i}, patience ${patience}`));
  }
});

test('bad settings are ConfigErrors naming them; an unknown monitor is refused before training starts', async () => {
  throwsWith(() => callbacks.earlyStopping({ patience: -1 }), ConfigError, 'patience');
  throwsWith(() => callbacks.earlyStopping({ patience: 1.5 }), ConfigError, 'patience');
  throwsWith(() => callbacks.earlyStopping({ mode: 'up' as never }), ConfigError, 'mode', 'up');
  throwsWith(() => callbacks.earlyStopping({ minDelta: NaN }), ConfigError, 'minDelta');
  throwsWith(() => callbacks.earlyStopping({ baseline: Infinity }), ConfigError, 'baseline');
  throwsWith(() => callbacks.earlyStopping({ startFromEpoch: -2 }), ConfigError, 'startFromEpoch');
  throwsWith(() => callbacks.earlyStopping({ restoreBestWeights: 'yes' as never }), ConfigError, 'restoreBestWeights');
  // A misspelt setting is refused, not ignored (the run would go on without it).
  throwsWith(() => callbacks.earlyStopping({ patiance: 3 } as never), ConfigError, 'unknown setting patiance', 'patience');
  throwsWith(() => callbacks.earlyStopping({ restoreBestWeight: true } as never), ConfigError, 'restoreBestWeight;', 'restoreBestWeights');
  const net = sequential({ inputShape: [FEATURES], layers: [layers.dense({ units: CLASSES, activation: 'softmax' })] });
  net.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['perClassF1'] });
  const before = net.getWeights().map((w) => w.dataSync());
  const { x, y } = data(5, N);
  const fit = (options: EarlyStoppingOptions, validationSplit?: number) =>
    net.fit(tensor(x, [N, FEATURES]), tensor(y, [N, CLASSES]), { validationSplit, callbacks: [callbacks.earlyStopping(options)] });
  await rejectsWith(() => fit({ monitor: 'val_los' }, 0.25), ConfigError, 'unknown monitor "val_los"', 'val_loss');
  await rejectsWith(() => fit({}), ConfigError, 'unknown monitor "val_loss"', 'need validationData or validationSplit');
  await rejectsWith(() => fit({ monitor: 'perClassF1' }), ConfigError, 'per class');
  net.getWeights().forEach((w, i) => assert.equal([...w.dataSync()], [...before[i]], 'no step was taken'));
});

test.run();
