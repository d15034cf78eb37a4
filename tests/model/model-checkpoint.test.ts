// callbacks.modelCheckpoint: a saved model per epoch under {epoch} and log placeholders, or with
// saveBestOnly only the best epoch's (as Keras decides it), each loadable with the weights of its
// epoch; bad destinations and monitors are ConfigErrors before training starts.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type Tensor, callbacks, init, layers, loadModel, sequential, tensor } from '../../src/index.js';
import { random } from '../helpers.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

const N = 24, FEATURES = 5, CLASSES = 3;
let dir = '';

test.before(async () => {
  await init();
  dir = mkdtempSync(join(tmpdir(), 'convas-checkpoint-'));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

function data(seed: number, n: number) {
  const rng = random(seed);
  const x = rng.array(n * FEATURES);
  const y = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) y[i * CLASSES + rng.int(0, CLASSES - 1)] = 1;
  return [tensor(x, [n, FEATURES]), tensor(y, [n, CLASSES])] as [Tensor, Tensor];
}

function net() {
  const model = sequential({ inputShape: [FEATURES], seed: 3, layers: [layers.dense({ units: 6, activation: 'tanh' }), layers.dense({ units: CLASSES, activation: 'softmax' })] });
  model.compile({ optimizer: { type: 'sgd', learningRate: 2 }, loss: 'categoricalCrossentropy' });
  return model;
}

/** Trains 8 epochs with `checkpoint`, recording each epoch's logs and weights. */
async function train(checkpoint: ReturnType<typeof callbacks.modelCheckpoint>) {
  const model = net();
  const epochs: Array<{ valLoss: number; valAcc: number; weights: Float32Array[] }> = [];
  await model.fit(...data(1, N), {
    epochs: 8, batchSize: 8, shuffle: false, validationData: data(2, 12),
    callbacks: [{ onEpochEnd: (_, logs) => void epochs.push({ valLoss: logs.val_loss!, valAcc: logs.val_acc!, weights: model.getWeights().map((w) => w.dataSync()) }) }, checkpoint],
  });
  return epochs;
}

async function savedWeights(path: string): Promise<Float32Array[]> {
  const loaded = await loadModel(path);
  return loaded.getWeights().map((w) => w.dataSync());
}

test('every epoch under {epoch:02d}: each saved model holds the weights of its epoch', async () => {
  const epochs = await train(callbacks.modelCheckpoint(join(dir, 'every', 'epoch-{epoch:02d}')));
  assert.equal(readdirSync(join(dir, 'every')).sort(), Array.from({ length: 8 }, (_, i) => `epoch-0${i + 1}`));
  for (const [i, epoch] of epochs.entries()) {
    (await savedWeights(join(dir, 'every', `epoch-0${i + 1}`))).forEach((w, j) => assert.equal([...w], [...epoch.weights[j]], `epoch ${i + 1} weight ${j}`));
  }
});

test('saveBestOnly keeps the best epoch\'s model: val_loss falling, val_acc rising; {val_loss:.4f} names the file', async () => {
  const bestOnly = join(dir, 'best');
  const epochs = await train(callbacks.modelCheckpoint(bestOnly, { saveBestOnly: true }));
  let best = 0;
  epochs.forEach((e, i) => { if (e.valLoss < epochs[best].valLoss) best = i; });
  assert.ok(best > 0 && best < epochs.length - 1, `the best epoch (${best}) should be neither the first nor the last, or this proves little`);
  (await savedWeights(bestOnly)).forEach((w, j) => assert.equal([...w], [...epochs[best].weights[j]], `weight ${j}`));

  const named = join(dir, 'named');
  const again = await train(callbacks.modelCheckpoint(join(named, 'loss-{val_loss:.4f}'), { saveBestOnly: true }));
  // One file per improvement, named by its value.
  const improved: string[] = [];
  let bestSoFar = Infinity;
  for (const e of again) if (e.valLoss < bestSoFar) improved.push(`loss-${(bestSoFar = e.valLoss).toFixed(4)}`);
  assert.equal(readdirSync(named).sort(), improved.sort());

  const byAccuracy = join(dir, 'accuracy');
  const third = await train(callbacks.modelCheckpoint(byAccuracy, { saveBestOnly: true, monitor: 'val_acc', initialValueThreshold: 0.99 }));
  assert.ok(third.every((e) => e.valAcc <= 0.99));
  assert.not.ok(existsSync(byAccuracy), 'no epoch beat initialValueThreshold: nothing saved');
});

test('bad destinations and monitors are ConfigErrors, before any step', async () => {
  throwsWith(() => callbacks.modelCheckpoint(''), ConfigError, 'destination');
  throwsWith(() => callbacks.modelCheckpoint('m-{epoch:5x}'), ConfigError, '{epoch:5x}');
  throwsWith(() => callbacks.modelCheckpoint('m', { mode: 'best' as never }), ConfigError, 'mode');
  throwsWith(() => callbacks.modelCheckpoint('m', { saveBestOnyl: true } as never), ConfigError, 'unknown setting saveBestOnyl', 'saveBestOnly');
  const model = net();
  const before = model.getWeights().map((w) => w.dataSync());
  await rejectsWith(() => model.fit(...data(1, N), { callbacks: [callbacks.modelCheckpoint(join(dir, 'x-{val_loss}'))] }), ConfigError,
    '{val_loss}', 'names no log');
  await rejectsWith(() => model.fit(...data(1, N), { callbacks: [callbacks.modelCheckpoint(join(dir, 'y'), { saveBestOnly: true, monitor: 'acc_val' })] }),
    ConfigError, 'unknown monitor "acc_val"');
  model.getWeights().forEach((w, i) => assert.equal([...w.dataSync()], [...before[i]]));
  assert.not.ok(existsSync(join(dir, 'y')));
});

test.run();
