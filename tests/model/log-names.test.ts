// Keras's accuracy names beside TF.js's: code written for Keras (monitor 'val_accuracy',
// history.history.val_accuracy, {val_accuracy} in a checkpoint's name) runs on the logs convas
// writes under TF.js's names (acc, val_acc), which hold each value once.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import nodeAssert from 'node:assert';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, type FitOptions, type Logs, type Tensor, callbacks, init, layers, schedules, sequential, tensor } from '../../src/index.js';
import { random } from '../helpers.js';

const N = 32, FEATURES = 5, CLASSES = 3;

test.before(async () => {
  await init();
});

function data(seed: number, n: number): [Tensor, Tensor] {
  const rng = random(seed);
  const x = rng.array(n * FEATURES);
  const y = new Float32Array(n * CLASSES);
  for (let i = 0; i < n; i++) y[i * CLASSES + rng.int(0, CLASSES - 1)] = 1;
  return [tensor(x, [n, FEATURES]), tensor(y, [n, CLASSES])];
}

function net(learningRate: number | ReturnType<typeof schedules.reduceLROnPlateau> = 2) {
  const model = sequential({ inputShape: [FEATURES], seed: 3, layers: [layers.dense({ units: 6, activation: 'tanh' }), layers.dense({ units: CLASSES, activation: 'softmax' })] });
  model.compile({ optimizer: { type: 'sgd', learningRate }, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const fit = (model: ReturnType<typeof net>, options: FitOptions) => model.fit(...data(1, N), { epochs: 12, batchSize: 8, validationSplit: 0.25, ...options });

test('earlyStopping monitors Keras\'s val_accuracy and accuracy as TF.js\'s val_acc and acc', async () => {
  for (const [keras, tfjs] of [['val_accuracy', 'val_acc'], ['accuracy', 'acc']]) {
    const runs = [];
    for (const monitor of [tfjs, keras]) {
      const model = net();
      const stopper = callbacks.earlyStopping({ monitor, patience: 1 });
      runs.push({ history: await fit(model, { callbacks: [stopper] }), stopper });
    }
    const [byTfjs, byKeras] = runs;
    assert.ok(byTfjs.history.epoch.length < 12, `${tfjs}: stopped early, or the test proves nothing`);
    assert.equal(byKeras.history.epoch, byTfjs.history.epoch, keras);
    assert.is(byKeras.stopper.best, byTfjs.stopper.best, keras);
    assert.ok(byKeras.stopper.maximizes, `${keras} rises`);
  }
});

test('logs and history answer to Keras\'s names with the same values, which are enumerated (printed, recorded) once', async () => {
  const seen: Logs[] = [];
  const history = await fit(net(), { epochs: 3, onEpochEnd: (_, logs) => void seen.push(logs) });
  assert.is(history.history.accuracy, history.history.acc);
  assert.is(history.history.val_accuracy, history.history.val_acc);
  assert.equal(Object.keys(history.history), ['loss', 'acc', 'val_loss', 'val_acc']);
  for (const logs of seen) {
    assert.is(logs.accuracy, logs.acc);
    assert.is(logs.val_accuracy, logs.val_acc);
    assert.equal(Object.keys(JSON.parse(JSON.stringify(logs))), ['loss', 'acc', 'val_loss', 'val_acc']);
  }
});

test('modelCheckpoint takes Keras\'s {val_accuracy} in its file name and as its monitor', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convas-log-names-'));
  try {
    const seen: Logs[] = [];
    const checkpoint = callbacks.modelCheckpoint(join(dir, 'm-{epoch:02d}-{val_accuracy:.3f}'), { monitor: 'val_accuracy', saveBestOnly: true });
    await fit(net(), { epochs: 3, callbacks: [checkpoint, { onEpochEnd: (_, logs) => void seen.push(logs as Logs) }] });
    assert.ok(existsSync(join(dir, `m-01-${seen[0].val_acc!.toFixed(3)}`)), 'the first epoch is the best so far');
    assert.is(checkpoint.best, Math.max(...seen.map((logs) => logs.val_acc!)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('reduceLROnPlateau follows Keras\'s val_accuracy as val_acc', async () => {
  const rates = [];
  for (const monitor of ['val_acc', 'val_accuracy'] as const) {
    const model = net(schedules.reduceLROnPlateau({ initialLearningRate: 2, monitor, patience: 1, factor: 0.5 }));
    await fit(model, {});
    rates.push(model.optimizerState!.learningRate);
  }
  assert.ok(rates[0] < 2, 'the rate dropped, or the test proves nothing');
  assert.is(rates[1], rates[0]);
});

test('a callback may write a log under Keras\'s name, as Keras callbacks write logs[\'val_accuracy\']: the value is the one under TF.js\'s', async () => {
  const read: number[] = [];
  await fit(net(), { epochs: 2, callbacks: [
    { onEpochEnd: (epoch, logs) => void ((logs as Logs).val_accuracy = epoch + 0.5) },
    { onEpochEnd: (_, logs) => void read.push((logs as Logs).val_acc!, (logs as Logs).val_accuracy!) },
  ] });
  assert.equal(read, [0.5, 0.5, 1.5, 1.5]);
});

test('Keras\'s snake_case metric names compile, log under TF.js\'s names once, and answer to Keras\'s names in logs, history and evaluate', async () => {
  const model = net();
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['categorical_accuracy', { type: 'top_k_categorical_accuracy', k: 2 }] });
  assert.equal(model.compileConfig!.metrics, ['categoricalAccuracy', { type: 'topKCategoricalAccuracy', k: 2 }], 'kept under convas\'s names, as saved');
  const seen: Logs[] = [];
  const history = await fit(model, { epochs: 2, onEpochEnd: (_, logs) => void seen.push(logs) });
  const logged = ['loss', 'acc', 'categoricalAccuracy', 'topKCategoricalAccuracy'];
  assert.equal(Object.keys(history.history), [...logged, ...logged.map((name) => `val_${name}`)]);
  for (const record of [history.history, ...seen] as Array<Record<string, unknown>>) {
    assert.is(record.categorical_accuracy, record.categoricalAccuracy);
    assert.is(record.val_top_k_categorical_accuracy, record.val_topKCategoricalAccuracy);
    assert.ok(record.val_top_k_categorical_accuracy !== undefined);
  }
  const [x, y] = data(2, 16);
  const scores = model.evaluate(x, y, { metrics: ['sparse_categorical_accuracy', 'categorical_accuracy'] });
  assert.equal(Object.keys(scores), ['loss', 'accuracy', 'categoricalAccuracy', 'topKCategoricalAccuracy', 'sparseCategoricalAccuracy'],
    'categorical_accuracy, compiled already, counted once');
  assert.is(scores.sparse_categorical_accuracy, scores.sparseCategoricalAccuracy);
  assert.is(scores.top_k_categorical_accuracy, scores.topKCategoricalAccuracy);
  assert.not.ok('binary_accuracy' in scores, 'no Keras name for a metric the result does not hold');
  assert.throws(() => model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['categorical_accuracy', 'categoricalAccuracy'] }),
    (error: Error) => error instanceof ConfigError && error.message.includes('categoricalAccuracy is listed twice'));
  assert.throws(() => model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['categorical_acc' as never] }),
    (error: Error) => error instanceof ConfigError && error.message.includes('binary_accuracy, categorical_accuracy'));
});

test('monitors take Keras\'s snake_case metric names: the same run as under TF.js\'s', async () => {
  const runs = [];
  for (const monitor of ['val_categoricalAccuracy', 'val_categorical_accuracy']) {
    const model = net();
    model.compile({ optimizer: { type: 'sgd', learningRate: 2 }, loss: 'categoricalCrossentropy', metrics: ['categorical_accuracy'] });
    const stopper = callbacks.earlyStopping({ monitor, patience: 1 });
    runs.push({ history: await fit(model, { callbacks: [stopper] }), stopper });
  }
  const [byTfjs, byKeras] = runs;
  assert.ok(byTfjs.history.epoch.length < 12, 'stopped early, or the test proves nothing');
  assert.equal(byKeras.history.epoch, byTfjs.history.epoch);
  assert.is(byKeras.stopper.best, byTfjs.stopper.best);
  assert.ok(byKeras.stopper.maximizes);
});

test('batch logs are plain objects answering to Keras\'s names through aliases made once per run, not per batch (fit makes logs for every batch)', async () => {
  const seen: Logs[] = [];
  await net().fit(...data(1, 32), { epochs: 1, batchSize: 4, onBatchEnd: (_, logs) => void seen.push(logs) });
  assert.is(seen.length, 8);
  const getter = (logs: Logs) => Object.getOwnPropertyDescriptor(logs, 'accuracy')?.get;
  for (const logs of seen) {
    assert.is(logs.accuracy, logs.acc);
    assert.ok(logs.acc !== undefined);
    assert.equal(Object.keys(logs), ['loss', 'acc', 'batch', 'size']);
    // A plain object, as TF.js's logs are: a callback's deepStrictEqual against one holds.
    assert.is(Object.getPrototypeOf(logs), Object.prototype);
    assert.ok(getter(logs) && getter(logs) === getter(seen[0]), 'the alias made once for the run');
  }
  nodeAssert.deepStrictEqual({ ...seen[0] }, seen[0]);
});

test.run();
