// Matrix product C = op(A)·op(B) on the convolutions' register tile (register-tile.ts). op(B) is
// packed a block at a time into panels of 8 columns in the caller's scratch, so that a tile reads
// 8 contiguous floats per depth step whatever B's layout: read in place, B's rows lie n floats apart
// and a column block of it falls on a few cache sets (for n a power of 2), and a transposed B would
// be gathered lane by lane. Each element of C sums its depth block by block, in block order (the
// first block stores, the others add), so the summation order depends only on (m, k, n), never on
// addresses or threads: results are bit-reproducible.
import { FUSED_NONE } from './fused-activation';
import { PANEL_COLS, TILE_ROWS, multiplyTile, packPanels, packedFloats, panelCount } from './register-tile';

/** Rows of op(B) per block. */
const DEPTH_BLOCK = 256;
/** Columns of op(B) per block (a multiple of PANEL_COLS): a packed block is at most 128 KB. */
const WIDTH_BLOCK = 128;

/** Bytes of scratch matMul needs for op(B) of [k, n]. */
export function matMulScratchBytes(k: i32, n: i32): usize {
  return packedFloats(min(k, DEPTH_BLOCK), min(n, WIDTH_BLOCK)) << 2;
}

/**
 * C[m, n] = op(A)·op(B) (+ C when accumulate ≠ 0). A is stored [m, k], or [k, m] when transposeA ≠ 0;
 * B is stored [k, n], or [n, k] when transposeB ≠ 0. scratch: matMulScratchBytes(k, n).
 */
export function matMul(
  a: usize, b: usize, c: usize, scratch: usize, m: i32, k: i32, n: i32, transposeA: i32, transposeB: i32, accumulate: i32,
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
    const width = min(WIDTH_BLOCK, n - j0);
    for (let p0 = 0; p0 < k; p0 += DEPTH_BLOCK) {
      const depth = min(DEPTH_BLOCK, k - p0);
      const add = accumulate != 0 || p0 > 0;
      packPanels(b + <usize>p0 * bDepthStride + <usize>j0 * bColStride, depth, width, bDepthStride, bColStride, scratch, depth);
      const panelBytes = (<usize>depth * PANEL_COLS) << 2;
      for (let q = 0; q < panelCount(width); q++) {
        const panel = scratch + <usize>q * panelBytes, cols = min(PANEL_COLS, width - q * PANEL_COLS);
        for (let i0 = 0; i0 < m; i0 += TILE_ROWS) {
          // Rows past the edge of C repeat the last one: computed, never stored.
          const last = min(TILE_ROWS, m - i0) - 1;
          const a0 = a + <usize>i0 * aRowStride + <usize>p0 * aDepthStride;
          const a1 = a0 + <usize>min(1, last) * aRowStride, a2 = a0 + <usize>min(2, last) * aRowStride, a3 = a0 + <usize>min(3, last) * aRowStride;
          multiplyTile(a0, a1, a2, a3, 1, depth, aDepthStride, <usize>depth * aDepthStride, panel,
            c + <usize>i0 * cRowStride + ((<usize>(j0 + q * PANEL_COLS)) << 2), cRowStride, last + 1, cols, 0, FUSED_NONE, add);
        }
      }
    }
  }
}
