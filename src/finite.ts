// The checks that weights are finite: a plain loop, which on arrays of millions of values is many
// times faster than findIndex with a callback. Imports nothing: the ONNX bundle carries its own copy.

/** The index of the first NaN or ±Infinity in `values`, or −1. */
export function firstNonFinite(values: Float32Array): number {
  for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i])) return i;
  return -1;
}
