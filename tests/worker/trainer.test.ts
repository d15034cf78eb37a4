// The page's Trainer on stand-in workers (Node has no Web Workers): a request that cannot be copied
// to the worker is a ConfigError and leaves the trainer usable, layer objects go as their configs,
// a trainer whose worker is gone refuses every call at once, and Node is told to use model.fit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, DivergenceError, StateError, StorageError, init, layerToConfig, layers, sequential } from '../../src/index.js';
import { crossingError } from '../../src/worker/crossing-errors.js';
import { createTrainer } from '../../src/worker/trainer.js';
import type { TrainRequest } from '../../src/worker/protocol.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

/** Copies each message as a browser does (structuredClone throws on what cannot cross) and answers 'done'. */
class StandInWorker extends EventTarget {
  static last: StandInWorker;
  received: Array<{ type: string; request?: TrainRequest }> = [];

  constructor() {
    super();
    StandInWorker.last = this;
  }

  postMessage(message: unknown): void {
    const copy = structuredClone(message) as { type: string; request?: TrainRequest };
    this.received.push(copy);
    if (copy.type === 'stop') return;
    const result = { modelConfig: copy.request?.modelConfig, weights: [], epochsDone: 1, stopped: false };
    queueMicrotask(() => this.dispatchEvent(new MessageEvent('message', { data: { type: 'done', result } })));
  }

  terminate(): void {}
}

const global = globalThis as { Worker?: unknown };
const request = (layerList: TrainRequest['modelConfig']['layers'], labels: unknown = new Uint8Array(2)) => ({
  modelConfig: { inputShape: [3], layers: layerList }, compile: { optimizer: 'sgd', loss: 'categoricalCrossentropy' },
  fit: { epochs: 1 }, data: { images: new Float32Array(6), labels },
}) as TrainRequest;
const plain = request([{ className: 'Dense', units: 2 }]);

test('without Web Workers (Node), createTrainer is a ConfigError pointing to model.fit', () => {
  throwsWith(() => createTrainer('worker.js'), ConfigError, 'Web Workers', 'model.fit', 'init({ threads })');
});

test('a request that cannot be copied to the worker is a ConfigError, and the trainer trains the next one', async () => {
  global.Worker = StandInWorker;
  const trainer = createTrainer('worker.js');
  await rejectsWith(() => trainer.train(request([{ className: 'Dense', units: 2 }], () => 1)), ConfigError, 'could not be copied to the worker', 'no functions');
  assert.is((await trainer.train(plain)).epochsDone, 1);
  trainer.terminate();
});

test('layer objects go to the worker as their configs, frozen ones frozen; a layer holding weights is refused', async () => {
  global.Worker = StandInWorker;
  const trainer = createTrainer('worker.js');
  const frozen = layers.dense({ units: 3, activation: 'relu' });
  frozen.trainable = false;
  const last = layers.dense({ units: 2, activation: 'softmax' });
  await trainer.train(request([frozen, last]));
  assert.equal(StandInWorker.last.received[0].request!.modelConfig.layers, [layerToConfig(frozen), layerToConfig(last)]);
  assert.is(layerToConfig(frozen).trainable, false);
  await init();
  const used = layers.dense({ units: 2 });
  const model = sequential({ inputShape: [3], layers: [used] });
  await rejectsWith(() => trainer.train(request([used])), ConfigError, 'layers[0]', 'already holds weights');
  model.dispose();
  trainer.terminate();
});

test('terminated, or its worker failed to load, a trainer refuses every call at once with a StateError; stop() does nothing', async () => {
  global.Worker = StandInWorker;
  const terminated = createTrainer('worker.js');
  const terminatedWorker = StandInWorker.last;
  const during = terminated.train(plain);
  terminated.terminate();
  await rejectsWith(() => during, StateError, 'terminated');
  await rejectsWith(() => terminated.train(plain), StateError, 'terminated');
  await rejectsWith(() => terminated.resume(), StateError, 'terminated');

  const failed = createTrainer('/wrong/worker.js');
  const worker = StandInWorker.last;
  worker.postMessage = () => {}; // a worker that never loaded answers nothing
  const running = failed.train(plain);
  // A browser's event for a script that failed to load carries no message.
  worker.dispatchEvent(new Event('error'));
  await rejectsWith(() => running, StateError, 'could not be loaded', '/wrong/worker.js', 'convas.js');
  await rejectsWith(() => failed.resume(), StateError, 'could not be loaded');
  await rejectsWith(() => failed.train(plain), StateError, 'could not be loaded');
  worker.postMessage = () => assert.unreachable('stop() posted to a dead worker');
  failed.stop();
  terminatedWorker.postMessage = () => assert.unreachable('stop() posted to a terminated worker');
  terminated.stop();
});

test('the worker\'s code failing (an error with a message) fails that run; the next train() starts a new worker', async () => {
  global.Worker = StandInWorker;
  const trainer = createTrainer('custom-worker.js');
  const first = StandInWorker.last;
  first.postMessage = () => {};
  const running = trainer.train(plain);
  first.dispatchEvent(Object.assign(new Event('error'), { message: 'Uncaught Error: my layer broke' }));
  await rejectsWith(() => running, StateError, 'the training worker failed: Uncaught Error: my layer broke', 'starts a new one');
  assert.is((await trainer.train(plain)).epochsDone, 1);
  assert.ok(StandInWorker.last !== first, 'a new worker');
  trainer.terminate();
});

test('an epoch\'s logs from the worker answer to Keras\'s names of what the run logs, as fit\'s do, and to no others', async () => {
  global.Worker = StandInWorker;
  const trainer = createTrainer('worker.js');
  const worker = StandInWorker.last;
  const logs = { loss: 0.5, acc: 0.75, binaryAccuracy: 0.8, val_loss: 0.6, val_acc: 0.7 };
  worker.postMessage = () => queueMicrotask(() => {
    worker.dispatchEvent(new MessageEvent('message', { data: structuredClone({ type: 'epoch', epoch: 0, logs }) }));
    worker.dispatchEvent(new MessageEvent('message', { data: { type: 'done', result: { modelConfig: plain.modelConfig, weights: [], epochsDone: 1, stopped: false } } }));
  });
  let seen: Record<string, unknown> | undefined;
  await trainer.train(plain, { onEpochEnd: (_, epochLogs) => void (seen = epochLogs as Record<string, unknown>) });
  assert.equal(seen, logs);
  assert.equal([seen!.accuracy, seen!.val_accuracy, seen!.binary_accuracy], [0.75, 0.7, 0.8]);
  // Not logged: before, every Keras name was added, so 'val_binary_accuracy' in logs held with nothing behind it.
  assert.equal(['val_binary_accuracy', 'categorical_accuracy'].map((name) => name in seen!), [false, false]);
  trainer.terminate();
});

test('a DivergenceError from the worker carries its History, which answers to Keras\'s names as fit\'s does', async () => {
  global.Worker = StandInWorker;
  const trainer = createTrainer('worker.js');
  const worker = StandInWorker.last;
  const history = { epoch: [0, 1], history: { loss: [0.9, 0.7], acc: [0.5, 0.6], val_loss: [1, 0.8], val_acc: [0.4, 0.7] } };
  worker.postMessage = () => queueMicrotask(() => worker.dispatchEvent(new MessageEvent('message', {
    data: structuredClone({ type: 'error', ...crossingError(Object.assign(new DivergenceError('fit: the loss exploded'), { history })) }),
  })));
  const error = await trainer.train(plain).then(() => assert.unreachable('diverged'), (e: unknown) => e);
  assert.instance(error, DivergenceError);
  const got = (error as DivergenceError).history!;
  assert.equal(got, history);
  assert.is(got.history.val_accuracy, got.history.val_acc);
  assert.equal(Object.keys(got.history), ['loss', 'acc', 'val_loss', 'val_acc']);
  assert.is((error as DivergenceError).callbackError, undefined, 'no callback failed');
  trainer.terminate();
});

test('a DivergenceError from the worker carries the error a callback threw at the end, rebuilt as its class as the error itself is', async () => {
  global.Worker = StandInWorker;
  const trainer = createTrainer('worker.js');
  const worker = StandInWorker.last;
  for (const [name, Class] of [['StorageError', StorageError], ['TypeError', Error]] as const) {
    const callbackError = Object.assign(new Error('cannot save the best weights'), { name });
    worker.postMessage = () => queueMicrotask(() => worker.dispatchEvent(new MessageEvent('message', {
      data: structuredClone({ type: 'error', ...crossingError(Object.assign(new DivergenceError('fit: the loss exploded'), { callbackError })) }),
    })));
    const error = await trainer.train(plain).then(() => assert.unreachable('diverged'), (e: unknown) => e) as DivergenceError;
    assert.instance(error, DivergenceError);
    assert.instance(error.callbackError, Class, name);
    assert.is((error.callbackError as Error).name, name);
    assert.is((error.callbackError as Error).message, 'cannot save the best weights');
  }
  trainer.terminate();
});

test('an error of the worker\'s own code named DivergenceError, whose history is not a History, still fails the run', async () => {
  global.Worker = StandInWorker;
  const trainer = createTrainer('worker.js');
  const worker = StandInWorker.last;
  // A custom layer's module may throw its own DivergenceError, say with the losses it saw: its fields cross as they are.
  const own = Object.assign(new Error('my layer diverged'), { name: 'DivergenceError', history: [0.9, Number.NaN] });
  worker.postMessage = () => queueMicrotask(() => worker.dispatchEvent(new MessageEvent('message', {
    data: structuredClone({ type: 'error', ...crossingError(own) }),
  })));
  const settled = trainer.train(plain).then(() => 'resolved', (e: unknown) => e);
  const error = await Promise.race([settled, new Promise((resolve) => setTimeout(() => resolve('still waiting'), 2000))]);
  assert.instance(error, DivergenceError);
  assert.equal((error as { history?: unknown }).history, [0.9, Number.NaN]);
  trainer.terminate();
});

test.run();
