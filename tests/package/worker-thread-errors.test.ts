// Errors from a real worker thread: dist/worker.js serving a Trainer in a Node worker_threads Worker
// (a stand-in for a Web Worker, whose messages are structured clones as a browser's are). What a run
// in the worker throws reaches the page as its class, with its message, the stack where the worker
// threw it, its cause (an error's own, rebuilt the same way) and its fields (a DivergenceError's
// history); a cause that cannot be copied, or that loops, does not stop the error crossing.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker as Thread } from 'node:worker_threads';
import { temporaryDirectory } from '../temporary-directory.js';

type Convas = typeof import('../../src/index.js');
type ConvasWorker = typeof import('../../src/worker/index.js');
type TrainRequest = Parameters<ReturnType<ConvasWorker['createTrainer']>['train']>[0];

const built = (file: string) => pathToFileURL(resolve('dist', file)).href;
const convas: Convas = await import(built('convas.js'));
const { createTrainer }: ConvasWorker = await import(built('worker.js'));

/**
 * The thread's script: a Web Worker's addEventListener and postMessage over the thread's port, then
 * serveTrainer. Its `failing` version's fit throws, instead of training, the error the request's
 * epochs pick: errors made here, so that their stack names this file.
 */
const SCRIPT = `import { parentPort, workerData } from 'node:worker_threads';
globalThis.addEventListener = (type, listener) => parentPort.on('message', (data) => listener({ data }));
globalThis.postMessage = (message, options) => parentPort.postMessage(message, options?.transfer);
const convas = await import(${JSON.stringify(built('convas.js'))});
const { serveTrainer } = await import(${JSON.stringify(built('worker.js'))});
const ERRORS = [
  () => Object.assign(new convas.ConfigError('fit: refused in the worker'), {
    cause: new RangeError('the reason beneath', { cause: { code: 'E_DEEP', at: [1, 2] } }), setting: { name: 'units', value: -1 },
  }),
  () => Object.assign(new convas.StorageError('save: cannot write'), { cause: function openHandle() {}, file: { close() {} } }),
  () => {
    const first = new convas.StateError('the first'), second = new Error('the second', { cause: first });
    first.cause = second;
    return first;
  },
];
if (workerData.failing) convas.Model.prototype.fit = function fitFailingInTheThread(x, y, options) { return Promise.reject(ERRORS[options.epochs - 1]()); };
serveTrainer();
`;
const scriptFile = resolve(await temporaryDirectory('worker-thread'), 'thread-worker.mjs');
writeFileSync(scriptFile, SCRIPT);

/** A Web Worker as createTrainer uses one, on a worker thread running SCRIPT; a URL ending #failing runs its failing version. */
class ThreadWorker extends EventTarget {
  private readonly thread: Thread;

  constructor(url: string | URL) {
    super();
    this.thread = new Thread(scriptFile, { workerData: { failing: String(url).endsWith('#failing') } });
    this.thread.on('message', (data) => this.dispatchEvent(new MessageEvent('message', { data })));
    this.thread.on('error', (error) => this.dispatchEvent(Object.assign(new Event('error'), { message: error.message })));
  }

  postMessage(message: unknown, options?: { transfer?: Transferable[] }): void {
    this.thread.postMessage(message, options?.transfer as never);
  }

  terminate(): void {
    void this.thread.terminate();
  }
}

/** What train(request) on a trainer of `url` rejects with (a failure if it resolves); the trainer ends after. */
async function thrown(url: string, request: TrainRequest): Promise<Error> {
  (globalThis as { Worker?: unknown }).Worker = ThreadWorker;
  const trainer = createTrainer(url);
  try {
    return await trainer.train(request).then(() => assert.unreachable('the run fails') as never, (error: Error) => error);
  } finally {
    trainer.terminate();
  }
}

const n = 24;
const images = Float32Array.from({ length: n * 6 }, (_, i) => Math.sin(i * 1.7));
const request = (epochs: number, compile: TrainRequest['compile'] = { optimizer: 'adam', loss: 'meanSquaredError' }) => ({
  modelConfig: { inputShape: [6], seed: 3, layers: [{ className: 'Dense', units: 4, activation: 'relu' }, { className: 'Dense', units: 2 }] },
  compile, fit: { epochs, batchSize: 8, shuffle: false },
  data: { images, labels: Uint8Array.from({ length: n }, (_, i) => (images[i * 6] > 0 ? 1 : 0)) },
}) as TrainRequest;

test('an error thrown in the worker keeps its class, message, the worker\'s stack, its fields and its cause, the cause\'s cause too', async () => {
  const error = await thrown('thread-worker.mjs#failing', request(1)) as InstanceType<Convas['ConfigError']> & { setting?: unknown };
  assert.instance(error, convas.ConfigError);
  assert.is(error.message, 'fit: refused in the worker');
  assert.ok(error.stack?.startsWith('ConfigError: fit: refused in the worker\n'), error.stack);
  assert.ok(error.stack?.includes('fitFailingInTheThread') && error.stack.includes('thread-worker.mjs'), `the stack is the worker's: ${error.stack}`);
  assert.equal(error.setting, { name: 'units', value: -1 });
  const cause = error.cause as Error;
  assert.ok(cause instanceof Error, `the cause is an error: ${String(cause)}`);
  assert.equal([cause.name, cause.message], ['RangeError', 'the reason beneath']);
  assert.ok(cause.stack?.includes('thread-worker.mjs'), `the cause's stack is the worker's: ${cause.stack}`);
  assert.equal(cause.cause, { code: 'E_DEEP', at: [1, 2] });
  assert.not.ok(Object.keys(error).includes('cause'), 'cause is not enumerable, as new Error(message, { cause }) makes it');
});

test('a cause or a field that cannot be copied crosses as text; causes that loop cross, the loop as text', async () => {
  const uncopyable = await thrown('thread-worker.mjs#failing', request(2)) as Error & { file?: unknown };
  assert.instance(uncopyable, convas.StorageError);
  assert.is(uncopyable.message, 'save: cannot write');
  assert.match(String(uncopyable.cause), /function openHandle/);
  assert.type(uncopyable.file, 'string');

  const looped = await thrown('thread-worker.mjs#failing', request(3));
  assert.instance(looped, convas.StateError);
  const second = looped.cause as Error;
  assert.equal([second.name, second.message], ['Error', 'the second']);
  assert.match(String(second.cause), /^StateError: the first \(.*loop/);
});

test('a run that diverges in the worker: a DivergenceError with the History of the epochs that finished, from the worker\'s fit', async () => {
  // A linear output under a squared error, and a step too large: a later epoch's loss explodes.
  const error = await thrown('thread-worker.mjs', request(6, { optimizer: { type: 'sgd', learningRate: 2 }, loss: 'meanSquaredError' }));
  assert.instance(error, convas.DivergenceError);
  const { history } = error as InstanceType<Convas['DivergenceError']>;
  assert.ok(history && history.epoch.length > 0 && history.history.loss.length === history.epoch.length, `history: ${JSON.stringify(history)}`);
  assert.is(history!.history.accuracy, history!.history.acc, 'Keras\'s names, as fit\'s History has them');
  assert.ok(error.stack?.startsWith('DivergenceError: fit: '), error.stack);
  assert.not.ok(error.stack?.includes('rebuiltError'), `the stack is the worker's, not where the page rebuilt the error: ${error.stack}`);
});

test.run();
