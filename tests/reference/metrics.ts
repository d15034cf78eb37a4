// Naive references for the metrics: counted straight from the definitions, example by example.

/** The index of the first largest value of a row. */
export const argmax = (row: ArrayLike<number>) => {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i] > row[best]) best = i;
  return best;
};

export const rowsOf = (m: Float32Array, cols: number) => Array.from({ length: m.length / cols }, (_, r) => Array.from(m.subarray(r * cols, (r + 1) * cols)));

/** Whether the target's score is in the top k: its rank (by a stable sort, ties at the boundary counted in) is below k. */
export function inTopK(scores: number[], target: number, k: number): boolean {
  const sorted = [...scores].sort((a, b) => b - a);
  return scores[target] >= sorted[Math.min(k, scores.length) - 1];
}

/** For each class c: precision, recall and F1 from (actual, predicted) pairs, each 0 where its denominator is. */
export function perClass(actual: number[], predicted: number[], classes: number) {
  const scores = Array.from({ length: classes }, (_, c) => {
    const tp = actual.filter((a, i) => a === c && predicted[i] === c).length;
    const predictedC = predicted.filter((p) => p === c).length;
    const actualC = actual.filter((a) => a === c).length;
    const precision = predictedC === 0 ? 0 : tp / predictedC;
    const recall = actualC === 0 ? 0 : tp / actualC;
    return { precision, recall, f1: precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall) };
  });
  return { precision: scores.map((s) => s.precision), recall: scores.map((s) => s.recall), f1: scores.map((s) => s.f1) };
}

export function confusion(actual: number[], predicted: number[], classes: number): number[][] {
  return Array.from({ length: classes }, (_, t) => Array.from({ length: classes }, (_, p) => actual.filter((a, i) => a === t && predicted[i] === p).length));
}

/** Keras's Precision and Recall at threshold `threshold`, over every output together. */
export function pooledPrecisionRecall(outputs: Float32Array, targets: Float32Array, threshold: number) {
  let tp = 0, fp = 0, fn = 0;
  outputs.forEach((o, i) => {
    const yes = o > threshold, truth = targets[i] > threshold;
    if (yes && truth) tp++;
    else if (yes) fp++;
    else if (truth) fn++;
  });
  return { precision: tp + fp === 0 ? 0 : tp / (tp + fp), recall: tp + fn === 0 ? 0 : tp / (tp + fn) };
}
