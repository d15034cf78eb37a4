// Naive reference for the permute kernel: each output element found from its own coordinates.

/** Per example, output axis j is input axis order[j] (0-based) of `shape`. */
export function permute(x: Float32Array, batch: number, shape: number[], order: number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const outShape = order.map((a) => shape[a]);
  const y = new Float32Array(x.length);
  for (let b = 0; b < batch; b++) {
    for (let o = 0; o < size; o++) {
      // The output coordinates of o, then the input index with each coordinate on its own axis.
      const at = new Array<number>(shape.length);
      let rest = o;
      for (let j = outShape.length - 1; j >= 0; j--) {
        at[order[j]] = rest % outShape[j];
        rest = Math.floor(rest / outShape[j]);
      }
      const i = at.reduce((index, c, a) => index * shape[a] + c, 0);
      y[b * size + o] = x[b * size + i];
    }
  }
  return y;
}
