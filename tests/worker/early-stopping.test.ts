// The training worker with early stopping (a page's Train with "Stop early"): serveTrainer runs here
// on stand-ins for a worker's message functions. The run ends when the validation loss stops
// improving, hands back the best epoch's weights (those an in-process fit with the same callback
// ends with, bit for bit), says so in the result, and has nothing left to resume.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { callbacks, init, layers, oneHot, sequential, tensor } from '../../src/index.js';
import { serveTrainer } from '../../src/worker/serve.js';
import type { TrainRequest, TrainResult } from '../../src/worker/protocol.js';

type Message = { type: string; result?: TrainResult; name?: string; message?: string; epoch?: number };

const scope = globalThis as unknown as { addEventListener: unknown; postMessage: unknown };
const messages: Message[] = [];
let deliver: (event: { data: unknown }) => Promise<void>;
scope.addEventListener = (_: string, handler: (event: { data: unknown }) => Promise<void>) => { deliver = handler; };
scope.postMessage = (message: Message) => { messages.push(message); };
serveTrainer();

/** Sends `data` to the worker and returns what it posted until its run ended. */
async function send(data: unknown): Promise<Message[]> {
  messages.length = 0;
  await deliver({ data });
  return [...messages];
}

// 40 examples of 6 values; the training labels follow the first value, the validation labels are
// the training ones shuffled: the model learns the first and the validation loss soon rises.
const inputs = Float32Array.from({ length: 40 * 6 }, (_, i) => Math.sin(i * 1.7) + (i % 6 === 0 ? 0 : 0.1 * Math.cos(i)));
const labels = Uint8Array.from({ length: 40 }, (_, n) => (inputs[n * 6] > 0 ? 1 : 0));
const shuffled = Uint8Array.from({ length: 40 }, (_, n) => labels[(n * 7 + 3) % 40]);
const layerConfigs = [{ className: 'Dense', units: 12, activation: 'tanh' }, { className: 'Dense', units: 2, activation: 'softmax' }];
const compile = { optimizer: { type: 'adam' as const, learningRate: 0.05 }, loss: 'categoricalCrossentropy' as const };
const earlyStopping = { monitor: 'val_loss', patience: 2, restoreBestWeights: true };
const request = (stop = earlyStopping): TrainRequest => ({
  modelConfig: { inputShape: [6], layers: layerConfigs as TrainRequest['modelConfig']['layers'], seed: 4 },
  compile, fit: { epochs: 60, batchSize: 8, shuffle: false, earlyStopping: stop },
  data: { images: inputs, labels, validation: { images: inputs, labels: shuffled } },
});

test('the run stops early with the best epoch\'s weights, as an in-process fit with the same callback', async () => {
  await init();
  const posted = await send({ type: 'train', request: request() });
  const done = posted.at(-1)!;
  assert.is(done.type, 'done', JSON.stringify(done));
  const result = done.result!;
  assert.ok(result.stoppedEarly, 'stopped early');
  assert.is(result.stopped, false, 'not a stop() that resume continues');
  assert.is(result.epochsDone, result.stoppedEarly!.epoch + 1);
  assert.ok(result.epochsDone < 60, `${result.epochsDone} epochs`);
  assert.is(result.stoppedEarly!.epoch - result.stoppedEarly!.bestEpoch, earlyStopping.patience);
  assert.is(posted.filter((m) => m.type === 'epoch').length, result.epochsDone);

  const model = sequential({ inputShape: [6], layers: [layers.dense({ units: 12, activation: 'tanh' }), layers.dense({ units: 2, activation: 'softmax' })], seed: 4 });
  model.compile(compile);
  const x = tensor(inputs, [40, 6]);
  const targets = (ids: Uint8Array) => tensor(oneHot(ids, 2), [40, 2]);
  const history = await model.fit(x, targets(labels), {
    epochs: 60, batchSize: 8, shuffle: false, validationData: [x, targets(shuffled)], callbacks: [callbacks.earlyStopping(earlyStopping)],
  });
  assert.is(history.epoch.length, result.epochsDone);
  const expected = model.getWeights().map((w) => w.dataSync());
  assert.equal(result.weights.map((w) => [...w]), expected.map((w) => [...w]));

  const resumed = (await send({ type: 'resume' })).at(-1)!;
  assert.is(resumed.type, 'done');
  assert.is(resumed.result!.epochsDone, result.epochsDone, 'nothing was left to resume');
  assert.equal(resumed.result!.stoppedEarly, result.stoppedEarly);
});

test('impossible early-stopping settings are the ConfigError of callbacks.earlyStopping', async () => {
  const [error] = await send({ type: 'train', request: request({ ...earlyStopping, patience: -1 }) });
  assert.is(error.type, 'error');
  assert.is(error.name, 'ConfigError');
  assert.match(error.message!, /patience/);
  const [unknown] = await send({ type: 'train', request: request({ ...earlyStopping, monitor: 'val_f1' }) });
  assert.is(unknown.name, 'ConfigError');
  assert.match(unknown.message!, /unknown monitor "val_f1"/);
});

test.run();
