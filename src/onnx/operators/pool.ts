// MaxPool, AveragePool, the global pools, and ReduceMean and ReduceMax over an image's height and
// width (PyTorch's x.mean([2, 3]), the global pool of many exported nets) → convas pooling with
// explicit padding; a ReduceMean that starts a layer normalisation is read as one (layer-norm.ts).
// convas clips every window to the input, so padding never wins a max and an average divides by the
// elements inside the window: ONNX's count_include_pad=0. count_include_pad=1 sums the window (a
// sum pool) and divides by its full size. ceil_mode adds the zeros at the end that make the last
// window fit.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import type { TensorValue } from '../values.js';
import { decomposedLayerNorm } from './layer-norm.js';
import { reducedAxes } from './ndarray.js';
import { type Pads, imageInput, layerPadding, pairAttribute, windowPadding } from './window.js';

/** With ceil_mode, the zeros to add after each axis so the output size rounds up (as PyTorch: no window starting in the end padding). */
function ceilPadding(size: number, kernel: number, stride: number, before: number, after: number): number {
  const span = size + before + after - kernel;
  let out = Math.ceil(span / stride) + 1;
  if ((out - 1) * stride >= size + before) out--;
  return Math.max(0, (out - 1) * stride + kernel - (size + before + after));
}

function pool(kind: 'max' | 'avg') {
  return (ctx: NodeContext): TensorValue => {
    const x = imageInput(ctx, kind === 'avg');
    const [, , height, width] = x.dims;
    if (!ctx.has('kernel_shape')) ctx.refuse('has no kernel_shape');
    const kernel = pairAttribute(ctx, 'kernel_shape', [1, 1]);
    const strides = pairAttribute(ctx, 'strides', [1, 1]);
    const dilations = pairAttribute(ctx, 'dilations', [1, 1]);
    if (dilations[0] !== 1 || dilations[1] !== 1) ctx.refuse(`dilations ${JSON.stringify(dilations)} are not supported`);
    if (ctx.int('storage_order', 0) !== 0) ctx.refuse('storage_order=1 (column-major indices) is not supported');
    const padding = windowPadding(ctx, [height, width], kernel, strides);
    const ceil = ctx.int('ceil_mode', 0) !== 0;
    const countsPadding = kind === 'avg' && ctx.int('count_include_pad', 0) !== 0;
    const name = ctx.layerName();
    if (!countsPadding && !x.pad) {
      if (ceil) {
        padding[1] += ceilPadding(height, kernel[0], strides[0], padding[0], padding[1]);
        padding[3] += ceilPadding(width, kernel[1], strides[1], padding[2], padding[3]);
      }
      const make = kind === 'max' ? layers.maxPool2d : layers.avgPool2d;
      return ctx.layer(() => make({ poolSize: kernel, strides, padding: layerPadding(padding, [height, width], kernel, strides), name }), [x]).output;
    }
    // Zeros counted in the average (count_include_pad, or a Pad node before the pool): every window
    // lies inside the padded input, so the average is the window's sum over its full size.
    if (x.pad && !countsPadding && padding.some((p) => p > 0)) ctx.refuse('a Pad node before an AveragePool that pads without counting the padding is not supported');
    const hangs = ceil && (ceilPadding(height, kernel[0], strides[0], padding[0], padding[1]) > 0 ||
      ceilPadding(width, kernel[1], strides[1], padding[2], padding[3]) > 0);
    if (hangs) ctx.refuse('ceil_mode=1 where windows would hang past the padded input, with the padding counted, is not supported');
    const zeros = padding.map((p, i) => p + (x.pad?.[i] ?? 0)) as Pads;
    const sum = ctx.layer(() => layers.sumPool2d({ poolSize: kernel, strides, padding: zeros, name }), [x]).output;
    return ctx.layer(() => layers.rescaling({ scale: 1 / (kernel[0] * kernel[1]), name: ctx.layerName('_mean') }), [sum]).output;
  };
}

/** GlobalAveragePool and GlobalMaxPool: one window over the whole image, [N, C, 1, 1]. */
function globalPool(kind: 'max' | 'avg') {
  return (ctx: NodeContext): TensorValue => {
    const x = imageInput(ctx);
    const [, , height, width] = x.dims;
    const make = kind === 'max' ? layers.maxPool2d : layers.avgPool2d;
    return ctx.layer(() => make({ poolSize: [height, width], name: ctx.layerName() }), [x]).output;
  };
}

/**
 * ReduceMean and ReduceMax over axes 2 and 3 of an image: the global pool, [N, C, 1, 1] with keepdims
 * (the default), flattened to [N, C] without; over no axes (noop_with_empty_axes), the image itself.
 * Axes are an attribute until opset 18, an input from it.
 */
function spatialReduce(kind: 'max' | 'avg') {
  return (ctx: NodeContext): TensorValue => {
    const x = imageInput(ctx);
    // Read first: a node that reduces nothing still has it written (PyTorch writes it always), to no effect.
    const keepdims = ctx.int('keepdims', 1) !== 0;
    const axes = reducedAxes(ctx, 4);
    if (!axes) return x;
    if (axes.join() !== '2,3') {
      ctx.refuse(`reduces axes ${JSON.stringify(axes)}${axes.length ? '' : ' (all of them)'}; convas reduces an image [N, C, H, W] over its ` +
        'height and width (axes 2 and 3) only, as a global pool');
    }
    const pooled = globalPool(kind)(ctx);
    if (keepdims) return pooled;
    // One pixel per channel: channels-first and -last agree, so a plain flatten keeps ONNX's order.
    return ctx.layer(() => layers.flatten({ name: ctx.layerName('_flat') }), [pooled]).output;
  };
}

export const poolOperators: Record<string, OpEntry> = {
  MaxPool: { convert: pool('max') },
  AveragePool: { convert: pool('avg') },
  GlobalMaxPool: { convert: globalPool('max') },
  GlobalAveragePool: { convert: globalPool('avg') },
  ReduceMean: { convert: (ctx) => decomposedLayerNorm(ctx) ?? spatialReduce('avg')(ctx) },
  ReduceMax: { convert: spatialReduce('max') },
};
