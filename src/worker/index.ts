// convas/worker: train in a Web Worker. On the page, createTrainer(url of this file); loaded as a
// module worker's script, this same file serves the trainer by itself.
import { serveTrainer } from './serve.js';

export { createTrainer } from './trainer.js';
export type { Trainer, TrainCallbacks } from './trainer.js';
export type { BatchProgress, ModelConfig, TrainFitOptions, TrainRequest, TrainResult, TrainingData } from './protocol.js';
export { serveTrainer };

// Only as the worker's own script: a module of your own that imports this one calls serveTrainer() itself.
const scope = globalThis as { DedicatedWorkerGlobalScope?: new () => unknown; location?: { href: string } };
const inWorker = scope.DedicatedWorkerGlobalScope !== undefined && globalThis instanceof scope.DedicatedWorkerGlobalScope;
if (inWorker && import.meta.url === scope.location?.href) serveTrainer();
