// The messages between a page's Trainer and the training worker.
import type { CompileOptions, EarlyStoppingOptions, LayerConfig, Logs } from '../index.js';

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
  /**
   * fit's settings; earlyStopping: callbacks.earlyStopping's options (the callback is made in the
   * worker, as functions cannot cross to it), following the validation data's logs by default.
   */
  fit: { epochs?: number; batchSize?: number; shuffle?: boolean; earlyStopping?: EarlyStoppingOptions };
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
  /**
   * Set when early stopping ended the run (it is then done: resume() has nothing left to do):
   * the epoch it stopped after, and the best epoch (whose weights these are with restoreBestWeights).
   */
  stoppedEarly?: { epoch: number; bestEpoch: number };
}

export type ToWorker = { type: 'train'; request: TrainRequest } | { type: 'resume' } | { type: 'stop' };

export type FromWorker =
  | { type: 'batch'; progress: BatchProgress }
  | { type: 'epoch'; epoch: number; logs: Logs }
  | { type: 'done'; result: TrainResult }
  | { type: 'error'; name: string; message: string };
