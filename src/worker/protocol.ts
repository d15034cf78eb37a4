// The messages between a page's Trainer and the training worker.
import type { ClassWeight, CompileOptions, EarlyStoppingOptions, Layer, LayerConfig, Logs } from '../index.js';
import type { CrossingError } from './crossing-errors.js';

/** Enough to rebuild the model anywhere: `sequential(modelConfig)`. */
export interface ModelConfig {
  inputShape: number[];
  layers: LayerConfig[];
  seed?: number;
}

export interface TrainingData {
  /** count × inputShape values, NHWC: the number of examples is images.length / the size of inputShape. */
  images: Float32Array;
  /**
   * Either one class id per image (count values): class ids for a sparse loss, one-hot over the
   * outputs for any other, the targets themselves for a one-unit output (0/1 for a sigmoid); or
   * count × outputs values, the targets as they are. For an output of [H, W, C], a sparse loss
   * takes a class id per position: count × H × W values.
   */
  labels: Float32Array | Uint8Array | Uint16Array | Int32Array | number[];
  /**
   * fit's sampleWeight (Keras's sample_weight): count values, one per image, or for an output of
   * [H, W, C], count × H × W, one per position. In data they weigh the training loss; in
   * data.validation, val_loss (Keras's validation_data [x, y, sample_weight]).
   */
  sampleWeights?: Float32Array | number[];
}

/**
 * The fit options a worker run takes; any other is refused. Held-out data goes in data.validation,
 * stopping is the Trainer's stop(), and callbacks are functions, which cannot cross to a worker.
 */
export interface TrainFitOptions {
  /** A positive integer. Default 1. */
  epochs?: number;
  /** A positive integer, at most the number of examples. Default 32 (or all, if fewer). */
  batchSize?: number;
  shuffle?: boolean;
  classWeight?: ClassWeight;
  /**
   * callbacks.earlyStopping's options (the callback is made in the worker, as functions cannot
   * cross to it), following the validation data's logs by default.
   */
  earlyStopping?: EarlyStoppingOptions;
}

export interface TrainRequest {
  /**
   * The layers as configs or as layer objects (layers.dense(…)): the page sends a layer object's
   * config (layerToConfig), not the layer, so one that already holds weights is refused.
   */
  modelConfig: Omit<ModelConfig, 'layers'> & { layers: Array<Layer | LayerConfig> };
  compile: CompileOptions;
  fit: TrainFitOptions;
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
  /**
   * With its fields: a DivergenceError carries the History of the epochs that finished, as fit's
   * does (Keras's names added again on the page), and the error a callback's onTrainEnd threw after it.
   */
  | ({ type: 'error' } & CrossingError);
