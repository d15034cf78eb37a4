// Slice, Split and Gather: positions of an axis. On constants (shape arithmetic, weights) they are
// evaluated while the model loads. On a tensor, PyTorch writes them for x[:, a:b], x.chunk and
// torch.split: a range of an image's channels (or a vector's features) is a ChannelSlice layer, a
// range of its rows and columns a Cropping2D. Channels picked in any other order — x[:, [2, 1, 0]]
// and x[:, i] (Gather; torchvision's GoogLeNet and Inception v3 normalise their input so, channel
// by channel, when made with pretrained weights), x.flip(1) (Slice with step −1) — are the runs of
// consecutive channels among them, sliced and concatenated; rows and columns walked in steps
// (x[..., ::2, 1::2], YOLOv5's Focus) are cropped and subsampled. Other steps, and the batch, are refused.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { type Constant, MAX_PARTS, type TensorValue, convasAxes, formatDims, isImage, lastConvasAxis } from '../values.js';
import { axisIndex, checkComputedSize, distinctAxes, gather, strides } from './ndarray.js';
import { concatenated, reshaped } from './shape.js';

/** The range a Slice keeps of each axis of `dims`: its first index, its step and the count kept. */
interface SliceRanges {
  first: number[];
  step: number[];
  dims: number[];
}

/** Slice's starts, ends, axes and steps, from inputs (opset 10+) or attributes (opset 9), resolved against `dims` as ONNX clamps them. */
function sliceRanges(ctx: NodeContext, dims: number[]): SliceRanges {
  const rank = dims.length;
  const fromInputs = ctx.opset >= 10;
  const starts = fromInputs ? ctx.ints(1, 'starts') : ctx.intList('starts', []);
  const ends = fromInputs ? ctx.ints(2, 'ends') : ctx.intList('ends', []);
  const allAxes = Array.from({ length: starts.length }, (_, i) => i);
  const axes = distinctAxes(ctx, fromInputs ? ctx.ints(3, 'axes', allAxes) : ctx.intList('axes', allAxes), rank);
  const steps = fromInputs ? ctx.ints(4, 'steps', starts.map(() => 1)) : starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) {
    ctx.refuse(`starts ${JSON.stringify(starts)}, ends ${JSON.stringify(ends)}, axes ${JSON.stringify(axes)} and steps ${JSON.stringify(steps)} differ in length; expected one of each per axis sliced`);
  }
  const first = dims.map(() => 0), step = dims.map(() => 1), kept = [...dims];
  axes.forEach((axis, i) => {
    const size = dims[axis];
    if (!Number.isInteger(steps[i]) || steps[i] === 0) ctx.refuse(`step ${steps[i]} on axis ${axis}; expected a non-zero integer`);
    if ([starts[i], ends[i]].some(Number.isNaN)) ctx.refuse('slices with the batch size, which convas does not know at load time');
    if (Number.isNaN(size)) {
      // The batch axis of a tensor: only the whole of it, as exporters sometimes write (0 to the largest integer).
      if (starts[i] !== 0 || ends[i] < 2 ** 31 - 1 || steps[i] !== 1) ctx.refuse(`slices the batch axis (starts ${starts[i]}, ends ${ends[i]}); convas keeps every example`);
      return;
    }
    // ONNX clamps starts and ends to the axis (to [0, size] forwards, [−1, size − 1] backwards).
    const clamp = (v: number, lo: number, hi: number) => Math.max(lo, Math.min(hi, v < 0 ? v + size : v));
    const forwards = steps[i] > 0;
    const start = forwards ? clamp(starts[i], 0, size) : clamp(starts[i], -1, size - 1);
    const end = forwards ? clamp(ends[i], 0, size) : clamp(ends[i], -1, size - 1);
    first[axis] = start;
    step[axis] = steps[i];
    kept[axis] = Math.max(0, Math.ceil((end - start) / steps[i]));
  });
  return { first, step, dims: kept };
}

function sliceConstant(ctx: NodeContext): Constant {
  const data = ctx.constant(0, 'data');
  const { first, step, dims } = sliceRanges(ctx, data.dims);
  checkComputedSize(ctx, dims, [data], `slices ${formatDims(data.dims)}`);
  const s = strides(data.dims);
  return gather(data, dims, (at) => at.reduce((index, c, a) => index + (first[a] + c * step[a]) * s[a], 0));
}

/** Indices first…first + count − 1 of ONNX axis `axis` of x (step 1): a ChannelSlice of the last convas axis, or rows and columns of an image cropped. */
function rangeOfTensor(ctx: NodeContext, x: TensorValue, { first, step, dims }: SliceRanges): TensorValue {
  const rank = x.dims.length;
  // An axis is cut when the slice keeps less of it, or walks it in steps other than 1 (a reversal keeps all of it).
  const cut = dims.map((d, a) => a > 0 && (d !== x.dims[a] || step[a] !== 1));
  // An image's rows and columns may be walked in steps forwards (YOLOv5's Focus, x[..., ::2, 1::2]).
  const stepped = step.findIndex((s, a) => cut[a] && s !== 1 && !(isImage(x) && a >= 2 && s > 0));
  if (stepped > 0) ctx.refuse(`has step ${step[stepped]} on axis ${stepped}; convas slices tensors with step 1, and an image's rows and columns with positive steps`);
  if (dims.some((d, a) => a > 0 && d === 0)) ctx.refuse(`keeps nothing of ${formatDims(x.dims)}`);
  const axes = convasAxes(rank - 1);
  let y = x;
  const channelAxis = cut.findIndex((c, a) => c && axes[a - 1] === rank - 2);
  if (channelAxis > 0) {
    y = ctx.layer(() => layers.channelSlice({ start: first[channelAxis], end: first[channelAxis] + dims[channelAxis], name: ctx.layerName() }), [y]).output;
  }
  const others = cut.map((c, a) => c && a !== channelAxis);
  if (!others.some(Boolean)) return y;
  if (!isImage(x) || others[1]) ctx.refuse(`slices axes ${JSON.stringify(others.flatMap((c, a) => (c ? [a] : [])))} of ${formatDims(x.dims)}; convas slices the channels (or features) of a tensor and the rows and columns of an image`);
  const [, , height, width] = x.dims;
  // Cropped to the rows and columns the steps walk from first to last kept, then every step-th kept
  // by a 1×1 pool with the steps as strides (the same values, and the gradient back to them only).
  const span = (a: number) => (dims[a] - 1) * step[a] + 1;
  const cropping: [[number, number], [number, number]] = [[first[2], height - first[2] - span(2)], [first[3], width - first[3] - span(3)]];
  const subsampled = step[2] > 1 || step[3] > 1;
  if (cropping.flat().some(Boolean) || !subsampled) {
    y = ctx.layer(() => layers.cropping2d({ cropping, name: ctx.layerName(channelAxis > 0 || subsampled ? '_crop' : '') }), [y]).output;
  }
  if (!subsampled) return y;
  return ctx.layer(() => layers.maxPool2d({ poolSize: 1, strides: [step[2], step[3]], name: ctx.layerName(channelAxis > 0 ? '_step' : '') }), [y]).output;
}

/**
 * Positions `picked` of ONNX axis `axis` of x, in that order (repeats allowed): each run of
 * consecutive positions a range, the runs concatenated along the axis.
 */
function positionsOfTensor(ctx: NodeContext, x: TensorValue, axis: number, picked: number[]): TensorValue {
  if (picked.length === 0) ctx.refuse(`keeps nothing of ${formatDims(x.dims)}`);
  const runs: Array<{ start: number; count: number }> = [];
  for (const p of picked) {
    const last = runs[runs.length - 1];
    if (last && last.start + last.count === p) last.count++;
    else runs.push({ start: p, count: 1 });
  }
  if (runs.length > MAX_PARTS) ctx.refuse(`picks ${runs.length} runs of consecutive positions of axis ${axis}; convas joins at most ${MAX_PARTS}`);
  const parts = runs.map(({ start, count }) => {
    const first = x.dims.map(() => 0), dims = [...x.dims];
    first[axis] = start;
    dims[axis] = count;
    return rangeOfTensor(ctx, x, { first, step: x.dims.map(() => 1), dims });
  });
  return concatenated(ctx, parts, axis);
}

/** A slice of a tensor; a step other than 1 along the channels (or features) picks them one by one. */
function sliceTensor(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  const { first, step, dims } = sliceRanges(ctx, x.dims);
  const channels = lastConvasAxis(x);
  if (step[channels] === 1) return rangeOfTensor(ctx, x, { first, step, dims });
  const others = rangeOfTensor(ctx, x, {
    first: first.map((f, a) => (a === channels ? 0 : f)), step: step.map((s, a) => (a === channels ? 1 : s)),
    dims: dims.map((d, a) => (a === channels ? x.dims[a] : d)),
  });
  const picked = Array.from({ length: dims[channels] }, (_, k) => first[channels] + k * step[channels]);
  return positionsOfTensor(ctx, others, channels, picked);
}

/** Split into consecutive ranges of one axis: sizes from input 1 (opset 13+) or the split attribute, else equal parts (num_outputs at opset 18). */
function splitTensor(ctx: NodeContext): TensorValue[] {
  const x = ctx.tensor(0);
  const rank = x.dims.length;
  const axis = axisIndex(ctx, ctx.int('axis', 0), rank);
  if (axis === 0) ctx.refuse('splits the batch axis; convas keeps every example together');
  const size = x.dims[axis];
  const parts = ctx.opset >= 18 ? ctx.int('num_outputs', (ctx.node.output ?? []).length) : (ctx.node.output ?? []).length;
  const given = ctx.opset >= 13 ? (ctx.input(1) ? ctx.ints(1, 'split') : undefined) : (ctx.has('split') ? ctx.intList('split', []) : undefined);
  // Equal parts, the last one smaller when the axis does not divide (as ONNX defines it).
  const chunk = Math.ceil(size / parts);
  const sizes = given ?? Array.from({ length: parts }, (_, i) => Math.min(chunk, size - i * chunk));
  if (sizes.some((s) => !Number.isInteger(s) || s <= 0) || sizes.reduce((a, b) => a + b, 0) !== size) {
    ctx.refuse(`splits axis ${axis} of ${formatDims(x.dims)} into ${JSON.stringify(sizes)}; expected positive sizes that add up to ${size}`);
  }
  let start = 0;
  return sizes.map((count) => {
    const first = x.dims.map(() => 0), dims = [...x.dims];
    first[axis] = start;
    dims[axis] = count;
    start += count;
    return rangeOfTensor(ctx, x, { first, step: x.dims.map(() => 1), dims });
  });
}

/** Gather's axis of a value of `dims`, its indices (each in range, counted from 0) and the indices' dims. */
function gatherIndices(ctx: NodeContext, dims: number[]): { axis: number; picked: number[]; indexDims: number[] } {
  const { data: indices, dims: indexDims } = ctx.intConstant(1, 'indices');
  const axis = axisIndex(ctx, ctx.int('axis', 0), dims.length);
  const size = dims[axis];
  const picked = Array.from(indices, (i) => {
    if (!Number.isInteger(i) || i < -size || i >= size) ctx.refuse(`index ${i} is out of range for axis ${axis} of size ${size}`);
    return i < 0 ? i + size : i;
  });
  return { axis, picked, indexDims };
}

function gatherConstant(ctx: NodeContext): Constant {
  const data = ctx.constant(0, 'data');
  const { axis, picked, indexDims } = gatherIndices(ctx, data.dims);
  const dims = [...data.dims.slice(0, axis), ...indexDims, ...data.dims.slice(axis + 1)];
  checkComputedSize(ctx, dims, [data], `gathers ${formatDims(data.dims)} by ${picked.length} indices`);
  const s = strides(data.dims), indexStrides = strides(indexDims);
  return gather(data, dims, (at) => {
    const k = indexDims.reduce((index, _, j) => index + at[axis + j] * indexStrides[j], 0);
    let index = picked[k] * s[axis];
    for (let a = 0; a < axis; a++) index += at[a] * s[a];
    for (let a = axis + 1; a < data.dims.length; a++) index += at[a + indexDims.length - 1] * s[a];
    return index;
  });
}

/** Positions of one axis of a tensor by a list of indices (x[:, [2, 1, 0]]), or by one, which drops the axis (x[:, 0]). */
function gatherTensor(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  const { axis, picked, indexDims } = gatherIndices(ctx, x.dims);
  if (axis === 0) ctx.refuse('gathers along the batch axis; convas keeps every example');
  if (indexDims.length > 1) ctx.refuse(`has indices of dims ${formatDims(indexDims)}; convas gathers a tensor by one index or a list of them`);
  if (indexDims.length === 0 && x.dims.length === 2) ctx.refuse(`takes one feature of ${formatDims(x.dims)}, leaving no axis beyond the batch; convas tensors keep at least one`);
  const y = positionsOfTensor(ctx, x, axis, picked);
  return indexDims.length === 1 ? y : reshaped(ctx, y, y.dims.filter((_, a) => a > 0 && a !== axis));
}

export const sliceOperators: Record<string, OpEntry> = {
  Slice: { fold: sliceConstant, convert: sliceTensor },
  Split: { convert: splitTensor },
  Gather: { fold: gatherConstant, convert: gatherTensor },
};
