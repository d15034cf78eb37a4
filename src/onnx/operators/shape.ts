// Operators that move or regroup elements: Flatten, Reshape, Squeeze, Unsqueeze, Concat, Pad, and
// Dropout and Identity, which pass values on. Flattening an image keeps PyTorch's element order
// (channels, then rows, then columns): convas holds images channels-last, so a Permute to
// channels-first comes before the Flatten — unless the image has one channel or one pixel, where
// both orders agree. Other reshapes (Reshape, Squeeze, Unsqueeze to any rank) keep it the same
// way: the image channels-first, a Reshape layer to the target in ONNX's order, and, when the
// target is an image, a Permute back to channels-last. On constants, each is evaluated while the
// model loads.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { sizeOfDims } from '../tensors.js';
import { type Constant, type TensorValue, type Value, convasAxes, formatDims, isImage } from '../values.js';
import { transposeConstant } from './constants.js';
import { pixelShuffled } from './depth-to-space.js';
import { decomposedGroupNorm } from './group-norm.js';
import { axisIndex, checkComputedSize, distinctAxes, makeConstant, strides } from './ndarray.js';
import { reshapeTarget, resolveShape } from './reshape-target.js';

/** Whether an image's dims [N, C, H, W] are laid out alike channels-first and -last: one channel or one pixel. */
const orderFree = ([, channels, height, width]: number[]) => channels === 1 || height * width === 1;

/**
 * The tensor with its elements in ONNX's order: an image channels-first (convas holds it
 * channels-last); an image transposed channels-last with height first is in that order as convas
 * holds it, with width first, its height and width swap.
 */
function onnxOrder(ctx: NodeContext, x: TensorValue): TensorValue {
  if (x.channelsLast) {
    const [, first, second] = x.dims;
    if (x.channelsLast.spatial === 'HW' || first === 1 || second === 1) return x;
    return ctx.layer(() => layers.permute({ dims: [2, 1, 3], name: ctx.layerName('_whc') }), [x]).output;
  }
  if (!isImage(x) || orderFree(x.dims)) return x;
  return ctx.layer(() => layers.permute({ dims: [3, 1, 2], name: ctx.layerName('_nchw') }), [x]).output;
}

/** A tensor [N, …] as [N, features] in ONNX's (PyTorch's) element order. */
function flattened(ctx: NodeContext, x: TensorValue): TensorValue {
  if (x.dims.length === 2) return x;
  return ctx.layer(() => layers.flatten({ name: ctx.layerName() }), [onnxOrder(ctx, x)]).output;
}

/** A tensor [N, …] reshaped to ONNX dims [N, …dims] in ONNX's element order (see the top of this file). */
export function reshaped(ctx: NodeContext, x: TensorValue, dims: number[]): TensorValue {
  if (formatDims(dims) === formatDims(x.dims.slice(1))) return x;
  if (dims.length === 1) return flattened(ctx, x);
  const source = onnxOrder(ctx, x);
  const image = dims.length === 3, [channels, height, width] = dims;
  if (!image || orderFree([1, ...dims])) {
    const targetShape = image ? [height, width, channels] : dims;
    return ctx.layer(() => layers.reshape({ targetShape, name: ctx.layerName() }), [source]).output;
  }
  const chw = ctx.layer(() => layers.reshape({ targetShape: dims, name: ctx.layerName('_chw') }), [source]).output;
  return ctx.layer(() => layers.permute({ dims: [2, 3, 1], name: ctx.layerName() }), [chw]).output;
}

function flattenTensor(ctx: NodeContext): TensorValue {
  const x = ctx.heldTensor(0);
  const axis = axisIndex(ctx, ctx.int('axis', 1), x.dims.length + 1);
  if (axis !== 1) ctx.refuse(`flattens from axis ${axis}; convas flattens everything but the batch (axis 1)`);
  return flattened(ctx, x);
}

function flattenConstant(ctx: NodeContext): Constant {
  const c = ctx.constant(0);
  const axis = axisIndex(ctx, ctx.int('axis', 1), c.dims.length + 1);
  return makeConstant(c.type, [sizeOfDims(c.dims.slice(0, axis)), sizeOfDims(c.dims.slice(axis))], c.data);
}

function reshapeConstant(ctx: NodeContext): Constant {
  const c = ctx.constant(0, 'data');
  const dims = resolveShape(ctx, c.dims, ctx.ints(1, 'shape'));
  if (dims.some(Number.isNaN) || sizeOfDims(dims) !== c.data.length) ctx.refuse(`cannot reshape ${formatDims(c.dims)} to ${formatDims(dims)}`);
  return makeConstant(c.type, dims, c.data);
}

/** Reshape of a tensor, or the first of the three nodes PyTorch writes for pixel_shuffle and pixel_unshuffle before DepthToSpace. */
function reshapeTensor(ctx: NodeContext): TensorValue {
  const x = ctx.heldTensor(0);
  const dims = reshapeTarget(ctx, x.dims);
  return pixelShuffled(ctx, x, dims) ?? reshaped(ctx, x, dims);
}

/** Squeeze's and Unsqueeze's axes: an input from opset 13, an attribute before. */
const axesOf = (ctx: NodeContext, fallback?: number[]) => (ctx.opset >= 13 ? ctx.ints(1, 'axes', fallback) : ctx.intList('axes', fallback ?? []));

function squeezeConstant(ctx: NodeContext): Constant {
  const c = ctx.constant(0, 'data');
  const axes = distinctAxes(ctx, axesOf(ctx, c.dims.flatMap((d, i) => (d === 1 ? [i] : []))), c.dims.length);
  if (axes.some((a) => c.dims[a] !== 1)) ctx.refuse(`squeezes axes ${JSON.stringify(axes)} of ${formatDims(c.dims)}, not all of size 1`);
  const squeezed = new Set(axes);
  return makeConstant(c.type, c.dims.filter((_, i) => !squeezed.has(i)), c.data);
}

function squeezeTensor(ctx: NodeContext): TensorValue {
  const x = ctx.heldTensor(0);
  const axes = distinctAxes(ctx, axesOf(ctx, x.dims.flatMap((d, i) => (i > 0 && d === 1 ? [i] : []))), x.dims.length);
  if (axes.some((a) => a === 0 || x.dims[a] !== 1)) ctx.refuse(`squeezes axes ${JSON.stringify(axes)} of ${formatDims(x.dims)}; convas squeezes axes of size 1 after the batch`);
  const squeezed = new Set(axes);
  return reshaped(ctx, x, x.dims.filter((_, i) => i > 0 && !squeezed.has(i)));
}

/**
 * Unsqueeze's axes. One axis may be a scalar rather than a list of one: ONNX's shape inference and
 * ONNX Runtime take it, so such files are valid; any other rank than 0 or 1 is refused.
 */
function unsqueezeAxes(ctx: NodeContext): number[] {
  const given = ctx.opset >= 13 ? ctx.intConstant(1, 'axes') : undefined;
  return given?.dims.length === 0 ? [...given.data] : axesOf(ctx);
}

/** The dims with axes of size 1 inserted where Unsqueeze's axes (of the result) say. */
function unsqueezedDims(ctx: NodeContext, dims: number[]): number[] {
  const axes = unsqueezeAxes(ctx);
  const rank = dims.length + axes.length;
  const at = new Set(distinctAxes(ctx, axes, rank));
  const out: number[] = [];
  for (let i = 0, k = 0; i < rank; i++) out.push(at.has(i) ? 1 : dims[k++]);
  return out;
}

function unsqueezeConstant(ctx: NodeContext): Constant {
  const c = ctx.constant(0, 'data');
  return makeConstant(c.type, unsqueezedDims(ctx, c.dims), c.data);
}

function unsqueezeTensor(ctx: NodeContext): TensorValue {
  const x = ctx.heldTensor(0);
  const dims = unsqueezedDims(ctx, x.dims);
  if (!Number.isNaN(dims[0])) ctx.refuse(`adds an axis before the batch of ${formatDims(x.dims)}`);
  return reshaped(ctx, x, dims.slice(1));
}

function concatConstants(ctx: NodeContext): Constant {
  const parts = Array.from({ length: ctx.inputCount }, (_, i) => ctx.constant(i));
  const rank = parts[0].dims.length;
  const axis = axisIndex(ctx, ctx.int('axis', 0), rank);
  const same = parts.every((p) => p.type === parts[0].type && p.dims.length === rank && p.dims.every((d, i) => i === axis || d === parts[0].dims[i]));
  if (!same) ctx.refuse(`concatenates ${parts.map((p) => formatDims(p.dims)).join(', ')} along axis ${axis}, which do not fit together`);
  const dims = parts[0].dims.map((d, i) => (i === axis ? parts.reduce((n, p) => n + p.dims[axis], 0) : d));
  checkComputedSize(ctx, dims, parts, `concatenates ${parts.length} constants`);
  const outer = sizeOfDims(dims.slice(0, axis));
  const data: number[] = [];
  for (let o = 0; o < outer; o++) {
    for (const p of parts) {
      const run = p.dims[axis] * strides(p.dims)[axis];
      for (let i = 0; i < run; i++) data.push(p.data[o * run + i]);
    }
  }
  return makeConstant(parts[0].type, dims, parts[0].type === 'float' ? Float32Array.from(data) : data);
}

function concatTensors(ctx: NodeContext): TensorValue {
  const parts = Array.from({ length: ctx.inputCount }, (_, i) => ctx.tensor(i));
  const rank = parts[0].dims.length;
  const axis = axisIndex(ctx, ctx.int('axis', 0), rank);
  if (axis === 0) ctx.refuse('concatenates along the batch axis');
  return concatenated(ctx, parts, axis);
}

/** Tensors of one rank joined along ONNX axis `axis` (not the batch); one passes as it is. */
export function concatenated(ctx: NodeContext, parts: TensorValue[], axis: number): TensorValue {
  if (parts.length === 1) return parts[0];
  // ONNX's image axes 1, 2, 3 (channels, height, width) are convas's 3, 1, 2.
  const convasAxis = parts[0].dims.length === 4 ? [0, 3, 1, 2][axis] : axis;
  return ctx.layer(() => layers.concatenate({ axis: convasAxis, name: ctx.layerName() }), parts).output;
}

/** The most axes a Permute layer moves, after the batch. */
const PERMUTED_AXES = 4;

/**
 * Transpose of a tensor, the batch staying first: a Permute. A 4-D result is an image again
 * (convas holds its axes 2, 3, 1 in that order), whatever the axes mean to PyTorch — but an image
 * transposed channels-last (0, 2, 3, 1, or 0, 3, 2, 1 with width first) has its channels last as
 * convas holds it already: it is read as channels-last without a layer, and transposed back it is
 * the image again (ConvNeXt's permutes around its LayerNorm and Linear layers, and those around a
 * softmax over the channels before opset 13, cost nothing).
 */
function transposeTensor(ctx: NodeContext): TensorValue {
  const held = ctx.heldTensor(0);
  const rank = held.dims.length;
  const perm = ctx.intList('perm', held.dims.map((_, i) => rank - 1 - i));
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) ctx.refuse(`perm ${JSON.stringify(perm)} is not a permutation of 0…${rank - 1}`);
  if (perm[0] !== 0) ctx.refuse(`perm ${JSON.stringify(perm)} moves the batch axis`);
  const order = perm.join();
  const back = { HW: '0,3,1,2', WH: '0,3,2,1' };
  if (held.channelsLast && order === back[held.channelsLast.spatial]) {
    const [batch, first, second, channels] = held.dims;
    const [height, width] = held.channelsLast.spatial === 'HW' ? [first, second] : [second, first];
    return { kind: 'tensor', tensor: held.tensor, dims: [batch, channels, height, width] };
  }
  if (isImage(held) && !held.channelsLast && (order === '0,2,3,1' || order === '0,3,2,1')) return ctx.asChannelsLast(held, order === '0,2,3,1' ? 'HW' : 'WH');
  if (rank - 1 > PERMUTED_AXES) {
    ctx.refuse(`transposes ${rank - 1} axes after the batch; convas permutes at most ${PERMUTED_AXES} (the Reshape to six axes, Transpose and ` +
      'Reshape that PyTorch writes for pixel_shuffle and pixel_unshuffle are read as one)');
  }
  const x = ctx.tensor(0);
  // Convas output axis j holds ONNX output axis k = 1 + axes.indexOf(j), which takes ONNX input
  // axis perm[k], held by convas input axis axes[perm[k] − 1].
  const axes = convasAxes(rank - 1);
  const dims = axes.map((_, j) => 1 + axes[perm[1 + axes.indexOf(j)] - 1]);
  if (dims.every((d, j) => d === j + 1)) return x;
  return ctx.layer(() => layers.permute({ dims, name: ctx.layerName() }), [x]).output;
}

/**
 * Pad of an image: zeros (mode constant) are left for the convolution or average pool that reads
 * them; mode reflect or edge (PyTorch's ReflectionPad2d and ReplicationPad2d) is a BorderPadding2D.
 */
function pad(ctx: NodeContext): TensorValue {
  const mode = ctx.string('mode', 'constant');
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge') ctx.refuse(`mode ${JSON.stringify(mode)} is not supported; convas pads with zeros, reflect or edge`);
  const x = mode === 'constant' ? ctx.paddedTensor(0) : ctx.tensor(0);
  const rank = x.dims.length;
  const pads = ctx.opset >= 11 ? ctx.ints(1, 'pads') : ctx.intList('pads', []);
  // A constant value means nothing in the other modes (ONNX Runtime ignores it there).
  const value = ctx.opset >= 11 ? ctx.scalar(2, 'constant_value', 0) : ctx.float('value', 0);
  if (value !== 0 && mode === 'constant') ctx.refuse(`pads with ${value}; convas pads with zeros`);
  let all = pads;
  if (ctx.input(3)) {
    // Opset 18: pads only for the axes listed.
    const axes = distinctAxes(ctx, ctx.ints(3, 'axes'), rank);
    if (pads.length !== 2 * axes.length) ctx.refuse(`pads ${JSON.stringify(pads)} for axes ${JSON.stringify(axes)}: expected ${2 * axes.length} integers, two per axis`);
    all = new Array<number>(2 * rank).fill(0);
    axes.forEach((a, i) => { all[a] = pads[i]; all[a + rank] = pads[i + axes.length]; });
  }
  if (all.length !== 2 * rank || all.some((p) => !Number.isInteger(p) || p < 0)) ctx.refuse(`pads ${JSON.stringify(pads)}: expected ${2 * rank} non-negative integers`);
  if (all.every((p) => p === 0)) return x;
  if (rank !== 4 || all[0] || all[1] || all[4] || all[5]) ctx.refuse(`pads ${JSON.stringify(all)}: convas pads the height and width of an image only`);
  if (mode !== 'constant') {
    const padding: [[number, number], [number, number]] = [[all[2], all[6]], [all[3], all[7]]];
    return ctx.layer(() => layers.borderPadding2d({ padding, mode, name: ctx.layerName() }), [x]).output;
  }
  const before = x.pad ?? [0, 0, 0, 0];
  return { ...x, pad: [before[0] + all[2], before[1] + all[6], before[2] + all[3], before[3] + all[7]] };
}

/** Dropout: a convas dropout layer of the same rate (it drops only while training); its mask is not computed. */
function dropout(ctx: NodeContext): Value {
  const x = ctx.tensor(0);
  const rate = ctx.opset >= 12 ? ctx.scalar(1, 'ratio', 0.5) : ctx.float('ratio', 0.5);
  ctx.ignore('seed', 'is_test');
  if (ctx.input(2) && ctx.scalar(2, 'training_mode') !== 0) ctx.refuse('runs in training mode (training_mode is true); convas loads models for inference');
  if (rate === 0) return x;
  return ctx.layer(() => layers.dropout({ rate, name: ctx.layerName() }), [x]).output;
}

export const shapeOperators: Record<string, OpEntry> = {
  Flatten: { fold: flattenConstant, convert: flattenTensor },
  Reshape: { fold: reshapeConstant, convert: (ctx) => decomposedGroupNorm(ctx) ?? reshapeTensor(ctx) },
  Squeeze: { fold: squeezeConstant, convert: squeezeTensor },
  Unsqueeze: { fold: unsqueezeConstant, convert: unsqueezeTensor },
  Concat: { fold: concatConstants, convert: concatTensors },
  Transpose: { fold: transposeConstant, convert: transposeTensor },
  Pad: { convert: pad },
  Dropout: { convert: dropout },
};

