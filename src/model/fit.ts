// fit and fitDataset: their options checked, then the run's parts made — where the batches come
// from (and fit's sample weights), the validation, the metrics, the callbacks, the params the
// callbacks are told — and the loop (fit-loop.ts) run over them. Both share everything but the
// batches and the validation.
import { ConfigError } from '../errors.js';
import type { Shape } from '../shape.js';
import { Tensor } from '../tensor.js';
import { type History, CallbackList, type TrainedModel, emptyHistory } from './callbacks.js';
import { ClassWeights } from './class-weights.js';
import { oneTarget } from './data-checks.js';
import { isGeneratorObject } from '../data/stream.js';
import { type Dataset, DatasetBatches, type BatchReader } from './dataset-batches.js';
import { type Evaluation, fitLoop, type BatchSource } from './fit-loop.js';
import { DivergenceCheck } from './divergence.js';
import { type FitDatasetOptions, type FitOptions, type ValidationTensors, checkEpochs, checkInteger, checkOptionNames, checkShuffle, checkYieldEvery, runCallbacks } from './fit-options.js';
import type { Loss } from './losses.js';
import { MetricSet, type MetricSpec } from './metric-set.js';
import { SampleWeights } from './sample-weights.js';
import { checkNumber } from './settings.js';
import { shownValue } from '../shown-value.js';
import { TensorBatches } from './tensor-batches.js';
import type { TrainStep } from './train-step.js';

/** What fit needs of the model it trains (Model makes one per call). */
export interface Trainer {
  readonly model: TrainedModel;
  readonly step: TrainStep;
  readonly loss: Loss;
  /** The metrics compile asked for. */
  readonly metrics?: readonly MetricSpec[];
  /** The shape of each example's output, which the metrics and class weights read. */
  readonly outputShape: Shape;
  /** x and y checked against the model: the inputs as a list, and the number of examples. */
  checkData(x: Tensor | Tensor[], y: Tensor, what: string): { xs: Tensor[]; n: number };
  /** Loss and metrics on examples first … first + n − 1 of checked tensors (the loss weighed by `weights`, when given). */
  evaluate(xs: Tensor[], y: Tensor, first: number, n: number, batchSize: number, weights?: SampleWeights): Evaluation;
  /** Loss and metrics over a dataset's batches (all of one pass, or the first `batches`). */
  evaluateDataset(dataset: Dataset<unknown>, batches: number | undefined, what: string): Promise<Evaluation>;
  /** Copies a dataset's batches into the model's buffers. */
  reader(what: string): BatchReader;
}

/** fit(x, y, options): batches of the tensors, validation on validationData or the last validationSplit of them. */
export function fitTensors(t: Trainer, x: Tensor | Tensor[], y: Tensor, options: FitOptions): Promise<History> {
  const who = 'fit';
  checkOptionNames(options, who);
  const { xs, n: total } = t.checkData(x, y, who);
  const validationData = options.validationData === undefined ? undefined : checkValidationTensors(options.validationData, who);
  const split = validationData ? 0 : checkNumber(who, 'validationSplit', options.validationSplit ?? 0, 'fraction');
  // Keras's split: the last examples, before any shuffling.
  const n = Math.floor(total * (1 - split));
  if (split > 0 && (n === 0 || n === total)) {
    throw new ConfigError(`${who}: validationSplit ${split} of ${total} examples leaves ${n} for training and ${total - n} for validation; ` +
      'each needs at least one');
  }
  const batchSize = checkInteger(who, 'batchSize', options.batchSize, 32, 1);
  if (options.batchSize !== undefined && batchSize > n) {
    throw new ConfigError(`${who}: batchSize ${batchSize} is larger than the ${n} ${split > 0 ? 'training examples left by validationSplit' : 'examples in x'}; ` +
      `expected at most ${n} (or leave it out: it is then 32, or all the examples if there are fewer)`);
  }
  const batch = Math.min(batchSize, n);
  const shuffle = checkShuffle(options.shuffle, who);
  if (options.sampleWeight !== undefined && options.classWeight !== undefined) {
    throw new ConfigError(`${who}: sampleWeight and classWeight cannot be given together (as in Keras 3); weigh each example's classes ` +
      'into its sampleWeight');
  }
  const weights = options.sampleWeight === undefined ? undefined : new SampleWeights(options.sampleWeight, total, t.outputShape, t.loss, who);
  t.step.sampleWeights = weights;
  let validate: (() => Evaluation) | undefined;
  if (validationData) {
    validate = heldOut(t, validationData, batch, who);
  } else if (split > 0) {
    // The held-out examples' weights weigh val_loss, as Keras splits sample_weight with x and y.
    validate = () => t.evaluate(xs, y, n, total - n, batch, weights);
  }
  const source = new TensorBatches(t.step, xs, y, n, batch, shuffle);
  return train(t, source, validate, options, who, { steps: Math.ceil(n / batch), samples: n, batchSize: batch });
}

/** fitDataset(dataset, options): batches as the dataset gives them; validation on tensors or another dataset. */
export function fitDatasetBatches(t: Trainer, dataset: Dataset<unknown>, options: FitDatasetOptions): Promise<History> {
  const who = 'fitDataset';
  if (options !== null && typeof options === 'object' && (options as { validationSplit?: number }).validationSplit !== undefined) {
    throw new ConfigError(`${who}: validationSplit is for fit; a dataset cannot be split before it is read — pass validationData`);
  }
  checkOptionNames(options, who);
  const batchesPerEpoch = options.batchesPerEpoch === undefined ? undefined : checkInteger(who, 'batchesPerEpoch', options.batchesPerEpoch, 1, 1);
  const given = options.validationData;
  const { epochs, initialEpoch } = checkEpochs(options, who);
  // Refused now rather than after an epoch's work: a generator object gives one pass, and each epoch would need one.
  const onePass = '; a generator object can be read only once: pass data.generator(() => …) or a Stream, which start a new pass each time';
  if (epochs - initialEpoch > 1 && batchesPerEpoch === undefined && isGeneratorObject(dataset)) {
    throw new ConfigError(`${who}: ${epochs - initialEpoch} epochs each read the dataset through${onePass}, or set batchesPerEpoch to read on through it`);
  }
  if (epochs - initialEpoch > 1 && isGeneratorObject(given)) throw new ConfigError(`${who}: validationData is read after each of ${epochs - initialEpoch} epochs${onePass}`);
  let validate: (() => Evaluation | Promise<Evaluation>) | undefined;
  if (isValidationTensors(given)) {
    validate = heldOut(t, given, checkInteger(who, 'validationBatchSize', options.validationBatchSize, 32, 1), who);
  } else if (given !== undefined) {
    const batches = options.validationBatches === undefined ? undefined : checkInteger(who, 'validationBatches', options.validationBatches, 1, 1);
    validate = () => t.evaluateDataset(given, batches, `${who} (validationData)`);
  }
  const source = new DatasetBatches(t.step, t.reader(who), dataset, batchesPerEpoch, epochs - initialEpoch, t.model, who);
  return train(t, source, validate, options, who, { steps: batchesPerEpoch });
}

/** The parts both share, then the loop. */
function train(t: Trainer, source: BatchSource, validate: (() => Evaluation | Promise<Evaluation>) | undefined, options: FitOptions | FitDatasetOptions,
  who: string, known: { steps?: number; samples?: number; batchSize?: number }): Promise<History> {
  const { epochs, initialEpoch } = checkEpochs(options, who);
  const lossCheck = new DivergenceCheck(options.divergence, t.step.lossReference, t.step.sampleWeights?.largest);
  const metrics = new MetricSet(t.metrics, t.loss, t.outputShape, who);
  const monitor = t.step.optimizer.monitor;
  if (monitor?.startsWith('val_') && !validate) {
    throw new ConfigError(`${who}: the learning-rate schedule follows ${monitor}, which needs validationData${who === 'fit' ? ' or validationSplit' : ''}`);
  }
  t.step.classWeights = options.classWeight === undefined ? undefined : new ClassWeights(options.classWeight, t.outputShape, who);
  const names = ['loss', ...metrics.names];
  const params = { epochs, initialEpoch, ...known, doValidation: validate !== undefined, metrics: validate ? [...names, ...names.map((n) => `val_${n}`)] : names };
  const callbacks = new CallbackList(runCallbacks(options, t.model, who), () => t.step.checkStillTraining());
  const yieldPolicy = checkYieldEvery(options.yieldEvery, who);
  return fitLoop({ model: t.model, step: t.step, source, validate, metrics, callbacks, lossCheck, yieldPolicy, history: emptyHistory(), params });
}

/** validationData as [x, y] or [x, y, sampleWeight] tensors (x a list for several inputs). */
function checkValidationTensors(data: unknown, who: string): ValidationTensors {
  if (!isValidationTensors(data)) {
    throw new ConfigError(`${who}: validationData must be [x, y] or [x, y, sampleWeight] tensors, got ${shownValue(data)}`);
  }
  return data;
}

const isTensors = (value: unknown) => value instanceof Tensor || (Array.isArray(value) && value.every((v) => v instanceof Tensor));

/** x and y as fit takes them: a tensor or a list of them (oneTarget refuses a y of more than one). */
const isValidationTensors = (data: unknown): data is ValidationTensors => Array.isArray(data) && (data.length === 2 || data.length === 3) &&
  isTensors(data[0]) && isTensors(data[1]) && (data.length === 2 || data[2] instanceof Tensor);

/** The validation on held-out tensors, checked now: val_loss weighed by their sample weights when given (Keras's validation_data triple). */
function heldOut(t: Trainer, [x, given, sampleWeight]: ValidationTensors, batchSize: number, who: string): () => Evaluation {
  const what = `${who} (validationData)`;
  const y = oneTarget(given, what);
  const { xs, n } = t.checkData(x, y, what);
  const weights = sampleWeight === undefined ? undefined : new SampleWeights(sampleWeight, n, t.outputShape, t.loss, what);
  return () => t.evaluate(xs, y, 0, n, batchSize, weights);
}
