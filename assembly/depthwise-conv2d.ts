// Depthwise 2-D convolution, NHWC. The filter [kernelHeight, kernelWidth, channels, depthMultiplier]
// is read flat as [taps, outChannels]: output channel o = c·depthMultiplier + m reads input channel
// c = o / depthMultiplier (TensorFlow's order). Tap (ky, kx) of output (oy, ox) reads input
// (oy·strideHeight − padTop + ky·dilationHeight, ox·strideWidth − padLeft + kx·dilationWidth); taps
// over the zero padding are skipped.
//   forward:         y[o] = act(Σ over taps x[o / dm]·f[tap, o] + bias[o])
//   backward input:  dx[c] = Σ over the (output, tap) pairs that read it of Σ_m dy[c·dm + m]·f[tap, c·dm + m]
//   backward filter: dF[tap, o] = Σ over the batch and the outputs of x[o / dm]·dy[o];  dBias[o] = Σ dy[o]
// Channels are contiguous in NHWC, so every loop runs over channels four at a time, with scalar tails.
// Which taps lie inside the image is worked out per output row and per column, never per element: a
// row's inner columns take every tap, only the few border columns take fewer. MobileNet's windows
// (3×3, no dilation, depthMultiplier 1) have paths of their own: at stride 1, blocks of
// eight outputs slide along the row loading each input vector once per kernel row; where such a block
// would not stay in the cache (stride 2, or pixels a multiple of 1 KB apart), pairs of outputs over
// sixteen channels, the nine taps in a loop (measured faster both with the data in cache and not).
// Every output sums its taps in filter order (rows, then columns) whichever path computes it, and an
// image's outputs depend on that image alone, so results are bit-reproducible at any thread count.
import { FUSED_NONE } from './fused-activation';
import { filterGradient } from './depthwise-filter-gradient';
import { convolve } from './depthwise-forward';
import { gatherInputGradient, scatterInputGradient } from './depthwise-input-gradient';

export function depthwiseConv2dForward(
  x: usize, filter: usize, bias: usize, y: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, depthMultiplier: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  dilationHeight: i32, dilationWidth: i32,
): void {
  convolve(x, filter, bias, y, activation, batch, inHeight, inWidth, channels, outHeight, outWidth, depthMultiplier,
    kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft, dilationHeight, dilationWidth);
}

/**
 * Scratch: kernelHeight·kernelWidth·channels floats (the filter turned 180°), used when both strides are
 * 1 and depthMultiplier is 1; then dx is the forward pass of dy with the turned filter.
 */
export function depthwiseConv2dBackwardInput(
  dy: usize, filter: usize, dx: usize, scratch: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, depthMultiplier: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  dilationHeight: i32, dilationWidth: i32,
): void {
  if (depthMultiplier == 1 && strideHeight == 1 && strideWidth == 1) {
    // Input (iy, ix) is read by output (iy + padTop − ky·dh, …) through tap (ky, kx): a forward pass
    // over dy, padded by the kernel's reach less the forward padding, with taps in reverse order.
    const taps = kernelHeight * kernelWidth;
    const tapBytes = <usize>channels << 2;
    for (let t = 0; t < taps; t++) {
      memory.copy(scratch + <usize>t * tapBytes, filter + <usize>(taps - 1 - t) * tapBytes, tapBytes);
    }
    convolve(dy, scratch, 0, dx, FUSED_NONE, batch, outHeight, outWidth, channels, inHeight, inWidth, 1,
      kernelHeight, kernelWidth, 1, 1, (kernelHeight - 1) * dilationHeight - padTop, (kernelWidth - 1) * dilationWidth - padLeft,
      dilationHeight, dilationWidth);
    return;
  }
  if (dilationHeight == 1 && dilationWidth == 1) {
    gatherInputGradient(dy, filter, dx, batch, inHeight, inWidth, channels, outHeight, outWidth, depthMultiplier,
      kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft);
    return;
  }
  scatterInputGradient(dy, filter, dx, batch, inHeight, inWidth, channels, outHeight, outWidth, depthMultiplier,
    kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft, dilationHeight, dilationWidth);
}

/** dFilter (and dBias when ≠ 0) summed over the whole batch, images and outputs in order. */
export function depthwiseConv2dBackwardFilter(
  x: usize, dy: usize, dFilter: usize, dBias: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, depthMultiplier: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  dilationHeight: i32, dilationWidth: i32,
): void {
  filterGradient(x, dy, dFilter, dBias, batch, inHeight, inWidth, channels, outHeight, outWidth, depthMultiplier,
    kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft, dilationHeight, dilationWidth);
}
