// The transforms of Winograd's F(4×4, r×r) (winograd.ts), 4 channels at a time. The matrices come
// from the Toom-Cook construction on the points 0, ±1, ±2 (α = 6, r = 3) and 0, ±1, ±2, ±½ (α = 8,
// r = 5), with ∞ as the last: Bᵀ's row for a point p holds the coefficients of Π over the other
// points q of (x − q); Aᵀ[i][p] = pⁱ; G[p][k] = pᵏ / Π over q ≠ p of (p − q). The points come in
// pairs ±p, so each pair's two rows are an even part plus or minus an odd part: that is how the
// straight-line code below computes them. Each 2-D transform is two passes of the 1-D one, columns
// then rows, through a small scratch (temp) of α² vectors (the input transform's, through a strip
// that a row of tiles shares: winograd.ts, inputStrip).
import { fusedActivation4 } from './fused-activation';
import { windowMax } from './max-window';
import { multiplyAdd } from './multiply-add';

/** Outputs per side of a tile. */
export const WINOGRAD_TILE = 4;

// @ts-ignore: decorator
@inline function k(value: f32): v128 {
  return f32x4.splat(value);
}

/**
 * V = Bᵀ·d·B for α×α patches d of 4 channels is inputColumns then inputRows: two passes, so that
 * patches that overlap (a row of tiles) share the first.
 * The first pass, Bᵀ·d, down each of `columns` columns of α rows of 4 channels
 * (rows rowStride bytes apart, columns columnStride): row i of column j to half + i·halfRowStride + j·16.
 */
// @ts-ignore: decorator
@inline export function inputColumns(
  alpha: i32, patch: usize, rowStride: usize, columnStride: usize, columns: i32, half: usize, halfRowStride: usize,
): void {
  if (alpha == 6) {
    for (let j = 0; j < columns; j++) {
      const at = patch + <usize>j * columnStride;
      input6(v128.load(at), v128.load(at + rowStride), v128.load(at + 2 * rowStride), v128.load(at + 3 * rowStride),
        v128.load(at + 4 * rowStride), v128.load(at + 5 * rowStride), half + (<usize>j << 4), halfRowStride);
    }
  } else {
    for (let j = 0; j < columns; j++) {
      const at = patch + <usize>j * columnStride;
      input8(v128.load(at), v128.load(at + rowStride), v128.load(at + 2 * rowStride), v128.load(at + 3 * rowStride),
        v128.load(at + 4 * rowStride), v128.load(at + 5 * rowStride), v128.load(at + 6 * rowStride), v128.load(at + 7 * rowStride),
        half + (<usize>j << 4), halfRowStride);
    }
  }
}

/**
 * The second pass, ·B, along the α rows of α columns that inputColumns left at
 * `half` (rows halfRowStride bytes apart): V[i][j] to out + (i·α + j)·positionStride.
 */
// @ts-ignore: decorator
@inline export function inputRows(alpha: i32, half: usize, halfRowStride: usize, out: usize, positionStride: usize): void {
  if (alpha == 6) {
    for (let i = 0; i < 6; i++) {
      const at = half + <usize>i * halfRowStride;
      input6(v128.load(at), v128.load(at, 16), v128.load(at, 32), v128.load(at, 48), v128.load(at, 64), v128.load(at, 80),
        out + <usize>(i * 6) * positionStride, positionStride);
    }
  } else {
    for (let i = 0; i < 8; i++) {
      const at = half + <usize>i * halfRowStride;
      input8(v128.load(at), v128.load(at, 16), v128.load(at, 32), v128.load(at, 48), v128.load(at, 64), v128.load(at, 80),
        v128.load(at, 96), v128.load(at, 112), out + <usize>(i * 8) * positionStride, positionStride);
    }
  }
}

/** Rows `row` and row + 1 of a pair of points ±p: even + odd, then even − odd. */
// @ts-ignore: decorator
@inline function storePair(out: usize, stride: usize, row: usize, even: v128, odd: v128): void {
  v128.store(out + row * stride, f32x4.add(even, odd));
  v128.store(out + (row + 1) * stride, f32x4.sub(even, odd));
}

/** Bᵀ·d for α = 6 (points 0, 1, −1, 2, −2, ∞), to out + i·stride. */
// @ts-ignore: decorator
@inline function input6(d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, out: usize, stride: usize): void {
  const even1 = multiplyAdd(k(-4), d2, d4), odd1 = multiplyAdd(k(-4), d1, d3);
  const even2 = f32x4.sub(d4, d2), odd2 = f32x4.sub(d3, d1);
  v128.store(out, multiplyAdd(k(4), d0, multiplyAdd(k(-5), d2, d4)));
  storePair(out, stride, 1, even1, odd1);
  v128.store(out + 3 * stride, multiplyAdd(k(2), odd2, even2));
  v128.store(out + 4 * stride, multiplyAdd(k(-2), odd2, even2));
  v128.store(out + 5 * stride, multiplyAdd(k(4), d1, multiplyAdd(k(-5), d3, d5)));
}

/** Bᵀ·d for α = 8 (points 0, 1, −1, 2, −2, ½, −½, ∞), to out + i·stride. */
// @ts-ignore: decorator
@inline function input8(
  d0: v128, d1: v128, d2: v128, d3: v128, d4: v128, d5: v128, d6: v128, d7: v128, out: usize, stride: usize,
): void {
  const even1 = multiplyAdd(k(-4.25), d4, f32x4.add(d2, d6)), odd1 = multiplyAdd(k(-4.25), d3, f32x4.add(d1, d5));
  const even2 = multiplyAdd(k(0.25), d2, multiplyAdd(k(-1.25), d4, d6));
  const odd2 = multiplyAdd(k(0.5), d1, multiplyAdd(k(-2.5), d3, f32x4.add(d5, d5)));
  const even3 = multiplyAdd(k(4), d2, multiplyAdd(k(-5), d4, d6));
  const odd3 = multiplyAdd(k(2), d1, multiplyAdd(k(-2.5), d3, f32x4.mul(k(0.5), d5)));
  v128.store(out, multiplyAdd(k(5.25), f32x4.sub(d2, d4), f32x4.sub(d6, d0)));
  storePair(out, stride, 1, even1, odd1);
  storePair(out, stride, 3, even2, odd2);
  storePair(out, stride, 5, even3, odd3);
  v128.store(out + 7 * stride, multiplyAdd(k(5.25), f32x4.sub(d3, d5), f32x4.sub(d7, d1)));
}

/**
 * Y = Aᵀ·M·A for the α×α products of 4 channels at `products` (position i·α + j at
 * products + (i·α + j)·positionStride), then act(Y + bias); row i, column j of the 4×4 tile goes to
 * y + i·rowStride + j·columnStride, for i < rows, j < cols, and only its first `lanes` channels.
 * `activation` is a constant where this is inlined, so each activation gets a loop of its own.
 * pooled (a constant too) stores the tile's 2×2 max pooling instead, straight from the registers
 * (windowMax, as a pooling pass would take it: the same bits): window (i, j) to y + i·rowStride +
 * j·columnStride, for i < rows, j < cols counted in windows (at least one each; whole channels: lanes is 4).
 */
// @ts-ignore: decorator
@inline export function outputTransform(
  alpha: i32, products: usize, positionStride: usize, temp: usize, bias: v128, activation: i32,
  y: usize, rowStride: usize, columnStride: usize, rows: i32, cols: i32, lanes: i32, pooled: bool = false,
): void {
  const rowBytes = <usize>alpha << 4;
  const step = <usize>alpha * positionStride;
  for (let j = 0; j < alpha; j++) {
    const at = products + <usize>j * positionStride;
    if (alpha == 6) {
      output6(v128.load(at), v128.load(at + step), v128.load(at + 2 * step), v128.load(at + 3 * step),
        v128.load(at + 4 * step), v128.load(at + 5 * step), temp + (<usize>j << 4), rowBytes);
    } else {
      output8(v128.load(at), v128.load(at + step), v128.load(at + 2 * step), v128.load(at + 3 * step),
        v128.load(at + 4 * step), v128.load(at + 5 * step), v128.load(at + 6 * step), v128.load(at + 7 * step),
        temp + (<usize>j << 4), rowBytes);
    }
  }
  const whole = cols == WINOGRAD_TILE && lanes == 4;
  // A pooled pass keeps each even row's outputs here until the row below completes its windows.
  let above0 = f32x4.splat(0), above1 = above0, above2 = above0, above3 = above0;
  const outputRows = pooled ? rows << 1 : rows;
  for (let i = 0; i < outputRows; i++) {
    const at = temp + <usize>i * rowBytes;
    // The second pass's four outputs of row i, in registers.
    const m0 = v128.load(at), m1 = v128.load(at, 16), m2 = v128.load(at, 32), m3 = v128.load(at, 48);
    const m4 = v128.load(at, 64), m5 = v128.load(at, 80);
    const sum1 = f32x4.add(m1, m2), difference1 = f32x4.sub(m1, m2);
    const sum2 = f32x4.add(m3, m4), difference2 = f32x4.sub(m3, m4);
    let o0: v128, o1: v128, o2: v128, o3: v128;
    if (alpha == 6) {
      o0 = f32x4.add(f32x4.add(m0, sum1), sum2);
      o1 = multiplyAdd(k(2), difference2, difference1);
      o2 = multiplyAdd(k(4), sum2, sum1);
      o3 = f32x4.add(multiplyAdd(k(8), difference2, difference1), m5);
    } else {
      const m6 = v128.load(at, 96), m7 = v128.load(at, 112);
      const sum3 = f32x4.add(m5, m6), difference3 = f32x4.sub(m5, m6);
      o0 = f32x4.add(f32x4.add(f32x4.add(m0, sum1), sum2), sum3);
      o1 = multiplyAdd(k(0.5), difference3, multiplyAdd(k(2), difference2, difference1));
      o2 = multiplyAdd(k(0.25), sum3, multiplyAdd(k(4), sum2, sum1));
      o3 = f32x4.add(multiplyAdd(k(0.125), difference3, multiplyAdd(k(8), difference2, difference1)), m7);
    }
    o0 = fusedActivation4(f32x4.add(o0, bias), activation);
    o1 = fusedActivation4(f32x4.add(o1, bias), activation);
    o2 = fusedActivation4(f32x4.add(o2, bias), activation);
    o3 = fusedActivation4(f32x4.add(o3, bias), activation);
    if (pooled) {
      if (i & 1) {
        const window = y + <usize>(i >> 1) * rowStride;
        v128.store(window, windowMax(above0, above1, o0, o1));
        if (cols > 1) v128.store(window + columnStride, windowMax(above2, above3, o2, o3));
      } else {
        above0 = o0;
        above1 = o1;
        above2 = o2;
        above3 = o3;
      }
    } else {
      const to = y + <usize>i * rowStride;
      if (whole) {
        v128.store(to, o0);
        v128.store(to + columnStride, o1);
        v128.store(to + 2 * columnStride, o2);
        v128.store(to + 3 * columnStride, o3);
      } else {
        storeLanes(to, o0, lanes);
        if (cols > 1) storeLanes(to + columnStride, o1, lanes);
        if (cols > 2) storeLanes(to + 2 * columnStride, o2, lanes);
        if (cols > 3) storeLanes(to + 3 * columnStride, o3, lanes);
      }
    }
  }
}

/** Aᵀ·m for α = 6 (4 outputs), to out + i·stride. */
// @ts-ignore: decorator
@inline function output6(m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, out: usize, stride: usize): void {
  const sum1 = f32x4.add(m1, m2), difference1 = f32x4.sub(m1, m2);
  const sum2 = f32x4.add(m3, m4), difference2 = f32x4.sub(m3, m4);
  v128.store(out, f32x4.add(f32x4.add(m0, sum1), sum2));
  v128.store(out + stride, multiplyAdd(k(2), difference2, difference1));
  v128.store(out + 2 * stride, multiplyAdd(k(4), sum2, sum1));
  v128.store(out + 3 * stride, f32x4.add(multiplyAdd(k(8), difference2, difference1), m5));
}

/** Aᵀ·m for α = 8 (4 outputs), to out + i·stride. */
// @ts-ignore: decorator
@inline function output8(
  m0: v128, m1: v128, m2: v128, m3: v128, m4: v128, m5: v128, m6: v128, m7: v128, out: usize, stride: usize,
): void {
  const sum1 = f32x4.add(m1, m2), difference1 = f32x4.sub(m1, m2);
  const sum2 = f32x4.add(m3, m4), difference2 = f32x4.sub(m3, m4);
  const sum3 = f32x4.add(m5, m6), difference3 = f32x4.sub(m5, m6);
  v128.store(out, f32x4.add(f32x4.add(f32x4.add(m0, sum1), sum2), sum3));
  v128.store(out + stride, multiplyAdd(k(0.5), difference3, multiplyAdd(k(2), difference2, difference1)));
  v128.store(out + 2 * stride, multiplyAdd(k(0.25), sum3, multiplyAdd(k(4), sum2, sum1)));
  v128.store(out + 3 * stride, f32x4.add(multiplyAdd(k(0.125), difference3, multiplyAdd(k(8), difference2, difference1)), m7));
}

/**
 * W = A·dy·Aᵀ for the 4×4 gradient tile of 4 channels at `tile` (rows rowStride bytes apart, columns
 * columnStride): the gradient of the products of the forward pass (backward filter). W[i][j] is
 * written to out + (i·α + j)·positionStride.
 */
// @ts-ignore: decorator
@inline export function gradientTransform(
  alpha: i32, tile: usize, rowStride: usize, columnStride: usize, out: usize, positionStride: usize, temp: usize,
): void {
  const rowBytes = <usize>WINOGRAD_TILE << 4;
  for (let j = 0; j < WINOGRAD_TILE; j++) {
    const at = tile + <usize>j * columnStride;
    gradient1d(alpha, v128.load(at), v128.load(at + rowStride), v128.load(at + 2 * rowStride), v128.load(at + 3 * rowStride),
      temp + (<usize>j << 4), rowBytes);
  }
  for (let i = 0; i < alpha; i++) {
    const at = temp + <usize>i * rowBytes;
    gradient1d(alpha, v128.load(at), v128.load(at, 16), v128.load(at, 32), v128.load(at, 48),
      out + <usize>(i * alpha) * positionStride, positionStride);
  }
}

/** A·y (α outputs from 4) to out + i·stride: Aᵀ's columns, the points' powers 0 … 3 (∞ picks y3). */
// @ts-ignore: decorator
@inline function gradient1d(alpha: i32, y0: v128, y1: v128, y2: v128, y3: v128, out: usize, stride: usize): void {
  const even1 = f32x4.add(y0, y2), odd1 = f32x4.add(y1, y3);
  const even2 = multiplyAdd(k(4), y2, y0), odd2 = multiplyAdd(k(8), y3, f32x4.add(y1, y1));
  v128.store(out, y0);
  storePair(out, stride, 1, even1, odd1);
  storePair(out, stride, 3, even2, odd2);
  if (alpha == 6) {
    v128.store(out + 5 * stride, y3);
  } else {
    const even3 = multiplyAdd(k(0.25), y2, y0), odd3 = multiplyAdd(k(0.125), y3, f32x4.mul(k(0.5), y1));
    storePair(out, stride, 5, even3, odd3);
    v128.store(out + 7 * stride, y3);
  }
}

/**
 * U = G·g·Gᵀ for the r×r filter of 4 lanes at `taps` (tap (ky, kx) at taps + (ky·r + kx)·16):
 * U[i][j] is written to out + (i·α + j)·positionStride.
 */
// @ts-ignore: decorator
@inline export function filterTransform(r: i32, taps: usize, out: usize, positionStride: usize, temp: usize): void {
  const alpha = WINOGRAD_TILE + r - 1;
  const tapRow = <usize>r << 4, tempRow = tapRow;
  for (let j = 0; j < r; j++) {
    const at = taps + (<usize>j << 4);
    filter1d(r, v128.load(at), v128.load(at + tapRow), v128.load(at + 2 * tapRow),
      r == 5 ? v128.load(at + 3 * tapRow) : f32x4.splat(0), r == 5 ? v128.load(at + 4 * tapRow) : f32x4.splat(0),
      temp + (<usize>j << 4), tempRow);
  }
  for (let i = 0; i < alpha; i++) {
    const at = temp + <usize>i * tempRow;
    filter1d(r, v128.load(at), v128.load(at, 16), v128.load(at, 32),
      r == 5 ? v128.load(at, 48) : f32x4.splat(0), r == 5 ? v128.load(at, 64) : f32x4.splat(0),
      out + <usize>(i * alpha) * positionStride, positionStride);
  }
}

/** G·g (α outputs from r = 3 or 5; g3, g4 unused for r = 3) to out + i·stride. */
// @ts-ignore: decorator
@inline function filter1d(r: i32, g0: v128, g1: v128, g2: v128, g3: v128, g4: v128, out: usize, stride: usize): void {
  if (r == 3) {
    const even1 = f32x4.mul(k(-1.0 / 6), f32x4.add(g0, g2)), odd1 = f32x4.mul(k(-1.0 / 6), g1);
    const even2 = multiplyAdd(k(1.0 / 24), g0, f32x4.mul(k(1.0 / 6), g2)), odd2 = f32x4.mul(k(1.0 / 12), g1);
    v128.store(out, f32x4.mul(k(0.25), g0));
    storePair(out, stride, 1, even1, odd1);
    storePair(out, stride, 3, even2, odd2);
    v128.store(out + 5 * stride, g2);
  } else {
    const even1 = f32x4.mul(k(-2.0 / 9), f32x4.add(f32x4.add(g0, g2), g4)), odd1 = f32x4.mul(k(-2.0 / 9), f32x4.add(g1, g3));
    const even2 = multiplyAdd(k(1.0 / 90), g0, multiplyAdd(k(2.0 / 45), g2, f32x4.mul(k(8.0 / 45), g4)));
    const odd2 = multiplyAdd(k(1.0 / 45), g1, f32x4.mul(k(4.0 / 45), g3));
    const even3 = multiplyAdd(k(32.0 / 45), g0, multiplyAdd(k(8.0 / 45), g2, f32x4.mul(k(2.0 / 45), g4)));
    const odd3 = multiplyAdd(k(16.0 / 45), g1, f32x4.mul(k(4.0 / 45), g3));
    v128.store(out, f32x4.neg(g0));
    storePair(out, stride, 1, even1, odd1);
    storePair(out, stride, 3, even2, odd2);
    storePair(out, stride, 5, even3, odd3);
    v128.store(out + 7 * stride, g4);
  }
}

/**
 * dg = Gᵀ·dU·G, the filter gradient from the α×α gradient of U of 4 lanes at `products` (position
 * i·α + j at products + (i·α + j)·positionStride): dg[a][b] is written to out + (a·r + b)·tapStride.
 */
// @ts-ignore: decorator
@inline export function filterGradientTransform(
  r: i32, products: usize, positionStride: usize, out: usize, tapStride: usize, temp: usize,
): void {
  const alpha = WINOGRAD_TILE + r - 1;
  const step = <usize>alpha * positionStride, tempRow = <usize>alpha << 4;
  for (let j = 0; j < alpha; j++) {
    const at = products + <usize>j * positionStride;
    filterGradient1d(r, v128.load(at), v128.load(at + step), v128.load(at + 2 * step), v128.load(at + 3 * step),
      v128.load(at + 4 * step), v128.load(at + 5 * step),
      r == 5 ? v128.load(at + 6 * step) : f32x4.splat(0), r == 5 ? v128.load(at + 7 * step) : f32x4.splat(0),
      temp + (<usize>j << 4), tempRow);
  }
  for (let a = 0; a < r; a++) {
    const at = temp + <usize>a * tempRow;
    filterGradient1d(r, v128.load(at), v128.load(at, 16), v128.load(at, 32), v128.load(at, 48), v128.load(at, 64), v128.load(at, 80),
      r == 5 ? v128.load(at, 96) : f32x4.splat(0), r == 5 ? v128.load(at, 112) : f32x4.splat(0),
      out + <usize>(a * r) * tapStride, tapStride);
  }
}

/** Gᵀ·u (r = 3 or 5 outputs from α; u6, u7 unused for r = 3) to out + i·stride. */
// @ts-ignore: decorator
@inline function filterGradient1d(
  r: i32, u0: v128, u1: v128, u2: v128, u3: v128, u4: v128, u5: v128, u6: v128, u7: v128, out: usize, stride: usize,
): void {
  const sum1 = f32x4.add(u1, u2), difference1 = f32x4.sub(u1, u2);
  const sum2 = f32x4.add(u3, u4), difference2 = f32x4.sub(u3, u4);
  if (r == 3) {
    v128.store(out, multiplyAdd(k(0.25), u0, multiplyAdd(k(-1.0 / 6), sum1, f32x4.mul(k(1.0 / 24), sum2))));
    v128.store(out + stride, multiplyAdd(k(-1.0 / 6), difference1, f32x4.mul(k(1.0 / 12), difference2)));
    v128.store(out + 2 * stride, f32x4.add(multiplyAdd(k(-1.0 / 6), sum1, f32x4.mul(k(1.0 / 6), sum2)), u5));
  } else {
    const sum3 = f32x4.add(u5, u6), difference3 = f32x4.sub(u5, u6);
    v128.store(out, f32x4.sub(multiplyAdd(k(-2.0 / 9), sum1, multiplyAdd(k(1.0 / 90), sum2, f32x4.mul(k(32.0 / 45), sum3))), u0));
    v128.store(out + stride, multiplyAdd(k(-2.0 / 9), difference1, multiplyAdd(k(1.0 / 45), difference2, f32x4.mul(k(16.0 / 45), difference3))));
    v128.store(out + 2 * stride, multiplyAdd(k(-2.0 / 9), sum1, multiplyAdd(k(2.0 / 45), sum2, f32x4.mul(k(8.0 / 45), sum3))));
    v128.store(out + 3 * stride, multiplyAdd(k(-2.0 / 9), difference1, multiplyAdd(k(4.0 / 45), difference2, f32x4.mul(k(4.0 / 45), difference3))));
    v128.store(out + 4 * stride, f32x4.add(multiplyAdd(k(-2.0 / 9), sum1, multiplyAdd(k(8.0 / 45), sum2, f32x4.mul(k(2.0 / 45), sum3))), u7));
  }
}

/** The first `lanes` of v to p. */
// @ts-ignore: decorator
@inline export function storeLanes(p: usize, v: v128, lanes: i32): void {
  if (lanes == 4) {
    v128.store(p, v);
    return;
  }
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (lanes > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (lanes > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}
