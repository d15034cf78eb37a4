// The confusion matrix as a table for the terminal (the counting is the library's: src/metrics.ts).

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
