// What a value of the ONNX graph becomes while the model is built: a constant (known at load
// time), or a tensor that a convas layer computes. A tensor keeps its ONNX dims (the batch first,
// as BATCH); a 4-D one is an image, which convas holds as [height, width, channels] while ONNX
// counts [batch, channels, height, width]. Every other rank keeps its order.
import type { Layer, SymbolicTensor } from '../index.js';
import type { Constant } from './tensors.js';

export type { Constant } from './tensors.js';

/** The batch size wherever a shape holds it: unknown when the model loads (NaN spoils any arithmetic done with it). */
export const BATCH = Number.NaN;

/** The most pixels (or values) along one axis after the batch that convas takes from a file: beyond it no layer could run. */
export const MAX_DIMENSION = 1 << 20;

/**
 * The most tensors one node's Gather, Slice or Tile joins by a concatenation: each is a layer (or an input
 * of one), so a file's few bytes of indices or repeats could otherwise build a model for minutes.
 */
export const MAX_PARTS = 4096;

/** The order of a channels-last image's height and width in ONNX's dims. */
export type SpatialOrder = 'HW' | 'WH';

export interface TensorValue {
  kind: 'tensor';
  tensor: SymbolicTensor<Layer>;
  /** ONNX dims, dims[0] = BATCH; four of them for an image. */
  dims: number[];
  /** Zeros a Pad node put around an image, [top, bottom, left, right], for the convolution that reads it to take. */
  pad?: [number, number, number, number];
  /**
   * Set on an image transposed channels-last that no layer has moved: by Transpose 0, 2, 3, 1 (as
   * PyTorch's ConvNeXt writes it), dims ONNX's [N, H, W, C], `spatial` 'HW'; by 0, 3, 2, 1 (as PyTorch
   * writes a softmax over the channels before opset 13), [N, W, H, C], 'WH'. `tensor` is still the
   * image as convas holds it, [h, w, c]: its last axis is the channels either way, and with 'HW' its
   * elements are in ONNX's order too. Operators that act elementwise or on the last axis take it so
   * (NodeContext.heldTensor); for any other, permuted() moves it where convas holds a 4-D tensor of
   * these dims (a Permute, made once).
   */
  channelsLast?: { spatial: SpatialOrder; permuted(): TensorValue };
}

export type Value = Constant | TensorValue;

export const isImage = (value: TensorValue) => value.dims.length === 4;

/** The ONNX axis convas holds last: an image's channels (1), a channels-last image's last axis, any other tensor's last. */
export const lastConvasAxis = (value: TensorValue) => (isImage(value) && !value.channelsLast ? 1 : value.dims.length - 1);

/**
 * For each ONNX axis after the batch, the convas axis that holds it, for a tensor of `rank` axes
 * per example: an image's [C, H, W] are convas's [2, 0, 1]; other ranks keep their order.
 */
export const convasAxes = (rank: number) => (rank === 3 ? [2, 0, 1] : Array.from({ length: rank }, (_, i) => i));

/** The ONNX dims of a convas per-example shape: [h, w, c] is an image [N, c, h, w]. */
export function onnxDims(shape: readonly number[]): number[] {
  return shape.length === 3 ? [BATCH, shape[2], shape[0], shape[1]] : [BATCH, ...shape];
}

export const formatDims = (dims: readonly number[]) => `[${dims.map((d) => (Number.isNaN(d) ? 'N' : d)).join(', ')}]`;
