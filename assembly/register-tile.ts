// The register tile every convolution's inner loop runs: C (up to 4 rows × 8 columns, eight f32x4
// accumulators) = A·panel, A read in place along a path of strided runs, the other operand packed in
// panels of 8 columns (zero past the last column) so that a tile reads 8 contiguous floats per depth
// step whatever the matrix's width.
import { multiplyAdd } from './multiply-add';
import { FUSED_NONE, fusedActivation4 } from './fused-activation';
import { storeTileRow } from './tile-store';
import { laneIndices, windowArgmax, windowMax } from './max-window';

export const TILE_ROWS = 4;
/** Columns of a packed panel: one tile row of two f32x4. */
export const PANEL_COLS = 8;
export function panelCount(cols: i32): i32 {
  return (cols + PANEL_COLS - 1) / PANEL_COLS;
}

/** Floats of a [rows, cols] matrix packed in panels. */
export function packedFloats(rows: i32, cols: i32): usize {
  return <usize>rows * panelCount(cols) * PANEL_COLS;
}

/**
 * Copies a [rows, cols] matrix, element (r, c) at src + r·rowStride + c·colStride bytes, into
 * panels of 8 columns and panelRows rows each (zero past the last column): row r of the matrix
 * goes to row r of every panel, counted from dst.
 */
export function packPanels(src: usize, rows: i32, cols: i32, rowStride: usize, colStride: usize, dst: usize, panelRows: i32): void {
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
 * bytes after the previous one. The panel gives 8 floats per depth step, panelStep bytes apart (a
 * packed panel's 32, or a row of a matrix read in place). The sum (+ bias, through the fused
 * activation) is stored to C, or added to C when add. When `pooled`, the 4 rows are the 2×2 window
 * of a max pooling (here, right, below, below right): only their maximum is stored, to C, and where
 * it lies to argmax (when ≠ 0) — `index` the index of the window's first element for column 0,
 * rightStep and belowStep the others' distances; cols is then 4 or 8.
 */
// @ts-ignore: decorator
@inline export function multiplyTile(
  a0: usize, a1: usize, a2: usize, a3: usize, runs: i32, runLength: i32, aStep: usize, aJump: usize,
  panel: usize, c: usize, cRowStride: usize, rows: i32, cols: i32, bias: usize, activation: i32, add: bool,
  panelStep: usize = PANEL_COLS << 2,
  pooled: bool = false, argmax: usize = 0, index: i32 = 0, rightStep: i32 = 0, belowStep: i32 = 0,
): void {
  const runGap = aJump - <usize>runLength * aStep;
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  let b = panel;
  const runBytes = <usize>runLength * panelStep;
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
      b += panelStep;
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
  if (pooled) {
    const right = i32x4.splat(rightStep), below = i32x4.splat(belowStep);
    v128.store(c, windowMax(c00, c10, c20, c30));
    if (argmax) v128.store(argmax, windowArgmax(laneIndices(index), right, below, c00, c10, c20, c30));
    if (cols > 4) {
      v128.store(c, windowMax(c01, c11, c21, c31), 16);
      if (argmax) v128.store(argmax, windowArgmax(laneIndices(index + 4), right, below, c01, c11, c21, c31), 16);
    }
    return;
  }
  storeTileRow(c, c00, c01, cols, add);
  if (rows > 1) storeTileRow(c + cRowStride, c10, c11, cols, add);
  if (rows > 2) storeTileRow(c + 2 * cRowStride, c20, c21, cols, add);
  if (rows > 3) storeTileRow(c + 3 * cRowStride, c30, c31, cols, add);
}

