// The metrics fit logs and evaluate returns, with TensorFlow.js's names: accuracy always (logged as
// 'acc', as TF.js logs 'accuracy'), and those asked for in compile({ metrics }) or evaluate(x, y,
// { metrics }), by TF.js's names or Keras's ('binary_accuracy': log-names.ts, whose aliases let
// Keras's names read the logs too). Each counts batch by batch from the model's output and the
// prepared targets (class ids already one-hot) into counters made once, so a training step
// allocates nothing for them; the values are read when the logs are written. They count each position of the output along its last
// axis ([H, W, C]: each pixel's C classes), as Keras's metrics do whatever the loss.
import { getBackend } from '../backend/wasm.js';
import { ConfigError } from '../errors.js';
import { argmaxRow, inTopK, scoresFromCounts } from '../metrics.js';
import type { Shape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { countCorrect } from './accuracy.js';
import { KERAS_METRIC_NAMES, type KerasMetricName, metricName } from './log-names.js';
import { type AccuracyKind, type Loss, type OutputRows, rowsAlongLastAxis } from './losses.js';
import { checkKeys } from './settings.js';

export const METRICS = [
  'accuracy', 'acc', 'binaryAccuracy', 'categoricalAccuracy', 'sparseCategoricalAccuracy', 'topKCategoricalAccuracy',
  'sparseTopKCategoricalAccuracy', 'precision', 'recall', 'perClassPrecision', 'perClassRecall', 'perClassF1', 'confusionMatrix',
] as const;
export type MetricName = (typeof METRICS)[number];

/** A metric with settings: the top-k accuracies take k (5 by default, as in Keras and TF.js). */
export interface MetricConfig {
  /** TF.js's name, or Keras's ('top_k_categorical_accuracy'). */
  type: MetricName | KerasMetricName;
  k?: number;
}

export type MetricSpec = MetricName | KerasMetricName | MetricConfig;

/**
 * The metrics compile and evaluate take: a list, or one metric's name alone (as TF.js's compile takes
 * it). One { type, k } alone is not taken (TF.js reads an object there as metrics per output): it goes in a list.
 */
export type MetricSpecs = MetricName | KerasMetricName | MetricSpec[];

const KNOWN: readonly string[] = [...METRICS, ...Object.values(KERAS_METRIC_NAMES)];

/**
 * The metrics asked for as a list: a list as it is, one metric's name alone as a list of it (TF.js's
 * compile takes `metrics: 'accuracy'`, and Keras's a single name as well).
 */
export function metricList(specs: unknown, who: string): readonly MetricSpec[] | undefined {
  if (specs === undefined || Array.isArray(specs)) return specs;
  if (typeof specs === 'string') return [specs as MetricSpec];
  throw new ConfigError(`${who}: metrics must be a metric's name or an array of metrics (names, or { type, k }), got ${shownValue(specs)}`);
}

/** A metric under convas's (TF.js's) name, as compile keeps and saves it. */
export type CompiledMetric = MetricName | (MetricConfig & { type: MetricName });

/** A checked `spec` under convas's name: a metric named either way is then one metric. */
export function canonicalMetric(spec: MetricSpec): CompiledMetric {
  return typeof spec === 'string' ? metricName(spec) as MetricName : { ...spec, type: metricName(spec.type) as MetricName };
}

/** A metric's value: a number, one number per class (perClass…), or a matrix (confusionMatrix). */
export type MetricValue = number | number[] | number[][];

/** Whether a log of this name is one number (a loss or a metric that is not per class). */
export const isScalarMetric = (name: string): boolean => !name.startsWith('perClass') && name !== 'confusionMatrix';

interface Metric {
  /** The name in logs and in evaluate's result. */
  readonly name: string;
  reset(): void;
  /** Counts `rows` rows of outputs and targets, [rows, cols] at the addresses given. */
  add(output: number, target: number, rows: number, cols: number): void;
  result(): MetricValue;
}

type RowCounter = (output: number, target: number, rows: number, cols: number) => number;

/** The accuracies: rows right (or shares of rows, for the per-output kinds) over rows seen. */
class Share implements Metric {
  private right = 0;
  private rows = 0;

  constructor(readonly name: string, private readonly count: RowCounter) {}

  reset(): void {
    this.right = this.rows = 0;
  }

  add(output: number, target: number, rows: number, cols: number): void {
    this.right += this.count(output, target, rows, cols);
    this.rows += rows;
  }

  result(): number {
    return this.rows === 0 ? 0 : this.right / this.rows;
  }
}

const accuracyOfKind = (kind: AccuracyKind, yesAbove: number): RowCounter => (o, t, rows, cols) => countCorrect(kind, o, t, rows, cols, yesAbove);

/** Rows whose target class (the argmax of its one-hot row) is among the k largest outputs. */
const topK = (k: number): RowCounter => (output, target, rows, cols) => {
  const heap = getBackend().memory.heapF32;
  const o = output >>> 2, t = target >>> 2;
  let right = 0;
  for (let r = 0; r < rows; r++) if (inTopK(heap, o + r * cols, cols, argmaxRow(heap, t + r * cols, cols), k)) right++;
  return right;
};

interface ClassTotals {
  precision: number[];
  recall: number[];
  f1: number[];
  matrix: number[][];
}

/**
 * True positives, false positives and false negatives per class (or all together, `pooled`). A
 * row's class is the argmax of its outputs and of its target when the loss reads one class per row
 * (a softmax-like output); otherwise each output is a yes/no of its own, above `threshold` (0.5; 0
 * for logits and the hinges' signs), its own class. confusionMatrix also fills the matrix (2×2 for one yes/no).
 */
class ClassCounts implements Metric {
  private readonly tp: Float64Array;
  private readonly fp: Float64Array;
  private readonly fn: Float64Array;
  private readonly matrix: number[][];

  constructor(readonly name: string, private readonly value: (totals: ClassTotals) => MetricValue,
    private readonly oneClassPerRow: boolean, private readonly threshold: number, classes: number, private readonly pooled: boolean) {
    const counters = pooled ? 1 : classes;
    this.tp = new Float64Array(counters);
    this.fp = new Float64Array(counters);
    this.fn = new Float64Array(counters);
    const side = name !== 'confusionMatrix' ? 0 : oneClassPerRow ? classes : 2;
    this.matrix = Array.from({ length: side }, () => new Array<number>(side).fill(0));
  }

  reset(): void {
    this.tp.fill(0);
    this.fp.fill(0);
    this.fn.fill(0);
    for (const row of this.matrix) row.fill(0);
  }

  add(output: number, target: number, rows: number, cols: number): void {
    const heap = getBackend().memory.heapF32;
    const o = output >>> 2, t = target >>> 2;
    const { tp, fp, fn, matrix, pooled } = this;
    for (let r = 0; r < rows; r++) {
      const at = r * cols;
      if (this.oneClassPerRow) {
        const predicted = argmaxRow(heap, o + at, cols), actual = argmaxRow(heap, t + at, cols);
        if (predicted === actual) tp[pooled ? 0 : actual]++;
        else {
          fp[pooled ? 0 : predicted]++;
          fn[pooled ? 0 : actual]++;
        }
        if (matrix.length > 0) matrix[actual][predicted]++;
        continue;
      }
      for (let c = 0; c < cols; c++) {
        const predicted = heap[o + at + c] > this.threshold, actual = heap[t + at + c] > this.threshold;
        const k = pooled ? 0 : c;
        if (predicted && actual) tp[k]++;
        else if (predicted) fp[k]++;
        else if (actual) fn[k]++;
        if (matrix.length > 0) matrix[Number(actual)][Number(predicted)]++;
      }
    }
  }

  result(): MetricValue {
    return this.value({ ...scoresFromCounts(this.tp, this.fp, this.fn), matrix: this.matrix.map((row) => [...row]) });
  }
}

const PER_CLASS = { perClassPrecision: 'precision', perClassRecall: 'recall', perClassF1: 'f1' } as const;

/** Checks one entry of a metrics list and makes its counters, for `loss` and outputs of `cols` values. */
function makeMetric(spec: MetricSpec, loss: Loss, cols: number, who: string): Metric {
  const config = (typeof spec === 'string' ? { type: spec } : spec) as MetricConfig | undefined;
  if (!config || typeof config !== 'object' || !KNOWN.includes(config.type)) {
    const name = shownValue(typeof spec === 'object' && spec ? (spec as MetricConfig).type : spec);
    throw new ConfigError(`${who}: unknown metric ${name}; expected one of ${METRICS.join(', ')} (or Keras's names: ` +
      `${Object.values(KERAS_METRIC_NAMES).join(', ')})`);
  }
  const type = metricName(config.type) as MetricName;
  const isTopK = type === 'topKCategoricalAccuracy' || type === 'sparseTopKCategoricalAccuracy';
  checkKeys(`${who}: metric ${type}`, config, isTopK ? ['type', 'k'] : ['type']);
  const oneClassPerRow = loss.accuracy === 'class' && cols > 1;
  const yesNo = type === 'binaryAccuracy' || type === 'precision' || type === 'recall' || (type in PER_CLASS && !oneClassPerRow);
  if (yesNo && (loss.logProbabilities || loss.fromLogits && loss.fusesWith === 'softmax')) {
    const output = loss.logProbabilities ? 'log-probabilities (all ≤ 0)' : `a softmax's logits (loss ${loss.type} fromLogits)`;
    throw new ConfigError(`${who}: metric ${type} reads each output as a yes/no above a threshold, which ${output} do not ` +
      'have; expected categoricalAccuracy, or perClassPrecision / perClassRecall over 2 or more classes');
  }
  // A yes/no output of a binary cross-entropy from logits is a yes above 0 in every metric (Keras's
  // would need threshold=0 passed to each); the thresholds are otherwise Keras's.
  const threshold = loss.accuracy === 'sign' ? 0 : loss.yesAbove;
  switch (type) {
    case 'accuracy':
    case 'acc':
      return new Share('acc', accuracyOfKind(loss.accuracy, loss.yesAbove));
    case 'binaryAccuracy':
      return new Share(type, accuracyOfKind('binary', loss.yesAbove));
    case 'categoricalAccuracy':
    case 'sparseCategoricalAccuracy':
      return new Share(type, accuracyOfKind('class', loss.yesAbove));
    case 'topKCategoricalAccuracy':
    case 'sparseTopKCategoricalAccuracy': {
      const k = config.k ?? 5;
      if (!Number.isInteger(k) || k < 1) throw new ConfigError(`${who}: metric ${type}: k must be a positive integer, got ${shownValue(config.k)}`);
      return new Share(type, topK(k));
    }
    case 'precision':
    case 'recall':
      // Keras's Precision and Recall: every output a yes/no above the threshold, all counted together.
      return new ClassCounts(type, (totals) => totals[type][0], false, threshold, 1, true);
    case 'confusionMatrix':
      if (!oneClassPerRow && cols > 1) {
        throw new ConfigError(`${who}: metric confusionMatrix needs one class per example or position (2 or more classes on the ` +
          `output's last axis, or one yes/no); loss ${loss.type} reads each of the ${cols} outputs as a yes/no of its own`);
      }
      return new ClassCounts(type, (totals) => totals.matrix, oneClassPerRow, threshold, cols, false);
    default:
      return new ClassCounts(type, (totals) => totals[PER_CLASS[type]], oneClassPerRow, threshold, cols, false);
  }
}

/** The metrics of one fit or evaluate: accuracy first, then the others in the order asked, each once. */
export class MetricSet {
  private readonly metrics: Metric[];
  private readonly rows: OutputRows;

  /** For outputs of `outputShape` per example, each position counted. */
  constructor(specs: readonly MetricSpec[] | undefined, loss: Loss, outputShape: Shape, who: string) {
    this.rows = rowsAlongLastAxis(outputShape);
    const cols = this.rows.classes;
    this.metrics = [makeMetric('accuracy', loss, cols, who)];
    for (const spec of specs ?? []) {
      const metric = makeMetric(spec, loss, cols, who);
      if (metric.name === 'acc') continue; // always there
      if (this.names.includes(metric.name)) throw new ConfigError(`${who}: metric ${metric.name} is listed twice`);
      this.metrics.push(metric);
    }
  }

  /** The names in the logs: 'acc', then the others. */
  get names(): string[] {
    return this.metrics.map((m) => m.name);
  }

  reset(): void {
    for (const m of this.metrics) m.reset();
  }

  /** Counts a batch: the outputs of `examples` examples and their prepared targets, at the addresses given. */
  add(output: number, target: number, examples: number): void {
    const { positions, classes } = this.rows;
    for (let i = 0; i < this.metrics.length; i++) this.metrics[i].add(output, target, examples * positions, classes);
  }

  /** The values so far, each under its name with `prefix` (fit's 'val_'); accuracy under `accuracyName`. */
  write(into: Record<string, MetricValue | undefined>, prefix = '', accuracyName = 'acc'): void {
    for (const m of this.metrics) into[prefix + (m.name === 'acc' ? accuracyName : m.name)] = m.result();
  }
}
