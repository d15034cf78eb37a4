// 2-D pooling over NHWC tensors. Every window is clipped to the input, so padding is never read:
// it cannot win a max and does not count towards an average. An output whose clipped window is
// empty (only possible with more padding than 'same' gives) is 0, with argmax −1.
// Each window is walked rows then columns, with the channels innermost so memory runs in order.
import { fill } from './elementwise';
import { laneIndices, laterIfGreater, windowArgmax, windowMax } from './max-window';

const MAX_FORWARD = 0;
/** Max pooling without argmax (inference): no indices to compute or store. */
const MAX_VALUE_FORWARD = 1;
const AVERAGE_FORWARD = 2;
const AVERAGE_BACKWARD = 3;

export function maxPoolForward(
  x: usize, y: usize, argmax: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
  poolHeight: i32, poolWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  // The 2×2 windows at stride 2 of most CNNs, inside the input and with whole f32x4 of channels.
  if (poolHeight == 2 && poolWidth == 2 && strideHeight == 2 && strideWidth == 2 && padTop == 0 && padLeft == 0 &&
    (channels & 3) == 0 && 2 * outHeight <= inHeight && 2 * outWidth <= inWidth) {
    if (argmax) maxPool2x2(x, y, argmax, batch, inHeight, inWidth, channels, outHeight, outWidth, true);
    else maxPool2x2(x, y, 0, batch, inHeight, inWidth, channels, outHeight, outWidth, false);
    return;
  }
  forEachWindow(argmax ? MAX_FORWARD : MAX_VALUE_FORWARD, x, y, argmax, 0,
    batch, inHeight, inWidth, channels, outHeight, outWidth, poolHeight, poolWidth, strideHeight, strideWidth, padTop, padLeft);
}

/**
 * maxWindow for 2×2 windows at stride 2 that lie inside the input, channels a multiple of 4: the
 * same comparisons in the same window order, with no per-window bounds or clipping.
 */
// @ts-ignore: decorator
@inline function maxPool2x2(
  x: usize, y: usize, argmax: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, withArgmax: bool,
): void {
  // From a window's first element: in bytes, and as index steps.
  const rightBytes = <usize>channels << 2, belowBytes = (<usize>inWidth * channels) << 2;
  const right = i32x4.splat(channels), below = i32x4.splat(inWidth * channels), four = i32x4.splat(4);
  let out: usize = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const first = pixel(b * inHeight + 2 * oy, 0, inWidth, channels);
      let index = laneIndices(first);
      let at = x + (<usize>first << 2);
      for (let ox = 0; ox < outWidth; ox++) {
        for (let c = 0; c < channels; c += 4, out += 16, at += 16, index = i32x4.add(index, four)) {
          const here = v128.load(at), toRight = v128.load(at + rightBytes);
          const toBelow = v128.load(at + belowBytes), toBelowRight = v128.load(at + belowBytes + rightBytes);
          v128.store(y + out, windowMax(here, toRight, toBelow, toBelowRight));
          if (withArgmax) v128.store(argmax + out, windowArgmax(index, right, below, here, toRight, toBelow, toBelowRight));
        }
        // On to the next window: past the one to the right of this one.
        at += rightBytes;
        index = i32x4.add(index, right);
      }
    }
  }
}

/**
 * maxPoolBackward for the windows of maxPool2x2: each window's 4 elements written at once, dy where
 * the argmax points and 0 elsewhere (added to 0, as the general path does, so −0 becomes 0 alike);
 * when masked, dy only where the window's maximum (at positive) is > 0.
 */
// @ts-ignore: decorator
@inline function maxUnpool2x2(
  dy: usize, argmax: usize, dx: usize, positive: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32, masked: bool,
): void {
  const rightBytes = <usize>channels << 2, belowBytes = (<usize>inWidth * channels) << 2;
  const right = i32x4.splat(channels), below = i32x4.splat(inWidth * channels), four = i32x4.splat(4);
  const zero = f32x4.splat(0);
  let out: usize = 0;
  for (let b = 0; b < batch; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const first = pixel(b * inHeight + 2 * oy, 0, inWidth, channels);
      let index = laneIndices(first);
      let at = dx + (<usize>first << 2);
      for (let ox = 0; ox < outWidth; ox++) {
        for (let c = 0; c < channels; c += 4, out += 16, at += 16, index = i32x4.add(index, four)) {
          let gradient = v128.load(dy + out);
          if (masked) gradient = v128.and(gradient, f32x4.gt(v128.load(positive + out), zero));
          const source = v128.load(argmax + out);
          v128.store(at, f32x4.add(zero, v128.and(gradient, i32x4.eq(source, index))));
          v128.store(at + rightBytes, f32x4.add(zero, v128.and(gradient, i32x4.eq(source, i32x4.add(index, right)))));
          v128.store(at + belowBytes, f32x4.add(zero, v128.and(gradient, i32x4.eq(source, i32x4.add(index, below)))));
          v128.store(at + belowBytes + rightBytes,
            f32x4.add(zero, v128.and(gradient, i32x4.eq(source, i32x4.add(i32x4.add(index, below), right)))));
        }
        // On to the next window: past the one to the right of this one.
        at += rightBytes;
        index = i32x4.add(index, right);
      }
    }
  }
}

/**
 * dx = 0, then dx[argmax[o]] += dy[o] in output order (an argmax of −1 has no input). With `positive`
 * (≠ 0: the pooling's output y, when its input came out of a ReLU), only where y[o] > 0: the ReLU's
 * derivative taken on the way, the same bits as this pass followed by reluBackward.
 */
export function maxPoolBackward(
  dy: usize, argmax: usize, dx: usize, positive: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
  poolHeight: i32, poolWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const inLength = batch * inHeight * inWidth * channels, outLength = batch * outHeight * outWidth * channels;
  if (poolHeight == 2 && poolWidth == 2 && strideHeight == 2 && strideWidth == 2 && padTop == 0 && padLeft == 0 &&
    (channels & 3) == 0 && 2 * outHeight <= inHeight && 2 * outWidth <= inWidth) {
    // Rows and columns past the last window (odd sizes) get no gradient.
    if (2 * outHeight < inHeight || 2 * outWidth < inWidth) fill(dx, inLength, 0);
    if (positive) maxUnpool2x2(dy, argmax, dx, positive, batch, inHeight, inWidth, channels, outHeight, outWidth, true);
    else maxUnpool2x2(dy, argmax, dx, 0, batch, inHeight, inWidth, channels, outHeight, outWidth, false);
    return;
  }
  fill(dx, inLength, 0);
  for (let o = 0; o < outLength; o++) {
    const source = load<i32>(argmax + (<usize>o << 2));
    if (source < 0 || (positive && !(load<f32>(positive + (<usize>o << 2)) > 0))) continue;
    const at = dx + (<usize>source << 2);
    store<f32>(at, load<f32>(at) + load<f32>(dy + (<usize>o << 2)));
  }
}

export function avgPoolForward(
  x: usize, y: usize, average: i32,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
  poolHeight: i32, poolWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  forEachWindow(AVERAGE_FORWARD, x, y, 0, average,
    batch, inHeight, inWidth, channels, outHeight, outWidth, poolHeight, poolWidth, strideHeight, strideWidth, padTop, padLeft);
}

export function avgPoolBackward(
  dy: usize, dx: usize, average: i32,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
  poolHeight: i32, poolWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  fill(dx, batch * inHeight * inWidth * channels, 0);
  forEachWindow(AVERAGE_BACKWARD, dx, dy, 0, average,
    batch, inHeight, inWidth, channels, outHeight, outWidth, poolHeight, poolWidth, strideHeight, strideWidth, padTop, padLeft);
}

/**
 * The walk every pooling kernel shares: each output position with its clipped window, handed to
 * the kind's window function. `kind` is a constant at every call, so inlining drops the dispatch.
 * `input` and `output` are named by shape: the backward pass hands over dx and dy.
 */
// @ts-ignore: decorator
@inline function forEachWindow(
  kind: i32, input: usize, output: usize, argmax: usize, average: i32,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
  poolHeight: i32, poolWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const top = oh * strideHeight - padTop;
      const rowStart = b * inHeight + max(top, 0);
      const rowEnd = b * inHeight + min(top + poolHeight, inHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const left = ow * strideWidth - padLeft;
        const colStart = max(left, 0);
        const colEnd = min(left + poolWidth, inWidth);
        const out = ((b * outHeight + oh) * outWidth + ow) * channels;
        if (kind == MAX_FORWARD) {
          maxWindow(input, output, argmax, out, rowStart, rowEnd, colStart, colEnd, inWidth, channels, true);
        } else if (kind == MAX_VALUE_FORWARD) {
          maxWindow(input, output, 0, out, rowStart, rowEnd, colStart, colEnd, inWidth, channels, false);
        } else if (kind == AVERAGE_FORWARD) {
          sumWindow(input, output, average, out, rowStart, rowEnd, colStart, colEnd, inWidth, channels);
        } else {
          spreadOverWindow(input, output, average, out, rowStart, rowEnd, colStart, colEnd, inWidth, channels);
        }
      }
    }
  }
}

/** Rows are counted over the whole batch (b·inHeight + h), so row·inWidth + col finds the pixel. */
// @ts-ignore: decorator
@inline function pixel(row: i32, col: i32, inWidth: i32, channels: i32): i32 {
  return (row * inWidth + col) * channels;
}

// @ts-ignore: decorator
@inline function windowSize(rowStart: i32, rowEnd: i32, colStart: i32, colEnd: i32): i32 {
  return rowEnd > rowStart && colEnd > colStart ? (rowEnd - rowStart) * (colEnd - colStart) : 0;
}

/**
 * Strict `>` keeps the first maximum in window order; its index goes to argmax when withArgmax. Channels go four at a time in f32x4 lanes,
 * the last (channels mod 4) one by one.
 */
// @ts-ignore: decorator
@inline function maxWindow(
  x: usize, y: usize, argmax: usize, out: i32,
  rowStart: i32, rowEnd: i32, colStart: i32, colEnd: i32, inWidth: i32, channels: i32, withArgmax: bool,
): void {
  const yOut = y + (<usize>out << 2);
  const argmaxOut = argmax + (<usize>out << 2);
  if (windowSize(rowStart, rowEnd, colStart, colEnd) == 0) {
    fill(yOut, channels, 0);
    if (withArgmax) for (let c = 0; c < channels; c++) store<i32>(argmaxOut + (<usize>c << 2), -1);
    return;
  }
  const first = pixel(rowStart, colStart, inWidth, channels);
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    let best = v128.load(x + (<usize>(first + c) << 2));
    let index = laneIndices(first + c);
    for (let row = rowStart; row < rowEnd; row++) {
      for (let col = colStart; col < colEnd; col++) {
        const at = pixel(row, col, inWidth, channels) + c;
        const value = v128.load(x + (<usize>at << 2));
        if (withArgmax) index = laterIfGreater(index, laneIndices(at), value, best);
        best = f32x4.pmax(best, value); // best < value ? value : best: the same strict choice as the index's
      }
    }
    v128.store(yOut + (<usize>c << 2), best);
    if (withArgmax) v128.store(argmaxOut + (<usize>c << 2), index);
  }
  for (; c < channels; c++) {
    let best = load<f32>(x + (<usize>(first + c) << 2));
    let index = first + c;
    for (let row = rowStart; row < rowEnd; row++) {
      for (let col = colStart; col < colEnd; col++) {
        const at = pixel(row, col, inWidth, channels) + c;
        const value = load<f32>(x + (<usize>at << 2));
        if (value > best) {
          best = value;
          index = at;
        }
      }
    }
    store<f32>(yOut + (<usize>c << 2), best);
    if (withArgmax) store<i32>(argmaxOut + (<usize>c << 2), index);
  }
}

/** y = the window's sum, divided by its size when average ≠ 0. */
// @ts-ignore: decorator
@inline function sumWindow(
  x: usize, y: usize, average: i32, out: i32,
  rowStart: i32, rowEnd: i32, colStart: i32, colEnd: i32, inWidth: i32, channels: i32,
): void {
  const yOut = y + (<usize>out << 2);
  fill(yOut, channels, 0);
  for (let row = rowStart; row < rowEnd; row++) {
    for (let col = colStart; col < colEnd; col++) {
      const at = x + (<usize>pixel(row, col, inWidth, channels) << 2);
      for (let c = 0; c < channels; c++) {
        const sum = yOut + (<usize>c << 2);
        store<f32>(sum, load<f32>(sum) + load<f32>(at + (<usize>c << 2)));
      }
    }
  }
  const size = windowSize(rowStart, rowEnd, colStart, colEnd);
  if (average == 0 || size == 0) return;
  for (let c = 0; c < channels; c++) {
    const sum = yOut + (<usize>c << 2);
    store<f32>(sum, load<f32>(sum) / <f32>size);
  }
}

/** The transpose of sumWindow: dx += dy (÷ window size when average ≠ 0) over the window. */
// @ts-ignore: decorator
@inline function spreadOverWindow(
  dx: usize, dy: usize, average: i32, out: i32,
  rowStart: i32, rowEnd: i32, colStart: i32, colEnd: i32, inWidth: i32, channels: i32,
): void {
  const dyOut = dy + (<usize>out << 2);
  const size = windowSize(rowStart, rowEnd, colStart, colEnd);
  const divisor: f32 = average != 0 && size > 0 ? <f32>size : 1;
  for (let row = rowStart; row < rowEnd; row++) {
    for (let col = colStart; col < colEnd; col++) {
      const at = dx + (<usize>pixel(row, col, inWidth, channels) << 2);
      for (let c = 0; c < channels; c++) {
        const grad = at + (<usize>c << 2);
        store<f32>(grad, load<f32>(grad) + load<f32>(dyOut + (<usize>c << 2)) / divisor);
      }
    }
  }
}
