// The page side: a Trainer drives a worker running serveTrainer(), so training never blocks the page.
import type { BatchProgress, FromWorker, ToWorker, TrainRequest, TrainResult } from './protocol.js';
// Through the package entry: dist/worker.js then shares dist/convas.js's error classes, so the
// errors it throws pass instanceof against those a user imports from 'convas'.
import { ERROR_CLASSES, type Logs, StateError } from '../index.js';

export interface TrainCallbacks {
  /** The latest batch's progress, at most every 50 ms (and after each epoch's last batch). */
  onBatchEnd?: (progress: BatchProgress) => void;
  onEpochEnd?: (epoch: number, logs: Logs) => void;
}

export interface Trainer {
  /** Builds, compiles and fits a new model in the worker; resolves when it finishes or is stopped. */
  train(request: TrainRequest, callbacks?: TrainCallbacks): Promise<TrainResult>;
  /** Ends the current run after its current batch; its train()/resume() promise resolves with stopped: true. */
  stop(): void;
  /** Continues fitting the stopped model for the epochs it has left. */
  resume(callbacks?: TrainCallbacks): Promise<TrainResult>;
  /** Ends the worker. */
  terminate(): void;
}

/**
 * Starts a training worker from `workerUrl` (dist/worker.js, or a module that calls serveTrainer()).
 * Rebuild the result on the page with `sequential(result.modelConfig).setWeights(result.weights)`.
 */
export function createTrainer(workerUrl: string | URL): Trainer {
  const worker = new Worker(workerUrl, { type: 'module' });
  let running: { resolve: (r: TrainResult) => void; reject: (e: Error) => void; callbacks: TrainCallbacks } | undefined;

  worker.addEventListener('message', (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (!running) return;
    if (message.type === 'batch') running.callbacks.onBatchEnd?.(message.progress);
    else if (message.type === 'epoch') running.callbacks.onEpochEnd?.(message.epoch, message.logs);
    else {
      const { resolve, reject } = running;
      running = undefined;
      if (message.type === 'done') resolve(message.result);
      else {
        const ErrorClass = Object.hasOwn(ERROR_CLASSES, message.name) ? ERROR_CLASSES[message.name] : undefined;
        reject(ErrorClass ? new ErrorClass(message.message) : Object.assign(new Error(message.message), { name: message.name }));
      }
    }
  });
  worker.addEventListener('error', (event) => {
    running?.reject(new Error(`training worker failed: ${event.message}`));
    running = undefined;
  });

  const run = (message: ToWorker, callbacks: TrainCallbacks = {}) => new Promise<TrainResult>((resolve, reject) => {
    if (running) throw new StateError('this trainer is already training: wait for it, or stop() it first');
    running = { resolve, reject, callbacks };
    worker.postMessage(message);
  });

  return {
    train: (request, callbacks) => run({ type: 'train', request }, callbacks),
    resume: (callbacks) => run({ type: 'resume' }, callbacks),
    stop: () => worker.postMessage({ type: 'stop' } satisfies ToWorker),
    terminate: () => {
      worker.terminate();
      running?.reject(new StateError('the trainer was terminated'));
      running = undefined;
    },
  };
}
