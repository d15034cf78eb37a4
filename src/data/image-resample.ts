// Resampling along one axis, as a table: for each output cell, the source cells it reads and their
// weights (which sum to 1). A 2D resize is two such passes, rows then columns, each axis with its
// own method, so a crop can shrink on one axis (area) and grow on the other (bilinear).
//   area:     each output cell is the mean of the source span it covers, weighted by overlap (a box
//             filter: no source pixel is skipped, so shrinking a photo does not alias);
//   bilinear: pixel centres at half-integers, as TensorFlow's resize_bilinear(half_pixel_centers),
//             PIL and OpenCV place them; clamped at the edges.
export type ResampleMethod = 'area' | 'bilinear';

export interface AxisTaps {
  /** Output cell i reads taps first[i] … first[i + 1] − 1. */
  first: Int32Array;
  /** Source cell of each tap. */
  source: Int32Array;
  weight: Float64Array;
}

export function axisTaps(from: number, to: number, method: ResampleMethod): AxisTaps {
  const scale = from / to;
  const first = new Int32Array(to + 1);
  const source: number[] = [], weight: number[] = [];
  for (let i = 0; i < to; i++) {
    first[i] = source.length;
    if (method === 'area') {
      const start = i * scale, end = (i + 1) * scale;
      for (let s = Math.floor(start); s < Math.min(from, Math.ceil(end)); s++) {
        const overlap = Math.min(end, s + 1) - Math.max(start, s);
        if (overlap > 0) {
          source.push(s);
          weight.push(overlap / scale);
        }
      }
    } else {
      const centre = Math.min(from - 1, Math.max(0, (i + 0.5) * scale - 0.5));
      const below = Math.floor(centre), above = Math.min(from - 1, below + 1), t = centre - below;
      source.push(below);
      weight.push(1 - t);
      if (above !== below && t > 0) {
        source.push(above);
        weight.push(t);
      }
    }
  }
  first[to] = source.length;
  return { first, source: Int32Array.from(source), weight: Float64Array.from(weight) };
}
