// Naive references for the elementwise kernels: the definitions, written as plainly as possible.

export const reluForward = (x: Float32Array) => x.map((v) => Math.max(v, 0));
export const reluBackward = (y: Float32Array, dy: Float32Array) => dy.map((g, i) => (y[i] > 0 ? g : 0));
export const tanhForward = (x: Float32Array) => x.map(Math.tanh);
export const tanhBackward = (y: Float32Array, dy: Float32Array) => dy.map((g, i) => g * (1 - y[i] * y[i]));
export const sigmoidForward = (x: Float32Array) => x.map((v) => 1 / (1 + Math.exp(-v)));
export const sigmoidBackward = (y: Float32Array, dy: Float32Array) => dy.map((g, i) => g * y[i] * (1 - y[i]));
export const multiply = (a: Float32Array, b: Float32Array) => a.map((v, i) => v * b[i]);
export const add = (a: Float32Array, b: Float32Array) => a.map((v, i) => v + b[i]);
export const fill = (length: number, value: number) => new Float32Array(length).fill(value);

/** y[r, c] + bias[c] for a [rows, cols] matrix. */
export function addBias(y: Float32Array, bias: Float32Array, rows: number, cols: number) {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = y[r * cols + c] + bias[c];
  return out;
}

export function sumRows(x: Float32Array, rows: number, cols: number) {
  const out = new Float32Array(cols);
  for (let c = 0; c < cols; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += x[r * cols + c];
    out[c] = sum;
  }
  return out;
}

/**
 * Inverted dropout mask from a xorshift32 stream (13, 17, 5) started at seed (0x6d2b79f5 for
 * seed 0): element i is dropped when the top 24 bits of the (i+1)-th state, over 2^24, are below rate.
 */
export function dropoutMask(length: number, rate: number, seed: number) {
  const rate32 = Math.fround(rate);
  const keep = Math.fround(1 / Math.fround(1 - rate32));
  let state = seed >>> 0 || 0x6d2b79f5;
  const mask = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    state = (state ^ (state << 13)) >>> 0;
    state = (state ^ (state >>> 17)) >>> 0;
    state = (state ^ (state << 5)) >>> 0;
    mask[i] = (state >>> 8) / 16777216 < rate32 ? 0 : keep;
  }
  return mask;
}

export const countNonFinite = (x: Float32Array) => x.filter((v) => !Number.isFinite(v)).length;
