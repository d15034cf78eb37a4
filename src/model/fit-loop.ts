// The training loop: epochs of shuffled batches, one checked step each, callbacks and history.
// A step that diverges (a non-finite or exploding loss, a non-finite gradient or weight:
// divergence.ts) is undone and ends the run with a DivergenceError, so the model keeps the last
// good weights.
import { ConfigError, DivergenceError, ShapeError } from '../errors.js';
import { DivergenceCheck, type DivergenceOptions } from './divergence.js';
import { checkKeys } from './settings.js';
import { yieldToEventLoop } from '../platform.js';
import type { Tensor } from '../tensor.js';
import { StepCheckpoint, firstNonFiniteGradient } from './step-checkpoint.js';
import type { TrainStep } from './train-step.js';

export interface Logs {
  loss: number;
  acc: number;
  val_loss?: number;
  val_acc?: number;
}

export interface FitOptions {
  epochs?: number;
  /**
   * Examples per step: at most the number of examples (a larger one is refused, as likely a mix-up);
   * left out, 32 or all the examples if there are fewer.
   */
  batchSize?: number;
  shuffle?: boolean;
  validationData?: [Tensor | Tensor[], Tensor];
  /** Called after each batch with the running mean loss and accuracy of the epoch so far. */
  onBatchEnd?: (batch: number, logs: Logs & { size: number }) => void | Promise<void>;
  onEpochEnd?: (epoch: number, logs: Logs) => void | Promise<void>;
  /** Return true (e.g. from a stop button) to end training after the current batch. */
  shouldStop?: () => boolean;
  /** When an exploding loss stops the run (divergence.ts); false: only NaN and infinite values do. */
  divergence?: DivergenceOptions | false;
}

/** Every option fit takes: one left out here fails the type check, and one a caller misspells is refused. */
const FIT_OPTIONS = {
  epochs: true, batchSize: true, shuffle: true, validationData: true, onBatchEnd: true, onEpochEnd: true, shouldStop: true, divergence: true,
} satisfies Record<keyof FitOptions, true>;

function checkFitOptions(options: FitOptions): void {
  if (options === null || typeof options !== 'object') throw new ConfigError(`fit: options must be an object, got ${JSON.stringify(options)}`);
  checkKeys('fit', options, Object.keys(FIT_OPTIONS));
  if (options.shuffle !== undefined && typeof options.shuffle !== 'boolean') {
    throw new ConfigError(`fit: shuffle must be true or false, got ${JSON.stringify(options.shuffle)}`);
  }
}

export interface History {
  epoch: number[];
  history: { loss: number[]; acc: number[]; val_loss: number[]; val_acc: number[] };
}

const YIELD_EVERY_MS = 50;

export async function fitLoop(step: TrainStep, xs: Tensor[], y: Tensor, n: number, options: FitOptions): Promise<History> {
  checkFitOptions(options);
  const { epochs = 1, batchSize = 32, shuffle = true, validationData, onBatchEnd, onEpochEnd, shouldStop } = options;
  if (!Number.isInteger(epochs) || epochs < 1) throw new ConfigError(`fit: epochs must be a positive integer, got ${JSON.stringify(epochs)}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`fit: batchSize must be a positive integer, got ${JSON.stringify(batchSize)}`);
  if (n === 0) throw new ShapeError('fit: the dataset is empty');
  if (options.batchSize !== undefined && batchSize > n) {
    throw new ConfigError(`fit: batchSize ${batchSize} is larger than the ${n} examples in x; expected at most ${n} ` +
      '(or leave it out: it is then 32, or all the examples if there are fewer)');
  }
  const lossCheck = new DivergenceCheck(options.divergence, step.lossReference);
  if (validationData) step.checkValidation(validationData);
  const monitor = step.optimizer.monitor as keyof Logs | undefined;
  if (monitor?.startsWith('val_') && !validationData) {
    throw new ConfigError(`fit: the learning-rate schedule follows ${monitor}, which needs validationData`);
  }
  const batch = Math.min(batchSize, n);
  step.plan(batch);
  const order = shuffle ? Uint32Array.from({ length: n }, (_, i) => i) : undefined;
  const history: History = { epoch: [], history: { loss: [], acc: [], val_loss: [], val_acc: [] } };
  const trained = step.trainedWeights;
  let lastYield = performance.now();
  const checkpoint = new StepCheckpoint(trained, step.layerState, step.optimizer);
  const divergence = (what: string, epoch: number, b: number, kept = 'from before that step') => new DivergenceError(
    `fit: ${what} at epoch ${epoch + 1}, batch ${b + 1}; training stopped with the weights ${kept}. ` +
    `Try a lower learningRate (now ${step.optimizer.learningRate})`);
  try {
    for (let epoch = 0; epoch < epochs; epoch++) {
      if (order) step.shuffle(order);
      let lossSum = 0, correct = 0, seen = 0;
      for (let from = 0, b = 0; from < n; from += batch, b++) {
        const size = Math.min(batch, n - from);
        step.gather(xs, y, order, from, size);
        checkpoint.save(); // before the forward pass, which moves layer state
        const loss = step.computeGradients(size);
        const badLoss = lossCheck.problem(loss);
        if (badLoss) {
          // The weights that gave this loss are bad too: undo the step that made them as well.
          throw divergence(badLoss, epoch, b, checkpoint.restoreEarlier() ? 'from before the step that led to it' : 'fit started from');
        }
        const badGradient = firstNonFiniteGradient(trained);
        if (badGradient) {
          checkpoint.restore(false);
          throw divergence(`the gradient of ${badGradient.name} became NaN or infinite`, epoch, b);
        }
        step.applyGradients();
        const badArray = checkpoint.firstNonFinite();
        if (badArray) {
          checkpoint.restore(true);
          throw divergence(`the step made ${badArray} NaN or infinite (it was undone)`, epoch, b);
        }
        lossSum += loss * size;
        correct += step.countCorrect(size);
        seen += size;
        if (onBatchEnd) {
          await onBatchEnd(b, { loss: lossSum / seen, acc: correct / seen, size });
          step.checkStillTraining();
        }
        if (shouldStop?.()) break;
        if (performance.now() - lastYield > YIELD_EVERY_MS) {
          await yieldToEventLoop(); // let progress, UI and other work run
          step.checkStillTraining();
          lastYield = performance.now();
        }
      }
      const logs: Logs = { loss: lossSum / seen, acc: correct / seen };
      if (validationData) {
        const v = step.evaluate(validationData[0], validationData[1], batch);
        logs.val_loss = v.loss;
        logs.val_acc = v.accuracy;
        history.history.val_loss.push(v.loss);
        history.history.val_acc.push(v.accuracy);
      }
      // A schedule that follows a log (reduceLROnPlateau) sees the epoch's value: its one hook into fit.
      if (monitor) step.optimizer.epochEnd(logs[monitor]!);
      history.epoch.push(epoch);
      history.history.loss.push(logs.loss);
      history.history.acc.push(logs.acc);
      if (onEpochEnd) {
        await onEpochEnd(epoch, logs);
        step.checkStillTraining();
      }
      if (shouldStop?.()) break;
    }
  } finally {
    checkpoint.dispose();
  }
  return history;
}
