// Gemm and MatMul with a constant weight → dense. Y = α·A·op(B) + β·C with A the features [N, K]:
// the kernel is op(B) [K, units] scaled by α, the bias β·C (one value per unit, or one for all).
// An activation read only by the product (or by the Add of its bias, after a MatMul) is applied on
// its way out. MatMul also multiplies a
// sequence [N, T, K] position by position (PyTorch's Linear on more than two axes, and convas's own
// Dense on a sequence, are MatMul then the Add of the bias, which the layer takes in), and an image
// transposed channels-last pixel by pixel: a 1×1 convolution.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { type LayerWeight, sameOrder, transposed } from '../layer-weight.js';
import type { Constant } from '../tensors.js';
import { type TensorValue, formatDims } from '../values.js';
import { withArticle } from '../../article.js';

/** Input 0 when it has one of `ranks` (Gemm's features [N, K]; MatMul's sequences [N, T, K] too), as a dense layer reads it. */
function multiplied(ctx: NodeContext, ranks: number[]): TensorValue {
  const a = ctx.tensor(0);
  if (!ranks.includes(a.dims.length)) {
    ctx.refuse(`multiplies ${withArticle(`${a.dims.length}-D`)} tensor ${formatDims(a.dims)}; convas reads Gemm of features [N, K] (flatten first) ` +
      'and MatMul of features [N, K], sequences [N, T, K] and channels-last images [N, H, W, C]');
  }
  return a;
}

/** The product's output dims: the input's with its last axis `units` long. */
const productDims = (a: TensorValue, units: number) => [...a.dims.slice(0, -1), units];

function denseLayer(ctx: NodeContext, a: TensorValue, kernel: LayerWeight, units: number, bias?: Float32Array): TensorValue {
  const activation = ctx.fusedActivation(productDims(a, units));
  const { layer, output } = ctx.layer(() => layers.dense({ units, activation, useBias: bias !== undefined, name: ctx.layerName() }), [a]);
  ctx.setWeights(layer, { kernel, ...(bias ? { bias: sameOrder(bias) } : {}) });
  return output;
}

/**
 * The bias of a MatMul, whose output has `dims` (units last): the Adds (or Subs) of one number or
 * one per unit that read the product alone, one after another, absorbed, their offsets summed;
 * undefined when none follows.
 */
function biasAfter(ctx: NodeContext, dims: number[]): Float32Array | undefined {
  const offsets = ctx.absorbChain((entry, next, input) => {
    const step = entry.affine?.(next, input, dims, dims.length - 1);
    return step?.scale === 1 ? step.offset : undefined;
  });
  const units = dims[dims.length - 1];
  return offsets.length ? Float32Array.from({ length: units }, (_, j) => offsets.reduce<number>((sum, o) => sum + (Array.isArray(o) ? o[j] : o), 0)) : undefined;
}

function gemm(ctx: NodeContext): TensorValue {
  const a = multiplied(ctx, [2]);
  const b = ctx.constant(1, 'B');
  if (ctx.int('transA', 0) !== 0) ctx.refuse('transA=1 (the features transposed) is not supported');
  const transB = ctx.int('transB', 0) !== 0;
  const alpha = ctx.float('alpha', 1), beta = ctx.float('beta', 1);
  if (b.type !== 'float' || b.dims.length !== 2) ctx.refuse(`B has dims ${formatDims(b.dims)}; expected a 2-D float weight`);
  const [rows, columns] = b.dims;
  const [k, units] = transB ? [columns, rows] : [rows, columns];
  if (k !== a.dims[1]) ctx.refuse(`B ${formatDims(b.dims)}${transB ? ' (transposed)' : ''} takes ${k} features, but the input has ${a.dims[1]}`);
  const scaled = alpha === 1 ? b.data as Float32Array : Float32Array.from(b.data, (v) => alpha * v);
  // PyTorch's Linear is [units, k] with transB: convas's kernel [k, units] is its transpose.
  const kernel = transB ? transposed(scaled, units, k) : sameOrder(scaled);
  let bias: Float32Array | undefined;
  const c = ctx.input(2) ? ctx.constant(2, 'C') : undefined;
  if (c) {
    const perUnit = c.data.length === units && c.dims.every((d, i) => d === 1 || i === c.dims.length - 1);
    if (c.type !== 'float' || !(perUnit || c.data.length === 1)) ctx.refuse(`C has dims ${formatDims(c.dims)}; convas takes a bias of one value per unit [${units}] or one for all`);
    bias = Float32Array.from({ length: units }, (_, j) => beta * c.data[c.data.length === 1 ? 0 : j]);
  }
  return denseLayer(ctx, a, kernel, units, bias);
}

/** MatMul's B: a constant 2-D float weight [K, units] for an input of K features on its last axis. */
function weight(ctx: NodeContext, a: TensorValue): Constant {
  const b = ctx.constant(1, 'B'), k = a.dims[a.dims.length - 1];
  if (b.type !== 'float' || b.dims.length !== 2 || b.dims[0] !== k) {
    ctx.refuse(`B has dims ${formatDims(b.dims)}; convas multiplies ${formatDims(a.dims)} by a constant 2-D float weight [${k}, units]`);
  }
  return b;
}

/**
 * MatMul of an image transposed channels-last by a constant [C, K]: a Linear layer on each pixel
 * (ConvNeXt's), which is a 1×1 Conv2D; the Add of its bias that PyTorch writes next is taken as the
 * convolution's bias. The output is channels-last again.
 */
function pixelwise(ctx: NodeContext, x: TensorValue): TensorValue {
  const b = weight(ctx, x), units = b.dims[1];
  const bias = biasAfter(ctx, productDims(x, units));
  const { layer, output } = ctx.layer(() => layers.conv2d({ filters: units, kernelSize: 1, useBias: bias !== undefined, name: ctx.layerName() }), [x]);
  ctx.setWeights(layer, { kernel: sameOrder(b.data as Float32Array), ...(bias ? { bias: sameOrder(bias) } : {}) });
  return ctx.inLayoutOf(x, output);
}

/** MatMul by a constant: a dense layer of features or of each position of a sequence, which takes in the bias Add after it. */
function matMul(ctx: NodeContext): TensorValue {
  const held = ctx.heldTensor(0);
  if (held.channelsLast) return pixelwise(ctx, held);
  const a = multiplied(ctx, [2, 3]);
  const b = weight(ctx, a), units = b.dims[1];
  return denseLayer(ctx, a, sameOrder(b.data as Float32Array), units, biasAfter(ctx, productDims(a, units)));
}

export const denseOperators: Record<string, OpEntry> = {
  Gemm: { convert: gemm },
  MatMul: { convert: matMul },
};
