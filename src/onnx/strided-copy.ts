// Arrays moved between layouts — ONNX's OIHW filters into convas's HWIO, a product's [units, k] into
// [k, units], channels-first into channels-last, and back when saving — as strided copies. The axis
// along which the target is contiguous goes last, so the writes run in order and the reads stride:
// on a 4096 × 25088 transpose that takes a third of the time the other way round does here. The
// copy goes in tiles of 16 × 256 of the last two axes, so a transpose's source is read a whole
// cache line (16 floats) at a time: a quarter less time again on that transpose into fresh memory.

/** Where a copy reads or writes: an array, the index of element (0, 0, 0), and each axis's stride. */
export interface StridedArray {
  values: Float32Array;
  start: number;
  strides: readonly [number, number, number];
}

const TILE = { middle: 16, last: 256 };

/** Copies element (a, b, c) of `dims`, for every a, b and c, from `from` to `to`. */
export function copyStrided([n0, n1, n2]: readonly [number, number, number], from: StridedArray, to: StridedArray): void {
  const source = from.values, target = to.values;
  const [s0, s1, s2] = from.strides, [t0, t1, t2] = to.strides;
  for (let a = 0; a < n0; a++) {
    for (let b0 = 0; b0 < n1; b0 += TILE.middle) {
      const b1 = Math.min(n1, b0 + TILE.middle);
      for (let c0 = 0; c0 < n2; c0 += TILE.last) {
        const c1 = Math.min(n2, c0 + TILE.last);
        for (let b = b0; b < b1; b++) {
          let s = from.start + a * s0 + b * s1 + c0 * s2, t = to.start + a * t0 + b * t1 + c0 * t2;
          for (let c = c0; c < c1; c++, s += s2, t += t2) target[t] = source[s];
        }
      }
    }
  }
}

/** A [rows, columns] array as [columns, rows], written into `into`. */
export function transpose(values: Float32Array, rows: number, columns: number, into: Float32Array): Float32Array {
  copyStrided([1, columns, rows], { values, start: 0, strides: [0, 1, columns] }, { values: into, start: 0, strides: [0, rows, 1] });
  return into;
}
