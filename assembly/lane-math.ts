// exp, exp − 1, log(1 + x) and the normal CDF on four f32 lanes, for the activation kernels. Range reduction
// and polynomials use only exact IEEE lane operations (+ − × ÷, comparisons, bit moves), so the
// default build gives the same bits on every engine; the polynomials' multiply-adds go through
// multiplyAdd, which the relaxed build may fuse. Each function keeps NaN lanes NaN. The largest
// (expOfSum, normalCdf4) are called rather than inlined: a copy in every kernel that uses them
// would grow each of the package's four builds by kilobytes, for no measurable speed.
import { multiplyAdd } from './multiply-add';

const LOG2E: f32 = 1.44269504088896341;
/** ln 2 in two parts (Cody and Waite): n·LN2_HIGH is exact for |n| < 2^15, so x − n·ln 2 loses nothing. */
const LN2_HIGH: f32 = 0.693359375;
const LN2_LOW: f32 = -2.12194440e-4;
/** The largest f32: products with it stay finite where ±∞ would make ∞·0 = NaN. */
export const FLOAT_MAX: f32 = 3.40282347e38;

// @ts-ignore: decorator
@inline function splat(value: f32): v128 {
  return f32x4.splat(value);
}

/**
 * exp(r) − 1 for |r| ≤ ln2/2, as r + r²·P(r) with Cephes expf's polynomial (relative error below
 * 2e-7): no 1 is added, so it stays exact-to-rounding near 0 where exp(r) − 1 would cancel.
 */
// @ts-ignore: decorator
@inline function expm1Reduced(r: v128): v128 {
  let p = splat(1.9875691500e-4);
  p = multiplyAdd(p, r, splat(1.3981999507e-3));
  p = multiplyAdd(p, r, splat(8.3334519073e-3));
  p = multiplyAdd(p, r, splat(4.1665795894e-2));
  p = multiplyAdd(p, r, splat(1.6666665459e-1));
  p = multiplyAdd(p, r, splat(5.0000001201e-1));
  return multiplyAdd(p, f32x4.mul(r, r), r);
}

/** The nearest integer n to x/ln 2 (as f32 lanes), for x = n·ln 2 + r. */
// @ts-ignore: decorator
@inline function powerOfTwoNear(x: v128): v128 {
  return f32x4.nearest(f32x4.mul(x, splat(LOG2E)));
}

/** x − n·ln 2, in two steps. */
// @ts-ignore: decorator
@inline function reduce(x: v128, n: v128): v128 {
  return f32x4.sub(f32x4.sub(x, f32x4.mul(n, splat(LN2_HIGH))), f32x4.mul(n, splat(LN2_LOW)));
}

/** 2^k for integer lanes k in [−126, 127], built in the exponent bits. */
// @ts-ignore: decorator
@inline function twoTo(k: v128): v128 {
  return i32x4.shl(i32x4.add(k, i32x4.splat(127)), 23);
}

/**
 * exp(x + extra) for an `extra` of order 1 that is added after the range reduction, where it costs
 * no digits: so x may be a large exact part of the argument and extra the rounding-prone rest.
 * x is clamped to [−110, 88.8], past which the result is 0 (even as a subnormal) or +∞ anyway;
 * 2^n is applied in two halves so that each factor is a normal float, and results that are
 * subnormal or overflow round as they should.
 */
function expOfSum(x: v128, extra: v128): v128 {
  const clamped = f32x4.min(f32x4.max(x, splat(-110)), splat(88.8));
  const n = powerOfTwoNear(f32x4.add(clamped, extra));
  const value = f32x4.add(expm1Reduced(f32x4.add(reduce(clamped, n), extra)), splat(1));
  const k = i32x4.trunc_sat_f32x4_s(n);
  const half = i32x4.shr_s(k, 1);
  return f32x4.mul(f32x4.mul(value, twoTo(half)), twoTo(i32x4.sub(k, half)));
}

/** exp(x), relative error below 3e-7. */
// @ts-ignore: decorator
@inline export function exp4(x: v128): v128 {
  return expOfSum(x, splat(0));
}

/**
 * exp(x) − 1 for x ≤ 0 (lanes above 0 are taken as 0), relative error below 3e-7 — near 0 too,
 * where exp(x) − 1 would lose its digits. Below −30 the result is −1 in f32.
 */
// @ts-ignore: decorator
@inline export function expm1NonPositive(x: v128): v128 {
  const clamped = f32x4.min(f32x4.max(x, splat(-30)), splat(0));
  const n = powerOfTwoNear(clamped);
  const scale = twoTo(i32x4.trunc_sat_f32x4_s(n));
  // 2^n·(1 + q) − 1 = 2^n·q + (2^n − 1); 2^n − 1 is exact for n ≥ −24 and rounds to −1 below.
  return multiplyAdd(scale, expm1Reduced(reduce(clamped, n)), f32x4.sub(scale, splat(1)));
}

/** 1/(1 + exp(−x)): 0 and 1 at −∞ and +∞. */
// @ts-ignore: decorator
@inline export function sigmoid4(x: v128): v128 {
  return f32x4.div(splat(1), f32x4.add(splat(1), exp4(f32x4.neg(x))));
}

/**
 * log(1 + t) for t in [0, 1], as 2·atanh(s) with s = t/(2 + t) ≤ 1/3: the series
 * 2s·(1 + s²/3 + s⁴/5 + … + s¹²/13) leaves out less than 2e-8, and no digit cancels.
 */
// @ts-ignore: decorator
@inline export function log1pUnit(t: v128): v128 {
  const s = f32x4.div(t, f32x4.add(splat(2), t));
  const w = f32x4.mul(s, s);
  let p = splat(<f32>(1.0 / 13));
  p = multiplyAdd(p, w, splat(<f32>(1.0 / 11)));
  p = multiplyAdd(p, w, splat(<f32>(1.0 / 9)));
  p = multiplyAdd(p, w, splat(<f32>(1.0 / 7)));
  p = multiplyAdd(p, w, splat(<f32>(1.0 / 5)));
  p = multiplyAdd(p, w, splat(<f32>(1.0 / 3)));
  p = multiplyAdd(p, w, splat(1));
  return f32x4.mul(f32x4.add(s, s), p);
}

/**
 * exp(−x²/2 + c) for c of order 1. x² is taken in two parts, the high one exact (12 significant
 * bits of |x| squared), so that its rounding, which grows with x², costs nothing in the tails.
 */
// @ts-ignore: decorator
@inline function expMinusHalfSquare(x: v128, c: v128): v128 {
  // Past 1e4 the result is 0 all the same; the bound keeps ∞ − ∞ out of the split.
  const a = f32x4.min(f32x4.abs(x), splat(1e4));
  const high = v128.and(a, i32x4.splat(0xfffff000));
  const low = f32x4.sub(a, high);
  const exact = f32x4.mul(f32x4.mul(high, high), splat(-0.5));
  return expOfSum(exact, f32x4.sub(c, f32x4.mul(f32x4.mul(low, f32x4.add(a, high)), splat(0.5))));
}

/** φ(x) = exp(−x²/2)/√(2π), the standard normal density, relative error below 5e-7. */
// @ts-ignore: decorator
@inline export function normalDensity4(x: v128): v128 {
  return expMinusHalfSquare(x, splat(-0.91893853320467274)); // −log √(2π)
}

/**
 * Φ(x), the standard normal CDF, = erfc(−x/√2)/2, relative error below 1e-6 down to where it
 * underflows. erfc(z) for z ≥ 0 is t·exp(−z² + P(t)), t = 1/(1 + z/2), with the Chebyshev fit of
 * Numerical Recipes (erfcc, fractional error below 1.2e-7); for z < 0 it is 2 − erfc(−z).
 */
export function normalCdf4(x: v128): v128 {
  const t = f32x4.div(splat(1), multiplyAdd(f32x4.abs(x), splat(<f32>(0.5 * 0.70710678118654752)), splat(1)));
  let p = splat(0.17087277);
  p = multiplyAdd(p, t, splat(-0.82215223));
  p = multiplyAdd(p, t, splat(1.48851587));
  p = multiplyAdd(p, t, splat(-1.13520398));
  p = multiplyAdd(p, t, splat(0.27886807));
  p = multiplyAdd(p, t, splat(-0.18628806));
  p = multiplyAdd(p, t, splat(0.09678418));
  p = multiplyAdd(p, t, splat(0.37409196));
  p = multiplyAdd(p, t, splat(1.00002368));
  p = multiplyAdd(p, t, splat(-1.26551223));
  // erfc(|x|/√2)/2: Φ(x) for x ≤ 0, 1 − Φ(x) for x > 0.
  const tail = f32x4.mul(f32x4.mul(t, splat(0.5)), expMinusHalfSquare(x, p));
  return v128.bitselect(f32x4.sub(splat(1), tail), tail, f32x4.gt(x, splat(0)));
}
