// 2-D convolution (NHWC, filters [kernelHeight, kernelWidth, inChannels, outChannels]) as matrix
// products. The patches under the windows of a chunk of output positions are copied into scratch
// as the rows of an im2col matrix col [positions, patch], patch = kernelHeight·kernelWidth·inChannels;
// the filter is already a [patch, outChannels] matrix. Then
//   forward:         y = col·filter (+ bias)
//   backward input:  dcol = dy·filterᵀ, scattered back onto dx (col2im)
//   backward filter: dFilter = Σ over chunks colᵀ·dy;  dBias = Σ over positions dy
// Chunk sizes depend only on the geometry, so every sum runs in a fixed order and results are
// bit-reproducible. A 1×1, stride-1, unpadded convolution skips im2col: x is its own col.
import { matMul } from './gemm';
import { add, addBias, fill, reluForward, sumRows } from './elementwise';

/** conv2dForward's `activation` codes. */
const RELU = 1;

/** Floats of im2col per chunk (256 KB): a chunk stays in L2 between its copy and its product. */
const CHUNK_FLOATS = 65536;

/** Output positions per chunk: a multiple of the product's 4-row tile, at least one tile. */
function chunkPositions(patch: i32, positions: i32): i32 {
  return min(positions, max(4, (CHUNK_FLOATS / patch) & ~3));
}

function isPointwise(
  inHeight: i32, inWidth: i32, outHeight: i32, outWidth: i32, kernelHeight: i32, kernelWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): bool {
  return kernelHeight == 1 && kernelWidth == 1 && strideHeight == 1 && strideWidth == 1 &&
    padTop == 0 && padLeft == 0 && outHeight == inHeight && outWidth == inWidth;
}

/** Scratch holds filterᵀ (backward input only) followed by one chunk of im2col. */
export function conv2dScratchBytes(
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): usize {
  const patch = kernelHeight * kernelWidth * inChannels;
  const chunk = chunkPositions(patch, batch * outHeight * outWidth);
  return (<usize>patch * outChannels + <usize>chunk * patch) << 2;
}

export function conv2dForward(
  x: usize, filter: usize, bias: usize, y: usize, scratch: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const patch = kernelHeight * kernelWidth * inChannels;
  const positions = batch * outHeight * outWidth;
  const chunk = chunkPositions(patch, positions);
  const pointwise = isPointwise(inHeight, inWidth, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft);
  for (let first = 0; first < positions; first += chunk) {
    const count = min(chunk, positions - first);
    let col = scratch;
    if (pointwise) col = x + ((<usize>first * inChannels) << 2);
    else im2col(x, col, first, count, inHeight, inWidth, inChannels, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft);
    const yChunk = y + ((<usize>first * outChannels) << 2);
    matMul(col, filter, yChunk, count, patch, outChannels, 0, 0, 0);
    if (bias) addBias(yChunk, bias, count, outChannels);
    if (activation == RELU) reluForward(yChunk, yChunk, count * outChannels);
  }
}

export function conv2dBackwardInput(
  dy: usize, filter: usize, dx: usize, scratch: usize,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const patch = kernelHeight * kernelWidth * inChannels;
  const positions = batch * outHeight * outWidth;
  const chunk = chunkPositions(patch, positions);
  const pointwise = isPointwise(inHeight, inWidth, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft);
  // The product reads filterᵀ from scratch: reading the filter transposed in place is twice as slow.
  const filterT = scratch;
  const col = scratch + ((<usize>patch * outChannels) << 2);
  transpose(filter, filterT, patch, outChannels);
  // col2im adds into dx, and input pixels under no window get no gradient.
  if (!pointwise) fill(dx, batch * inHeight * inWidth * inChannels, 0);
  for (let first = 0; first < positions; first += chunk) {
    const count = min(chunk, positions - first);
    const dyChunk = dy + ((<usize>first * outChannels) << 2);
    if (pointwise) {
      matMul(dyChunk, filterT, dx + ((<usize>first * inChannels) << 2), count, outChannels, patch, 0, 0, 0);
    } else {
      matMul(dyChunk, filterT, col, count, outChannels, patch, 0, 0, 0);
      col2im(dx, col, first, count, inHeight, inWidth, inChannels, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft);
    }
  }
}

export function conv2dBackwardFilter(
  x: usize, dy: usize, dFilter: usize, dBias: usize, scratch: usize,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const patch = kernelHeight * kernelWidth * inChannels;
  const positions = batch * outHeight * outWidth;
  const chunk = chunkPositions(patch, positions);
  const pointwise = isPointwise(inHeight, inWidth, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft);
  if (positions == 0) fill(dFilter, patch * outChannels, 0);
  for (let first = 0; first < positions; first += chunk) {
    const count = min(chunk, positions - first);
    let col = scratch;
    if (pointwise) col = x + ((<usize>first * inChannels) << 2);
    else im2col(x, col, first, count, inHeight, inWidth, inChannels, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft);
    const dyChunk = dy + ((<usize>first * outChannels) << 2);
    // Chunks add up in position order: the first overwrites dFilter, the others accumulate.
    matMul(col, dyChunk, dFilter, patch, count, outChannels, 1, 0, first > 0 ? 1 : 0);
  }
  if (dBias) sumRows(dy, positions, outChannels, dBias);
}

function im2col(
  x: usize, col: usize, first: i32, count: i32, inHeight: i32, inWidth: i32, inChannels: i32,
  outHeight: i32, outWidth: i32, kernelHeight: i32, kernelWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  walkPatches(x, col, first, count, inHeight, inWidth, inChannels, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft, false);
}

function col2im(
  x: usize, col: usize, first: i32, count: i32, inHeight: i32, inWidth: i32, inChannels: i32,
  outHeight: i32, outWidth: i32, kernelHeight: i32, kernelWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  walkPatches(x, col, first, count, inHeight, inWidth, inChannels, outHeight, outWidth, kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft, true);
}

/**
 * Walks the windows of output positions [first, first + count): row r of col is the patch of
 * position first + r, laid out [kernelHeight, kernelWidth, inChannels]. Gathering copies x into col,
 * with zeros where the window hangs over the padding; scattering adds col back onto x. Inlined
 * with a constant `scatter`, so each caller gets its own loop.
 */
@inline
function walkPatches(
  x: usize, col: usize, first: i32, count: i32, inHeight: i32, inWidth: i32, inChannels: i32,
  outHeight: i32, outWidth: i32, kernelHeight: i32, kernelWidth: i32,
  strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32, scatter: bool,
): void {
  const kernelRow = kernelWidth * inChannels; // floats of one kernel row in a patch
  const patchBytes = (<usize>kernelHeight * kernelRow) << 2;
  const imageBytes = (<usize>inHeight * inWidth * inChannels) << 2;
  const outPerImage = outHeight * outWidth;
  let image = <usize>(first / outPerImage);
  let outY = (first % outPerImage) / outWidth;
  let outX = first % outWidth;
  let patch = col;
  for (let r = 0; r < count; r++) {
    const top = outY * strideHeight - padTop;
    const left = outX * strideWidth - padLeft;
    // Kernel columns [kx0, kx1) fall inside the input; in x they are one contiguous run.
    const kx0 = max(0, -left);
    const kx1 = min(kernelWidth, inWidth - left);
    const run = (kx1 - kx0) * inChannels;
    for (let ky = 0; ky < kernelHeight; ky++) {
      const iy = top + ky;
      const segment = patch + ((<usize>ky * kernelRow) << 2);
      if (iy < 0 || iy >= inHeight || run <= 0) {
        if (!scatter) fill(segment, kernelRow, 0);
        continue;
      }
      const inside = segment + ((<usize>kx0 * inChannels) << 2);
      const pixels = x + image * imageBytes + ((<usize>(iy * inWidth + left + kx0) * inChannels) << 2);
      if (scatter) {
        add(pixels, inside, pixels, run);
      } else {
        fill(segment, kx0 * inChannels, 0);
        copy(inside, pixels, run);
        fill(inside + (<usize>run << 2), (kernelWidth - kx1) * inChannels, 0);
      }
    }
    patch += patchBytes;
    if (++outX == outWidth) {
      outX = 0;
      if (++outY == outHeight) {
        outY = 0;
        image++;
      }
    }
  }
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

/** to[c, r] = from[r, c] for a [rows, cols] matrix. */
function transpose(from: usize, to: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      store<f32>(to + ((<usize>c * rows + r) << 2), load<f32>(from + ((<usize>r * cols + c) << 2)));
    }
  }
}
