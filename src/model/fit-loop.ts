// The training loop of fit and fitDataset, in Keras's order of events: onTrainBegin; per epoch
// onEpochBegin, then per batch onBatchBegin, one checked step, onBatchEnd (stopping after the
// batch when model.stopTraining is set); then validation, the schedule's end-of-epoch hook,
// onEpochEnd with the epoch's logs (val_ ones included) and the stop check; onTrainEnd. Where the
// batches come from is a BatchSource (tensor-batches.ts for fit, dataset-batches.ts for
// fitDataset). A step that diverges (a non-finite or exploding loss, a non-finite gradient or
// weight: divergence.ts) is undone and ends the run with a DivergenceError, so the model keeps the
// last good weights; the run still ends as Keras's TerminateOnNaN ends it, onTrainEnd called (so
// earlyStopping restores its best weights), and the error carries the finished epochs' History.
import { DivergenceError } from '../errors.js';
import { yieldToEventLoop } from '../platform.js';
import { type BatchLogs, type CallbackList, type History, type Logs, type TrainedModel, type TrainingParams, recordEpoch } from './callbacks.js';
import type { DivergenceCheck } from './divergence.js';
import { kerasNameAliases, kerasNamesOf, loggedName } from './log-names.js';
import type { MetricSet, MetricValue } from './metric-set.js';
import { StepCheckpoint, firstNonFiniteGradient } from './step-checkpoint.js';
import type { TrainStep } from './train-step.js';

/** Where a run's batches come from. */
export interface BatchSource {
  /** Starts an epoch: a new order, a new pass over a dataset. */
  startEpoch(epoch: number): void | Promise<void>;
  /** Reads the epoch's next batch, checked, and returns its size; 0 when the epoch is over. */
  nextBatch(): number | Promise<number>;
  /** Puts the batch nextBatch read in the step's buffers, its targets prepared. */
  loadBatch(): void;
  /** Lets go of what the run still holds: a batch read but never loaded, a pass over a dataset not read to its end. */
  release?(): void;
}

/** Loss and metrics on held-out data: evaluate's result. */
export type Evaluation = { loss: number; accuracy: number } & Record<string, MetricValue>;

/** When the loop yields: after a batch once `afterMs` have passed since the last yield, and after each epoch if `afterEpoch`. */
export interface YieldPolicy {
  afterMs: number;
  afterEpoch: boolean;
}

export interface FitRun {
  model: TrainedModel;
  step: TrainStep;
  source: BatchSource;
  /** The validation at the end of each epoch, when there is validation data. */
  validate?: () => Evaluation | Promise<Evaluation>;
  /** The training metrics, counted over each epoch. */
  metrics: MetricSet;
  callbacks: CallbackList;
  /** When a batch's loss means the run has diverged. */
  lossCheck: DivergenceCheck;
  /** When the loop lets other work run (fit's yieldEvery). */
  yieldPolicy: YieldPolicy;
  history: History;
  params: TrainingParams;
}

export async function fitLoop(run: FitRun): Promise<History> {
  const { model, step, source, validate, metrics, callbacks, lossCheck, yieldPolicy, params } = run;
  const monitor = step.optimizer.monitor;
  const aliases = kerasNameAliases(kerasNamesOf(params.metrics));
  const checkpoint = new StepCheckpoint(step.trainedWeights, step.layerState, step.optimizer);
  let lastYield = performance.now();
  // Let progress, UI and other work run, then go on only if the model still can.
  const yieldNow = async () => {
    await yieldToEventLoop();
    step.checkStillTraining();
    lastYield = performance.now();
  };
  let last: Logs | undefined;
  let diverged: DivergenceError | undefined;
  model.stopTraining = false;
  try {
    await callbacks.trainBegin(model, params);
    for (let epoch = params.initialEpoch; epoch < params.epochs; epoch++) {
      await callbacks.epochBegin(epoch);
      await source.startEpoch(epoch);
      metrics.reset();
      let lossSum = 0, seen = 0;
      for (let b = 0; ; b++) {
        const size = await source.nextBatch();
        if (size === 0) break;
        if (callbacks.hasBatchBegin) await callbacks.batchBegin(b, size);
        // Only now, with nothing between it and the step: evaluate in a callback (or in anything
        // else that runs while fit awaits) uses the same buffers.
        source.loadBatch();
        const loss = checkedStep(step, checkpoint, lossCheck, size, epoch, b);
        lossSum += loss * size;
        seen += size;
        step.countMetrics(metrics, size);
        if (callbacks.hasBatchEnd) await callbacks.batchEnd(b, batchLogs(lossSum / seen, metrics, aliases, b, size));
        if (model.stopTraining) break;
        if (performance.now() - lastYield >= yieldPolicy.afterMs) await yieldNow();
      }
      // The source ran dry before the epoch's first batch (it said why, and stopped the run): the
      // epoch trained nothing, so it is neither validated nor recorded, but the epoch onEpochBegin
      // opened is closed, with empty logs, as TF.js closes it.
      if (seen === 0) {
        await callbacks.epochEnd(epoch, {});
        break;
      }
      const logs = epochLogs(lossSum / seen, metrics, aliases);
      if (validate) writeValidation(await validate(), logs);
      // A schedule that follows a log (reduceLROnPlateau) sees the epoch's value: its one hook into fit.
      if (monitor) step.optimizer.epochEnd(logs[loggedName(monitor)] as number);
      recordEpoch(run.history, epoch, logs);
      await callbacks.epochEnd(epoch, logs);
      last = logs;
      if (model.stopTraining) break;
      if (yieldPolicy.afterEpoch) await yieldNow();
    }
  } catch (error) {
    if (!(error instanceof DivergenceError)) throw error;
    diverged = error;
  } finally {
    source.release?.();
    checkpoint.dispose();
  }
  if (!diverged) {
    await callbacks.trainEnd(last);
    return run.history;
  }
  // The message stays about the divergence and its cure: apps show it to people who train (the site
  // does). A callback failing at the end does not hide it: its error goes with it.
  diverged.history = run.history;
  await callbacks.trainEnd(last).catch((error) => void (diverged!.callbackError = error));
  throw diverged;
}

/**
 * One training step on the batch in the buffers, checked: a non-finite gradient, or a step that
 * leaves a non-finite weight, is undone (weights, optimizer and layer state as before it) and throws
 * a DivergenceError. A loss that is non-finite or explodes shows the weights that gave it are bad
 * too, so the step before, which made them, is undone as well. Returns the batch's loss.
 */
function checkedStep(step: TrainStep, checkpoint: StepCheckpoint, lossCheck: DivergenceCheck, size: number, epoch: number, b: number): number {
  checkpoint.save(); // before the forward pass, which moves layer state
  const loss = step.computeGradients(size);
  const badLoss = lossCheck.problem(loss);
  if (badLoss) {
    const kept = checkpoint.restoreEarlier() ? 'from before the step that led to it' : 'fit started from';
    throw divergence(step, badLoss, epoch, b, kept);
  }
  const badGradient = firstNonFiniteGradient(step.trainedWeights);
  if (badGradient) {
    checkpoint.restore(false);
    throw divergence(step, `the gradient of ${badGradient.name} became NaN or infinite`, epoch, b);
  }
  step.applyGradients();
  const badArray = checkpoint.firstNonFinite();
  if (badArray) {
    checkpoint.restore(true);
    throw divergence(step, `the step made ${badArray} NaN or infinite (it was undone)`, epoch, b);
  }
  return loss;
}

const divergence = (step: TrainStep, what: string, epoch: number, b: number, kept = 'from before that step') => new DivergenceError(
  `fit: ${what} at epoch ${epoch + 1}, batch ${b + 1}; training stopped with the weights ${kept}. ` +
  `Try a lower learningRate (now ${step.optimizer.learningRate})`);

/** An epoch's (or the epoch so far's) logs, answering to Keras's names through `aliases` (the run's kerasNameAliases). */
function epochLogs(loss: number, metrics: MetricSet, aliases: PropertyDescriptorMap): Logs {
  const logs = Object.create(Object.prototype, aliases) as Logs;
  logs.loss = loss;
  metrics.write(logs);
  return logs;
}

function batchLogs(loss: number, metrics: MetricSet, aliases: PropertyDescriptorMap, batch: number, size: number): BatchLogs {
  const logs = epochLogs(loss, metrics, aliases) as BatchLogs;
  logs.batch = batch;
  logs.size = size;
  return logs;
}

/** The validation's loss and metrics as val_ logs (val_acc for its accuracy, as TF.js names it). */
function writeValidation(evaluation: Evaluation, logs: Logs): void {
  for (const [name, value] of Object.entries(evaluation)) logs[`val_${name === 'accuracy' ? 'acc' : name}`] = value;
}
