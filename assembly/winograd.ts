// Winograd convolution F(4×4, r×r) for stride-1 convolutions (NHWC), r = 3 (α = 6, 36 products per
// 16 outputs instead of 144) and r = 5 (α = 8, 64 instead of 400). With the output split in 4×4
// tiles, each tile's α×α input patch d and each filter g (per input and output channel) are moved
// to a transformed domain where the convolution is an elementwise product, summed over the input
// channels, and moved back:
//   y(tile) = Aᵀ·[Σ over ci of (G·g[ci, co]·Gᵀ) ⊙ (Bᵀ·d[ci]·B)]·A
// The sum over input channels at each of the α² positions is a matrix product, [tiles × inChannels]
// · [inChannels × outChannels], run on a register tile of 4 tiles × 8 output channels as the
// convolutions' (register-tile.ts), over blocks laid out in groups of 4 tiles (multiplyBlock). The
// transforms are straight-line f32x4 code over 4 channels at a time (winograd-transforms.ts).
//   forward:        the filter is transformed once per call (winogradFilterTransform), then each
//                   image is framed with its padding (channels padded to a multiple of 4), its
//                   tiles transformed into a block, multiplied position by position, transformed
//                   back with bias and activation on the way out.
//   backward input: the same with dy as the image and the filter turned 180° with its channel axes
//                   swapped (transformed with turned = 1), as the direct kernel does.
//   backward filter: the transpose, dFilter = Gᵀ·[Σ over tiles of (A·dy·Aᵀ) ⊙ (Bᵀ·d·B)]·G: the sum
//                   over tiles taken in the transformed domain, per position [inChannels × tiles] ·
//                   [tiles × outChannels], then Gᵀ·…·G once per call.
// Tiles are taken in batch order in blocks sized by the channel counts alone; every output depends on
// its own tile and every sum runs in a fixed order (input channels in order, then the fixed
// transforms), so the bits do not depend on how a batch is split between threads.
import { FUSED_NONE, FUSED_RELU, FUSED_RELU6 } from './fused-activation';
import { frameImage } from './image-frame';
import { laneIndices, windowArgmax, windowMax } from './max-window';
import { PANEL_COLS, TILE_ROWS, multiplyTile, panelCount } from './register-tile';
import { fill, sumRows } from './elementwise';
import { multiplyAdd } from './multiply-add';
import {
  WINOGRAD_TILE, filterGradientTransform, filterTransform, gradientTransform, inputColumns, inputRows, outputTransform, storeLanes,
} from './winograd-transforms';

/** Scratch a block of tiles may take (its transformed inputs and products): about a quarter of L2. */
const BLOCK_BYTES = 192 * 1024;
/** The same for the backward filter, whose blocks are walked position by position. */
const GRADIENT_BLOCK_BYTES = 1024 * 1024;

// @ts-ignore: decorator
@inline function roundUp4(n: i32): i32 {
  return (n + 3) & ~3;
}

// @ts-ignore: decorator
@inline function tileCount(size: i32): i32 {
  return (size + WINOGRAD_TILE - 1) / WINOGRAD_TILE;
}

/** Positions of the transformed domain for a kernel side r: α² with α = 4 + r − 1. */
// @ts-ignore: decorator
@inline function positionCount(kernelSize: i32): i32 {
  const alpha = WINOGRAD_TILE + kernelSize - 1;
  return alpha * alpha;
}

/** Tiles per block: as many as fit BLOCK_BYTES, a multiple of the register tile's rows. */
function blockTiles(positions: i32, inChannels4: i32, outChannels8: i32): i32 {
  const fit = (BLOCK_BYTES >> 2) / (positions * (inChannels4 + outChannels8));
  return max(TILE_ROWS, fit & ~(TILE_ROWS - 1));
}

/** Bytes of a transformed filter: [position][panel of 8 output channels][input channel (padded to 4)][8]. */
export function winogradFilterBytes(kernelSize: i32, inChannels: i32, outChannels: i32): usize {
  return (<usize>positionCount(kernelSize) * panelCount(outChannels) * roundUp4(inChannels) * PANEL_COLS) << 2;
}

/** Scratch bytes of winogradFilterTransform. */
export function winogradFilterScratchBytes(kernelSize: i32): usize {
  return <usize>(kernelSize * kernelSize + (WINOGRAD_TILE + kernelSize - 1) * kernelSize) << 4;
}

/**
 * U = G·g·Gᵀ for every (input channel, output channel) of a [r, r, inChannels, outChannels] filter,
 * packed for the products (zero past the last channel of either kind). turned = 1 transforms the
 * filter of the backward-input pass instead: g turned 180° with its channel axes swapped, so that
 * its input channels are the filter's outputs (and its size winogradFilterBytes(r, outChannels, inChannels)).
 */
export function winogradFilterTransform(
  filter: usize, transformed: usize, scratch: usize, kernelSize: i32, inChannels: i32, outChannels: i32, turned: i32,
): void {
  winogradFilterTransformInputs(filter, transformed, scratch, kernelSize, inChannels, outChannels, turned, 0,
    roundUp4(turned ? outChannels : inChannels));
}

/**
 * winogradFilterTransform for the transformed convolution's input channels first … first + count − 1
 * alone (of roundUp4 of its input channels): each writes its own part of `transformed`, so threads
 * may share a transform by input channels and write the same bits.
 */
export function winogradFilterTransformInputs(
  filter: usize, transformed: usize, scratch: usize, kernelSize: i32, inChannels: i32, outChannels: i32, turned: i32,
  first: i32, count: i32,
): void {
  const r = kernelSize;
  const alpha = WINOGRAD_TILE + r - 1;
  // The transformed convolution's channels, and the byte steps of its filter along them.
  const ins = turned ? outChannels : inChannels;
  const outs = turned ? inChannels : outChannels;
  const inStride: usize = turned ? 4 : <usize>outChannels << 2;
  const outStride: usize = turned ? <usize>outChannels << 2 : 4;
  const tapBytes = (<usize>inChannels * outChannels) << 2;
  const ins4 = roundUp4(ins);
  const panelBytes = (<usize>ins4 * PANEL_COLS) << 2;
  const positionBytes = <usize>panelCount(outs) * panelBytes;
  // Scratch: the r×r taps, then the α×r half-transformed filter, 4 lanes each.
  const taps = scratch;
  const half = scratch + (<usize>(r * r) << 4);
  for (let a = first; a < first + count; a++) {
    for (let b = 0; b < panelCount(outs) * PANEL_COLS; b += 4) {
      // Tap (ky, kx) of the transformed convolution's filter for input a and outputs b … b + 3 (0 past the ends).
      for (let t = 0; t < r * r; t++) {
        const source = turned ? r * r - 1 - t : t;
        let v = f32x4.splat(0);
        if (a < ins) {
          const at = filter + <usize>source * tapBytes + <usize>a * inStride + <usize>b * outStride;
          if (b < outs) v = f32x4.replace_lane(v, 0, load<f32>(at));
          if (b + 1 < outs) v = f32x4.replace_lane(v, 1, load<f32>(at + outStride));
          if (b + 2 < outs) v = f32x4.replace_lane(v, 2, load<f32>(at + 2 * outStride));
          if (b + 3 < outs) v = f32x4.replace_lane(v, 3, load<f32>(at + 3 * outStride));
        }
        v128.store(taps + (<usize>t << 4), v);
      }
      const column = transformed + <usize>(b / PANEL_COLS) * panelBytes + ((<usize>a * PANEL_COLS + (b & (PANEL_COLS - 1))) << 2);
      filterTransform(r, taps, column, positionBytes, half);
    }
  }
}

/** Bytes of scratch one pass's conv2dWinograd kernel needs (CONV2D_PASS: 0 forward, 1 backward input, 2 backward filter). */
export function conv2dWinogradPassScratchBytes(
  pass: i32, batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): usize {
  if (pass == 0) return convolveScratchBytes(inChannels, outHeight, outWidth, outChannels, kernelHeight);
  if (pass == 1) return convolveScratchBytes(outChannels, inHeight, inWidth, inChannels, kernelHeight);
  return gradientScratchBytes(inChannels, outHeight, outWidth, outChannels, kernelHeight);
}

/** Bytes of scratch the three conv2dWinograd kernels need at most for this geometry. */
export function conv2dWinogradScratchBytes(
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): usize {
  let most: usize = 0;
  for (let pass = 0; pass < 3; pass++) {
    most = max(most, conv2dWinogradPassScratchBytes(pass, batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels,
      kernelHeight, kernelWidth, strideHeight, strideWidth, padTop, padLeft));
  }
  return most;
}

/** y = act(x ⋆ filter (+ bias)), the filter transformed by winogradFilterTransform(…, turned = 0). */
export function conv2dWinogradForward(
  x: usize, transformed: usize, bias: usize, y: usize, scratch: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  convolve(x, transformed, bias, y, scratch, activation,
    batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, kernelHeight, padTop, padLeft);
}

/**
 * conv2dWinogradForward followed by a 2×2 max pooling at stride 2 (outChannels a multiple of 4), as
 * conv2dForwardMaxPool (conv2d.ts): each tile's 4×4 outputs pooled on their way out (tiles start on
 * even rows and columns, so no window straddles two), y and argmax as maxPoolForward writes them.
 */
export function conv2dWinogradForwardMaxPool(
  x: usize, transformed: usize, bias: usize, y: usize, argmax: usize, scratch: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  if (outChannels & 3) unreachable(); // each window stores whole f32x4 of channels
  convolve(x, transformed, bias, y, scratch, activation,
    batch, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, kernelHeight, padTop, padLeft, true, argmax);
}

/**
 * dx from dy, the filter transformed by winogradFilterTransform(…, turned = 1): the forward pass of
 * dy, framed so that output (oy, ox) sits at (oy + r − 1 − padTop, ox + r − 1 − padLeft).
 */
export function conv2dWinogradBackwardInput(
  dy: usize, transformed: usize, dx: usize, scratch: usize,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  convolve(dy, transformed, 0, dx, scratch, FUSED_NONE,
    batch, outHeight, outWidth, outChannels, inHeight, inWidth, inChannels,
    kernelHeight, kernelHeight - 1 - padTop, kernelWidth - 1 - padLeft);
}

function convolveScratchBytes(inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32, kernelSize: i32): usize {
  const positions = positionCount(kernelSize);
  const ins4 = roundUp4(inChannels), outs8 = panelCount(outChannels) * PANEL_COLS;
  const frame = <usize>(tileCount(outHeight) * WINOGRAD_TILE + kernelSize - 1) * (tileCount(outWidth) * WINOGRAD_TILE + kernelSize - 1) * ins4;
  const block = <usize>(blockTiles(positions, ins4, outs8) / TILE_ROWS) * (groupFloats(positions, ins4) + groupFloats(positions, outs8));
  const strip = <usize>(WINOGRAD_TILE + kernelSize - 1) * (tileCount(outWidth) * WINOGRAD_TILE + kernelSize - 1) * ins4;
  // temp: the transforms' α² vectors, then a pooled pass's 4×4 tile of 4 channels; then a row of tiles' strip.
  return (frame + block + (<usize>positions << 2) + (WINOGRAD_TILE * WINOGRAD_TILE << 2) + strip) << 2;
}

/**
 * The stride-1 convolution of x (padded by padTop, padLeft; pads may be negative) with a transformed
 * filter, through blocks of tiles: transform in, multiply per position, transform out. When pooled,
 * y (and argmax) take the output's 2×2 max pooling instead (conv2dWinogradForwardMaxPool).
 */
function convolve(
  x: usize, transformed: usize, bias: usize, y: usize, scratch: usize, activation: i32,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelSize: i32, padTop: i32, padLeft: i32, pooled: bool = false, argmax: usize = 0,
): void {
  const alpha = WINOGRAD_TILE + kernelSize - 1;
  const positions = alpha * alpha;
  const ins4 = roundUp4(inChannels), outs8 = panelCount(outChannels) * PANEL_COLS;
  const tilesY = tileCount(outHeight), tilesX = tileCount(outWidth), tiles = tilesY * tilesX;
  const frameHeight = tilesY * WINOGRAD_TILE + kernelSize - 1, frameWidth = tilesX * WINOGRAD_TILE + kernelSize - 1;
  const block = blockTiles(positions, ins4, outs8);
  const frame = scratch;
  const transformedIn = frame + ((<usize>frameHeight * frameWidth * ins4) << 2);
  const groupInBytes = groupFloats(positions, ins4) << 2;
  const inPositionBytes = positionFloats(ins4) << 2;
  const products = transformedIn + <usize>(block / TILE_ROWS) * groupInBytes;
  const temp = products + ((<usize>(block / TILE_ROWS) * groupFloats(positions, outs8)) << 2);
  const frameRowBytes = (<usize>frameWidth * ins4) << 2;
  const imageBytes = (<usize>inHeight * inWidth * inChannels) << 2;
  // The input transform's first pass once per column of a row of tiles (inputStrip), not once per tile.
  const strip = temp + ((<usize>positions + WINOGRAD_TILE * WINOGRAD_TILE) << 4);
  const stripRowBytes = <usize>frameWidth << 4, stripChannelsBytes = <usize>alpha * stripRowBytes;
  let filled = 0;
  let first = 0; // the batch-wide index of the block's first tile
  for (let b = 0; b < batch; b++) {
    const source = frameImage(x + <usize>b * imageBytes, inHeight, inWidth, inChannels,
      frame, frameHeight, frameWidth, ins4, padTop, padLeft, 1, 1, b > 0);
    for (let t = 0; t < tiles; t++) {
      const ty = t / tilesX, tx = t - ty * tilesX;
      if (tx == 0) inputStrip(alpha, source + <usize>(ty * WINOGRAD_TILE) * frameRowBytes, frameRowBytes, frameWidth, ins4, strip);
      // Tile `filled` is row filled % 4 of its group: ins4 channels at row·ins4 of each position.
      const into = transformedIn + <usize>(filled >> 2) * groupInBytes + ((<usize>(filled & (TILE_ROWS - 1)) * ins4) << 2);
      const half = strip + ((<usize>(tx * WINOGRAD_TILE)) << 4);
      for (let c = 0; c < ins4; c += 4) {
        inputRows(alpha, half + <usize>(c >> 2) * stripChannelsBytes, stripRowBytes, into + (<usize>c << 2), inPositionBytes);
      }
      if (++filled == block) {
        multiplyBlock(transformedIn, transformed, products, filled, positions, inChannels, ins4, outs8);
        transformBlockOut(products, bias, y, temp, activation, first, filled, alpha, tilesX, tiles, outHeight, outWidth, outChannels, outs8, pooled, argmax);
        first += filled;
        filled = 0;
      }
    }
  }
  if (filled > 0) {
    // The last group's rows past the last tile: zeros (their products are computed, never read).
    for (let row = filled; row & (TILE_ROWS - 1); row++) {
      const at = transformedIn + <usize>(row >> 2) * groupInBytes + ((<usize>(row & (TILE_ROWS - 1)) * ins4) << 2);
      for (let p = 0; p < positions; p++) fill(at + <usize>p * inPositionBytes, ins4, 0);
    }
    multiplyBlock(transformedIn, transformed, products, filled, positions, inChannels, ins4, outs8);
    transformBlockOut(products, bias, y, temp, activation, first, filled, alpha, tilesX, tiles, outHeight, outWidth, outChannels, outs8, pooled, argmax);
  }
}

/**
 * The first pass of the input transform (inputColumns) down every column of the α frame rows at
 * `rows` (a row of tiles, whose patches overlap by r − 1 columns), into the strip [ins4 / 4][α][frameWidth][4]:
 * tile tx's patch is then the strip's columns 4·tx … 4·tx + α − 1, for inputRows.
 */
function inputStrip(alpha: i32, rows: usize, frameRowBytes: usize, frameWidth: i32, ins4: i32, strip: usize): void {
  const stripRowBytes = <usize>frameWidth << 4;
  for (let c = 0; c < ins4; c += 4) {
    inputColumns(alpha, rows + (<usize>c << 2), frameRowBytes, <usize>ins4 << 2, frameWidth, strip + <usize>(c >> 2) * alpha * stripRowBytes, stripRowBytes);
  }
}

/**
 * products[tile][position][co] = Σ over ci of transformedIn[tile][position][ci]·U[position][ci][co],
 * for each position a [tiles × inChannels]·[inChannels × outs8] product, 4 tiles × 8 output channels
 * at a time in registers. Both operands lie in groups of 4 tiles (groupFloats, positions
 * positionFloats apart), transformedIn as [group][position][tile of the group][ins4], products as
 * [group][position][co / 8][tile of the group][8], so that a register tile's rows are at fixed
 * offsets from one pointer: a depth step moves two pointers, not five (over a depth of 8–16 channels,
 * those and each tile's setup were much of the time), and a group's outputs are stored at fixed offsets. Each sum runs over ci
 * in order, as multiplyTile's does. The channels that pad inChannels to ins4 hold zeros and are left
 * out. A partial last group computes rows past its last tile (from zeros), stored in its own rows and
 * never read.
 */
function multiplyBlock(
  transformedIn: usize, transformed: usize, products: usize, tiles: i32, positions: i32, inChannels: i32, ins4: i32, outs8: i32,
): void {
  // The rows' offsets are constants of the loads for the common depths.
  if (ins4 == 8) multiplyGroups(transformedIn, transformed, products, tiles, positions, inChannels, 8, outs8);
  else if (ins4 == 16) multiplyGroups(transformedIn, transformed, products, tiles, positions, inChannels, 16, outs8);
  else if (ins4 == 32) multiplyGroups(transformedIn, transformed, products, tiles, positions, inChannels, 32, outs8);
  else if (ins4 == 64) multiplyGroups(transformedIn, transformed, products, tiles, positions, inChannels, 64, outs8);
  else multiplyGroups(transformedIn, transformed, products, tiles, positions, inChannels, ins4, outs8);
}

// @ts-ignore: decorator
@inline function multiplyGroups(
  transformedIn: usize, transformed: usize, products: usize, tiles: i32, positions: i32, inChannels: i32, ins4: i32, outs8: i32,
): void {
  const panels = outs8 / PANEL_COLS;
  const panelBytes = (<usize>ins4 * PANEL_COLS) << 2;
  const groups = (tiles + TILE_ROWS - 1) / TILE_ROWS;
  const inGroupBytes = groupFloats(positions, ins4) << 2;
  const outGroupBytes = groupFloats(positions, outs8) << 2;
  const depthBytes = <usize>inChannels * (PANEL_COLS << 2);
  const inPositionBytes = positionFloats(ins4) << 2, outPositionBytes = positionFloats(outs8) << 2;
  for (let p = 0; p < positions; p++) {
    const aFirst = transformedIn + <usize>p * inPositionBytes;
    const cFirst = products + <usize>p * outPositionBytes;
    for (let q = 0; q < panels; q++) {
      const panel = transformed + <usize>(p * panels + q) * panelBytes;
      const panelEnd = panel + depthBytes;
      let a = aFirst;
      let c = cFirst + (<usize>q << 7);
      for (let g = 0; g < groups; g++) {
        let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
        let x = a;
        for (let b = panel; b < panelEnd; b += PANEL_COLS << 2) {
          const b0 = v128.load(b), b1 = v128.load(b, 16);
          let v = v128.load32_splat(x);
          c00 = multiplyAdd(v, b0, c00);
          c01 = multiplyAdd(v, b1, c01);
          v = rowSplat(x, ins4, 1);
          c10 = multiplyAdd(v, b0, c10);
          c11 = multiplyAdd(v, b1, c11);
          v = rowSplat(x, ins4, 2);
          c20 = multiplyAdd(v, b0, c20);
          c21 = multiplyAdd(v, b1, c21);
          v = rowSplat(x, ins4, 3);
          c30 = multiplyAdd(v, b0, c30);
          c31 = multiplyAdd(v, b1, c31);
          x += 4;
        }
        v128.store(c, c00);
        v128.store(c, c01, 16);
        v128.store(c, c10, 32);
        v128.store(c, c11, 48);
        v128.store(c, c20, 64);
        v128.store(c, c21, 80);
        v128.store(c, c30, 96);
        v128.store(c, c31, 112);
        a += inGroupBytes;
        c += outGroupBytes;
      }
    }
  }
}

/**
 * Moves a block's products back to 4×4 output tiles, adding bias and applying the activation; stores
 * what lies inside y, or when pooled each tile's 2×2 max pooling (and its argmax when ≠ 0).
 */
function transformBlockOut(
  products: usize, bias: usize, y: usize, temp: usize, activation: i32,
  first: i32, count: i32, alpha: i32, tilesX: i32, tiles: i32, outHeight: i32, outWidth: i32, outChannels: i32, outs8: i32,
  pooled: bool, argmax: usize,
): void {
  // One loop per activation, each with its activation inlined as a constant.
  if (activation == FUSED_RELU) {
    transformTilesOut(products, bias, y, temp, FUSED_RELU, first, count, alpha, tilesX, tiles, outHeight, outWidth, outChannels, outs8, pooled, argmax);
  } else if (activation == FUSED_RELU6) {
    transformTilesOut(products, bias, y, temp, FUSED_RELU6, first, count, alpha, tilesX, tiles, outHeight, outWidth, outChannels, outs8, pooled, argmax);
  } else {
    transformTilesOut(products, bias, y, temp, FUSED_NONE, first, count, alpha, tilesX, tiles, outHeight, outWidth, outChannels, outs8, pooled, argmax);
  }
}

// @ts-ignore: decorator
@inline function transformTilesOut(
  products: usize, bias: usize, y: usize, temp: usize, activation: i32,
  first: i32, count: i32, alpha: i32, tilesX: i32, tiles: i32, outHeight: i32, outWidth: i32, outChannels: i32, outs8: i32,
  pooled: bool, argmax: usize,
): void {
  const positions = alpha * alpha;
  const rowBytes = (<usize>outWidth * outChannels) << 2;
  // A pooled pass's tile: 4×4 outputs of 4 channels, past the transforms' temp.
  const tile = temp + (<usize>positions << 4);
  const pooledRowBytes = (<usize>(outWidth >> 1) * outChannels) << 2;
  for (let k = 0; k < count; k++) {
    const index = first + k;
    const b = index / tiles, t = index - b * tiles;
    const ty = t / tilesX, tx = t - ty * tilesX;
    const oy = ty * WINOGRAD_TILE, ox = tx * WINOGRAD_TILE;
    const rows = min(WINOGRAD_TILE, outHeight - oy), cols = min(WINOGRAD_TILE, outWidth - ox);
    // Tile k's products: row k % 4 of its group, 8 channels a block ((c / 8)·128 + row·32 of each position).
    const from = products + ((<usize>(k >> 2) * groupFloats(positions, outs8)) << 2) + (<usize>(k & (TILE_ROWS - 1)) << 5);
    if (pooled) {
      if (rows < 2 || cols < 2) continue; // no window lies wholly inside the output
      const pooledAt = <usize>(b * (outHeight >> 1) + (oy >> 1)) * pooledRowBytes + ((<usize>(ox >> 1) * outChannels) << 2);
      for (let c = 0; c < outChannels; c += 4) {
        const add = bias ? v128.load(bias + (<usize>c << 2)) : f32x4.splat(0);
        if (!argmax) {
          // Inference: pooled in registers, without the tile's round trip through memory.
          outputTransform(alpha, from + groupColumn(c), positionFloats(outs8) << 2, temp, add, activation,
            y + pooledAt + (<usize>c << 2), pooledRowBytes, <usize>outChannels << 2, rows >> 1, cols >> 1, 4, true);
          continue;
        }
        outputTransform(alpha, from + groupColumn(c), positionFloats(outs8) << 2, temp, add, activation, tile, 64, 16, WINOGRAD_TILE, WINOGRAD_TILE, 4);
        poolTile(tile, y + pooledAt + (<usize>c << 2), argmax ? argmax + pooledAt + (<usize>c << 2) : 0, pooledRowBytes,
          ((b * outHeight + oy) * outWidth + ox) * outChannels + c, outWidth * outChannels, outChannels, rows >> 1, cols >> 1);
      }
      continue;
    }
    const at = y + <usize>b * outHeight * rowBytes + <usize>oy * rowBytes + ((<usize>ox * outChannels) << 2);
    for (let c = 0; c < outChannels; c += 4) {
      const lanes = min(4, outChannels - c);
      const add = bias ? (lanes == 4 ? v128.load(bias + (<usize>c << 2)) : loadLanes(bias + (<usize>c << 2), lanes)) : f32x4.splat(0);
      outputTransform(alpha, from + groupColumn(c), positionFloats(outs8) << 2, temp, add, activation,
        at + (<usize>c << 2), rowBytes, <usize>outChannels << 2, rows, cols, lanes);
    }
  }
}

/**
 * The 2×2 max pooling of a 4×4 tile of 4 channels (tile + (i·4 + j)·16), its windows inside the
 * output (pooledRows × pooledCols of them), to y (rows pooledRowBytes apart) and argmax: `index` is
 * the argmax index of the tile's first output, rowStep and channels how far its next row and column are.
 */
// @ts-ignore: decorator
@inline function poolTile(
  tile: usize, y: usize, argmax: usize, pooledRowBytes: usize, index: i32, rowStep: i32, channels: i32, pooledRows: i32, pooledCols: i32,
): void {
  const right = i32x4.splat(channels), below = i32x4.splat(rowStep);
  for (let i = 0; i < pooledRows; i++) {
    for (let j = 0; j < pooledCols; j++) {
      const at = tile + ((<usize>(2 * i * WINOGRAD_TILE + 2 * j)) << 4);
      const here = v128.load(at), toRight = v128.load(at, 16), toBelow = v128.load(at, 64), toBelowRight = v128.load(at, 80);
      const to = <usize>i * pooledRowBytes + ((<usize>j * channels) << 2);
      v128.store(y + to, windowMax(here, toRight, toBelow, toBelowRight));
      if (argmax) {
        v128.store(argmax + to, windowArgmax(laneIndices(index + 2 * i * rowStep + 2 * j * channels), right, below, here, toRight, toBelow, toBelowRight));
      }
    }
  }
}

/** The first `lanes` floats at p, zeros after. */
function loadLanes(p: usize, lanes: i32): v128 {
  let v = f32x4.splat(0);
  v = f32x4.replace_lane(v, 0, load<f32>(p));
  if (lanes > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (lanes > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/**
 * Floats of a group of 4 tiles in the forward's blocks: `positions` rows of 4 tiles × `channels`
 * (positionFloats apart), and a cache line more, so that groups do not fall on one cache set
 * (unpadded, a group is often a multiple of 4 KB: 64 positions × 4 tiles × 8 channels).
 */
function groupFloats(positions: i32, channels: i32): usize {
  return <usize>positions * positionFloats(channels) + 16;
}

/**
 * Floats from one position of a group to the next: 4 tiles × `channels`, and 4 floats more, so that
 * the transforms, which walk a tile's positions, do not fall on a few cache sets (unpadded, positions
 * are a power of 2 apart: 512 bytes for 32 channels, only 8 of the 64 sets of a 32 KB L1).
 */
// @ts-ignore: decorator
@inline function positionFloats(channels: i32): usize {
  return <usize>TILE_ROWS * channels + 4;
}

/** transformedIn's value at x for row `row` (1 to 3) of a group of ins4 channels: a constant offset for the specialised depths. */
// @ts-ignore: decorator
@inline function rowSplat(x: usize, ins4: i32, row: i32): v128 {
  if (ins4 == 8) return row == 1 ? v128.load32_splat(x, 32) : row == 2 ? v128.load32_splat(x, 64) : v128.load32_splat(x, 96);
  if (ins4 == 16) return row == 1 ? v128.load32_splat(x, 64) : row == 2 ? v128.load32_splat(x, 128) : v128.load32_splat(x, 192);
  if (ins4 == 32) return row == 1 ? v128.load32_splat(x, 128) : row == 2 ? v128.load32_splat(x, 256) : v128.load32_splat(x, 384);
  if (ins4 == 64) return row == 1 ? v128.load32_splat(x, 256) : row == 2 ? v128.load32_splat(x, 512) : v128.load32_splat(x, 768);
  return v128.load32_splat(x + <usize>row * (<usize>ins4 << 2));
}

/** Byte offset of output channel c (a multiple of 4) within a products group's row of 8-channel blocks. */
// @ts-ignore: decorator
@inline function groupColumn(c: i32): usize {
  return (<usize>(c >> 3) << 7) + (<usize>(c & 7) << 2);
}

function gradientScratchBytes(inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32, r: i32): usize {
  const positions = positionCount(r);
  const ins4 = roundUp4(inChannels), outs8 = panelCount(outChannels) * PANEL_COLS;
  const tilesY = tileCount(outHeight), tilesX = tileCount(outWidth);
  const frame = <usize>(tilesY * WINOGRAD_TILE + r - 1) * (tilesX * WINOGRAD_TILE + r - 1) * ins4;
  const gradientFrame = <usize>(tilesY * WINOGRAD_TILE) * (tilesX * WINOGRAD_TILE) * outs8;
  const block = <usize>positions * (rowFloats(gradientBlockTiles(positions, ins4, outs8), ins4) +
    rowFloats(gradientBlockTiles(positions, ins4, outs8), outs8));
  const products = <usize>positions * ins4 * outs8;
  const strip = <usize>(WINOGRAD_TILE + r - 1) * (tilesX * WINOGRAD_TILE + r - 1) * ins4;
  // temp: the transforms' α² vectors, or Gᵀ·…·G's r×α and r×r (at most 2·α²); then a row of tiles' strip.
  return (frame + gradientFrame + block + products + (<usize>positions << 3) + strip) << 2;
}

/**
 * Tiles per block of the backward filter, whose products are as deep as a block: 32 (each product
 * then adds its register tile to memory once per 32 steps; measured at least as fast as 16 to 64 on
 * every bench layer) where the block fits GRADIENT_BLOCK_BYTES, fewer on very wide layers.
 */
function gradientBlockTiles(positions: i32, inChannels4: i32, outChannels8: i32): i32 {
  const fit = (GRADIENT_BLOCK_BYTES >> 2) / (positions * (inChannels4 + outChannels8));
  return max(TILE_ROWS, min(32, fit & ~(TILE_ROWS - 1)));
}

/**
 * Floats from one row of a block to the next: `count` vectors of `channels` (the forward's blocks
 * hold a row per tile of α² positions, the backward filter's a row per position of a block of
 * tiles), and a cache line more, so that rows do not fall on one cache set (unpadded, a row is often
 * a multiple of 4 KB: 64 positions × 16 channels).
 */
function rowFloats(count: i32, channels: i32): usize {
  return <usize>count * channels + 16;
}

/**
 * dFilter = Σ over the batch's tiles of Gᵀ·[(A·dy·Aᵀ) ⊙ (Bᵀ·d·B)]·G, per input and output channel:
 * the transpose of the forward pass. The sum over tiles (in batch order, blocks in order) is taken in
 * the transformed domain, per position a [ins4 × tiles]·[tiles × outs8] product; Gᵀ·…·G once at the
 * end. dBias (when ≠ 0) = Σ dy.
 */
export function conv2dWinogradBackwardFilter(
  x: usize, dy: usize, dFilter: usize, dBias: usize, scratch: usize,
  batch: i32, inHeight: i32, inWidth: i32, inChannels: i32, outHeight: i32, outWidth: i32, outChannels: i32,
  kernelHeight: i32, kernelWidth: i32, strideHeight: i32, strideWidth: i32, padTop: i32, padLeft: i32,
): void {
  const r = kernelHeight;
  const alpha = WINOGRAD_TILE + r - 1;
  const positions = alpha * alpha;
  const ins4 = roundUp4(inChannels), outs8 = panelCount(outChannels) * PANEL_COLS, panels = outs8 / PANEL_COLS;
  const tilesY = tileCount(outHeight), tilesX = tileCount(outWidth), tiles = tilesY * tilesX;
  const frameHeight = tilesY * WINOGRAD_TILE + r - 1, frameWidth = tilesX * WINOGRAD_TILE + r - 1;
  const gradientHeight = tilesY * WINOGRAD_TILE, gradientWidth = tilesX * WINOGRAD_TILE;
  const block = gradientBlockTiles(positions, ins4, outs8);
  const frame = scratch;
  const gradientFrame = frame + ((<usize>frameHeight * frameWidth * ins4) << 2);
  const transformedIn = gradientFrame + ((<usize>gradientHeight * gradientWidth * outs8) << 2);
  const inPositionBytes = rowFloats(block, ins4) << 2;
  const gradientPositionBytes = rowFloats(block, outs8) << 2;
  const transformedGradient = transformedIn + <usize>positions * inPositionBytes;
  const products = transformedGradient + <usize>positions * gradientPositionBytes;
  const temp = products + ((<usize>positions * ins4 * outs8) << 2);
  const frameRowBytes = (<usize>frameWidth * ins4) << 2;
  const gradientRowBytes = (<usize>gradientWidth * outs8) << 2;
  const imageBytes = (<usize>inHeight * inWidth * inChannels) << 2;
  const gradientBytes = (<usize>outHeight * outWidth * outChannels) << 2;
  // The input transform's first pass once per column of a row of tiles, as the forward pass takes it.
  const strip = temp + (<usize>positions << 5);
  const stripRowBytes = <usize>frameWidth << 4, stripChannelsBytes = <usize>alpha * stripRowBytes;
  // transformedIn is [position][slot of the block][ci], transformedGradient [position][panel][slot][8]:
  // position-major, since the products below walk the slots.
  let filled = 0;
  let accumulate = false;
  for (let b = 0; b < batch; b++) {
    const source = frameImage(x + <usize>b * imageBytes, inHeight, inWidth, inChannels,
      frame, frameHeight, frameWidth, ins4, padTop, padLeft, 1, 1, b > 0);
    const gradient = frameImage(dy + <usize>b * gradientBytes, outHeight, outWidth, outChannels,
      gradientFrame, gradientHeight, gradientWidth, outs8, 0, 0, 1, 1, b > 0);
    for (let t = 0; t < tiles; t++) {
      const ty = t / tilesX, tx = t - ty * tilesX;
      if (tx == 0) inputStrip(alpha, source + <usize>(ty * WINOGRAD_TILE) * frameRowBytes, frameRowBytes, frameWidth, ins4, strip);
      const into = transformedIn + ((<usize>filled * ins4) << 2);
      const half = strip + ((<usize>(tx * WINOGRAD_TILE)) << 4);
      for (let c = 0; c < ins4; c += 4) {
        inputRows(alpha, half + <usize>(c >> 2) * stripChannelsBytes, stripRowBytes, into + (<usize>c << 2), inPositionBytes);
      }
      const tile = gradient + <usize>(ty * WINOGRAD_TILE) * gradientRowBytes + ((<usize>(tx * WINOGRAD_TILE) * outs8) << 2);
      for (let c = 0; c < outs8; c += 4) {
        const slot = transformedGradient + ((<usize>((c >> 3) * block + filled) * PANEL_COLS + (c & (PANEL_COLS - 1))) << 2);
        gradientTransform(alpha, tile + (<usize>c << 2), gradientRowBytes, <usize>outs8 << 2, slot, gradientPositionBytes, temp);
      }
      if (++filled == block) {
        multiplyGradientBlock(transformedIn, transformedGradient, products, filled, block, positions, ins4, outs8, accumulate);
        accumulate = true;
        filled = 0;
      }
    }
  }
  if (filled > 0 || !accumulate) {
    multiplyGradientBlock(transformedIn, transformedGradient, products, filled, block, positions, ins4, outs8, accumulate);
  }
  // dFilter[ky][kx][ci][co] = (Gᵀ·products[·][ci][co]·G)[ky][kx], 4 output channels at a time.
  const half = temp, result = temp + (<usize>(r * alpha) << 4);
  const tapBytes = (<usize>inChannels * outChannels) << 2;
  for (let ci = 0; ci < inChannels; ci++) {
    for (let co = 0; co < outChannels; co += 4) {
      const lanes = min(4, outChannels - co);
      const at = dFilter + ((<usize>ci * outChannels + co) << 2);
      const whole = lanes == 4;
      filterGradientTransform(r, products + ((<usize>ci * outs8 + co) << 2), (<usize>ins4 * outs8) << 2,
        whole ? at : result, whole ? tapBytes : 16, half);
      if (!whole) {
        for (let tap = 0; tap < r * r; tap++) storeLanes(at + <usize>tap * tapBytes, v128.load(result + (<usize>tap << 4)), lanes);
      }
    }
  }
  if (dBias) sumRows(dy, batch * outHeight * outWidth, outChannels, dBias);
}

/**
 * products[position][ci][co] (+)= Σ over the block's tiles of transformedIn[position][tile][ci]·
 * transformedGradient[position][co panel][tile][co]: stored by the first block (or zeros when there
 * are no tiles at all), added by the others.
 */
function multiplyGradientBlock(
  transformedIn: usize, transformedGradient: usize, products: usize, tiles: i32, block: i32,
  positions: i32, ins4: i32, outs8: i32, accumulate: bool,
): void {
  if (tiles == 0) {
    fill(products, positions * ins4 * outs8, 0);
    return;
  }
  const panels = outs8 / PANEL_COLS;
  const aStep = <usize>ins4 << 2;
  const panelBytes = (<usize>block * PANEL_COLS) << 2;
  const inPositionBytes = rowFloats(block, ins4) << 2;
  const gradientPositionBytes = rowFloats(block, outs8) << 2;
  const cRowBytes = <usize>outs8 << 2;
  for (let p = 0; p < positions; p++) {
    const aFirst = transformedIn + <usize>p * inPositionBytes;
    const cFirst = products + ((<usize>p * ins4 * outs8) << 2);
    for (let ci = 0; ci < ins4; ci += TILE_ROWS) {
      const a0 = aFirst + (<usize>ci << 2);
      for (let q = 0; q < panels; q++) {
        multiplyTile(a0, a0 + 4, a0 + 8, a0 + 12, 1, tiles, aStep, <usize>tiles * aStep,
          transformedGradient + <usize>p * gradientPositionBytes + <usize>q * panelBytes, cFirst + <usize>ci * cRowBytes + ((<usize>q * PANEL_COLS) << 2),
          cRowBytes, TILE_ROWS, PANEL_COLS, 0, FUSED_NONE, accumulate);
      }
    }
  }
}
