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
import { fill, sumRows } from './elementwise';
import { FUSED_NONE, fusedActivation, fusedActivation4 } from './fused-activation';
import { multiplyAdd } from './multiply-add';

/** Adjacent outputs a 3×3 path takes at once (at stride 1, ten input pixels of each kernel row). */
const BLOCK = 8;

/** The first i ≥ 0 with offset + i·step ≥ 0. */
// @ts-ignore: decorator
@inline function firstInside(offset: i32, step: i32): i32 {
  return offset >= 0 ? 0 : (step - 1 - offset) / step;
}

/** One past the last i ≥ 0 with offset + i·step < limit (0 when there is none). */
// @ts-ignore: decorator
@inline function endInside(offset: i32, step: i32, limit: i32): i32 {
  return offset >= limit ? 0 : (limit - 1 - offset) / step + 1;
}

/** Byte offset of a signed element count: addresses wrap in wasm32, so a window origin may lie before the image. */
// @ts-ignore: decorator
@inline function bytes(elements: i32, elementBytes: usize): usize {
  return <usize>elements * elementBytes;
}

/** The input lanes of output channels o … o+3: x[o / dm] each (one load when dm is 1). */
// @ts-ignore: decorator
@inline function repeatedLanes(pixel: usize, o: i32, dm: i32): v128 {
  if (dm == 1) return v128.load(pixel + (<usize>o << 2));
  let v = f32x4.splat(load<f32>(pixel + (<usize>(o / dm) << 2)));
  v = f32x4.replace_lane(v, 1, load<f32>(pixel + (<usize>((o + 1) / dm) << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(pixel + (<usize>((o + 2) / dm) << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(pixel + (<usize>((o + 3) / dm) << 2)));
}

/** Four lanes laneBytes apart (one load when they are adjacent). */
// @ts-ignore: decorator
@inline function stridedLanes(at: usize, laneBytes: usize): v128 {
  if (laneBytes == 4) return v128.load(at);
  let v = f32x4.splat(load<f32>(at));
  v = f32x4.replace_lane(v, 1, load<f32>(at + laneBytes));
  v = f32x4.replace_lane(v, 2, load<f32>(at + 2 * laneBytes));
  return f32x4.replace_lane(v, 3, load<f32>(at + 3 * laneBytes));
}

/** The sum plus bias (a zero vector when there is none), through the fused activation. */
// @ts-ignore: decorator
@inline function finish4(sum: v128, bias: v128, activation: i32): v128 {
  return fusedActivation4(f32x4.add(sum, bias), activation);
}

// @ts-ignore: decorator
@inline function biasLanes(bias: usize, o: i32): v128 {
  return bias ? v128.load(bias + (<usize>o << 2)) : f32x4.splat(0);
}

// @ts-ignore: decorator
@inline function biasLane(bias: usize, o: i32): f32 {
  return bias ? load<f32>(bias + (<usize>o << 2)) : 0;
}

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

/**
 * How many taps read padded input row (or column) r, undilated: taps r mod stride, + stride, …, below
 * `kernel`, tap k of them read by output r / stride − k, which must lie in [0, outSize).
 */
// @ts-ignore: decorator
@inline function tapCount(r: i32, stride: i32, kernel: i32, outSize: i32): i32 {
  const first = r % stride, output = r / stride;
  const start = max(0, output - outSize + 1);
  const end = first < kernel ? min((kernel - 1 - first) / stride + 1, output + 1) : 0;
  return max(0, end - start);
}

/** The first of those taps (its output the last row or column that exists). */
// @ts-ignore: decorator
@inline function firstTap(r: i32, stride: i32, outSize: i32): i32 {
  return r % stride + max(0, r / stride - outSize + 1) * stride;
}

/**
 * dx without dilation, for strides above 1 or a depth multiplier above 1. Input row r (padded) is read
 * through taps r mod stride, r mod stride + stride, …, each by the output one row up from the last;
 * likewise for columns. Each input pixel sums its taps (rows, then columns, in filter order) in
 * registers and is written once.
 */
function gatherInputGradient(
  dy: usize, filter: usize, dx: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, dm: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const outChannels = channels * dm;
  const pixelBytes = <usize>channels << 2, outPixelBytes = <usize>outChannels << 2, outRowBytes = <usize>outWidth * outPixelBytes;
  const tapBytes = outPixelBytes;
  let at = dx;
  for (let n = 0; n < batch; n++) {
    const dyImage = dy + <usize>n * outHeight * outRowBytes;
    for (let iy = 0; iy < inHeight; iy++) {
      const r = iy + padTop;
      const rows = tapCount(r, strideHeight, kernelHeight, outHeight), ky = firstTap(r, strideHeight, outHeight);
      const dyRow = dyImage + <usize>((r - ky) / strideHeight) * outRowBytes;
      for (let ix = 0; ix < inWidth; ix++, at += pixelBytes) {
        const q = ix + padLeft;
        const columns = tapCount(q, strideWidth, kernelWidth, outWidth), kx = firstTap(q, strideWidth, outWidth);
        gatherPosition(dyRow + <usize>((q - kx) / strideWidth) * outPixelBytes, outRowBytes, outPixelBytes,
          filter + <usize>(ky * kernelWidth + kx) * tapBytes, <usize>(strideHeight * kernelWidth) * tapBytes, <usize>strideWidth * tapBytes,
          columns, rows, at, channels, dm);
      }
    }
  }
}

/**
 * dx[c] = Σ over `rows` × `columns` taps of Σ_m dy[c·dm + m]·f[tap, c·dm + m]: tap (a, b) reads the dy
 * pixel a rows and b columns before the first (dyRowBytes, dyPixelBytes apart) and the filter tap
 * a·filterRowStep + b·filterColumnStep bytes after the first.
 */
function gatherPosition(
  dy: usize, dyRowBytes: usize, dyPixelBytes: usize, filter: usize, filterRowStep: usize, filterColumnStep: usize,
  columns: i32, rows: i32, dx: usize, channels: i32, dm: i32,
): void {
  let c = 0;
  for (; dm == 1 && c + 16 <= channels; c += 16) {
    const lanes = <usize>c << 2;
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (let a = 0; a < rows; a++) {
      let g = dy - <usize>a * dyRowBytes + lanes, f = filter + <usize>a * filterRowStep + lanes;
      for (let b = 0; b < columns; b++, g -= dyPixelBytes, f += filterColumnStep) {
        s0 = multiplyAdd(v128.load(g), v128.load(f), s0);
        s1 = multiplyAdd(v128.load(g, 16), v128.load(f, 16), s1);
        s2 = multiplyAdd(v128.load(g, 32), v128.load(f, 32), s2);
        s3 = multiplyAdd(v128.load(g, 48), v128.load(f, 48), s3);
      }
    }
    v128.store(dx + lanes, s0);
    v128.store(dx + lanes, s1, 16);
    v128.store(dx + lanes, s2, 32);
    v128.store(dx + lanes, s3, 48);
  }
  const laneBytes = <usize>dm << 2;
  for (; c + 4 <= channels; c += 4) {
    const lanes = <usize>(c * dm) << 2;
    let sum = f32x4.splat(0);
    for (let a = 0; a < rows; a++) {
      let g = dy - <usize>a * dyRowBytes + lanes, f = filter + <usize>a * filterRowStep + lanes;
      for (let b = 0; b < columns; b++, g -= dyPixelBytes, f += filterColumnStep) {
        for (let m = 0; m < dm; m++) {
          sum = multiplyAdd(stridedLanes(g + (<usize>m << 2), laneBytes), stridedLanes(f + (<usize>m << 2), laneBytes), sum);
        }
      }
    }
    v128.store(dx + (<usize>c << 2), sum);
  }
  for (; c < channels; c++) {
    const lanes = <usize>(c * dm) << 2;
    let sum: f32 = 0;
    for (let a = 0; a < rows; a++) {
      let g = dy - <usize>a * dyRowBytes + lanes, f = filter + <usize>a * filterRowStep + lanes;
      for (let b = 0; b < columns; b++, g -= dyPixelBytes, f += filterColumnStep) {
        for (let m = 0; m < dm; m++) sum += load<f32>(g + (<usize>m << 2)) * load<f32>(f + (<usize>m << 2));
      }
    }
    store<f32>(dx + (<usize>c << 2), sum);
  }
}

/** dFilter (and dBias when ≠ 0) summed over the whole batch, images and outputs in order. */
export function depthwiseConv2dBackwardFilter(
  x: usize, dy: usize, dFilter: usize, dBias: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, depthMultiplier: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  dilationHeight: i32, dilationWidth: i32,
): void {
  const outChannels = channels * depthMultiplier;
  const pixelBytes = <usize>channels << 2, rowBytes = <usize>inWidth * pixelBytes;
  const outPixelBytes = <usize>outChannels << 2;
  const tapBytes = outPixelBytes;
  fill(dFilter, kernelHeight * kernelWidth * outChannels, 0);
  // 3×3 windows take their inner columns (every tap inside the row) in blocks, sums in registers.
  const plain3x3 = depthMultiplier == 1 && kernelHeight == 3 && kernelWidth == 3 && dilationHeight == 1 && dilationWidth == 1;
  const inner0 = plain3x3 ? min(firstInside(-padLeft, strideWidth), outWidth) : 0;
  const inner1 = plain3x3 ? max(inner0, min(outWidth, endInside(2 - padLeft, strideWidth, inWidth))) : 0;
  for (let n = 0; n < batch; n++) {
    const image = x + <usize>n * inHeight * rowBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const iy0 = oy * strideHeight - padTop;
      const ky0 = firstInside(iy0, dilationHeight), ky1 = min(kernelHeight, endInside(iy0, dilationHeight, inHeight));
      const dyRow = dy + (<usize>(n * outHeight + oy) * outWidth) * outPixelBytes;
      if (inner1 > inner0) {
        filterRows3x3(image + bytes(iy0 * inWidth + inner0 * strideWidth - padLeft, pixelBytes), rowBytes, dyRow + <usize>inner0 * outPixelBytes,
          dFilter, channels, inner1 - inner0, strideWidth, ky0, ky1);
      }
      for (let ky = ky0; ky < ky1; ky++) {
        const inputRow = image + <usize>(iy0 + ky * dilationHeight) * rowBytes;
        for (let kx = 0; kx < kernelWidth; kx++) {
          // The outputs whose tap kx lands inside the row, less the inner ones taken above.
          const ix0 = kx * dilationWidth - padLeft;
          const first = firstInside(ix0, strideWidth), end = min(outWidth, endInside(ix0, strideWidth, inWidth));
          const dF = dFilter + <usize>(ky * kernelWidth + kx) * tapBytes;
          const xStep = <usize>strideWidth * pixelBytes;
          const before = min(end, inner0), after = max(first, inner1);
          if (first < before) {
            accumulateTap(inputRow + bytes(ix0 + first * strideWidth, pixelBytes), xStep, dyRow + <usize>first * outPixelBytes, outPixelBytes,
              dF, before - first, outChannels, depthMultiplier);
          }
          if (after < end) {
            accumulateTap(inputRow + bytes(ix0 + after * strideWidth, pixelBytes), xStep, dyRow + <usize>after * outPixelBytes, outPixelBytes,
              dF, end - after, outChannels, depthMultiplier);
          }
        }
      }
    }
  }
  if (dBias) sumRows(dy, batch * outHeight * outWidth, outChannels, dBias);
}

/**
 * The filter gradient's share of `count` adjacent outputs of a 3×3 window (depthMultiplier 1, no
 * dilation) whose columns all lie inside the image, kernel rows ky0 … ky1 − 1: x is tap (0, 0) of the
 * first output, dy its gradient. In blocks of BLOCK outputs, channels inside (consecutive steps read
 * the same cache lines); for each kernel row the three taps' sums over the block stay in registers,
 * then are added to dF.
 */
function filterRows3x3(x: usize, rowBytes: usize, dy: usize, dF: usize, channels: i32, count: i32, stride: i32, ky0: i32, ky1: i32): void {
  const pixel = <usize>channels << 2, step = <usize>stride * pixel;
  const vectors = channels & ~3;
  for (let j = 0; j < count; j += BLOCK) {
    const length = min(BLOCK, count - j);
    const first = x + <usize>j * step, firstDy = dy + <usize>j * pixel;
    for (let c = 0; c < vectors; c += 4) {
      const lanes = <usize>c << 2;
      for (let ky = ky0; ky < ky1; ky++) {
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0;
        let p = first + <usize>ky * rowBytes + lanes, q = firstDy + lanes;
        for (let k = 0; k < length; k++, p += step, q += pixel) {
          const d = v128.load(q);
          a0 = multiplyAdd(v128.load(p), d, a0);
          a1 = multiplyAdd(v128.load(p + pixel), d, a1);
          a2 = multiplyAdd(v128.load(p + 2 * pixel), d, a2);
        }
        const at = dF + <usize>(3 * ky) * pixel + lanes;
        v128.store(at, f32x4.add(v128.load(at), a0));
        v128.store(at + pixel, f32x4.add(v128.load(at + pixel), a1));
        v128.store(at + 2 * pixel, f32x4.add(v128.load(at + 2 * pixel), a2));
      }
    }
    for (let c = vectors; c < channels; c++) {
      const lane = <usize>c << 2;
      for (let ky = ky0; ky < ky1; ky++) {
        for (let kx = 0; kx < 3; kx++) {
          let sum: f32 = 0;
          let p = first + <usize>ky * rowBytes + <usize>kx * pixel + lane, q = firstDy + lane;
          for (let k = 0; k < length; k++, p += step, q += pixel) sum += load<f32>(p) * load<f32>(q);
          const at = dF + <usize>(3 * ky + kx) * pixel + lane;
          store<f32>(at, load<f32>(at) + sum);
        }
      }
    }
  }
}

/**
 * dF[o] += Σ over `count` outputs of x[o / dm]·dy[o], the inputs xStep bytes apart, the dy pixels dyStep
 * apart. The row is summed on its own, then added: sums of a few terms each keep the rounding small.
 */
function accumulateTap(x: usize, xStep: usize, dy: usize, dyStep: usize, dF: usize, count: i32, outChannels: i32, dm: i32): void {
  let o = 0;
  for (; o + 8 <= outChannels; o += 8) {
    let low = f32x4.splat(0), high = low;
    let p = x, q = dy + (<usize>o << 2);
    for (let i = 0; i < count; i++) {
      low = multiplyAdd(repeatedLanes(p, o, dm), v128.load(q), low);
      high = multiplyAdd(repeatedLanes(p, o + 4, dm), v128.load(q, 16), high);
      p += xStep;
      q += dyStep;
    }
    const at = dF + (<usize>o << 2);
    v128.store(at, f32x4.add(v128.load(at), low));
    v128.store(at, f32x4.add(v128.load(at, 16), high), 16);
  }
  for (; o + 4 <= outChannels; o += 4) {
    let sum = f32x4.splat(0);
    let p = x, q = dy + (<usize>o << 2);
    for (let i = 0; i < count; i++) {
      sum = multiplyAdd(repeatedLanes(p, o, dm), v128.load(q), sum);
      p += xStep;
      q += dyStep;
    }
    const at = dF + (<usize>o << 2);
    v128.store(at, f32x4.add(v128.load(at), sum));
  }
  for (; o < outChannels; o++) {
    let sum: f32 = 0;
    let p = x + (<usize>(o / dm) << 2), q = dy + (<usize>o << 2);
    for (let i = 0; i < count; i++) {
      sum += load<f32>(p) * load<f32>(q);
      p += xStep;
      q += dyStep;
    }
    const at = dF + (<usize>o << 2);
    store<f32>(at, load<f32>(at) + sum);
  }
}

/** The forward pass (also backward input's, on dy with the turned filter): the pads may be negative. */
function convolve(
  x: usize, filter: usize, bias: usize, y: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, dm: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  dilationHeight: i32, dilationWidth: i32,
): void {
  const outChannels = channels * dm;
  const pixelBytes = <usize>channels << 2, rowBytes = <usize>inWidth * pixelBytes;
  const outPixelBytes = <usize>outChannels << 2;
  const tapRowBytes = <usize>dilationHeight * rowBytes, tapColumnBytes = <usize>dilationWidth * pixelBytes;
  const columnBytes = <usize>strideWidth * pixelBytes;
  // Output columns [inner0, inner1) have every tap inside the image's width.
  const inner0 = min(firstInside(-padLeft, strideWidth), outWidth);
  const inner1 = max(inner0, min(outWidth, endInside((kernelWidth - 1) * dilationWidth - padLeft, strideWidth, inWidth)));
  const plain3x3 = dm == 1 && kernelHeight == 3 && kernelWidth == 3 && dilationHeight == 1 && dilationWidth == 1;
  const blocks = plain3x3 && strideWidth == 1 && inner1 - inner0 >= BLOCK && blockFitsCache(pixelBytes);
  for (let n = 0; n < batch; n++) {
    const image = x + <usize>n * inHeight * rowBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const iy0 = oy * strideHeight - padTop;
      const ky0 = firstInside(iy0, dilationHeight), ky1 = min(kernelHeight, endInside(iy0, dilationHeight, inHeight));
      const yRow = y + (<usize>(n * outHeight + oy) * outWidth) * outPixelBytes;
      // Where tap (0, 0) of output column 0 would be, inside the image or not: only taps inside are read.
      const origin = image + bytes(iy0 * inWidth - padLeft, pixelBytes);
      for (let ox = 0; ox < outWidth; ox++) {
        if (ox == inner0 && inner1 > inner0) {
          // The inner columns, all of whose taps in rows ky0 … ky1 − 1 are inside.
          const at = origin + <usize>inner0 * columnBytes;
          if (blocks) {
            rows3x3(at, rowBytes, filter, bias, yRow + <usize>inner0 * outPixelBytes, channels, inner1 - inner0, ky0, ky1, activation);
          } else if (plain3x3 && ky0 == 0 && ky1 == 3) {
            let i = 0;
            for (; i + 2 <= inner1 - inner0; i += 2) {
              pair3x3(at + <usize>i * columnBytes, columnBytes, rowBytes, filter, bias, yRow + <usize>(inner0 + i) * outPixelBytes, channels, activation);
            }
            if (i < inner1 - inner0) {
              position3x3(at + <usize>i * columnBytes, rowBytes, filter, bias, yRow + <usize>(inner0 + i) * outPixelBytes, channels, activation);
            }
          } else {
            for (let i = 0; i < inner1 - inner0; i++) {
              convolvePosition(at + <usize>i * columnBytes, tapRowBytes, tapColumnBytes, filter, bias,
                yRow + <usize>(inner0 + i) * outPixelBytes, outChannels, dm, kernelWidth, ky0, ky1, 0, kernelWidth, activation);
            }
          }
          ox = inner1 - 1;
          continue;
        }
        const ix0 = ox * strideWidth - padLeft;
        convolvePosition(origin + <usize>ox * columnBytes, tapRowBytes, tapColumnBytes, filter, bias, yRow + <usize>ox * outPixelBytes,
          outChannels, dm, kernelWidth, ky0, ky1, firstInside(ix0, dilationWidth), min(kernelWidth, endInside(ix0, dilationWidth, inWidth)), activation);
      }
    }
  }
}

/** Cache sets of 64-byte lines in a level-1 data cache (32 to 48 KB, 8 to 12 ways) of today's x86 and ARM cores. */
const CACHE_SETS = 64;
/** Lines of one set a block may keep, of the 8 ways or more: the rest for the filter and the output. */
const WAYS_FOR_INPUT = 6;

/**
 * Whether the input vectors one step of rows3x3 reads (three rows of ten pixels) stay in the cache
 * until the next steps read the rest of their lines. Pixels a multiple of 1 KB apart map to few sets
 * (512 channels: 2 of 64), and a block's lines would evict each other; pairs of outputs (fifteen
 * pixels, each read through whole lines) are then faster.
 */
function blockFitsCache(pixelBytes: usize): bool {
  let lines = <i32>(pixelBytes >> 6), sets = CACHE_SETS;
  // The sets that pixels `lines` lines apart visit: CACHE_SETS / gcd(lines, CACHE_SETS); all when they straddle lines.
  while ((pixelBytes & 63) == 0 && (lines & 1) == 0 && sets > 1) {
    lines >>= 1;
    sets >>= 1;
  }
  return 3 * (BLOCK + 2) <= sets * WAYS_FOR_INPUT;
}

/**
 * The output channels from `first` on of one position, from the taps ky ∈ [ky0, ky1), kx ∈ [kx0, kx1),
 * all inside the image; tap (ky, kx) of the input is at origin + ky·tapRowBytes + kx·tapColumnBytes.
 */
function convolvePosition(
  origin: usize, tapRowBytes: usize, tapColumnBytes: usize, filter: usize, bias: usize, out: usize,
  outChannels: i32, dm: i32, kernelWidth: i32, ky0: i32, ky1: i32, kx0: i32, kx1: i32, activation: i32, first: i32 = 0,
): void {
  const tapBytes = <usize>outChannels << 2;
  let o = first;
  // Sixteen channels at a time where inputs are plain vectors: the tap loops cost little per vector.
  for (; dm == 1 && o + 16 <= outChannels; o += 16) {
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (let ky = ky0; ky < ky1; ky++) {
      const inputRow = origin + <usize>ky * tapRowBytes + (<usize>o << 2);
      const filterRow = filter + <usize>(ky * kernelWidth) * tapBytes + (<usize>o << 2);
      for (let kx = kx0; kx < kx1; kx++) {
        const i = inputRow + <usize>kx * tapColumnBytes, f = filterRow + <usize>kx * tapBytes;
        s0 = multiplyAdd(v128.load(i), v128.load(f), s0);
        s1 = multiplyAdd(v128.load(i, 16), v128.load(f, 16), s1);
        s2 = multiplyAdd(v128.load(i, 32), v128.load(f, 32), s2);
        s3 = multiplyAdd(v128.load(i, 48), v128.load(f, 48), s3);
      }
    }
    const at = out + (<usize>o << 2);
    v128.store(at, finish4(s0, biasLanes(bias, o), activation));
    v128.store(at, finish4(s1, biasLanes(bias, o + 4), activation), 16);
    v128.store(at, finish4(s2, biasLanes(bias, o + 8), activation), 32);
    v128.store(at, finish4(s3, biasLanes(bias, o + 12), activation), 48);
  }
  for (; o + 4 <= outChannels; o += 4) {
    let sum = f32x4.splat(0);
    for (let ky = ky0; ky < ky1; ky++) {
      const inputRow = origin + <usize>ky * tapRowBytes;
      const filterRow = filter + <usize>(ky * kernelWidth) * tapBytes + (<usize>o << 2);
      for (let kx = kx0; kx < kx1; kx++) {
        sum = multiplyAdd(repeatedLanes(inputRow + <usize>kx * tapColumnBytes, o, dm), v128.load(filterRow + <usize>kx * tapBytes), sum);
      }
    }
    v128.store(out + (<usize>o << 2), finish4(sum, biasLanes(bias, o), activation));
  }
  for (; o < outChannels; o++) {
    let sum: f32 = 0;
    const lane = <usize>(o / dm) << 2;
    for (let ky = ky0; ky < ky1; ky++) {
      const inputRow = origin + <usize>ky * tapRowBytes + lane;
      const filterRow = filter + <usize>(ky * kernelWidth) * tapBytes + (<usize>o << 2);
      for (let kx = kx0; kx < kx1; kx++) sum += load<f32>(inputRow + <usize>kx * tapColumnBytes) * load<f32>(filterRow + <usize>kx * tapBytes);
    }
    store<f32>(out + (<usize>o << 2), fusedActivation(sum + biasLane(bias, o), activation));
  }
}

/** One output of a 3×3 window wholly inside the image (depthMultiplier 1, no dilation), sixteen channels a step. */
function position3x3(at: usize, rowBytes: usize, filter: usize, bias: usize, out: usize, channels: i32, activation: i32): void {
  const pixel = <usize>channels << 2;
  let c = 0;
  for (; c + 16 <= channels; c += 16) {
    const lanes = <usize>c << 2;
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
    for (let t = 0; t < 9; t++) {
      const r = t / 3;
      const i = at + <usize>r * rowBytes + <usize>(t - 3 * r) * pixel + lanes, f = filter + <usize>t * pixel + lanes;
      s0 = multiplyAdd(v128.load(i), v128.load(f), s0);
      s1 = multiplyAdd(v128.load(i, 16), v128.load(f, 16), s1);
      s2 = multiplyAdd(v128.load(i, 32), v128.load(f, 32), s2);
      s3 = multiplyAdd(v128.load(i, 48), v128.load(f, 48), s3);
    }
    v128.store(out + lanes, finish4(s0, biasLanes(bias, c), activation));
    v128.store(out + lanes, finish4(s1, biasLanes(bias, c + 4), activation), 16);
    v128.store(out + lanes, finish4(s2, biasLanes(bias, c + 8), activation), 32);
    v128.store(out + lanes, finish4(s3, biasLanes(bias, c + 12), activation), 48);
  }
  if (c < channels) convolvePosition(at, rowBytes, pixel, filter, bias, out, channels, 1, 3, 0, 3, 0, 3, activation, c);
}

/** Two outputs `step` bytes apart in the input, as position3x3 does one: eight sums in flight, twice the lines. */
function pair3x3(at: usize, step: usize, rowBytes: usize, filter: usize, bias: usize, out: usize, channels: i32, activation: i32): void {
  const pixel = <usize>channels << 2;
  let c = 0;
  for (; c + 16 <= channels; c += 16) {
    const lanes = <usize>c << 2;
    let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
    for (let t = 0; t < 9; t++) {
      const r = t / 3;
      const i = at + <usize>r * rowBytes + <usize>(t - 3 * r) * pixel + lanes, j = i + step, f = filter + <usize>t * pixel + lanes;
      let g = v128.load(f);
      s0 = multiplyAdd(v128.load(i), g, s0);
      t0 = multiplyAdd(v128.load(j), g, t0);
      g = v128.load(f, 16);
      s1 = multiplyAdd(v128.load(i, 16), g, s1);
      t1 = multiplyAdd(v128.load(j, 16), g, t1);
      g = v128.load(f, 32);
      s2 = multiplyAdd(v128.load(i, 32), g, s2);
      t2 = multiplyAdd(v128.load(j, 32), g, t2);
      g = v128.load(f, 48);
      s3 = multiplyAdd(v128.load(i, 48), g, s3);
      t3 = multiplyAdd(v128.load(j, 48), g, t3);
    }
    const b0 = biasLanes(bias, c), b1 = biasLanes(bias, c + 4), b2 = biasLanes(bias, c + 8), b3 = biasLanes(bias, c + 12);
    const o = out + lanes;
    v128.store(o, finish4(s0, b0, activation));
    v128.store(o, finish4(s1, b1, activation), 16);
    v128.store(o, finish4(s2, b2, activation), 32);
    v128.store(o, finish4(s3, b3, activation), 48);
    v128.store(o + pixel, finish4(t0, b0, activation));
    v128.store(o + pixel, finish4(t1, b1, activation), 16);
    v128.store(o + pixel, finish4(t2, b2, activation), 32);
    v128.store(o + pixel, finish4(t3, b3, activation), 48);
  }
  if (c < channels) {
    convolvePosition(at, rowBytes, pixel, filter, bias, out, channels, 1, 3, 0, 3, 0, 3, activation, c);
    convolvePosition(at + step, rowBytes, pixel, filter, bias, out + pixel, channels, 1, 3, 0, 3, 0, 3, activation, c);
  }
}

/**
 * `count` ≥ BLOCK adjacent outputs of a 3×3 window (depthMultiplier 1, no dilation, stride 1) whose
 * columns all lie inside the image, from kernel rows ky0 … ky1 − 1: at is tap (0, 0) of the first.
 * The outputs of a block share the input vectors they overlap on; the last block overlaps the one
 * before when count is not a multiple of BLOCK (an output computed twice comes out the same).
 */
function rows3x3(
  at: usize, rowBytes: usize, filter: usize, bias: usize, out: usize, channels: i32, count: i32,
  ky0: i32, ky1: i32, activation: i32,
): void {
  const pixel = <usize>channels << 2;
  const vectors = channels & ~3;
  // Blocks of outputs outside, channels inside: consecutive steps read the same cache lines.
  for (let j = 0; j < count; j += BLOCK) {
    j = min(j, count - BLOCK);
    for (let c = 0; c < vectors; c += 4) {
      const lanes = <usize>c << 2;
      const first = at + <usize>j * pixel + lanes;
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
      for (let ky = ky0; ky < ky1; ky++) {
        const row = first + <usize>ky * rowBytes, f = filter + <usize>(3 * ky) * pixel + lanes;
        const g0 = v128.load(f), g1 = v128.load(f + pixel), g2 = v128.load(f + 2 * pixel);
        // Input i meets tap i − k of output k.
        let i = v128.load(row);
        a0 = multiplyAdd(i, g0, a0);
        i = v128.load(row + pixel);
        a0 = multiplyAdd(i, g1, a0); a1 = multiplyAdd(i, g0, a1);
        i = v128.load(row + 2 * pixel);
        a0 = multiplyAdd(i, g2, a0); a1 = multiplyAdd(i, g1, a1); a2 = multiplyAdd(i, g0, a2);
        i = v128.load(row + 3 * pixel);
        a1 = multiplyAdd(i, g2, a1); a2 = multiplyAdd(i, g1, a2); a3 = multiplyAdd(i, g0, a3);
        i = v128.load(row + 4 * pixel);
        a2 = multiplyAdd(i, g2, a2); a3 = multiplyAdd(i, g1, a3); a4 = multiplyAdd(i, g0, a4);
        i = v128.load(row + 5 * pixel);
        a3 = multiplyAdd(i, g2, a3); a4 = multiplyAdd(i, g1, a4); a5 = multiplyAdd(i, g0, a5);
        i = v128.load(row + 6 * pixel);
        a4 = multiplyAdd(i, g2, a4); a5 = multiplyAdd(i, g1, a5); a6 = multiplyAdd(i, g0, a6);
        i = v128.load(row + 7 * pixel);
        a5 = multiplyAdd(i, g2, a5); a6 = multiplyAdd(i, g1, a6); a7 = multiplyAdd(i, g0, a7);
        i = v128.load(row + 8 * pixel);
        a6 = multiplyAdd(i, g2, a6); a7 = multiplyAdd(i, g1, a7);
        i = v128.load(row + 9 * pixel);
        a7 = multiplyAdd(i, g2, a7);
      }
      const q = out + <usize>j * pixel + lanes;
      const b = biasLanes(bias, c);
      v128.store(q, finish4(a0, b, activation));
      v128.store(q + pixel, finish4(a1, b, activation));
      v128.store(q + 2 * pixel, finish4(a2, b, activation));
      v128.store(q + 3 * pixel, finish4(a3, b, activation));
      v128.store(q + 4 * pixel, finish4(a4, b, activation));
      v128.store(q + 5 * pixel, finish4(a5, b, activation));
      v128.store(q + 6 * pixel, finish4(a6, b, activation));
      v128.store(q + 7 * pixel, finish4(a7, b, activation));
    }
  }
  // The last channels, one at a time.
  for (let c = vectors; c < channels; c++) {
    const lane = <usize>c << 2;
    for (let j = 0; j < count; j++) {
      let sum: f32 = 0;
      for (let ky = ky0; ky < ky1; ky++) {
        const row = at + <usize>j * pixel + <usize>ky * rowBytes + lane, f = filter + <usize>(3 * ky) * pixel + lane;
        for (let kx = 0; kx < 3; kx++) sum += load<f32>(row + <usize>kx * pixel) * load<f32>(f + <usize>kx * pixel);
      }
      store<f32>(out + <usize>j * pixel + lane, fusedActivation(sum + biasLane(bias, c), activation));
    }
  }
}

/**
 * dx for any strides and depth multiplier: dx is cleared, then each output adds dy·f through each of
 * its taps that lies inside the image (outputs in order, taps in filter order).
 */
function scatterInputGradient(
  dy: usize, filter: usize, dx: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, dm: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  dilationHeight: i32, dilationWidth: i32,
): void {
  const outChannels = channels * dm;
  const pixelBytes = <usize>channels << 2, rowBytes = <usize>inWidth * pixelBytes;
  const outPixelBytes = <usize>outChannels << 2;
  fill(dx, batch * inHeight * inWidth * channels, 0);
  for (let n = 0; n < batch; n++) {
    const image = dx + <usize>n * inHeight * rowBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const iy0 = oy * strideHeight - padTop;
      const ky0 = firstInside(iy0, dilationHeight), ky1 = min(kernelHeight, endInside(iy0, dilationHeight, inHeight));
      const origin = image + bytes(iy0 * inWidth - padLeft, pixelBytes);
      for (let ox = 0; ox < outWidth; ox++) {
        const ix0 = ox * strideWidth - padLeft;
        const kx0 = firstInside(ix0, dilationWidth), kx1 = min(kernelWidth, endInside(ix0, dilationWidth, inWidth));
        scatterPosition(dy + (<usize>(n * outHeight + oy) * outWidth + ox) * outPixelBytes, filter,
          origin + <usize>ox * strideWidth * pixelBytes, <usize>dilationHeight * rowBytes, <usize>dilationWidth * pixelBytes,
          channels, dm, kernelWidth, ky0, ky1, kx0, kx1);
      }
    }
  }
}

/** dx[tap, c] += Σ_m dy[c·dm + m]·f[tap, c·dm + m] for the taps ky ∈ [ky0, ky1), kx ∈ [kx0, kx1) of one output. */
function scatterPosition(
  dyPixel: usize, filter: usize, origin: usize, tapRowBytes: usize, tapColumnBytes: usize,
  channels: i32, dm: i32, kernelWidth: i32, ky0: i32, ky1: i32, kx0: i32, kx1: i32,
): void {
  const tapBytes = <usize>(channels * dm) << 2;
  const laneBytes = <usize>dm << 2;
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    const lanes = <usize>c << 2, outLanes = <usize>(c * dm) << 2;
    const g = v128.load(dyPixel + lanes); // read when dm is 1: every tap takes the same dy
    for (let ky = ky0; ky < ky1; ky++) {
      const inputRow = origin + <usize>ky * tapRowBytes + lanes;
      const filterRow = filter + <usize>(ky * kernelWidth) * tapBytes + outLanes;
      for (let kx = kx0; kx < kx1; kx++) {
        const at = inputRow + <usize>kx * tapColumnBytes;
        const f = filterRow + <usize>kx * tapBytes;
        let sum = v128.load(at);
        if (dm == 1) {
          sum = multiplyAdd(g, v128.load(f), sum);
        } else {
          for (let m = 0; m < dm; m++) {
            const lane = <usize>m << 2;
            sum = multiplyAdd(stridedLanes(dyPixel + outLanes + lane, laneBytes), stridedLanes(f + lane, laneBytes), sum);
          }
        }
        v128.store(at, sum);
      }
    }
  }
  for (; c < channels; c++) {
    const lane = <usize>c << 2, outLane = <usize>(c * dm) << 2;
    for (let ky = ky0; ky < ky1; ky++) {
      for (let kx = kx0; kx < kx1; kx++) {
        const at = origin + <usize>ky * tapRowBytes + <usize>kx * tapColumnBytes + lane;
        const f = filter + <usize>(ky * kernelWidth + kx) * tapBytes + outLane;
        let sum = load<f32>(at);
        for (let m = 0; m < dm; m++) sum += load<f32>(dyPixel + outLane + (<usize>m << 2)) * load<f32>(f + (<usize>m << 2));
        store<f32>(at, sum);
      }
    }
  }
}
