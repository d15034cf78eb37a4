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

// --- the activations Keras models use, in f64 from their definitions. At ±∞ each gives its limit:
// a product with a factor that vanishes (exponentially, or exactly) is 0 even when the other is ∞.

const product = (a: number, b: number) => (Number.isNaN(a) || Number.isNaN(b) ? NaN : a === 0 || b === 0 ? 0 : a * b);
const map = (x: Float32Array, f: (v: number) => number) => Float64Array.from(x, f);
const mapGradient = (x: Float32Array, dy: Float32Array, f: (v: number) => number) => Float64Array.from(x, (v, i) => product(dy[i], f(v)));

/**
 * erfc in f64: 1 − (2/√π)·e^(−x²)·Σ 2ⁿx^(2n+1)/(1·3·…·(2n+1)) below 3 (all terms positive: nothing
 * cancels), and the continued fraction e^(−x²)/√π · 1/(x + ½/(x + 1/(x + 3/2/(x + …)))) from 3 on.
 */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 2 - erfc(-x);
  if (x < 3) {
    let sum = 0;
    for (let n = 0, term = x; term > 1e-17 * sum || n === 0; n++) {
      sum += term;
      term *= (2 * x * x) / (2 * n + 3);
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  let fraction = 0;
  for (let k = 80; k >= 1; k--) fraction = k / 2 / (x + fraction);
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / (x + fraction);
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
/** Φ, the standard normal CDF. */
const normalCdf = (v: number) => erfc(-v / Math.SQRT2) / 2;

export const relu6Forward = (x: Float32Array) => map(x, (v) => Math.min(Math.max(v, 0), 6));
export const relu6Backward = (y: Float32Array, dy: Float32Array) => mapGradient(y, dy, (v) => (v > 0 && v < 6 ? 1 : 0));
/** ELU (s = 1, sα = α) and SELU: x ≥ 0 ? s·x : sα·(exp(x) − 1). */
export const eluForward = (x: Float32Array, scaleAlpha: number, scale: number) =>
  map(x, (v) => (v >= 0 ? scale * v : scaleAlpha * Math.expm1(v)));
export const eluBackward = (x: Float32Array, dy: Float32Array, scaleAlpha: number, scale: number) =>
  mapGradient(x, dy, (v) => (v >= 0 ? scale : scaleAlpha * Math.exp(v)));
export const softplusForward = (x: Float32Array) => map(x, (v) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v))));
export const softplusBackward = (x: Float32Array, dy: Float32Array) => mapGradient(x, dy, sigmoid);
export const softsignForward = (x: Float32Array) => map(x, (v) => (Number.isFinite(v) ? v / (1 + Math.abs(v)) : Math.sign(v)));
export const softsignBackward = (x: Float32Array, dy: Float32Array) => mapGradient(x, dy, (v) => 1 / (1 + Math.abs(v)) ** 2);
export const swishForward = (x: Float32Array) => map(x, (v) => product(v, sigmoid(v)));
export const swishBackward = (x: Float32Array, dy: Float32Array) =>
  mapGradient(x, dy, (v) => product(sigmoid(v), 1 + product(v, 1 - sigmoid(v))));
export const geluForward = (x: Float32Array) => map(x, (v) => product(v, normalCdf(v)));
export const geluBackward = (x: Float32Array, dy: Float32Array) =>
  mapGradient(x, dy, (v) => normalCdf(v) + product(v, Math.exp(-v * v / 2) / Math.sqrt(2 * Math.PI)));
/** Keras 2's hard sigmoid. */
export const hardSigmoidForward = (x: Float32Array) => map(x, (v) => Math.min(Math.max(0.2 * v + 0.5, 0), 1));
export const hardSigmoidBackward = (y: Float32Array, dy: Float32Array) => mapGradient(y, dy, (v) => (v > 0 && v < 1 ? 0.2 : 0));
export const hardSwishForward = (x: Float32Array) => map(x, (v) => product(v, Math.min(Math.max(v + 3, 0), 6) / 6));
export const hardSwishBackward = (x: Float32Array, dy: Float32Array) => mapGradient(x, dy, (v) => (v < -3 ? 0 : v > 3 ? 1 : v / 3 + 0.5));
/** Keras's relu with its options: x > t ? min(x, max) : a·(x − t). */
export const leakyReluForward = (x: Float32Array, max: number, slope: number, threshold: number) =>
  map(x, (v) => (v > threshold ? Math.min(v, max) : product(slope, v - threshold)));
export const leakyReluBackward = (x: Float32Array, dy: Float32Array, max: number, slope: number, threshold: number) =>
  mapGradient(x, dy, (v) => (v > threshold ? (v <= max ? 1 : 0) : slope));

/** torch.clamp: min(max(x, low), high); the gradient passes where low ≤ x ≤ high. */
export const clipForward = (x: Float32Array, low: number, high: number) => map(x, (v) => Math.min(Math.max(v, low), high));
export const clipBackward = (x: Float32Array, dy: Float32Array, low: number, high: number) => mapGradient(x, dy, (v) => (v >= low && v <= high ? 1 : 0));

/** PReLU: y = x > 0 ? x : α·x, with α repeating every alpha.length elements. */
export const preluForward = (x: Float32Array, alpha: Float32Array) =>
  Float64Array.from(x, (v, i) => (v > 0 ? v : alpha[i % alpha.length] * v));

/** dx (Keras's relu(x) − α·relu(−x): no slope at 0), and dα summed over the repeats. */
export function preluBackward(x: Float32Array, alpha: Float32Array, dy: Float32Array) {
  const dAlpha = new Float64Array(alpha.length);
  x.forEach((v, i) => { if (v < 0) dAlpha[i % alpha.length] += v * dy[i]; });
  return { dx: Float64Array.from(x, (v, i) => (v > 0 ? dy[i] : v < 0 ? alpha[i % alpha.length] * dy[i] : 0)), dAlpha };
}
