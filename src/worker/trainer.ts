// The page side: a Trainer drives a worker running serveTrainer(), so training never blocks the page.
import type { BatchProgress, FromWorker, ToWorker, TrainRequest, TrainResult } from './protocol.js';
// Through the package entry: dist/worker.js then shares dist/convas.js's error classes, so the
// errors it throws pass instanceof against those a user imports from 'convas'.
import { ConfigError, DivergenceError, Layer, type Logs, StateError, layerToConfig } from '../index.js';
import { kerasNameAliases, kerasNamesOf, withKerasNames } from '../model/log-names.js';
import { rebuiltError } from './crossing-errors.js';

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
  /** Ends the worker: a run under way rejects, and so does every later train() or resume(). */
  terminate(): void;
}

/**
 * The request as it crosses to the worker: layer objects become their configs (the worker builds
 * its own layers), and one holding weights is refused, as its weights would not go with it.
 */
function withLayerConfigs(request: TrainRequest): TrainRequest {
  const layers = request?.modelConfig?.layers;
  if (!Array.isArray(layers) || !layers.some((l) => l instanceof Layer)) return request;
  const configs = layers.map((layer, i) => {
    if (!(layer instanceof Layer)) return layer;
    if (layer.isBuilt && layer.params.length > 0) {
      throw new ConfigError(`train: modelConfig.layers[${i}] (${layer.name}) already holds weights, which do not go to the worker ` +
        '(only its config does); pass a new layer, or fit this model on the page');
    }
    return layerToConfig(layer);
  });
  return { ...request, modelConfig: { ...request.modelConfig, layers: configs } };
}

/**
 * Starts a training worker from `workerUrl` (dist/worker.js, or a module of your own that imports
 * it and calls serveTrainer()). Needs Web Workers: a browser page.
 * Rebuild the result on the page with `sequential(result.modelConfig).setWeights(result.weights)`.
 */
export function createTrainer(workerUrl: string | URL): Trainer {
  if (typeof Worker === 'undefined') {
    throw new ConfigError('createTrainer needs Web Workers (a browser page), and there are none here; ' +
      'in Node, train with model.fit, on several threads with init({ threads })');
  }
  let running: { resolve: (r: TrainResult) => void; reject: (e: Error) => void; callbacks: TrainCallbacks } | undefined;
  /** Why the trainer is gone (terminated, or its script cannot load), once it is: every later call is refused at once. */
  let dead: string | undefined;

  const die = (reason: string) => {
    dead ??= reason;
    worker?.terminate();
    running?.reject(new StateError(dead));
    running = undefined;
  };

  const onMessage = (event: MessageEvent<FromWorker>) => {
    const message = event.data;
    if (!running) return;
    if (message.type === 'batch') running.callbacks.onBatchEnd?.(message.progress);
    // Keras's names for the logs do not cross postMessage (they are not enumerable): added again
    // here, as fit adds them, for what the run logs.
    else if (message.type === 'epoch') running.callbacks.onEpochEnd?.(message.epoch, Object.defineProperties(message.logs, kerasNameAliases(kerasNamesOf(Object.keys(message.logs)))));
    else {
      const { resolve, reject } = running;
      running = undefined;
      if (message.type === 'done') resolve(message.result);
      else {
        const error = rebuiltError(message);
        // A diverged run's History, as fit's error carries it: its Keras names did not cross either.
        // Only a History: an error of the worker's own code may be named DivergenceError and carry
        // any history, and a throw here would leave the run waiting for good.
        if (error instanceof DivergenceError && typeof error.history?.history === 'object' && error.history.history !== null) {
          error.history = { ...error.history, history: withKerasNames(error.history.history) };
        }
        reject(error);
      }
    }
  };

  // A script that fails to load (a wrong URL, convas.js not beside worker.js) gives an error event
  // without a message: the trainer cannot work, and says what to check. An error with a message
  // is the worker's code failing (a module of one's own): that run fails with it, and the next
  // train() starts a new worker.
  const onError = (event: ErrorEvent) => {
    if (!event.message) {
      die(`the training worker could not be loaded (${String(workerUrl)}); check that this URL serves ` +
        'dist/worker.js (or your module calling serveTrainer()) and that convas.js is beside worker.js');
      return;
    }
    worker?.terminate();
    worker = undefined;
    running?.reject(new StateError(`the training worker failed: ${event.message}; the next train() starts a new one`));
    running = undefined;
  };

  const start = () => {
    const started = new Worker(workerUrl, { type: 'module' });
    started.addEventListener('message', onMessage);
    started.addEventListener('error', onError);
    return started;
  };
  let worker: Worker | undefined = start();

  const run = (message: ToWorker, callbacks: TrainCallbacks = {}) => new Promise<TrainResult>((resolve, reject) => {
    if (dead) throw new StateError(dead);
    if (running) throw new StateError('this trainer is already training: wait for it, or stop() it first');
    const sent = message.type === 'train' ? { ...message, request: withLayerConfigs(message.request) } : message;
    worker ??= start(); // after a failure, a new worker (which has nothing to resume)
    try {
      worker.postMessage(sent);
    } catch (error) {
      // The structured clone refused the request (a DataCloneError, or too much data to copy).
      throw new ConfigError(`train: the request could not be copied to the worker (${(error as Error).message}); it must be ` +
        'plain data that a worker can be sent (numbers, strings, arrays, typed arrays, plain objects; layer objects in ' +
        'modelConfig.layers), with no functions, tensors or other class instances, and no more than the browser can copy');
    }
    running = { resolve, reject, callbacks };
  });

  return {
    train: (request, callbacks) => run({ type: 'train', request }, callbacks),
    resume: (callbacks) => run({ type: 'resume' }, callbacks),
    stop: () => {
      if (!dead) worker?.postMessage({ type: 'stop' } satisfies ToWorker);
    },
    terminate: () => die('the trainer was terminated: create a new one with createTrainer()'),
  };
}
