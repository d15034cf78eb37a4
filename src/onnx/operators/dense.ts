// Gemm and MatMul with a constant weight → dense. Y = α·A·op(B) + β·C with A the features [N, K]:
// the kernel is op(B) [K, units] scaled by α, the bias β·C (one value per unit, or one for all).
// An activation read only by the product is applied on its way out.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { type TensorValue, formatDims } from '../values.js';
import { ELEMENTWISE_ACTIVATIONS, fusableSoftmax } from './activation.js';

const DENSE_ACTIVATIONS = { ...ELEMENTWISE_ACTIVATIONS, Softmax: 'softmax' };

/** A [N, K] tensor, the only input a dense layer takes. */
function features(ctx: NodeContext): TensorValue {
  const a = ctx.tensor(0);
  if (a.dims.length !== 2) {
    ctx.refuse(`multiplies a ${a.dims.length}-D tensor ${formatDims(a.dims)}; convas's dense layer takes features [N, K] (flatten first)`);
  }
  return a;
}

function denseLayer(ctx: NodeContext, a: TensorValue, kernel: Float32Array, units: number, bias?: Float32Array): TensorValue {
  const activation = ctx.fusedActivation(DENSE_ACTIVATIONS, fusableSoftmax([Number.NaN, units], ctx.opset)) as 'relu' | undefined;
  const { layer, output } = ctx.layer(() => layers.dense({ units, activation, useBias: bias !== undefined, name: ctx.layerName() }), [a]);
  ctx.setWeights(layer, { kernel, ...(bias ? { bias } : {}) });
  return output;
}

function gemm(ctx: NodeContext): TensorValue {
  const a = features(ctx);
  const b = ctx.constant(1, 'B');
  if (ctx.int('transA', 0) !== 0) ctx.refuse('transA=1 (the features transposed) is not supported');
  const transB = ctx.int('transB', 0) !== 0;
  const alpha = ctx.float('alpha', 1), beta = ctx.float('beta', 1);
  if (b.type !== 'float' || b.dims.length !== 2) ctx.refuse(`B has dims ${formatDims(b.dims)}; expected a 2-D float weight`);
  const [rows, columns] = b.dims;
  const [k, units] = transB ? [columns, rows] : [rows, columns];
  if (k !== a.dims[1]) ctx.refuse(`B ${formatDims(b.dims)}${transB ? ' (transposed)' : ''} takes ${k} features, but the input has ${a.dims[1]}`);
  const kernel = new Float32Array(k * units);
  for (let i = 0; i < k; i++) for (let j = 0; j < units; j++) kernel[i * units + j] = alpha * b.data[transB ? j * k + i : i * units + j];
  let bias: Float32Array | undefined;
  const c = ctx.input(2) ? ctx.constant(2, 'C') : undefined;
  if (c) {
    const perUnit = c.data.length === units && c.dims.every((d, i) => d === 1 || i === c.dims.length - 1);
    if (c.type !== 'float' || !(perUnit || c.data.length === 1)) ctx.refuse(`C has dims ${formatDims(c.dims)}; convas takes a bias of one value per unit [${units}] or one for all`);
    bias = Float32Array.from({ length: units }, (_, j) => beta * c.data[c.data.length === 1 ? 0 : j]);
  }
  return denseLayer(ctx, a, kernel, units, bias);
}

function matMul(ctx: NodeContext): TensorValue {
  const a = features(ctx);
  const b = ctx.constant(1, 'B');
  if (b.type !== 'float' || b.dims.length !== 2) ctx.refuse(`B has dims ${formatDims(b.dims)}; convas multiplies by a constant 2-D float weight`);
  if (b.dims[0] !== a.dims[1]) ctx.refuse(`B ${formatDims(b.dims)} takes ${b.dims[0]} features, but the input has ${a.dims[1]}`);
  return denseLayer(ctx, a, Float32Array.from(b.data), b.dims[1]);
}

export const denseOperators: Record<string, OpEntry> = {
  Gemm: { convert: gemm },
  MatMul: { convert: matMul },
};
