// A weight the importer gives a layer: the file's values, and how they land in convas's layout.
// They are written once the model is built, straight into the layer's weight in wasm memory, so
// reordering them is the only pass over them; they are checked to be finite before that.
import { transpose } from './strided-copy.js';

export interface LayerWeight {
  /** The file's values it is made of. */
  readonly source: Float32Array;
  /** How many values it has in convas's layout. */
  readonly size: number;
  /** Writes its `size` values, in convas's layout, into `into`. */
  write(into: Float32Array): void;
}

/** Values convas keeps in the file's own order. */
export const sameOrder = (values: Float32Array): LayerWeight => ({ source: values, size: values.length, write: (into) => into.set(values) });

/** A [rows, columns] array of the file that convas keeps as [columns, rows]. */
export const transposed = (values: Float32Array, rows: number, columns: number): LayerWeight =>
  ({ source: values, size: values.length, write: (into) => transpose(values, rows, columns, into) });
