// The public ops: each checks its arguments, allocates its result tensor and runs one kernel.
// They are the eager counterpart of the layers, for users and for tests.
import { conv2dArgs, pool2dArgs } from '../backend/geometry-args.js';
import { getBackend } from '../backend/wasm.js';
import { ShapeError } from '../errors.js';
import { formatShape } from '../shape.js';
import { Tensor, emptyTensor } from '../tensor.js';
import { type Padding, conv2dGeometry, pair, pool2dGeometry } from '../window.js';

const kernels = () => getBackend().kernels;

function checkNhwc(x: Tensor, op: string, what = 'x'): [number, number, number, number] {
  if (x.rank !== 4) throw new ShapeError(`${op}: ${what} must be rank 4 [batch, height, width, channels], got ${formatShape(x.shape)}`);
  return x.shape as [number, number, number, number];
}

/** x [n, h, w, c] ⋆ filters [kh, kw, c, outC] (+ bias [outC]) → [n, outH, outW, outC]. */
export function conv2d(x: Tensor, filters: Tensor,
  options: { strides?: number | [number, number]; padding?: Padding; bias?: Tensor } = {}): Tensor {
  const [n, h, w, c] = checkNhwc(x, 'conv2d');
  if (filters.rank !== 4 || filters.shape[2] !== c) {
    throw new ShapeError(`conv2d: filters must be [kernelHeight, kernelWidth, ${c}, outChannels] for an input with ${c} channels, got ${formatShape(filters.shape)}`);
  }
  const [kh, kw, , outC] = filters.shape;
  if (options.bias && (options.bias.rank !== 1 || options.bias.shape[0] !== outC)) {
    throw new ShapeError(`conv2d: bias must be [${outC}], got ${formatShape(options.bias.shape)}`);
  }
  const strides = pair(options.strides ?? 1, 'conv2d', 'strides');
  const g = conv2dGeometry([n, h, w, c], [kh, kw], outC, strides, options.padding ?? 'valid', 'conv2d');
  const geometry = conv2dArgs(g);
  const y = emptyTensor([n, g.outHeight, g.outWidth, outC]);
  withScratch(kernels().conv2dScratchBytes(...geometry), (scratch) =>
    kernels().conv2dForward(x.ptr, filters.ptr, options.bias?.ptr ?? 0, y.ptr, scratch, 0, ...geometry));
  return y;
}

function pool(x: Tensor, kind: 'max' | 'avg' | 'sum',
  options: { poolSize?: number | [number, number]; strides?: number | [number, number]; padding?: 'valid' | 'same' }): Tensor {
  const op = `${kind}Pool`;
  const [n, h, w, c] = checkNhwc(x, op);
  const poolSize = pair(options.poolSize ?? 2, op, 'poolSize');
  const strides = pair(options.strides ?? poolSize, op, 'strides');
  const g = pool2dGeometry([n, h, w, c], poolSize, strides, options.padding ?? 'valid', op);
  const geometry = pool2dArgs(g);
  const y = emptyTensor([n, g.outHeight, g.outWidth, c]);
  if (kind === 'max') {
    kernels().maxPoolForward(x.ptr, y.ptr, 0, ...geometry); // argmax 0: the kernel computes none
  } else {
    kernels().avgPoolForward(x.ptr, y.ptr, kind === 'avg' ? 1 : 0, ...geometry);
  }
  return y;
}

type PoolOptions = { poolSize?: number | [number, number]; strides?: number | [number, number]; padding?: 'valid' | 'same' };
export const maxPool = (x: Tensor, options: PoolOptions = {}) => pool(x, 'max', options);
export const avgPool = (x: Tensor, options: PoolOptions = {}) => pool(x, 'avg', options);
export const sumPool = (x: Tensor, options: PoolOptions = {}) => pool(x, 'sum', options);

function unary(x: Tensor, run: (x: number, y: number, length: number) => void): Tensor {
  const y = emptyTensor(x.shape);
  run(x.ptr, y.ptr, x.size);
  return y;
}

export const relu = (x: Tensor) => unary(x, (a, b, n) => kernels().reluForward(a, b, n));
export const tanh = (x: Tensor) => unary(x, (a, b, n) => kernels().tanhForward(a, b, n));
export const sigmoid = (x: Tensor) => unary(x, (a, b, n) => kernels().sigmoidForward(a, b, n));

/** Softmax along the last axis. */
export function softmax(x: Tensor): Tensor {
  const cols = x.shape[x.rank - 1];
  return unary(x, (a, b, n) => kernels().softmaxForward(a, b, n / cols, cols));
}

/** a [m, k] · b [k, n] → [m, n] (transposeA/transposeB read a or b as stored transposed). */
export function matMul(a: Tensor, b: Tensor, transposeA = false, transposeB = false): Tensor {
  if (a.rank !== 2 || b.rank !== 2) throw new ShapeError(`matMul: both arguments must be rank 2, got ${formatShape(a.shape)} and ${formatShape(b.shape)}`);
  const [m, k] = transposeA ? [a.shape[1], a.shape[0]] : a.shape;
  const [k2, n] = transposeB ? [b.shape[1], b.shape[0]] : b.shape;
  if (k !== k2) throw new ShapeError(`matMul: inner dimensions differ: ${formatShape(a.shape)}${transposeA ? 'ᵀ' : ''} · ${formatShape(b.shape)}${transposeB ? 'ᵀ' : ''}`);
  const c = emptyTensor([m, n]);
  withScratch(kernels().matMulScratchBytes(k, n), (scratch) =>
    kernels().matMul(a.ptr, b.ptr, c.ptr, scratch, m, k, n, transposeA ? 1 : 0, transposeB ? 1 : 0, 0));
  return c;
}

/** Runs a kernel call with `bytes` of scratch memory, freed afterwards. */
function withScratch(bytes: number, call: (scratch: number) => void): void {
  const memory = getBackend().memory;
  const scratch = memory.alloc(bytes);
  try {
    call(scratch);
  } finally {
    memory.free(scratch);
  }
}
