// Reading class predictions out of a [rows, columns] array of scores.
import { ShapeError } from './errors.js';

/** The column of the largest value in the row of `columns` values starting at `start` (the first one on ties). */
export function argmaxRow(values: ArrayLike<number>, start: number, columns: number): number {
  let best = 0;
  for (let c = 1; c < columns; c++) if (values[start + c] > values[start + best]) best = c;
  return best;
}

/** The index of the largest value in each row of a [rows, columns] array (the first one on ties). */
export function argmaxRows(values: ArrayLike<number>, columns: number): Int32Array {
  if (!Number.isInteger(columns) || columns < 1 || values.length % columns !== 0) {
    throw new ShapeError(`argmaxRows: ${values.length} values do not make rows of ${JSON.stringify(columns)}; expected a whole number of rows of a positive number of columns`);
  }
  const best = new Int32Array(values.length / columns);
  for (let r = 0; r < best.length; r++) best[r] = argmaxRow(values, r * columns, columns);
  return best;
}
