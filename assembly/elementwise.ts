// Elementwise kernels: f32x4 over the bulk, a scalar loop over the last (length mod 4) elements.
import { relu4 } from './relu';

export function reluForward(x: usize, y: usize, length: i32): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(y + at, relu4(v128.load(x + at)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const value = load<f32>(x + at);
    store<f32>(y + at, value < 0 ? 0 : value);
  }
}

export function reluBackward(y: usize, dy: usize, dx: usize, length: i32): void {
  const zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(dx + at, v128.and(v128.load(dy + at), f32x4.gt(v128.load(y + at), zero)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(dx + at, load<f32>(y + at) > 0 ? load<f32>(dy + at) : 0);
  }
}

// tanh and sigmoid go through AssemblyScript's scalar Mathf (musl ports compiled into the wasm),
// so their results are the same bits on every engine.
export function tanhForward(x: usize, y: usize, length: i32): void {
  for (let i = 0; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(y + at, Mathf.tanh(load<f32>(x + at)));
  }
}

/** tanh′ = 1 − y². */
export function tanhBackward(y: usize, dy: usize, dx: usize, length: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const out = v128.load(y + at);
    v128.store(dx + at, f32x4.mul(v128.load(dy + at), f32x4.sub(one, f32x4.mul(out, out))));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const out = load<f32>(y + at);
    store<f32>(dx + at, load<f32>(dy + at) * (1 - out * out));
  }
}

export function sigmoidForward(x: usize, y: usize, length: i32): void {
  for (let i = 0; i < length; i++) {
    const at = <usize>i << 2;
    // exp(−x) overflows to +∞ for very negative x, which still gives the right limit 0.
    store<f32>(y + at, 1 / (1 + Mathf.exp(-load<f32>(x + at))));
  }
}

/** σ′ = y·(1 − y). */
export function sigmoidBackward(y: usize, dy: usize, dx: usize, length: i32): void {
  const one = f32x4.splat(1);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const out = v128.load(y + at);
    v128.store(dx + at, f32x4.mul(v128.load(dy + at), f32x4.mul(out, f32x4.sub(one, out))));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const out = load<f32>(y + at);
    store<f32>(dx + at, load<f32>(dy + at) * (out * (1 - out)));
  }
}

export function addBias(y: usize, bias: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const row = y + <usize>r * rowBytes;
    add(row, bias, row, cols);
  }
}

/** Rows are added one after another into out, so every column is summed in row order. */
export function sumRows(x: usize, rows: i32, cols: i32, out: usize): void {
  // Column sums kept in registers down the rows (eight columns at once: two independent chains),
  // so a row costs two adds rather than a call and a store that the next row must wait for.
  const rowBytes = <usize>cols << 2;
  let c = 0;
  for (; c + 8 <= cols; c += 8) {
    let low = f32x4.splat(0), high = low;
    let at = x + (<usize>c << 2);
    for (let r = 0; r < rows; r++, at += rowBytes) {
      low = f32x4.add(low, v128.load(at));
      high = f32x4.add(high, v128.load(at, 16));
    }
    v128.store(out + (<usize>c << 2), low);
    v128.store(out + (<usize>c << 2), high, 16);
  }
  for (; c < cols; c++) {
    let sum: f32 = 0;
    let at = x + (<usize>c << 2);
    for (let r = 0; r < rows; r++, at += rowBytes) sum += load<f32>(at);
    store<f32>(out + (<usize>c << 2), sum);
  }
}

export function multiply(a: usize, b: usize, out: usize, length: i32): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, f32x4.mul(v128.load(a + at), v128.load(b + at)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, load<f32>(a + at) * load<f32>(b + at));
  }
}

export function add(a: usize, b: usize, out: usize, length: i32): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(out + at, f32x4.add(v128.load(a + at), v128.load(b + at)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, load<f32>(a + at) + load<f32>(b + at));
  }
}

export function fill(x: usize, length: i32, value: f32): void {
  const splat = f32x4.splat(value);
  let i = 0;
  for (; i + 4 <= length; i += 4) v128.store(x + (<usize>i << 2), splat);
  for (; i < length; i++) store<f32>(x + (<usize>i << 2), value);
}

/** Where xorshift32 starts for seed 0, which would otherwise stay 0 forever. */
const ZERO_SEED_STATE: u32 = 0x6d2b79f5;

/**
 * One xorshift32 step per element; its top 24 bits, as a fraction in [0, 1), drop the element
 * when below rate. Integer steps and exact f32 comparisons make the mask a pure function of
 * (length, rate, seed).
 */
export function dropoutMask(mask: usize, length: i32, rate: f32, seed: u32): void {
  const keep: f32 = 1 / (1 - rate);
  let state = seed != 0 ? seed : ZERO_SEED_STATE;
  for (let i = 0; i < length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    const fraction = <f32>(state >>> 8) * (1.0 / 16777216.0);
    store<f32>(mask + (<usize>i << 2), fraction < rate ? 0 : keep);
  }
}

/** Bits of the f32 exponent: all set means infinite or NaN. */
const EXPONENT_BITS: i32 = 0x7f800000;

/** How many of x's values are NaN or ±Infinity: a divergence check over a whole array in one call. */
export function countNonFinite(x: usize, length: i32): i32 {
  const exponent = i32x4.splat(EXPONENT_BITS);
  let lanes = i32x4.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    // A non-finite lane compares to −1, so subtracting counts it.
    lanes = i32x4.sub(lanes, i32x4.eq(v128.and(v128.load(x + (<usize>i << 2)), exponent), exponent));
  }
  let count = i32x4.extract_lane(lanes, 0) + i32x4.extract_lane(lanes, 1) + i32x4.extract_lane(lanes, 2) + i32x4.extract_lane(lanes, 3);
  for (; i < length; i++) {
    if ((load<i32>(x + (<usize>i << 2)) & EXPONENT_BITS) == EXPONENT_BITS) count++;
  }
  return count;
}
