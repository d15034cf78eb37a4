// Classification scores from plain arrays: the predicted class of each row of scores, whether a
// target is among the top k, the confusion matrix, and per-class precision, recall and F1 from it.
// The model's metrics (model/metric-set.ts) count with these; they are public for anyone scoring
// predict()'s output.
import { ShapeError, ValueError } from './errors.js';
import { shownValue } from './shown-value.js';

/** The column of the largest value in the row of `columns` values starting at `start` (the first one on ties). */
export function argmaxRow(values: ArrayLike<number>, start: number, columns: number): number {
  let best = 0;
  for (let c = 1; c < columns; c++) if (values[start + c] > values[start + best]) best = c;
  return best;
}

/** The index of the largest value in each row of a [rows, columns] array (the first one on ties). */
export function argmaxRows(values: ArrayLike<number>, columns: number): Int32Array {
  if (!Number.isInteger(columns) || columns < 1 || values.length % columns !== 0) {
    throw new ShapeError(`argmaxRows: ${values.length} values do not make rows of ${shownValue(columns)}; expected a whole number of rows of a positive number of columns`);
  }
  const best = new Int32Array(values.length / columns);
  for (let r = 0; r < best.length; r++) best[r] = argmaxRow(values, r * columns, columns);
  return best;
}

/**
 * Whether column `target` of the row at `start` is among its k largest: fewer than k columns score
 * strictly higher (so ties at the boundary count as in, as tf.math.in_top_k counts them).
 */
export function inTopK(values: ArrayLike<number>, start: number, columns: number, target: number, k: number): boolean {
  const score = values[start + target];
  let higher = 0;
  for (let c = 0; c < columns && higher < k; c++) if (values[start + c] > score) higher++;
  return higher < k;
}

/**
 * matrix[t][p]: how many examples of true class t were predicted as p, as tf.math.confusionMatrix
 * counts them (rows the true classes, columns the predictions). Classes are integers in [0, classes).
 */
export function confusionMatrix(labels: ArrayLike<number>, predictions: ArrayLike<number>, classes: number): number[][] {
  if (!Number.isInteger(classes) || classes < 1) throw new ValueError(`confusionMatrix: classes must be a positive integer, got ${classes}`);
  if (labels.length !== predictions.length) {
    throw new ValueError(`confusionMatrix: ${labels.length} labels but ${predictions.length} predictions; expected one of each per example`);
  }
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) {
    for (const [name, value] of [['labels', labels[i]], ['predictions', predictions[i]]] as const) {
      if (!Number.isInteger(value) || value < 0 || value >= classes) {
        throw new ValueError(`confusionMatrix: ${name}[${i}] is ${value}; expected a class from 0 to ${classes - 1}`);
      }
    }
    matrix[labels[i]][predictions[i]]++;
  }
  return matrix;
}

/** Share of the examples on the diagonal (0 for an empty matrix). */
export function accuracyOf(matrix: number[][]): number {
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : matrix.reduce((sum, row, i) => sum + row[i], 0) / total;
}

export interface ClassScores {
  /** Per class: of the examples predicted as the class, the share that are (0 when none is predicted as it). */
  precision: number[];
  /** Per class: of the examples of the class, the share predicted as it (0 when there are none). */
  recall: number[];
  /** Per class: the harmonic mean of its precision and recall (0 when both are 0). */
  f1: number[];
}

/** Precision, recall and F1 of each class from its true positives, false positives and false negatives. */
export function scoresFromCounts(truePositives: ArrayLike<number>, falsePositives: ArrayLike<number>,
  falseNegatives: ArrayLike<number>): ClassScores {
  const ratio = (a: number, b: number) => (a + b === 0 ? 0 : a / (a + b));
  const precision = Array.from(truePositives, (tp, c) => ratio(tp, falsePositives[c]));
  const recall = Array.from(truePositives, (tp, c) => ratio(tp, falseNegatives[c]));
  const f1 = precision.map((p, c) => (p + recall[c] === 0 ? 0 : (2 * p * recall[c]) / (p + recall[c])));
  return { precision, recall, f1 };
}

/** Per-class precision, recall and F1 from a confusion matrix (rows true, columns predicted). */
export function classScores(matrix: number[][]): ClassScores {
  const classes = matrix.length;
  const truePositives = matrix.map((row, c) => row[c]);
  const predicted = Array.from({ length: classes }, (_, c) => matrix.reduce((sum, row) => sum + row[c], 0));
  const actual = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  return scoresFromCounts(truePositives, predicted.map((p, c) => p - truePositives[c]), actual.map((a, c) => a - truePositives[c]));
}
