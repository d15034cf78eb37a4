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
import { FUSED_NONE, fusedActivation4 } from './fused-activation';
import { laneIndices, windowArgmax, windowMax } from './max-window';
import { multiplyAdd } from './multiply-add';
import { frameImage } from './image-frame';
import { PANEL_COLS, TILE_ROWS, multiplyTile, packPanels, packedFloats, panelCount } from './register-tile';

/**
 * Scratch bytes of one pass (CONV2D_PASS: 0 forward, 1 backward input, 2 backward filter): the
 * packed filter (and bias) or packed dy, then one image's frame (and a table of window offsets).
 */
export function conv2dPassScratchBytes(
  pass: i32, batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): usize {
  const taps = kernelHeight * kernelWidth;
  const frame = <usize>((outHeight - 1) * strideHeight + kernelHeight) * ((outWidth - 1) * strideWidth + kernelWidth) * inChannels;
  if (pass == 0) {
    return (packedFloats(taps * inChannels, outChannels) + packedFloats(1, outChannels) + frame + <usize>outHeight * outWidth +
      (pairsPooled(inChannels, strideHeight, strideWidth) ? 2 * frame : 0)) << 2;
  }
  if (pass == 1) {
    return (packedFloats(taps * outChannels, inChannels) +
      <usize>(inHeight - 1 + kernelHeight) * (inWidth - 1 + kernelWidth) * outChannels + <usize>inHeight * inWidth) << 2;
  }
  return (packedFloats(outHeight * outWidth, outChannels) + frame) << 2;
}

/** Scratch bytes of the three passes: the most any of them needs. */
export function conv2dScratchBytes(
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): usize {
  let most: usize = 0;
  for (let pass = 0; pass < 3; pass++) {
    most = max(most, conv2dPassScratchBytes(pass, batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
      kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft));
  }
  return most;
}

export function conv2dForward(
  x: usize, filter: usize, bias: usize, y: usize, scratch: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  forward(x, filter, bias, y, 0, scratch, activation, batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft, false);
}

/**
 * conv2dForward followed by a 2×2 max pooling at stride 2 (maxPoolForward's, for outChannels a
 * multiple of 4), without the convolution's output: each register tile takes the 4 outputs of one
 * pooling window and stores their maximum to y ([batch, outHeight / 2, outWidth / 2, outChannels],
 * rounded down) and, when argmax ≠ 0, where it lies, as maxPoolForward does: the same bits.
 */
export function conv2dForwardMaxPool(
  x: usize, filter: usize, bias: usize, y: usize, argmax: usize, scratch: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  if (outChannels & 3) unreachable(); // each window stores whole f32x4 of channels
  forward(x, filter, bias, y, argmax, scratch, activation, batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft, true);
}

/** The filter and bias packed into scratch, then the convolution, pooled or not. */
// @ts-ignore: decorator
@inline function forward(
  x: usize, filter: usize, bias: usize, y: usize, argmax: usize, scratch: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32, pooled: bool,
): void {
  const patch = kernelHeight * kernelWidth * inChannels;
  const panels = scratch;
  const biasPanel = panels + (packedFloats(patch, outChannels) << 2);
  const frame = biasPanel + (packedFloats(1, outChannels) << 2);
  packPanels(filter, patch, outChannels, <usize>outChannels << 2, 4, panels, patch);
  if (bias) packPanels(bias, 1, outChannels, 0, 4, biasPanel, 1);
  convolve(x, panels, bias ? biasPanel : 0, y, frame, activation,
    batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
    kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft, 1, 1, pooled, argmax);
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
  // With whole panels of output channels and a small patch, dy's rows are read in place as the
  // panels: packing them costs a pass over dy that few taps do not repay (16–32 taps: 1.07–1.25×
  // faster in place; 64–144 about even; 576 on 56×56×64 maps: packed 1.27× faster).
  const inPlace = outChannels % PANEL_COLS == 0 && patch < 64;
  const panelStep: usize = inPlace ? dFilterRowBytes : PANEL_COLS << 2;
  const nextPanel: usize = inPlace ? PANEL_COLS << 2 : panelBytes;
  const chunk = chunkRows(outHeight, outWidth, outChannels, kernelHeight, strideHeight, frameRowBytes);
  if (batch == 0) fill(dFilter, patch * outChannels, 0);
  for (let b = 0; b < batch; b++) {
    const source = frameImage(x + <usize>b * imageBytes, inHeight, inWidth, inChannels,
      frame, frameHeight, frameWidth, inChannels, padTop, padLeft, 1, 1, b > 0);
    const dyImage = dy + <usize>b * dyImageBytes;
    if (!inPlace) packPanels(dyImage, positions, outChannels, dFilterRowBytes, 4, dyPanels, positions);
    const panels = inPlace ? dyImage : dyPanels;
    // Images add up in batch order, and a large image's chunks of rows in row order: the first
    // overwrites dFilter, the others accumulate.
    for (let oy = 0; oy < outHeight; oy += chunk) {
      const rows = min(chunk, outHeight - oy);
      const rowsSource = source + <usize>(oy * strideHeight) * frameRowBytes;
      const rowsPanels = panels + <usize>(oy * outWidth) * panelStep;
      for (let tap = 0; tap < patch; tap += TILE_ROWS) {
        const last = min(tap + TILE_ROWS, patch) - 1;
        const a0 = tapAt(rowsSource, tap, kernelRow, frameRowBytes);
        const a1 = tapAt(rowsSource, min(tap + 1, last), kernelRow, frameRowBytes);
        const a2 = tapAt(rowsSource, min(tap + 2, last), kernelRow, frameRowBytes);
        const a3 = tapAt(rowsSource, min(tap + 3, last), kernelRow, frameRowBytes);
        for (let q = 0; q < panelCount(outChannels); q++) {
          multiplyTile(a0, a1, a2, a3, rows, outWidth, (<usize>strideWidth * inChannels) << 2, <usize>strideHeight * frameRowBytes,
            rowsPanels + <usize>q * nextPanel, dFilter + <usize>tap * dFilterRowBytes + ((<usize>q * PANEL_COLS) << 2), dFilterRowBytes,
            last - tap + 1, min(PANEL_COLS, outChannels - q * PANEL_COLS), 0, FUSED_NONE, b > 0 || oy > 0, panelStep);
        }
      }
    }
  }
  if (dBias) sumRows(dy, batch * positions, outChannels, dBias);
}

/** What a chunk of the backward filter's rows may read (its frame rows and its dy): about a quarter of L2. */
const CHUNK_BYTES: usize = 256 * 1024;

/**
 * Output rows the backward filter takes at a time: all of them when what they read fits
 * CHUNK_BYTES (so small images sum as one run), else as many as fit (at least one). Every tap and
 * panel walks a chunk before the next starts, so a large image is read from L2, not from memory,
 * for each of them.
 */
function chunkRows(outHeight: i32, outWidth: i32, outChannels: i32, kernelHeight: i32, strideHeight: i32, frameRowBytes: usize): i32 {
  // A chunk of `rows` reads (rows − 1)·strideHeight + kernelHeight frame rows and rows·outWidth dy rows.
  const perRow = <usize>strideHeight * frameRowBytes + ((<usize>outWidth * outChannels) << 2);
  const fixed = <usize>max(0, kernelHeight - strideHeight) * frameRowBytes; // (a kernel shorter than its stride: a little over)
  const fitting = CHUNK_BYTES > fixed ? <i32>((CHUNK_BYTES - fixed) / perRow) : 0;
  return max(1, min(outHeight, fitting));
}

/**
 * y = act(x ⋆ filter (+ bias)) with the filter packed in panels ([patch, outChannels]) and bias
 * packed in one panel row (or 0). Input pixels are spread (spacingHeight, spacingWidth) apart in the
 * frame; the frame is followed by a table of window offsets (one u32 per output position). When
 * pooled, y (and argmax) take the 2×2 max pooling of the output instead (conv2dForwardMaxPool).
 */
function convolve(
  x: usize, panels: usize, bias: usize, y: usize, frame: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
  spacingHeight: i32, spacingWidth: i32, pooled: bool = false, argmax: usize = 0,
): void {
  const positions = outHeight * outWidth;
  const frameHeight = (outHeight - 1) * strideHeight + kernelHeight;
  const frameWidth = (outWidth - 1) * strideWidth + kernelWidth;
  const frameRowBytes = (<usize>frameWidth * inChannels) << 2;
  const panelBytes = (<usize>kernelHeight * kernelWidth * inChannels * PANEL_COLS) << 2;
  const yRowBytes = <usize>outChannels << 2;
  const imageBytes = (<usize>inHeight * inWidth * inChannels) << 2;
  const paired = pooled && spacingHeight == 1 && spacingWidth == 1 && pairsPooled(inChannels, strideHeight, strideWidth);
  // Where each output's window starts, relative to the frame: the same for every image. Row pairs
  // (convolvePairs) find their windows without it, and building it is paid per call, so per slice
  // of a job (16 slices a batch on two threads).
  const windows = frame + ((<usize>frameHeight * frameWidth * inChannels) << 2);
  if (!paired) {
    for (let p = 0; p < positions; p++) {
      store<u32>(windows + (<usize>p << 2), windowAt(p, outWidth, strideHeight, strideWidth, frameRowBytes, inChannels));
    }
  }
  for (let b = 0; b < batch; b++) {
    const source = frameImage(x + <usize>b * imageBytes, inHeight, inWidth, inChannels,
      frame, frameHeight, frameWidth, inChannels, padTop, padLeft, spacingHeight, spacingWidth, b > 0);
    if (paired) {
      const pairs = windows + (<usize>positions << 2);
      pairRows(source, frameHeight, frameWidth, pairs);
      convolvePairs(pairs, panels, bias, y, argmax, activation, b, outHeight, outWidth, outChannels,
        kernelHeight, kernelWidth, <usize>frameWidth << 3, panelBytes);
      continue;
    }
    if (pooled) {
      convolvePooled(source, windows, panels, bias, y, argmax, activation, b, outHeight, outWidth, outChannels,
        kernelHeight, kernelWidth * inChannels, frameRowBytes, panelBytes);
      continue;
    }
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

/** Image b of convolve's pooled output: one register tile per pooling window and panel. */
function convolvePooled(
  source: usize, windows: usize, panels: usize, bias: usize, y: usize, argmax: usize, activation: i32,
  b: i32, outHeight: i32, outWidth: i32, outChannels: i32, kernelHeight: i32, runLength: i32, frameRowBytes: usize, panelBytes: usize,
): void {
  const pooledHeight = outHeight >> 1, pooledWidth = outWidth >> 1;
  const rowBytes = <usize>outChannels << 2;
  const image = <usize>b * pooledHeight * pooledWidth * rowBytes;
  const belowBytes = <usize>outWidth << 2; // from a window's entry in the table to the one below it
  for (let py = 0; py < pooledHeight; py++) {
    for (let px = 0; px < pooledWidth; px++) {
      const first = windows + ((<usize>(2 * py * outWidth + 2 * px)) << 2);
      const a0 = source + load<u32>(first), a1 = source + load<u32>(first, 4);
      const a2 = source + load<u32>(first + belowBytes), a3 = source + load<u32>(first + belowBytes, 4);
      const at = image + <usize>(py * pooledWidth + px) * rowBytes;
      // The pooling's argmax indexes its input, the convolution's output: image b's pixel (2py, 2px).
      const index = ((b * outHeight + 2 * py) * outWidth + 2 * px) * outChannels;
      for (let q = 0; q < panelCount(outChannels); q++) {
        const column = <usize>q * PANEL_COLS << 2;
        multiplyTile(a0, a1, a2, a3, kernelHeight, runLength, 4, frameRowBytes, panels + <usize>q * panelBytes, y + at + column, 0,
          TILE_ROWS, min(PANEL_COLS, outChannels - q * PANEL_COLS), bias ? bias + column : 0, activation, false, PANEL_COLS << 2,
          true, argmax ? argmax + at + column : 0, index + q * PANEL_COLS, outChannels, outWidth * outChannels);
      }
    }
  }
}

/**
 * Whether a pooled forward pass reads its frame as row pairs (convolvePairs): one input channel
 * (a first layer's grey images) at stride 1.
 */
// @ts-ignore: decorator
@inline function pairsPooled(inChannels: i32, strideHeight: i32, strideWidth: i32): bool {
  return inChannels == 1 && strideHeight == 1 && strideWidth == 1;
}

/**
 * A one-channel frame [frameHeight, frameWidth] as row pairs: pairs[fy][fx] = (frame[fy][fx],
 * frame[fy + 1][fx]) for fy < frameHeight − 1, so that a pooling window's four outputs read their
 * taps at fixed offsets from one pointer (here 0, below 4, right 8, below right 12 bytes).
 */
function pairRows(frame: usize, frameHeight: i32, frameWidth: i32, pairs: usize): void {
  const rowBytes = <usize>frameWidth << 2;
  for (let fy = 0; fy < frameHeight - 1; fy++) {
    const top = frame + <usize>fy * rowBytes, to = pairs + <usize>fy * (rowBytes << 1);
    let fx = 0;
    for (; fx + 4 <= frameWidth; fx += 4) {
      const here = v128.load(top + (<usize>fx << 2)), below = v128.load(top + rowBytes + (<usize>fx << 2));
      v128.store(to + (<usize>fx << 3), v128.shuffle<f32>(here, below, 0, 4, 1, 5));
      v128.store(to + (<usize>fx << 3), v128.shuffle<f32>(here, below, 2, 6, 3, 7), 16);
    }
    for (; fx < frameWidth; fx++) {
      store<f32>(to + (<usize>fx << 3), load<f32>(top + (<usize>fx << 2)));
      store<f32>(to + (<usize>fx << 3), load<f32>(top + rowBytes + (<usize>fx << 2)), 4);
    }
  }
}

/**
 * Image b of convolve's pooled output for one input channel at stride 1, its frame read as row pairs
 * (pairRows, rows pairRowBytes apart): the same register tile per pooling window and panel as
 * convolvePooled, the same sums in the same order (taps in filter order), with one pointer for the
 * window's four outputs instead of four.
 */
function convolvePairs(
  pairs: usize, panels: usize, bias: usize, y: usize, argmax: usize, activation: i32,
  b: i32, outHeight: i32, outWidth: i32, outChannels: i32, kernelHeight: i32, kernelWidth: i32, pairRowBytes: usize, panelBytes: usize,
): void {
  const pooledHeight = outHeight >> 1, pooledWidth = outWidth >> 1;
  const rowBytes = <usize>outChannels << 2;
  const image = <usize>b * pooledHeight * pooledWidth * rowBytes;
  const runBytes = <usize>kernelWidth * (PANEL_COLS << 2);
  const runGap = pairRowBytes - (<usize>kernelWidth << 3);
  const rightStep = i32x4.splat(outChannels), belowStep = i32x4.splat(outWidth * outChannels);
  for (let py = 0; py < pooledHeight; py++) {
    for (let px = 0; px < pooledWidth; px++) {
      const window = pairs + <usize>(2 * py) * pairRowBytes + (<usize>(2 * px) << 3);
      const at = image + <usize>(py * pooledWidth + px) * rowBytes;
      // The pooling's argmax indexes its input, the convolution's output: image b's pixel (2py, 2px).
      const index = ((b * outHeight + 2 * py) * outWidth + 2 * px) * outChannels;
      for (let q = 0; q < panelCount(outChannels); q++) {
        const column = <usize>q * PANEL_COLS << 2;
        // Rows: here (c0·), right (c1·), below (c2·), below right (c3·), as convolvePooled's tile.
        let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        let x = window;
        let p = panels + <usize>q * panelBytes;
        for (let ky = 0; ky < kernelHeight; ky++) {
          for (const runEnd = p + runBytes; p < runEnd; p += PANEL_COLS << 2) {
            const b0 = v128.load(p), b1 = v128.load(p, 16);
            let v = v128.load32_splat(x);
            c00 = multiplyAdd(v, b0, c00);
            c01 = multiplyAdd(v, b1, c01);
            v = v128.load32_splat(x, 8);
            c10 = multiplyAdd(v, b0, c10);
            c11 = multiplyAdd(v, b1, c11);
            v = v128.load32_splat(x, 4);
            c20 = multiplyAdd(v, b0, c20);
            c21 = multiplyAdd(v, b1, c21);
            v = v128.load32_splat(x, 12);
            c30 = multiplyAdd(v, b0, c30);
            c31 = multiplyAdd(v, b1, c31);
            x += 8;
          }
          x += runGap;
        }
        const cols = min(PANEL_COLS, outChannels - q * PANEL_COLS);
        if (bias) {
          const low = v128.load(bias + column), high = v128.load(bias + column, 16);
          c00 = f32x4.add(c00, low);
          c01 = f32x4.add(c01, high);
          c10 = f32x4.add(c10, low);
          c11 = f32x4.add(c11, high);
          c20 = f32x4.add(c20, low);
          c21 = f32x4.add(c21, high);
          c30 = f32x4.add(c30, low);
          c31 = f32x4.add(c31, high);
        }
        c00 = fusedActivation4(c00, activation);
        c01 = fusedActivation4(c01, activation);
        c10 = fusedActivation4(c10, activation);
        c11 = fusedActivation4(c11, activation);
        c20 = fusedActivation4(c20, activation);
        c21 = fusedActivation4(c21, activation);
        c30 = fusedActivation4(c30, activation);
        c31 = fusedActivation4(c31, activation);
        const to = y + at + column;
        v128.store(to, windowMax(c00, c10, c20, c30));
        if (argmax) v128.store(argmax + at + column, windowArgmax(laneIndices(index + q * PANEL_COLS), rightStep, belowStep, c00, c10, c20, c30));
        if (cols > 4) {
          v128.store(to, windowMax(c01, c11, c21, c31), 16);
          if (argmax) v128.store(argmax + at + column, windowArgmax(laneIndices(index + q * PANEL_COLS + 4), rightStep, belowStep, c01, c11, c21, c31), 16);
        }
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
