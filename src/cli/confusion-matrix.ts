// Counts of (true class, predicted class) pairs, and their table for the terminal.

/** matrix[t][p] = how many examples of true class t were predicted as p. */
export function confusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classes: number): number[][] {
  const matrix = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  for (let i = 0; i < labels.length; i++) matrix[labels[i]][predicted[i]]++;
  return matrix;
}

/** Share of the examples on the diagonal. */
export function accuracyOf(matrix: number[][]): number {
  const total = matrix.flat().reduce((a, b) => a + b, 0);
  return total === 0 ? 0 : matrix.reduce((sum, row, i) => sum + row[i], 0) / total;
}

/**
 * A right-aligned table: one row per true class, one column per predicted class, each labelled
 * with the class index, under a header that says which axis is which.
 */
export function formatConfusionMatrix(matrix: number[][]): string {
  const rowLabel = 'true\\pred';
  const width = Math.max(...matrix.flat().map((n) => String(n).length), String(matrix.length - 1).length) + 1;
  const cells = (values: (number | string)[]) => values.map((v) => String(v).padStart(width)).join('');
  const header = rowLabel + cells(matrix.map((_, i) => i));
  const rows = matrix.map((row, i) => String(i).padStart(rowLabel.length) + cells(row));
  return [header, ...rows].join('\n');
}
