// The options of fit and fitDataset, with TensorFlow.js's names, and their checks: each bad
// setting is a ConfigError naming it. convas's own onBatchEnd / onEpochEnd / shouldStop options
// become one more callback.
import { ConfigError } from '../errors.js';
import { shownValue } from '../shown-value.js';
import type { Tensor } from '../tensor.js';
import { type BatchLogs, type CallbackHooks, type Callbacks, type EpochEndLogs, type Logs, type TrainedModel, callbackList } from './callbacks.js';
import type { ClassWeight } from './class-weights.js';
import type { Dataset } from './dataset-batches.js';
import type { DivergenceOptions } from './divergence.js';
import type { YieldPolicy } from './fit-loop.js';
import { checkBoolean, checkOptions } from './settings.js';

/** What fit and fitDataset share. */
export interface TrainingOptions {
  /** The epoch to end before: epochs initialEpoch … epochs − 1 run (Keras's and TF.js's meaning). Default 1. */
  epochs?: number;
  /** The first epoch's number, to continue an earlier run (the learning-rate schedule continues from the optimizer's steps). Default 0. */
  initialEpoch?: number;
  /** Multiplies each example's loss by its class's weight ({ [class]: weight } or an array; missing classes weigh 1). */
  classWeight?: ClassWeight;
  /** Callbacks (callbacks.earlyStopping(), callbacks.modelCheckpoint(), a Callback, or objects of hooks), called in order. */
  callbacks?: Callbacks;
  /** Called after each batch with the running mean loss and metrics of the epoch so far (a callback's onBatchEnd). */
  onBatchEnd?: (batch: number, logs: BatchLogs) => void | Promise<void>;
  /** Return true (e.g. from a stop button) to end training after the current batch, as model.stopTraining = true does. */
  shouldStop?: () => boolean;
  /** When an exploding loss stops the run (divergence.ts); false: only NaN and infinite values do. */
  divergence?: DivergenceOptions | false;
  /**
   * TF.js's: how often the run lets other work (timers, events, a Stop) run between batches: 'auto'
   * (every 50 ms), 'batch', 'epoch', 'never' (callbacks that await still let it), or every n milliseconds.
   */
  yieldEvery?: YieldEvery;
  /** TF.js's progress printing (tfjs-node only): 0, 1 or 2, taken and ignored — fit prints nothing; log from onEpochEnd. */
  verbose?: 0 | 1 | 2;
}

/**
 * Held-out tensors: [x, y], or [x, y, sampleWeight] as Keras's validation_data (x a list for several
 * inputs; y may be [y], as TF.js takes the targets of a model's one output).
 */
export type ValidationTensors = [Tensor | Tensor[], Tensor | [Tensor]] | [Tensor | Tensor[], Tensor | [Tensor], Tensor];

export type YieldEvery = 'auto' | 'batch' | 'epoch' | 'never' | number;

/** convas's 'auto': often enough for a page to stay responsive, rarely enough to cost nothing measurable. */
const AUTO_YIELD_MS = 50;

export interface FitOptions extends TrainingOptions {
  /** Called after each epoch with its logs (a callback's onEpochEnd; fit's epochs always train). */
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  /**
   * Examples per step: at most the number of examples (a larger one is refused, as likely a mix-up);
   * left out, 32 or all the examples if there are fewer.
   */
  batchSize?: number;
  /**
   * Shuffle the training examples before each epoch, with the model's seeded stream. Default true.
   * Keras's 'batch' is refused, as TF.js refuses it.
   */
  shuffle?: boolean;
  /** Held-out [x, y], or Keras's [x, y, sampleWeight], whose weights weigh val_loss as sampleWeight weighs loss. */
  validationData?: ValidationTensors;
  /**
   * A share in [0, 1) of the examples to hold out for validation: the last ones, taken before any
   * shuffling, as Keras does. validationData, when given, wins (as in Keras).
   */
  validationSplit?: number;
  /**
   * Keras's sample_weight: [n], a weight per example, or, for a loss that scores each position of
   * the output ([H, W, C] with a cross-entropy, categoricalHinge, kullbackLeiblerDivergence or
   * cosineProximity), [n, H, W], a weight per
   * position. Each weighs its loss rows' loss and gradient (sample-weights.ts); not with classWeight.
   */
  sampleWeight?: Tensor;
}

export interface FitDatasetOptions extends TrainingOptions {
  /** Called after each epoch with its logs, {} for an epoch that trained nothing (see EpochEndLogs). */
  onEpochEnd?: (epoch: number, logs: EpochEndLogs) => void | Promise<void>;
  /**
   * Batches per epoch, read on from one pass over the dataset across epochs (TF.js's meaning);
   * left out, each epoch is one whole pass (the dataset must then be readable again).
   */
  batchesPerEpoch?: number;
  /** Held-out data: [x, y] (or [x, y, sampleWeight]) tensors, or a dataset of batches as for training. */
  validationData?: ValidationTensors | Dataset;
  /** With a validation dataset: the batches to read from it each epoch (default: a whole pass). */
  validationBatches?: number;
  /** With validation tensors: examples per forward pass. Default 32. */
  validationBatchSize?: number;
}

/** Every option each takes: one left out here fails the type check, and one a caller misspells is refused. */
const TRAINING_OPTIONS = {
  epochs: true, initialEpoch: true, classWeight: true, callbacks: true, onBatchEnd: true, shouldStop: true, divergence: true,
  yieldEvery: true, verbose: true,
} satisfies Record<keyof TrainingOptions, true>;
const FIT_OPTIONS = {
  ...TRAINING_OPTIONS, onEpochEnd: true, batchSize: true, shuffle: true, validationData: true, validationSplit: true, sampleWeight: true,
} satisfies Record<keyof FitOptions, true>;
const FIT_DATASET_OPTIONS = {
  ...TRAINING_OPTIONS, onEpochEnd: true, batchesPerEpoch: true, validationData: true, validationBatches: true, validationBatchSize: true,
} satisfies Record<keyof FitDatasetOptions, true>;

/** TF.js's and Keras's options that convas does not take, each with what to use instead. */
const REFUSED: Record<'fit' | 'fitDataset', Record<string, string>> = {
  fit: {
    stepsPerEpoch: 'an epoch of fit is one pass over x in batches of batchSize; to train a set number of batches per epoch, ' +
      'use fitDataset with batchesPerEpoch',
  },
  fitDataset: {
    sampleWeight: 'a dataset\'s batches are { xs, ys }, which carry no sample weights; fit(x, y, { sampleWeight }) takes them',
    stepsPerEpoch: 'convas takes TF.js\'s name for it, batchesPerEpoch',
  },
};

/** fit's or fitDataset's options: an object of known names. */
export function checkOptionNames(options: unknown, who: 'fit' | 'fitDataset'): void {
  for (const [name, instead] of Object.entries(REFUSED[who])) {
    if (options !== null && typeof options === 'object' && Object.hasOwn(options, name)) throw new ConfigError(`${who}: ${name}: ${instead}`);
  }
  checkOptions(who, options, Object.keys(who === 'fit' ? FIT_OPTIONS : FIT_DATASET_OPTIONS));
  checkYieldEvery((options as TrainingOptions).yieldEvery, who); // refused before fit sizes anything
  checkVerbose((options as TrainingOptions).verbose, who);
}

/**
 * TF.js's and Keras's progress printing, which fit, evaluate and predict take and ignore (they print
 * nothing): 0, 1 or 2, or TF.js's predict's true or false.
 */
export function checkVerbose(value: unknown, who: string): void {
  if (value !== undefined && value !== 0 && value !== 1 && value !== 2 && typeof value !== 'boolean') {
    throw new ConfigError(`${who}: verbose must be 0, 1, 2, true or false (it is taken for TF.js's sake and ignored), got ${shownValue(value)}`);
  }
}

/** yieldEvery, checked, as the loop follows it. */
export function checkYieldEvery(value: unknown, who: string): YieldPolicy {
  switch (value ?? 'auto') {
    case 'auto': return { afterMs: AUTO_YIELD_MS, afterEpoch: false };
    case 'batch': return { afterMs: 0, afterEpoch: false };
    case 'epoch': return { afterMs: Infinity, afterEpoch: true };
    case 'never': return { afterMs: Infinity, afterEpoch: false };
  }
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ConfigError(`${who}: yieldEvery must be 'auto', 'batch', 'epoch', 'never' or a number of milliseconds ≥ 0, got ` +
      `${shownValue(value)}`);
  }
  return { afterMs: value, afterEpoch: false };
}

/**
 * fit's shuffle, checked. Keras's 'batch' shuffles in batch-sized chunks, for HDF5 files read in
 * order; TF.js throws NotImplementedError for it, and so does convas, saying what to use instead.
 */
export function checkShuffle(value: unknown, who: string): boolean {
  if (value === 'batch') {
    throw new ConfigError(`${who}: shuffle 'batch' (Keras's shuffling in batch-sized chunks, made for HDF5 files) is not taken, as ` +
      'TF.js does not take it; x is in memory, so true shuffles every example (the default), or false keeps their order');
  }
  return checkBoolean(who, 'shuffle', value ?? true);
}

/** A whole number ≥ `least`, or the default when left out. */
export function checkInteger(who: string, name: string, value: unknown, fallback: number, least: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || (value as number) < least) {
    const says = least === 1 ? 'a positive integer' : `an integer ≥ ${least}`;
    throw new ConfigError(`${who}: ${name} must be ${says}, got ${shownValue(value)}`);
  }
  return value as number;
}

/** epochs and initialEpoch, checked. */
export function checkEpochs(options: TrainingOptions, who: string): { epochs: number; initialEpoch: number } {
  if (options.epochs !== undefined && (!Number.isInteger(options.epochs) || options.epochs < 1)) {
    throw new ConfigError(`${who}: epochs must be a positive integer, got ${shownValue(options.epochs)}`);
  }
  return { epochs: options.epochs ?? 1, initialEpoch: checkInteger(who, 'initialEpoch', options.initialEpoch, 0, 0) };
}

/** The run's callbacks: convas's option hooks first (as one callback), then those in `callbacks`. */
export function runCallbacks(options: FitOptions | FitDatasetOptions, model: TrainedModel, who: string): CallbackHooks[] {
  const { onBatchEnd, shouldStop } = options;
  // fit's hook takes Logs: its source (tensor-batches.ts) never runs dry, so it never gets the empty logs of an epoch that trained nothing.
  const onEpochEnd = options.onEpochEnd as ((epoch: number, logs: EpochEndLogs) => void | Promise<void>) | undefined;
  for (const [name, hook] of Object.entries({ onBatchEnd, onEpochEnd, shouldStop })) {
    if (hook !== undefined && typeof hook !== 'function') throw new ConfigError(`${who}: ${name} must be a function`);
  }
  const stopWhenAsked = () => {
    if (shouldStop?.()) model.stopTraining = true;
  };
  const own: CallbackHooks = {};
  if (onBatchEnd || shouldStop) {
    own.onBatchEnd = async (batch, logs) => {
      await onBatchEnd?.(batch, logs);
      stopWhenAsked();
    };
  }
  if (onEpochEnd || shouldStop) {
    own.onEpochEnd = async (epoch, logs) => {
      await onEpochEnd?.(epoch, logs);
      stopWhenAsked();
    };
  }
  return [...(own.onBatchEnd || own.onEpochEnd ? [own] : []), ...callbackList(options.callbacks, who)];
}
