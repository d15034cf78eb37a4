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
/** Called with each message the worker posts: a test may answer, as a page would (stop()). */
let onPost: ((message: Message) => void) | undefined;
scope.addEventListener = (_: string, handler: (event: { data: unknown }) => Promise<void>) => { deliver = handler; };
scope.postMessage = (message: Message) => {
  messages.push(message);
  onPost?.(message);
};
serveTrainer();

/** Sends `data` to the worker and returns what it posted until its run ended; `answer` hears each message. */
async function send(data: unknown, answer?: (message: Message) => void): Promise<Message[]> {
  messages.length = 0;
  onPost = answer;
  await deliver({ data });
  onPost = undefined;
  return [...messages];
}

/** Stops the run (as a page's stop()) on the first message `when` picks. */
const stopOn = (when: (message: Message) => boolean) => {
  let sent = false;
  return (message: Message) => {
    if (sent || !when(message)) return;
    sent = true;
    void deliver({ data: { type: 'stop' } });
  };
};

const doneOf = (posted: Message[]) => {
  const done = posted.at(-1)!;
  assert.is(done.type, 'done', JSON.stringify(done));
  return done.result!;
};

// 40 examples of 6 values; the training labels follow the first value, the validation labels are
// the training ones shuffled: the model learns the first and the validation loss soon rises.
const inputs = Float32Array.from({ length: 40 * 6 }, (_, i) => Math.sin(i * 1.7) + (i % 6 === 0 ? 0 : 0.1 * Math.cos(i)));
const labels = Uint8Array.from({ length: 40 }, (_, n) => (inputs[n * 6] > 0 ? 1 : 0));
const shuffled = Uint8Array.from({ length: 40 }, (_, n) => labels[(n * 7 + 3) % 40]);
const layerConfigs = [{ className: 'Dense', units: 12, activation: 'tanh' }, { className: 'Dense', units: 2, activation: 'softmax' }];
const compile = { optimizer: { type: 'adam' as const, learningRate: 0.05 }, loss: 'categoricalCrossentropy' as const };
const earlyStopping = { monitor: 'val_loss', patience: 2, restoreBestWeights: true };
const request = (stop = earlyStopping, learningRate = 0.05, validationLabels = shuffled): TrainRequest => ({
  modelConfig: { inputShape: [6], layers: layerConfigs as TrainRequest['modelConfig']['layers'], seed: 4 },
  compile: { ...compile, optimizer: { ...compile.optimizer, learningRate } }, fit: { epochs: 60, batchSize: 8, shuffle: false, earlyStopping: stop },
  data: { images: inputs, labels, validation: { images: inputs, labels: validationLabels } },
});
// Slower, with every 7th validation label wrong: the validation loss falls for some epochs (best
// at epoch 5 with these settings), then rises.
const slowly = (patience: number) => request({ ...earlyStopping, patience }, 0.003, Uint8Array.from(labels, (l, n) => (n % 7 === 0 ? 1 - l : l)));

test('the run stops early with the best epoch\'s weights, as an in-process fit with the same callback', async () => {
  await init();
  const posted = await send({ type: 'train', request: request() });
  const result = doneOf(posted);
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

test('stopped and resumed, the run is one run for early stopping: a stop at an epoch\'s end changes nothing, an epoch cut short is not judged', async () => {
  const whole = doneOf(await send({ type: 'train', request: slowly(3) }));
  assert.ok(whole.stoppedEarly && whole.stoppedEarly.bestEpoch > 0, `a best epoch after the first: ${JSON.stringify(whole.stoppedEarly)}`);

  // Stopped at the end of epoch 1: resume carries on to the same early stop and weights, bit for bit
  // (before, the callback began afresh at the resume and forgot the best epoch and the wait).
  const stopped = doneOf(await send({ type: 'train', request: slowly(3) }, stopOn((m) => m.type === 'epoch' && m.epoch === 1)));
  assert.equal([stopped.stopped, stopped.epochsDone, stopped.stoppedEarly], [true, 2, undefined]);
  const resumed = doneOf(await send({ type: 'resume' }));
  assert.equal(resumed.stoppedEarly, whole.stoppedEarly);
  assert.is(resumed.epochsDone, whole.epochsDone);
  assert.equal(resumed.weights.map((w) => [...w]), whole.weights.map((w) => [...w]));

  // A stop in the middle of an epoch: that epoch is neither counted nor judged. Here (best epoch 0,
  // patience 2) epoch 2 ends the run when whole; cut short, it was reported as an early stop before.
  const first = doneOf(await send({ type: 'train', request: request() }, stopOn((m) => m.type === 'epoch' && m.epoch === 1)));
  assert.equal([first.stopped, first.epochsDone], [true, 2]);
  const cut = doneOf(await send({ type: 'resume' }, stopOn((m) => m.type === 'batch')));
  assert.equal([cut.stopped, cut.epochsDone, cut.stoppedEarly], [true, 2, undefined]);
  assert.not.equal(cut.weights.map((w) => [...w]), first.weights.map((w) => [...w]), 'the cut epoch\'s batches trained');
  const end = doneOf(await send({ type: 'resume' }));
  assert.equal([end.stopped, end.epochsDone, end.stoppedEarly], [false, 3, { epoch: 2, bestEpoch: 0 }]);
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
