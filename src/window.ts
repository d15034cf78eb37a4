// Sliding windows (convolution and pooling): window sizes, zero padding and output size per axis,
// out = floor((in + before + after − kernel) / stride) + 1, shared by the ops and the layers.
import { ConfigError } from './errors.js';

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

const isPositiveInteger = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;

/** A size given as n or [h, w] (kernelSize, strides, poolSize) as a checked [h, w] pair. */
export function pair(value: unknown, who: string, setting: string): [number, number] {
  const p = Array.isArray(value) ? value : [value, value];
  if (p.length !== 2 || !p.every(isPositiveInteger)) {
    throw new ConfigError(`${who}: ${setting} must be a positive integer or a pair of them, got ${JSON.stringify(value)}`);
  }
  return p as [number, number];
}

/** Padding before and after one axis; 'same' puts the odd zero after, as TensorFlow does. */
function axisPadding(size: number, kernel: number, stride: number, padding: 'valid' | 'same' | 'full'): [number, number] {
  if (padding === 'valid') return [0, 0];
  if (padding === 'full') return [kernel - 1, kernel - 1];
  const out = Math.ceil(size / stride);
  const total = Math.max((out - 1) * stride + kernel - size, 0);
  return [Math.floor(total / 2), total - Math.floor(total / 2)];
}

/** Resolves padding for [height, width]; throws a ConfigError naming `who` if the window cannot fit. */
export function resolvePadding2d(size: [number, number], kernel: [number, number], stride: [number, number],
  padding: Padding, who: string): PaddedWindow {
  let pads: number[];
  if (padding === 'valid' || padding === 'same' || padding === 'full') {
    pads = [...axisPadding(size[0], kernel[0], stride[0], padding), ...axisPadding(size[1], kernel[1], stride[1], padding)];
  } else if (Number.isInteger(padding) && (padding as number) >= 0) {
    pads = [padding, padding, padding, padding] as number[];
  } else if (Array.isArray(padding) && padding.length === 4 && padding.every((p) => Number.isInteger(p) && p >= 0)) {
    pads = padding;
  } else {
    throw new ConfigError(`${who}: padding must be 'valid', 'same', 'full', a non-negative integer or [top, bottom, left, right], got ${JSON.stringify(padding)}`);
  }
  const [top, bottom, left, right] = pads;
  const paddedH = size[0] + top + bottom, paddedW = size[1] + left + right;
  if (kernel[0] > paddedH || kernel[1] > paddedW) {
    throw new ConfigError(`${who}: the ${kernel[0]}×${kernel[1]} window is larger than the padded input ` +
      `${paddedH}×${paddedW} (input ${size[0]}×${size[1]}, padding ${JSON.stringify(padding)}); use a smaller window or more padding`);
  }
  const outHeight = Math.floor((paddedH - kernel[0]) / stride[0]) + 1;
  const outWidth = Math.floor((paddedW - kernel[1]) / stride[1]) + 1;
  return { top, bottom, left, right, outHeight, outWidth };
}
