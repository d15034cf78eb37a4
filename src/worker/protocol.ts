// The messages between a page's Trainer and the training worker.
import type { CompileOptions, LayerConfig, Logs } from '../index.js';

/** Enough to rebuild the model anywhere: `sequential(modelConfig)`. */
export interface ModelConfig {
  inputShape: number[];
  layers: LayerConfig[];
  seed?: number;
}

export interface TrainingData {
  /** count × inputShape values, NHWC. */
  images: Float32Array;
  /** One-hot targets (count × outputs) or one class index per image. */
  labels: Float32Array | Uint8Array;
}

export interface TrainRequest {
  modelConfig: ModelConfig;
  compile: CompileOptions;
  fit: { epochs?: number; batchSize?: number; shuffle?: boolean };
  data: TrainingData & { validation?: TrainingData };
}

export interface BatchProgress {
  epoch: number;
  batch: number;
  /** Running mean loss and accuracy of the epoch so far. */
  loss: number;
  acc: number;
  /** Training examples per second since this train() or resume() began. */
  imagesPerSecond: number;
}

export interface TrainResult {
  modelConfig: ModelConfig;
  /** The trained weights in model.getWeights() order: pass to model.setWeights(). */
  weights: Float32Array[];
  /** Whole epochs completed so far, across train() and resume() calls. */
  epochsDone: number;
  /** True when stop() ended the run before its last epoch. */
  stopped: boolean;
}

export type ToWorker = { type: 'train'; request: TrainRequest } | { type: 'resume' } | { type: 'stop' };

export type FromWorker =
  | { type: 'batch'; progress: BatchProgress }
  | { type: 'epoch'; epoch: number; logs: Logs }
  | { type: 'done'; result: TrainResult }
  | { type: 'error'; name: string; message: string };
