// Reading class predictions out of a [rows, columns] array of scores.

/** The column of the largest value in the row of `columns` values starting at `start` (the first one on ties). */
export function argmaxRow(values: ArrayLike<number>, start: number, columns: number): number {
  let best = 0;
  for (let c = 1; c < columns; c++) if (values[start + c] > values[start + best]) best = c;
  return best;
}

/** The index of the largest value in each row of a [rows, columns] array (the first one on ties). */
export function argmaxRows(values: ArrayLike<number>, columns: number): Int32Array {
  const best = new Int32Array(values.length / columns);
  for (let r = 0; r < best.length; r++) best[r] = argmaxRow(values, r * columns, columns);
  return best;
}
