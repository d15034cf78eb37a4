// A convolution that reads a ZeroPadding2D's input where it lies. Where the padding's output is read
// by that convolution alone, the graph's executor pairs the two (absorbPadding) and skips the
// padding: the convolution runs on the unpadded input with the borders added to its own padding
// (window.ts withoutBorders) — the same output and gradients, one pass over memory and the padded
// copy's buffer less. Its kernels skip the taps over padding (depthwise) or place the image in the
// zero frame they build anyway (conv2d).
import type { Borders2DSides } from './borders2d.js';
import type { Layer } from './layer.js';

export interface ReadsUnpaddedInput {
  /** Called by a graph's executor: a ZeroPadding2D adding `borders` is the only one to read this layer's input. */
  absorbPadding(borders: Borders2DSides): void;
  /** forward on the padding's input (the executor then skips the padding); backward follows the last forward's geometry. */
  forwardUnpadded(inputs: number[], batch: number, training: boolean): number;
}

export const readsUnpaddedInput = (layer: Layer): layer is Layer & ReadsUnpaddedInput =>
  typeof (layer as Partial<ReadsUnpaddedInput>).absorbPadding === 'function';
