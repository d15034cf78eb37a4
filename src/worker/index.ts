// convas/worker: train in a Web Worker. On the page, createTrainer(url of this file); loaded as a
// module worker, this same file serves the trainer by itself.
import { serveTrainer } from './serve.js';

export { createTrainer } from './trainer.js';
export type { Trainer, TrainCallbacks } from './trainer.js';
export type { BatchProgress, ModelConfig, TrainRequest, TrainResult, TrainingData } from './protocol.js';
export { serveTrainer };

const scope = globalThis as { DedicatedWorkerGlobalScope?: new () => unknown };
if (scope.DedicatedWorkerGlobalScope && globalThis instanceof scope.DedicatedWorkerGlobalScope) serveTrainer();
