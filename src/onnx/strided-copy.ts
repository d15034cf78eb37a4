// Arrays moved between layouts — ONNX's OIHW filters into convas's HWIO, a product's [units, k] into
// [k, units], channels-first into channels-last, and back when saving — as strided copies. The axis
// along which the target is contiguous goes last, so the writes run in order and the reads stride:
// on a 4096 × 25088 transpose that takes a third of the time the other way round does here.

/** Where a copy reads or writes: an array, the index of element (0, 0, 0), and each axis's stride. */
export interface StridedArray {
  values: Float32Array;
  start: number;
  strides: readonly [number, number, number];
}

/** Copies element (a, b, c) of `dims`, for every a, b and c, from `from` to `to`. */
export function copyStrided([n0, n1, n2]: readonly [number, number, number], from: StridedArray, to: StridedArray): void {
  const source = from.values, target = to.values;
  const [s0, s1, s2] = from.strides, [t0, t1, t2] = to.strides;
  for (let a = 0; a < n0; a++) {
    for (let b = 0; b < n1; b++) {
      let s = from.start + a * s0 + b * s1, t = to.start + a * t0 + b * t1;
      for (let c = 0; c < n2; c++, s += s2, t += t2) target[t] = source[s];
    }
  }
}

/** A [rows, columns] array as [columns, rows], written into `into`. */
export function transpose(values: Float32Array, rows: number, columns: number, into: Float32Array): Float32Array {
  copyStrided([1, columns, rows], { values, start: 0, strides: [0, 1, columns] }, { values: into, start: 0, strides: [0, rows, 1] });
  return into;
}
