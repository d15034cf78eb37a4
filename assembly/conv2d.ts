// 2-D convolution (NHWC, filters [kernelHeight, kernelWidth, inChannels, outChannels]) as an
// implicit matrix product, with no im2col copy. Each image is first placed in a zero frame that
// holds its padding, so every window lies inside the frame and each kernel row of a window is one
// contiguous run of kernelWidth·inChannels floats. Register tiles of 4 rows × 8 columns read the
// frame in place; the other operand is packed in 8-column panels (zero past the last column), so a
// tile reads 8 contiguous floats per depth step whatever the channel count.
//   forward:         y[position, co] = act(Σ over taps frame[window(position) + tap]·filter[tap, co] + bias[co])
//                    (rows: output positions; depth: the taps of the window; panels: the filter)
//   backward filter: dFilter[tap, co] = Σ over positions frame[window(position) + tap]·dy[position, co]
//                    (rows: taps; depth: the positions of an image; panels: dy)
//   backward input:  dx = dy ⋆ the filter turned 180° with its channel axes swapped, dy spread
//                    stride apart in its frame: a stride-1 forward pass
// Every sum runs in an order fixed by the geometry (taps in filter order, positions in batch order)
// and each image's outputs depend on that image alone, so results are bit-reproducible.
import { fill, sumRows } from './elementwise';
import { multiplyAdd } from './multiply-add';
import { FUSED_NONE, fusedActivation4 } from './fused-activation';
import { storeTileRow } from './tile-store';

const TILE_ROWS = 4;
/** Columns of a packed panel: one tile row of two f32x4. */
const PANEL_COLS = 8;
function panelCount(cols: i32): i32 {
  return (cols + PANEL_COLS - 1) / PANEL_COLS;
}

/** Floats of a [rows, cols] matrix packed in panels. */
function packedFloats(rows: i32, cols: i32): usize {
  return <usize>rows * panelCount(cols) * PANEL_COLS;
}

/** Scratch holds the packed filter (and bias) or packed dy, then one image's frame (and a table of window offsets). */
export function conv2dScratchBytes(
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): usize {
  const taps = kernelHeight * kernelWidth;
  const frame = <usize>((outHeight - 1) * strideHeight + kernelHeight) * ((outWidth - 1) * strideWidth + kernelWidth) * inChannels;
  const forward = packedFloats(taps * inChannels, outChannels) + packedFloats(1, outChannels) + frame + <usize>outHeight * outWidth;
  const backwardFilter = packedFloats(outHeight * outWidth, outChannels) + frame;
  const backwardInput = packedFloats(taps * outChannels, inChannels) +
    <usize>(inHeight - 1 + kernelHeight) * (inWidth - 1 + kernelWidth) * outChannels + <usize>inHeight * inWidth;
  return max(forward, max(backwardFilter, backwardInput)) << 2;
}

export function conv2dForward(
  x: usize, filter: usize, bias: usize, y: usize, scratch: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const patch = kernelHeight * kernelWidth * inChannels;
  const panels = scratch;
  const biasPanel = panels + (packedFloats(patch, outChannels) << 2);
  const frame = biasPanel + (packedFloats(1, outChannels) << 2);
  packPanels(filter, patch, outChannels, <usize>outChannels << 2, 4, panels, patch);
  if (bias) packPanels(bias, 1, outChannels, 0, 4, biasPanel, 1);
  convolve(x, panels, bias ? biasPanel : 0, y, frame, activation,
    batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft, 1, 1);
}

export function conv2dBackwardInput(
  dy: usize, filter: usize, dx: usize, scratch: usize,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const taps = kernelHeight * kernelWidth;
  const panels = scratch;
  const frame = panels + (packedFloats(taps * outChannels, inChannels) << 2);
  // Tap t of the turned filter is tap (taps − 1 − t) of the filter, read as [outChannels, inChannels].
  const tapBytes = (<usize>inChannels * outChannels) << 2;
  for (let t = 0; t < taps; t++) {
    packPanels(filter + <usize>(taps - 1 - t) * tapBytes, outChannels, inChannels, 4, <usize>outChannels << 2,
      panels + ((<usize>t * outChannels * PANEL_COLS) << 2), taps * outChannels);
  }
  // Output (oy, ox) of the forward pass sits at frame (oy·stride + kernel − 1 − pad): an input pixel
  // then sees, through the turned kernel, exactly the outputs whose windows covered it.
  convolve(dy, panels, 0, dx, frame, FUSED_NONE,
    batch, outHeight, outWidth, outChannels, inHeight, inWidth, inChannels,
    kernelHeight, kernelWidth, 1, 1, kernelHeight - 1 - padTop, kernelWidth - 1 - padLeft, strideHeight, strideWidth);
}

export function conv2dBackwardFilter(
  x: usize, dy: usize, dFilter: usize, dBias: usize, scratch: usize,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const patch = kernelHeight * kernelWidth * inChannels;
  const positions = outHeight * outWidth;
  const frameHeight = (outHeight - 1) * strideHeight + kernelHeight;
  const frameWidth = (outWidth - 1) * strideWidth + kernelWidth;
  const frameRowBytes = (<usize>frameWidth * inChannels) << 2;
  const kernelRow = kernelWidth * inChannels;
  const dyPanels = scratch;
  const frame = dyPanels + (packedFloats(positions, outChannels) << 2);
  const panelBytes = (<usize>positions * PANEL_COLS) << 2;
  const dFilterRowBytes = <usize>outChannels << 2;
  const imageBytes = (<usize>inHeight * inWidth * inChannels) << 2;
  const dyImageBytes = (<usize>positions * outChannels) << 2;
  if (batch == 0) fill(dFilter, patch * outChannels, 0);
  for (let b = 0; b < batch; b++) {
    const source = frameImage(x + <usize>b * imageBytes, inHeight, inWidth, inChannels,
      frame, frameHeight, frameWidth, padTop, padLeft, 1, 1);
    packPanels(dy + <usize>b * dyImageBytes, positions, outChannels, dFilterRowBytes, 4, dyPanels, positions);
    // Images add up in batch order: the first overwrites dFilter, the others accumulate.
    for (let tap = 0; tap < patch; tap += TILE_ROWS) {
      const last = min(tap + TILE_ROWS, patch) - 1;
      const a0 = tapAt(source, tap, kernelRow, frameRowBytes);
      const a1 = tapAt(source, min(tap + 1, last), kernelRow, frameRowBytes);
      const a2 = tapAt(source, min(tap + 2, last), kernelRow, frameRowBytes);
      const a3 = tapAt(source, min(tap + 3, last), kernelRow, frameRowBytes);
      for (let q = 0; q < panelCount(outChannels); q++) {
        multiplyTile(a0, a1, a2, a3, outHeight, outWidth, (<usize>strideWidth * inChannels) << 2, <usize>strideHeight * frameRowBytes,
          dyPanels + <usize>q * panelBytes, dFilter + <usize>tap * dFilterRowBytes + ((<usize>q * PANEL_COLS) << 2), dFilterRowBytes,
          last - tap + 1, min(PANEL_COLS, outChannels - q * PANEL_COLS), 0, FUSED_NONE, b > 0);
      }
    }
  }
  if (dBias) sumRows(dy, batch * positions, outChannels, dBias);
}

/**
 * y = act(x ⋆ filter (+ bias)) with the filter packed in panels ([patch, outChannels]) and bias
 * packed in one panel row (or 0). Input pixels are spread (spacingHeight, spacingWidth) apart in the
 * frame; the frame is followed by a table of window offsets (one u32 per output position).
 */
function convolve(
  x: usize, panels: usize, bias: usize, y: usize, frame: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  spacingHeight: i32, spacingWidth: i32,
): void {
  const positions = outHeight * outWidth;
  const frameHeight = (outHeight - 1) * strideHeight + kernelHeight;
  const frameWidth = (outWidth - 1) * strideWidth + kernelWidth;
  const frameRowBytes = (<usize>frameWidth * inChannels) << 2;
  const panelBytes = (<usize>kernelHeight * kernelWidth * inChannels * PANEL_COLS) << 2;
  const yRowBytes = <usize>outChannels << 2;
  const imageBytes = (<usize>inHeight * inWidth * inChannels) << 2;
  // Where each output's window starts, relative to the frame: the same for every image.
  const windows = frame + ((<usize>frameHeight * frameWidth * inChannels) << 2);
  for (let p = 0; p < positions; p++) {
    store<u32>(windows + (<usize>p << 2), windowAt(p, outWidth, strideHeight, strideWidth, frameRowBytes, inChannels));
  }
  for (let b = 0; b < batch; b++) {
    const source = frameImage(x + <usize>b * imageBytes, inHeight, inWidth, inChannels,
      frame, frameHeight, frameWidth, padTop, padLeft, spacingHeight, spacingWidth);
    const yImage = y + <usize>b * positions * yRowBytes;
    for (let p = 0; p < positions; p += TILE_ROWS) {
      const last = windows + (<usize>(min(p + TILE_ROWS, positions) - 1) << 2);
      const first = windows + (<usize>p << 2);
      const a0 = source + load<u32>(first);
      const a1 = source + load<u32>(min(first + 4, last));
      const a2 = source + load<u32>(min(first + 8, last));
      const a3 = source + load<u32>(min(first + 12, last));
      const rows = <i32>((last - first) >> 2) + 1;
      for (let q = 0; q < panelCount(outChannels); q++) {
        const column = <usize>q * PANEL_COLS << 2;
        multiplyTile(a0, a1, a2, a3, kernelHeight, kernelWidth * inChannels, 4, frameRowBytes,
          panels + <usize>q * panelBytes, yImage + <usize>p * yRowBytes + column, yRowBytes,
          rows, min(PANEL_COLS, outChannels - q * PANEL_COLS), bias ? bias + column : 0, activation, false);
      }
    }
  }
}

/** Byte offset in the frame where the window of output `position` starts. */
function windowAt(position: i32, outWidth: i32, strideHeight: i32, strideWidth: i32, frameRowBytes: usize, channels: i32): usize {
  const oy = position / outWidth;
  const ox = position - oy * outWidth;
  return <usize>(oy * strideHeight) * frameRowBytes + ((<usize>ox * strideWidth * channels) << 2);
}

/** Where tap (ky, kx, ci) of the first window (at the frame's origin) is. */
// @ts-ignore: decorator
@inline function tapAt(frame: usize, tap: i32, kernelRow: i32, frameRowBytes: usize): usize {
  const ky = tap / kernelRow;
  return frame + <usize>ky * frameRowBytes + (<usize>(tap - ky * kernelRow) << 2);
}

/**
 * The image [inHeight, inWidth, channels] placed in a zero frame [frameHeight, frameWidth, channels]:
 * pixel (iy, ix) at (iy·spacingHeight + padTop, ix·spacingWidth + padLeft); pixels that fall outside
 * the frame are left out (a pad may be negative). Returns the image itself when it is its own frame.
 */
function frameImage(
  image: usize, inHeight: i32, inWidth: i32, channels: i32,
  frame: usize, frameHeight: i32, frameWidth: i32, padTop: i32, padLeft: i32, spacingHeight: i32, spacingWidth: i32,
): usize {
  if (padTop == 0 && padLeft == 0 && spacingHeight == 1 && spacingWidth == 1 &&
    frameHeight == inHeight && frameWidth == inWidth) return image;
  fill(frame, frameHeight * frameWidth * channels, 0);
  for (let iy = 0; iy < inHeight; iy++) {
    const fy = iy * spacingHeight + padTop;
    if (fy < 0 || fy >= frameHeight) continue;
    for (let ix = 0; ix < inWidth; ix++) {
      const fx = ix * spacingWidth + padLeft;
      if (fx < 0 || fx >= frameWidth) continue;
      // With no spacing the rest of the row is one run: copy it at once.
      const run = spacingWidth == 1 ? min(inWidth - ix, frameWidth - fx) : 1;
      copy(frame + ((<usize>(fy * frameWidth + fx) * channels) << 2),
        image + ((<usize>(iy * inWidth + ix) * channels) << 2), run * channels);
      ix += run - 1;
    }
  }
  return frame;
}

/**
 * Copies a [rows, cols] matrix, element (r, c) at src + r·rowStride + c·colStride bytes, into
 * panels of 8 columns and panelRows rows each (zero past the last column): row r of the matrix
 * goes to row r of every panel, counted from dst.
 */
function packPanels(src: usize, rows: i32, cols: i32, rowStride: usize, colStride: usize, dst: usize, panelRows: i32): void {
  for (let q = 0; q < panelCount(cols); q++) {
    const first = q * PANEL_COLS;
    const count = min(PANEL_COLS, cols - first);
    let to = dst + ((<usize>q * panelRows * PANEL_COLS) << 2);
    let from = src + <usize>first * colStride;
    for (let r = 0; r < rows; r++) {
      if (count == PANEL_COLS && colStride == 4) {
        v128.store(to, v128.load(from));
        v128.store(to, v128.load(from, 16), 16);
      } else {
        for (let l = 0; l < PANEL_COLS; l++) {
          store<f32>(to + (<usize>l << 2), l < count ? load<f32>(from + <usize>l * colStride) : 0);
        }
      }
      to += PANEL_COLS << 2;
      from += rowStride;
    }
  }
}

/**
 * One tile of C, rows (≤ 4) × cols (≤ 8), = A·panel. Row i of A starts at a<i> and every row walks
 * the same depth path: `runs` runs of runLength steps aStep bytes apart, each run starting aJump
 * bytes after the previous one. The panel gives 8 floats per depth step. The sum (+ bias, through
 * the fused activation) is stored to C, or added to C when add.
 */
// @ts-ignore: decorator
@inline function multiplyTile(
  a0: usize, a1: usize, a2: usize, a3: usize, runs: i32, runLength: i32, aStep: usize, aJump: usize,
  panel: usize, c: usize, cRowStride: usize, rows: i32, cols: i32, bias: usize, activation: i32, add: bool,
): void {
  const runGap = aJump - <usize>runLength * aStep;
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  let b = panel;
  const runBytes = <usize>runLength * PANEL_COLS << 2;
  for (let run = 0; run < runs; run++) {
    // The panel pointer is the loop counter: one compare per step, no counter of its own (~1% faster).
    for (const runEnd = b + runBytes; b < runEnd;) {
      const b0 = v128.load(b);
      const b1 = v128.load(b, 16);
      let x = v128.load32_splat(a0);
      c00 = multiplyAdd(x, b0, c00);
      c01 = multiplyAdd(x, b1, c01);
      x = v128.load32_splat(a1);
      c10 = multiplyAdd(x, b0, c10);
      c11 = multiplyAdd(x, b1, c11);
      x = v128.load32_splat(a2);
      c20 = multiplyAdd(x, b0, c20);
      c21 = multiplyAdd(x, b1, c21);
      x = v128.load32_splat(a3);
      c30 = multiplyAdd(x, b0, c30);
      c31 = multiplyAdd(x, b1, c31);
      a0 += aStep;
      a1 += aStep;
      a2 += aStep;
      a3 += aStep;
      b += PANEL_COLS << 2;
    }
    a0 += runGap;
    a1 += runGap;
    a2 += runGap;
    a3 += runGap;
  }
  if (bias) {
    const low = v128.load(bias);
    const high = v128.load(bias, 16);
    c00 = f32x4.add(c00, low);
    c01 = f32x4.add(c01, high);
    c10 = f32x4.add(c10, low);
    c11 = f32x4.add(c11, high);
    c20 = f32x4.add(c20, low);
    c21 = f32x4.add(c21, high);
    c30 = f32x4.add(c30, low);
    c31 = f32x4.add(c31, high);
  }
  if (activation != FUSED_NONE) {
    c00 = fusedActivation4(c00, activation);
    c01 = fusedActivation4(c01, activation);
    c10 = fusedActivation4(c10, activation);
    c11 = fusedActivation4(c11, activation);
    c20 = fusedActivation4(c20, activation);
    c21 = fusedActivation4(c21, activation);
    c30 = fusedActivation4(c30, activation);
    c31 = fusedActivation4(c31, activation);
  }
  storeTileRow(c, c00, c01, cols, add);
  if (rows > 1) storeTileRow(c + cRowStride, c10, c11, cols, add);
  if (rows > 2) storeTileRow(c + 2 * cRowStride, c20, c21, cols, add);
  if (rows > 3) storeTileRow(c + 3 * cRowStride, c30, c31, cols, add);
}

function copy(to: usize, from: usize, length: i32): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(to + at, v128.load(from + at));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(to + at, load<f32>(from + at));
  }
}
