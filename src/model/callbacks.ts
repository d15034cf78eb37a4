// Callbacks, as Keras and TensorFlow.js have them: objects whose hooks fit calls at the start and
// end of training, of each epoch and of each batch, in Keras's order (validation before
// onEpochEnd; model.stopTraining read after each batch and each epoch). A hook may return a
// promise: fit awaits it. Subclass Callback to be given the model and the run's params, or pass
// plain objects with the hooks you need.
import { ConfigError } from '../errors.js';
import { shownValue } from '../shown-value.js';
import type { Tensor } from '../tensor.js';
import { withKerasNames } from './log-names.js';
import type { MetricValue } from './metric-set.js';

/** An epoch's logs: mean loss and accuracy, the compiled metrics, and with validation their val_ twins. */
export interface Logs {
  loss: number;
  acc: number;
  val_loss?: number;
  val_acc?: number;
  /** Keras's names for acc and val_acc: the same values (a callback may set them too), not enumerated (log-names.ts). */
  accuracy?: number;
  val_accuracy?: number;
  [name: string]: MetricValue | undefined;
}

/** What fit returns: the epochs run and each log per epoch (Keras's History: a list for each log written, val_ ones with validation). */
export interface History {
  epoch: number[];
  history: {
    loss: number[]; acc: number[]; val_loss?: number[]; val_acc?: number[];
    /** Keras's names for acc and val_acc: the same lists, not enumerated (log-names.ts). */
    readonly accuracy?: number[]; readonly val_accuracy?: number[];
  } & Record<string, MetricValue[]>;
}

declare module '../errors.js' {
  interface DivergenceError {
    /** The epochs that finished before the run diverged, as fit would have returned them (set by fit, and by a worker run's Trainer). */
    history?: History;
  }
}

export const emptyHistory = (): History => ({ epoch: [], history: withKerasNames({ loss: [], acc: [] }) });

/** Adds an epoch's logs to the history, as Keras's History callback does at each epoch's end. */
export function recordEpoch(history: History, epoch: number, logs: Logs): void {
  history.epoch.push(epoch);
  for (const [name, value] of Object.entries(logs)) (history.history[name] ??= []).push(value!);
}

/** The logs ({}) of an epoch that trained nothing: `if (logs.loss === undefined)` tells them from Logs. */
export interface EmptyEpochLogs {
  loss?: undefined;
  acc?: undefined;
  [name: string]: undefined;
}

/**
 * onEpochEnd's logs: the epoch's Logs, or none at all ({}) for an epoch that trained nothing — one
 * that a dataset read with batchesPerEpoch ran out of as it began. TF.js, too, ends that epoch
 * with empty logs (Keras gives its metrics just reset).
 */
export type EpochEndLogs = Logs | EmptyEpochLogs;

/** A batch's logs: the epoch's running means so far, the batch's index and size. */
export type BatchLogs = Logs & { batch: number; size: number };

/** What fit tells the callbacks before training (TF.js's callback params). */
export interface TrainingParams {
  epochs: number;
  initialEpoch: number;
  /** Batches per epoch, when known ahead. */
  steps?: number;
  /** Training examples, when known ahead (fit). */
  samples?: number;
  batchSize?: number;
  doValidation: boolean;
  /** The names the epoch logs carry: loss, acc, the metrics, and their val_ twins with validation. */
  metrics: string[];
}

/** What a callback may use of the model it trains: Model has all of it. */
export interface TrainedModel {
  readonly name: string;
  /** Set to true to end training after the current batch (Keras's model.stop_training). */
  stopTraining: boolean;
  getWeights(): Tensor[];
  setWeights(weights: Array<Tensor | Float32Array>): void;
  save(destination: string): Promise<void>;
}

/** The hooks, each optional (TF.js's CustomCallbackArgs). */
export interface CallbackHooks {
  onTrainBegin?(logs?: Partial<Logs>): void | Promise<void>;
  /** With the last epoch's logs (undefined when no epoch ran). */
  onTrainEnd?(logs?: Logs): void | Promise<void>;
  onEpochBegin?(epoch: number, logs?: Partial<Logs>): void | Promise<void>;
  onEpochEnd?(epoch: number, logs: EpochEndLogs): void | Promise<void>;
  onBatchBegin?(batch: number, logs: { batch: number; size: number }): void | Promise<void>;
  onBatchEnd?(batch: number, logs: BatchLogs): void | Promise<void>;
}

// The hooks a Callback may define are CallbackHooks' (declared once, merged into the class).
export interface Callback extends CallbackHooks {}

/** A callback that is told the model it trains and the run's params before training starts. */
export abstract class Callback {
  model?: TrainedModel;
  params?: TrainingParams;

  setModel(model: TrainedModel): void {
    this.model = model;
  }

  setParams(params: TrainingParams): void {
    this.params = params;
  }
}

/** fit's `callbacks`: one callback or a list, each a Callback or a plain object of hooks. */
export type Callbacks = Callback | CallbackHooks | Array<Callback | CallbackHooks>;

const HOOKS = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;

/** The callbacks of one run, called in order, each awaited; `afterEach` runs after each hook (fit checks the model is still alive). */
export class CallbackList {
  readonly hasBatchBegin: boolean;
  readonly hasBatchEnd: boolean;

  constructor(private readonly list: CallbackHooks[], private readonly afterEach: () => void) {
    this.hasBatchBegin = list.some((c) => typeof c.onBatchBegin === 'function');
    this.hasBatchEnd = list.some((c) => typeof c.onBatchEnd === 'function');
  }

  async trainBegin(model: TrainedModel, params: TrainingParams): Promise<void> {
    for (const c of this.list) {
      if (c instanceof Callback) {
        c.setModel(model);
        c.setParams(params);
      }
    }
    for (const c of this.list) await this.after(c.onTrainBegin?.({}));
  }

  async trainEnd(logs: Logs | undefined): Promise<void> {
    for (const c of this.list) await this.after(c.onTrainEnd?.(logs));
  }

  async epochBegin(epoch: number): Promise<void> {
    for (const c of this.list) await this.after(c.onEpochBegin?.(epoch, {}));
  }

  async epochEnd(epoch: number, logs: EpochEndLogs): Promise<void> {
    for (const c of this.list) await this.after(c.onEpochEnd?.(epoch, logs));
  }

  async batchBegin(batch: number, size: number): Promise<void> {
    for (const c of this.list) await this.after(c.onBatchBegin?.(batch, { batch, size }));
  }

  async batchEnd(batch: number, logs: BatchLogs): Promise<void> {
    for (const c of this.list) await this.after(c.onBatchEnd?.(batch, logs));
  }

  private async after(result: void | Promise<void> | undefined): Promise<void> {
    await result;
    this.afterEach();
  }
}

/** What to use instead of a hook convas does not call (TF.js's onYield). */
const NOT_CALLED: Readonly<Record<string, string>> = {
  onYield: 'TF.js\'s onYield is not called by convas; fit\'s yieldEvery sets when other work runs, and onBatchEnd runs after each batch',
};

/**
 * A name read as a hook of training's steps (onEpochFinish, onBatchEnds, Keras's on_epoch_end or
 * on_test_begin) or TF.js's onYield. Other on… names (onProgress, onStopClicked) are a callback
 * object's own helpers, which TF.js leaves alone too.
 */
const HOOK_LIKE = /^on_?(train|epoch|batch|test|predict|yield)/i;

/**
 * The methods and function fields of `c` named as a hook would be that are no hook fit calls:
 * misspelt, fit would never call them, and say nothing.
 */
function unknownHooks(c: object): string[] {
  const names = new Set<string>();
  for (let o: object | null = c; o !== null && o !== Object.prototype && o !== Callback.prototype; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) names.add(name);
  }
  return [...names].filter((name) => HOOK_LIKE.test(name) && !(HOOKS as readonly string[]).includes(name) &&
    typeof (c as Record<string, unknown>)[name] === 'function');
}

/** The callbacks fit was given, as a list; anything that is not an object of hooks, or that names one fit does not call, is a ConfigError. */
export function callbackList(given: Callbacks | undefined, who: string): CallbackHooks[] {
  if (given === undefined) return [];
  const list = Array.isArray(given) ? given : [given];
  list.forEach((c, i) => {
    const where = Array.isArray(given) ? `callbacks[${i}]` : 'callbacks';
    if (!c || typeof c !== 'object') throw new ConfigError(`${who}: ${where} must be a callback object, got ${shownValue(c)}`);
    const bad = HOOKS.find((h) => h in c && typeof (c as Record<string, unknown>)[h] !== 'function');
    if (bad) throw new ConfigError(`${who}: ${where}.${bad} must be a function`);
    const [unknown] = unknownHooks(c);
    if (unknown !== undefined) {
      throw new ConfigError(`${who}: ${where}.${unknown} is not a hook: ` +
        (Object.hasOwn(NOT_CALLED, unknown) ? NOT_CALLED[unknown] : `fit calls ${HOOKS.join(', ')}`));
    }
    if (!HOOKS.some((h) => typeof (c as Record<string, unknown>)[h] === 'function')) {
      throw new ConfigError(`${who}: ${where} has none of the hooks ${HOOKS.join(', ')}`);
    }
  });
  return list;
}
