// Sliding windows (convolution and pooling): window sizes, zero padding and output size per axis,
// out = floor((in + before + after − span) / stride) + 1, where a kernel of k taps dilated by d spans
// (k − 1)·d + 1 pixels, and the geometry of a whole call as named fields, shared by the ops, the
// layers and the batch-parallel kernels.
import { ConfigError } from './errors.js';
import { shownValue } from './shown-value.js';

/** 'valid' (narrow: no padding), 'same' (out = ceil(in/stride)), 'full' (wide: kernel−1 zeros each side),
 * n zeros on every side, or explicit [top, bottom, left, right]. */
export type Padding = 'valid' | 'same' | 'full' | number | [number, number, number, number];

/** Zeros before and after each axis, and the output size they give. */
export interface PaddedWindow {
  top: number;
  bottom: number;
  left: number;
  right: number;
  outHeight: number;
  outWidth: number;
}

/** Input as [batch, height, width, channels]. */
type Nhwc = readonly [number, number, number, number];

/** A 2-D convolution; `batch` is the one field that changes from call to call. */
export interface Conv2dGeometry {
  batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly inChannels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly outChannels: number;
  readonly kernelHeight: number;
  readonly kernelWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
  /** Taps dilationHeight rows and dilationWidth columns apart (1: adjacent). */
  readonly dilationHeight: number;
  readonly dilationWidth: number;
}

/** 2-D pooling, channel by channel; `batch` is the one field that changes from call to call. */
export interface Pool2dGeometry {
  batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly poolHeight: number;
  readonly poolWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

const isPositiveInteger = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;

/** A size given as n or [h, w] (kernelSize, strides, poolSize) as a checked [h, w] pair. */
export function pair(value: unknown, who: string, setting: string): [number, number] {
  const p = Array.isArray(value) ? value : [value, value];
  if (p.length !== 2 || !p.every(isPositiveInteger)) {
    throw new ConfigError(`${who}: ${setting} must be a positive integer or a pair of them, got ${shownValue(value)}`);
  }
  return p as [number, number];
}

/** Pixels a kernel of `taps` taps spans when its taps are `dilation` apart. */
export const dilatedSpan = (taps: number, dilation: number) => (taps - 1) * dilation + 1;

/**
 * A checked dilation rate [h, w]: positive integers, and 1 wherever the stride is not (Keras refuses
 * strides > 1 together with dilation > 1).
 */
export function dilationPair(value: unknown, strides: [number, number], who: string): [number, number] {
  const dilation = pair(value, who, 'dilationRate');
  if (dilation.some((d) => d > 1) && strides.some((s) => s > 1)) {
    throw new ConfigError(`${who}: dilationRate ${shownValue(value)} with strides ${shownValue(strides)}: ` +
      'strides > 1 cannot be combined with dilationRate > 1 (as in Keras); use strides 1 or dilationRate 1');
  }
  return dilation;
}

/** Padding before and after one axis; 'same' puts the odd zero after, as TensorFlow does. */
function axisPadding(size: number, kernel: number, stride: number, padding: 'valid' | 'same' | 'full'): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding === 'full') return [kernel - 1, kernel - 1];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/**
 * Resolves padding for [height, width]; throws a ConfigError naming `who` if the window cannot fit.
 * A dilated kernel pads and fits as the span it covers.
 */
export function resolvePadding2d(size: [number, number], taps: [number, number], stride: [number, number],
  padding: Padding, who: string, dilation: [number, number] = [1, 1]): PaddedWindow {
  const kernel = [dilatedSpan(taps[0], dilation[0]), dilatedSpan(taps[1], dilation[1])];
  let pads: number[];
  if (padding === 'valid' || padding === 'same' || padding === 'full') {
    pads = [...axisPadding(size[0], kernel[0], stride[0], padding), ...axisPadding(size[1], kernel[1], stride[1], padding)];
  } else if (Number.isInteger(padding) && (padding as number) >= 0) {
    pads = [padding, padding, padding, padding] as number[];
  } else if (Array.isArray(padding) && padding.length === 4 && padding.every((p) => Number.isInteger(p) && p >= 0)) {
    pads = padding;
  } else {
    throw new ConfigError(`${who}: padding must be 'valid', 'same', 'full', a non-negative integer or [top, bottom, left, right], got ${shownValue(padding)}`);
  }
  const [top, bottom, left, right] = pads;
  const paddedH = size[0] + top + bottom, paddedW = size[1] + left + right;
  if (kernel[0] > paddedH || kernel[1] > paddedW) {
    const dilated = dilation[0] > 1 || dilation[1] > 1 ? ` (${taps[0]}×${taps[1]} taps dilated by ${dilation[0]}×${dilation[1]})` : '';
    throw new ConfigError(`${who}: the ${kernel[0]}×${kernel[1]} window${dilated} is larger than the padded input ` +
      `${paddedH}×${paddedW} (input ${size[0]}×${size[1]}, padding ${shownValue(padding)}); use a smaller window or more padding`);
  }
  const outHeight = Math.floor((paddedH - kernel[0]) / stride[0]) + 1;
  const outWidth = Math.floor((paddedW - kernel[1]) / stride[1]) + 1;
  return { top, bottom, left, right, outHeight, outWidth };
}

/**
 * Geometry of x `input` ⋆ filters [kernelHeight, kernelWidth, inChannels, outChannels] (or a depthwise
 * filter: outChannels = inChannels·depthMultiplier); a ConfigError naming `who` if the window cannot fit.
 */
export function conv2dGeometry([batch, inHeight, inWidth, inChannels]: Nhwc, [kernelHeight, kernelWidth]: [number, number],
  outChannels: number, [strideHeight, strideWidth]: [number, number], padding: Padding, who: string,
  [dilationHeight, dilationWidth]: [number, number] = [1, 1]): Conv2dGeometry {
  const { outHeight, outWidth, top, left } = resolvePadding2d(
    [inHeight, inWidth], [kernelHeight, kernelWidth], [strideHeight, strideWidth], padding, who, [dilationHeight, dilationWidth]);
  return {
    batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    kernelHeight, kernelWidth, strideHeight, strideWidth, padTop: top, padLeft: left, dilationHeight, dilationWidth,
  };
}

/**
 * The convolution `g` read from its input as it was before `borders` ([[top, bottom], [left, right]])
 * of zeros were added around it (a ZeroPadding2D): the zeros join the convolution's own `padding`,
 * so the output and every tap's value are the same.
 */
export function withoutBorders(g: Conv2dGeometry, [[top, bottom], [left, right]]: [[number, number], [number, number]],
  padding: Padding, who: string): Conv2dGeometry {
  const kernel: [number, number] = [g.kernelHeight, g.kernelWidth], strides: [number, number] = [g.strideHeight, g.strideWidth];
  const dilation: [number, number] = [g.dilationHeight, g.dilationWidth];
  const own = resolvePadding2d([g.inHeight, g.inWidth], kernel, strides, padding, who, dilation);
  return conv2dGeometry([g.batch, g.inHeight - top - bottom, g.inWidth - left - right, g.inChannels], kernel, g.outChannels, strides,
    [own.top + top, own.bottom + bottom, own.left + left, own.right + right], who, dilation);
}

/** Geometry of `poolSize` windows over x `input`; a ConfigError naming `who` if the window cannot fit. */
export function pool2dGeometry([batch, inHeight, inWidth, channels]: Nhwc, [poolHeight, poolWidth]: [number, number],
  [strideHeight, strideWidth]: [number, number], padding: 'valid' | 'same' | [number, number, number, number], who: string): Pool2dGeometry {
  const { outHeight, outWidth, top, left } = resolvePadding2d(
    [inHeight, inWidth], [poolHeight, poolWidth], [strideHeight, strideWidth], padding, who);
  return {
    batch, inHeight, inWidth, channels, outHeight, outWidth,
    poolHeight, poolWidth, strideHeight, strideWidth, padTop: top, padLeft: left,
  };
}
