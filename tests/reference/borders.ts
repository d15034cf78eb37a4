// Naive references for zero padding and cropping of NHWC images: index arithmetic per element.

/** [[top, bottom], [left, right]] */
export type Borders = [[number, number], [number, number]];

/** Calls visit(smallIndex, largeIndex) for every element of the small image and where it lies in the large one. */
function forEachInner(batch: number, [h, w, c]: number[], [[top, bottom], [left, right]]: Borders,
  visit: (small: number, large: number) => void) {
  const largeH = h + top + bottom, largeW = w + left + right;
  for (let b = 0; b < batch; b++) {
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        for (let k = 0; k < c; k++) visit(((b * h + y) * w + x) * c + k, ((b * largeH + y + top) * largeW + x + left) * c + k);
      }
    }
  }
}

const largeLength = (batch: number, [h, w, c]: number[], [[top, bottom], [left, right]]: Borders) =>
  batch * (h + top + bottom) * (w + left + right) * c;

/** The small image in the middle of a zero frame: zero padding's forward, cropping's backward. */
export function pad(x: Float32Array, batch: number, shape: number[], borders: Borders): Float32Array {
  const y = new Float32Array(largeLength(batch, shape, borders));
  forEachInner(batch, shape, borders, (small, large) => { y[large] = x[small]; });
  return y;
}

/** The middle of the large image (`shape` is the small one's): cropping's forward, zero padding's backward. */
export function crop(x: Float32Array, batch: number, shape: number[], borders: Borders): Float32Array {
  const y = new Float32Array(batch * shape[0] * shape[1] * shape[2]);
  forEachInner(batch, shape, borders, (small, large) => { y[small] = x[large]; });
  return y;
}
