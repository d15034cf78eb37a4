// Naive references for the pooling kernels: every output visits its window, padding skipped.
import type { Pool2dArgs } from '../../src/backend/kernels.js';

/** The input elements under one output's window, clipped to the input, in window order (rows, then columns). */
function windowIndices(geometry: Pool2dArgs, b: number, oh: number, ow: number, c: number): number[] {
  const [, inHeight, inWidth, channels, , , poolHeight, poolWidth, strideHeight, strideWidth, padTop, padLeft] = geometry;
  const indices: number[] = [];
  for (let i = 0; i < poolHeight; i++) {
    for (let j = 0; j < poolWidth; j++) {
      const h = oh * strideHeight - padTop + i, w = ow * strideWidth - padLeft + j;
      if (h >= 0 && h < inHeight && w >= 0 && w < inWidth) indices.push(((b * inHeight + h) * inWidth + w) * channels + c);
    }
  }
  return indices;
}

/** Calls visit(outputIndex, windowIndices) for every output element, in output order. */
function forEachOutput(geometry: Pool2dArgs, visit: (out: number, window: number[]) => void) {
  const [batch, , , channels, outHeight, outWidth] = geometry;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++) {
        for (let c = 0; c < channels; c++) {
          visit(((b * outHeight + oh) * outWidth + ow) * channels + c, windowIndices(geometry, b, oh, ow, c));
        }
      }
    }
  }
}

const outLength = (g: Pool2dArgs) => g[0] * g[4] * g[5] * g[3];
const inLength = (g: Pool2dArgs) => g[0] * g[1] * g[2] * g[3];

/** y = the window's maximum; argmax = the index of its first occurrence (−1 and y = 0 for an empty window). */
export function maxPoolForward(x: Float32Array, geometry: Pool2dArgs) {
  const y = new Float32Array(outLength(geometry)), argmax = new Int32Array(outLength(geometry));
  forEachOutput(geometry, (out, window) => {
    let best = -1;
    for (const i of window) if (best < 0 || x[i] > x[best]) best = i;
    argmax[out] = best;
    y[out] = best < 0 ? 0 : x[best];
  });
  return { y, argmax };
}

/** Each dy goes to the input its output was taken from. */
export function maxPoolBackward(dy: Float32Array, argmax: Int32Array, inputLength: number) {
  const dx = new Float32Array(inputLength);
  dy.forEach((g, o) => {
    if (argmax[o] >= 0) dx[argmax[o]] += g;
  });
  return dx;
}

/** The window's sum, divided by the number of input elements in it when average. */
export function avgPoolForward(x: Float32Array, average: boolean, geometry: Pool2dArgs) {
  const y = new Float32Array(outLength(geometry));
  forEachOutput(geometry, (out, window) => {
    const sum = window.reduce((s, i) => s + x[i], 0);
    y[out] = average && window.length > 0 ? sum / window.length : sum;
  });
  return y;
}

/** Each input receives dy (÷ window size when average) from every window it lies in. */
export function avgPoolBackward(dy: Float32Array, average: boolean, geometry: Pool2dArgs) {
  const dx = new Float32Array(inLength(geometry));
  forEachOutput(geometry, (out, window) => {
    for (const i of window) dx[i] += average ? dy[out] / window.length : dy[out];
  });
  return dx;
}
