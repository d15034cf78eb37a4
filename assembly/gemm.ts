// Matrix product C = op(A)·op(B) on f32x4 register tiles.
// C is computed in 4×8 tiles (eight f32x4 accumulators) over blocks of B small enough to stay in
// cache. There is no scratch to pack B into, so B is read in place: eight contiguous floats per row
// when it can, else gathered lane by lane (B transposed, or the last columns of C). Tile rows and
// columns past the edge of C repeat the last valid one: they are computed but never stored, so one
// tile shape serves every edge. The summation order depends only on (m, k, n), never on addresses,
// so results are bit-reproducible.

import { multiplyAdd } from './multiply-add';
import { storeTileRow } from './tile-store';

const TILE_ROWS = 4;
const TILE_COLS = 8;
/** Rows of op(B) per block: each element of C adds its block partial sums in block order. */
const DEPTH_BLOCK = 256;
/** Columns of op(B) per block (a multiple of TILE_COLS): a block is 256 KB, a quarter of L2. */
const WIDTH_BLOCK = 256;

/**
 * C[m, n] = op(A)·op(B) (+ C when accumulate ≠ 0). A is stored [m, k], or [k, m] when transposeA ≠ 0;
 * B is stored [k, n], or [n, k] when transposeB ≠ 0.
 */
export function matMul(
  a: usize, b: usize, c: usize, m: i32, k: i32, n: i32, transposeA: i32, transposeB: i32, accumulate: i32,
): void {
  if (k == 0) {
    if (accumulate == 0) memory.fill(c, 0, (<usize>m * n) << 2);
    return;
  }
  // Byte steps in op(A) and op(B) along each axis: one row down, one step deeper, one column right.
  const aRowStride: usize = transposeA ? 4 : <usize>k << 2;
  const aDepthStride: usize = transposeA ? <usize>m << 2 : 4;
  const bDepthStride: usize = transposeB ? 4 : <usize>n << 2;
  const bColStride: usize = transposeB ? <usize>k << 2 : 4;
  const cRowStride: usize = <usize>n << 2;
  for (let j0 = 0; j0 < n; j0 += WIDTH_BLOCK) {
    const jEnd = min(j0 + WIDTH_BLOCK, n);
    for (let p0 = 0; p0 < k; p0 += DEPTH_BLOCK) {
      const depth = min(DEPTH_BLOCK, k - p0);
      const add = accumulate != 0 || p0 > 0;
      for (let i0 = 0; i0 < m; i0 += TILE_ROWS) {
        const rows = min(TILE_ROWS, m - i0);
        const aTile = a + <usize>i0 * aRowStride + <usize>p0 * aDepthStride;
        for (let j = j0; j < jEnd; j += TILE_COLS) {
          const cols = min(TILE_COLS, jEnd - j);
          const bTile = b + <usize>p0 * bDepthStride + <usize>j * bColStride;
          const cTile = c + <usize>i0 * cRowStride + (<usize>j << 2);
          if (transposeB == 0 && cols == TILE_COLS) {
            multiplyContiguousTile(aTile, aRowStride, aDepthStride, rows, bTile, bDepthStride, bColStride, cols, cTile, cRowStride, depth, add);
          } else {
            multiplyGatheredTile(aTile, aRowStride, aDepthStride, rows, bTile, bDepthStride, bColStride, cols, cTile, cRowStride, depth, add);
          }
        }
      }
    }
  }
}

function multiplyContiguousTile(
  aTile: usize, aRowStride: usize, aDepthStride: usize, rows: i32,
  bTile: usize, bDepthStride: usize, bColStride: usize, cols: i32,
  cTile: usize, cRowStride: usize, depth: i32, add: bool,
): void {
  multiplyTile(aTile, aRowStride, aDepthStride, rows, bTile, bDepthStride, bColStride, cols, cTile, cRowStride, depth, add, false);
}

function multiplyGatheredTile(
  aTile: usize, aRowStride: usize, aDepthStride: usize, rows: i32,
  bTile: usize, bDepthStride: usize, bColStride: usize, cols: i32,
  cTile: usize, cRowStride: usize, depth: i32, add: bool,
): void {
  multiplyTile(aTile, aRowStride, aDepthStride, rows, bTile, bDepthStride, bColStride, cols, cTile, cRowStride, depth, add, true);
}

/**
 * One 4×8 tile of C over `depth` steps. Inlined with a constant `gatherB`, so each caller gets a
 * loop without the other mode's branch.
 */
@inline
function multiplyTile(
  aTile: usize, aRowStride: usize, aDepthStride: usize, rows: i32,
  bTile: usize, bDepthStride: usize, bColStride: usize, cols: i32,
  cTile: usize, cRowStride: usize, depth: i32, add: bool, gatherB: bool,
): void {
  // Each row of op(A) has its own pointer, stepped in the loop: V8 would otherwise recompute
  // loop-invariant row addresses inside the loop.
  const lastRow = rows - 1;
  let a0 = aTile;
  let a1 = aTile + <usize>min(1, lastRow) * aRowStride;
  let a2 = aTile + <usize>min(2, lastRow) * aRowStride;
  let a3 = aTile + <usize>min(3, lastRow) * aRowStride;
  // Gathered mode reads tile column l of op(B) through its own stepped pointer b<l>At (bRow for l = 0).
  const lastCol = cols - 1;
  let b1At = bTile + <usize>min(1, lastCol) * bColStride;
  let b2At = bTile + <usize>min(2, lastCol) * bColStride;
  let b3At = bTile + <usize>min(3, lastCol) * bColStride;
  let b4At = bTile + <usize>min(4, lastCol) * bColStride;
  let b5At = bTile + <usize>min(5, lastCol) * bColStride;
  let b6At = bTile + <usize>min(6, lastCol) * bColStride;
  let b7At = bTile + <usize>min(7, lastCol) * bColStride;
  let c00 = f32x4.splat(0), c01 = c00, c10 = c00, c11 = c00, c20 = c00, c21 = c00, c30 = c00, c31 = c00;
  let bRow = bTile;
  for (let p = 0; p < depth; p++) {
    let b0: v128, b1: v128;
    if (gatherB) {
      b0 = v128.load32_zero(bRow);
      b0 = v128.load32_lane(b1At, b0, 1);
      b0 = v128.load32_lane(b2At, b0, 2);
      b0 = v128.load32_lane(b3At, b0, 3);
      b1 = v128.load32_zero(b4At);
      b1 = v128.load32_lane(b5At, b1, 1);
      b1 = v128.load32_lane(b6At, b1, 2);
      b1 = v128.load32_lane(b7At, b1, 3);
      b1At += bDepthStride;
      b2At += bDepthStride;
      b3At += bDepthStride;
      b4At += bDepthStride;
      b5At += bDepthStride;
      b6At += bDepthStride;
      b7At += bDepthStride;
    } else {
      b0 = v128.load(bRow);
      b1 = v128.load(bRow, 16);
    }
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
    a0 += aDepthStride;
    a1 += aDepthStride;
    a2 += aDepthStride;
    a3 += aDepthStride;
    bRow += bDepthStride;
  }
  storeTileRow(cTile, c00, c01, cols, add);
  if (rows > 1) storeTileRow(cTile + cRowStride, c10, c11, cols, add);
  if (rows > 2) storeTileRow(cTile + 2 * cRowStride, c20, c21, cols, add);
  if (rows > 3) storeTileRow(cTile + 3 * cRowStride, c30, c31, cols, add);
}
