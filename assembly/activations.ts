// The activations Keras models use beyond ReLU, tanh and sigmoid (elementwise.ts), forward and
// backward. f32x4 over the bulk; the last (length mod 4) elements go through the same vector code
// as one partial vector, so an element gets the same bits wherever it falls (in a tail or not, in
// any slice of a batch). At ±∞ each function gives its limit; a NaN input gives NaN.
//
// Each function is a class whose apply() the map helpers inline (AssemblyScript has no inlinable
// function values): map1 for forward kernels (x → y), map2 and map3 for backward ones. Parameters,
// where a kernel takes them, are f32s at the address `parameters` (src/backend/kernels.ts lists them).
import { FUSED_RELU6, fusedActivation4 } from './fused-activation';
import { FLOAT_MAX, exp4, expm1NonPositive, log1pUnit, normalCdf4, normalDensity4, sigmoid4 } from './lane-math';
import { multiplyAdd } from './multiply-add';
import { relu4 } from './relu';

// --- the loops

/** The first `count` (1 to 3) floats at p as a vector; the other lanes are 0. (Called once per kernel call: not inlined.) */
function loadPartial(p: usize, count: i32): v128 {
  let v = f32x4.replace_lane(f32x4.splat(0), 0, load<f32>(p));
  if (count > 1) v = f32x4.replace_lane(v, 1, load<f32>(p, 4));
  if (count > 2) v = f32x4.replace_lane(v, 2, load<f32>(p, 8));
  return v;
}

/** Stores the first `count` (1 to 3) lanes of v at p. */
function storePartial(p: usize, v: v128, count: i32): void {
  store<f32>(p, f32x4.extract_lane(v, 0));
  if (count > 1) store<f32>(p, f32x4.extract_lane(v, 1), 4);
  if (count > 2) store<f32>(p, f32x4.extract_lane(v, 2), 8);
}

/** Four floats at p, or the first `count` when fewer are left (the other lanes 0). */
// @ts-ignore: decorator
@inline function loadUpTo4(p: usize, count: i32): v128 {
  return count >= 4 ? v128.load(p) : loadPartial(p, count);
}

/** Stores four lanes of v at p, or the first `count` when fewer are left. */
// @ts-ignore: decorator
@inline function storeUpTo4(p: usize, v: v128, count: i32): void {
  if (count >= 4) v128.store(p, v);
  else storePartial(p, v, count);
}

// The loops have one body for the bulk and the tail, so each function's code is there once.

/** out = F(a) element by element. */
// @ts-ignore: decorator
@inline function map1<F>(a: usize, out: usize, length: i32, parameters: usize): void {
  const f = changetype<F>(0);
  for (let i = 0; i < length; i += 4) {
    const at = <usize>i << 2, rest = length - i;
    storeUpTo4(out + at, f.apply(loadUpTo4(a + at, rest), parameters), rest);
  }
}

/** out = F(a, b) element by element. */
// @ts-ignore: decorator
@inline function map2<F>(a: usize, b: usize, out: usize, length: i32, parameters: usize): void {
  const f = changetype<F>(0);
  for (let i = 0; i < length; i += 4) {
    const at = <usize>i << 2, rest = length - i;
    storeUpTo4(out + at, f.apply(loadUpTo4(a + at, rest), loadUpTo4(b + at, rest), parameters), rest);
  }
}

/** out = F(a, b, c) element by element. */
// @ts-ignore: decorator
@inline function map3<F>(a: usize, b: usize, c: usize, out: usize, length: i32, parameters: usize): void {
  const f = changetype<F>(0);
  for (let i = 0; i < length; i += 4) {
    const at = <usize>i << 2, rest = length - i;
    storeUpTo4(out + at, f.apply(loadUpTo4(a + at, rest), loadUpTo4(b + at, rest), loadUpTo4(c + at, rest), parameters), rest);
  }
}

// @ts-ignore: decorator
@inline function splat(value: f32): v128 {
  return f32x4.splat(value);
}

/** The lanes where lo < v < hi, as a mask. */
// @ts-ignore: decorator
@inline function between(v: v128, lo: f32, hi: f32): v128 {
  return v128.and(f32x4.gt(v, splat(lo)), f32x4.lt(v, splat(hi)));
}

/** x with −∞ raised to the largest finite float, so that x·0 is 0 (the limit) rather than NaN. */
// @ts-ignore: decorator
@inline function finiteBelow(x: v128): v128 {
  return f32x4.max(x, splat(-FLOAT_MAX));
}

/** x with ±∞ brought to ± the largest finite float. */
// @ts-ignore: decorator
@inline function finite(x: v128): v128 {
  return f32x4.min(finiteBelow(x), splat(FLOAT_MAX));
}

// --- relu6: min(max(x, 0), 6), as conv2d applies it; the derivative from y

@final class Relu6 {
  // @ts-ignore: decorator
  @inline apply(x: v128, _: usize): v128 {
    return fusedActivation4(x, FUSED_RELU6);
  }
}

@final class Relu6Gradient {
  // @ts-ignore: decorator
  @inline apply(y: v128, dy: v128, _: usize): v128 {
    return v128.and(dy, between(y, 0, 6));
  }
}

export function relu6Forward(x: usize, y: usize, length: i32): void {
  map1<Relu6>(x, y, length, 0);
}

/** dx = dy where 0 < y < 6. */
export function relu6Backward(y: usize, dy: usize, dx: usize, length: i32): void {
  map2<Relu6Gradient>(y, dy, dx, length, 0);
}

// --- elu and selu: x ≥ 0 ? s·x : sα·(exp(x) − 1); parameters [sα, s]

@final class Elu {
  // @ts-ignore: decorator
  @inline apply(x: v128, parameters: usize): v128 {
    const negative = f32x4.mul(expm1NonPositive(x), splat(load<f32>(parameters)));
    return v128.bitselect(f32x4.mul(x, splat(load<f32>(parameters, 4))), negative, f32x4.ge(x, splat(0)));
  }
}

/** The derivative sα·exp(x) is y + sα below 0: no exp needed (as TensorFlow's EluGrad and SeluGrad). */
@final class EluGradient {
  // @ts-ignore: decorator
  @inline apply(x: v128, y: v128, dy: v128, parameters: usize): v128 {
    const negative = f32x4.mul(dy, f32x4.add(y, splat(load<f32>(parameters))));
    return v128.bitselect(f32x4.mul(dy, splat(load<f32>(parameters, 4))), negative, f32x4.ge(x, splat(0)));
  }
}

export function eluForward(x: usize, y: usize, length: i32, parameters: usize): void {
  map1<Elu>(x, y, length, parameters);
}

export function eluBackward(x: usize, y: usize, dy: usize, dx: usize, length: i32, parameters: usize): void {
  map3<EluGradient>(x, y, dy, dx, length, parameters);
}

// --- softplus: log(1 + exp(x)) = max(x, 0) + log(1 + exp(−|x|)), exact for large |x| either way

@final class Softplus {
  // @ts-ignore: decorator
  @inline apply(x: v128, _: usize): v128 {
    return f32x4.add(relu4(x), log1pUnit(exp4(f32x4.neg(f32x4.abs(x)))));
  }
}

/** softplus′ = sigmoid(x). */
@final class SoftplusGradient {
  // @ts-ignore: decorator
  @inline apply(x: v128, dy: v128, _: usize): v128 {
    return f32x4.mul(dy, sigmoid4(x));
  }
}

export function softplusForward(x: usize, y: usize, length: i32): void {
  map1<Softplus>(x, y, length, 0);
}

export function softplusBackward(x: usize, dy: usize, dx: usize, length: i32): void {
  map2<SoftplusGradient>(x, dy, dx, length, 0);
}

// --- softsign: x/(1 + |x|)

@final class Softsign {
  // @ts-ignore: decorator
  @inline apply(x: v128, _: usize): v128 {
    // Beyond ±1e30 the result is ±1 in f32 anyway; clamping keeps ±∞ from giving ∞/∞.
    const clamped = f32x4.min(f32x4.max(x, splat(-1e30)), splat(1e30));
    return f32x4.div(clamped, f32x4.add(splat(1), f32x4.abs(clamped)));
  }
}

/** softsign′ = 1/(1 + |x|)². */
@final class SoftsignGradient {
  // @ts-ignore: decorator
  @inline apply(x: v128, dy: v128, _: usize): v128 {
    const d = f32x4.div(splat(1), f32x4.add(splat(1), f32x4.abs(x)));
    return f32x4.mul(f32x4.mul(dy, d), d);
  }
}

export function softsignForward(x: usize, y: usize, length: i32): void {
  map1<Softsign>(x, y, length, 0);
}

export function softsignBackward(x: usize, dy: usize, dx: usize, length: i32): void {
  map2<SoftsignGradient>(x, dy, dx, length, 0);
}

// --- swish (SiLU): x·sigmoid(x)

@final class Swish {
  // @ts-ignore: decorator
  @inline apply(x: v128, _: usize): v128 {
    return f32x4.mul(finiteBelow(x), sigmoid4(x));
  }
}

/** swish′ = σ + x·σ·(1 − σ) = σ·(1 + x·(1 − σ)). */
@final class SwishGradient {
  // @ts-ignore: decorator
  @inline apply(x: v128, dy: v128, _: usize): v128 {
    const s = sigmoid4(x);
    return f32x4.mul(dy, f32x4.mul(s, multiplyAdd(finite(x), f32x4.sub(splat(1), s), splat(1))));
  }
}

export function swishForward(x: usize, y: usize, length: i32): void {
  map1<Swish>(x, y, length, 0);
}

export function swishBackward(x: usize, dy: usize, dx: usize, length: i32): void {
  map2<SwishGradient>(x, dy, dx, length, 0);
}

// --- gelu, exact (Keras's default, approximate=False): x·Φ(x), Φ the standard normal CDF

@final class Gelu {
  // @ts-ignore: decorator
  @inline apply(x: v128, _: usize): v128 {
    return f32x4.mul(finiteBelow(x), normalCdf4(x));
  }
}

/** gelu′ = Φ(x) + x·φ(x), φ(x) = exp(−x²/2)/√(2π). */
@final class GeluGradient {
  // @ts-ignore: decorator
  @inline apply(x: v128, dy: v128, _: usize): v128 {
    return f32x4.mul(dy, multiplyAdd(finite(x), normalDensity4(x), normalCdf4(x)));
  }
}

export function geluForward(x: usize, y: usize, length: i32): void {
  map1<Gelu>(x, y, length, 0);
}

export function geluBackward(x: usize, dy: usize, dx: usize, length: i32): void {
  map2<GeluGradient>(x, dy, dx, length, 0);
}

// --- hard sigmoid, Keras 2's: clip(0.2·x + 0.5, 0, 1); the derivative from y

@final class HardSigmoid {
  // @ts-ignore: decorator
  @inline apply(x: v128, _: usize): v128 {
    const line = f32x4.add(f32x4.mul(x, splat(0.2)), splat(0.5));
    return f32x4.pmin(f32x4.pmax(line, splat(0)), splat(1));
  }
}

@final class HardSigmoidGradient {
  // @ts-ignore: decorator
  @inline apply(y: v128, dy: v128, _: usize): v128 {
    return v128.and(f32x4.mul(dy, splat(0.2)), between(y, 0, 1));
  }
}

export function hardSigmoidForward(x: usize, y: usize, length: i32): void {
  map1<HardSigmoid>(x, y, length, 0);
}

/** dx = 0.2·dy where 0 < y < 1. */
export function hardSigmoidBackward(y: usize, dy: usize, dx: usize, length: i32): void {
  map2<HardSigmoidGradient>(y, dy, dx, length, 0);
}

// --- hard swish (MobileNetV3; Keras 3's hard_silu): x·relu6(x + 3)/6

@final class HardSwish {
  // @ts-ignore: decorator
  @inline apply(x: v128, _: usize): v128 {
    const gate = fusedActivation4(f32x4.add(x, splat(3)), FUSED_RELU6);
    return f32x4.mul(finiteBelow(x), f32x4.div(gate, splat(6)));
  }
}

/** 0 below −3, 1 above 3, x/3 + 1/2 between. */
@final class HardSwishGradient {
  // @ts-ignore: decorator
  @inline apply(x: v128, dy: v128, _: usize): v128 {
    const middle = f32x4.add(f32x4.div(x, splat(3)), splat(0.5));
    const slope = v128.andnot(v128.bitselect(splat(1), middle, f32x4.gt(x, splat(3))), f32x4.lt(x, splat(-3)));
    return f32x4.mul(dy, slope);
  }
}

export function hardSwishForward(x: usize, y: usize, length: i32): void {
  map1<HardSwish>(x, y, length, 0);
}

export function hardSwishBackward(x: usize, dy: usize, dx: usize, length: i32): void {
  map2<HardSwishGradient>(x, dy, dx, length, 0);
}

// --- clip: min(max(x, low), high), torch.clamp's and ONNX's Clip; parameters [low, high]
// (low > high gives high everywhere, as both define it)

@final class Clip {
  // @ts-ignore: decorator
  @inline apply(x: v128, parameters: usize): v128 {
    return f32x4.min(f32x4.max(x, splat(load<f32>(parameters))), splat(load<f32>(parameters, 4)));
  }
}

/** dy where low ≤ x ≤ high (the bounds pass the gradient, as torch.clamp's), else 0. */
@final class ClipGradient {
  // @ts-ignore: decorator
  @inline apply(x: v128, dy: v128, parameters: usize): v128 {
    const inside = v128.and(f32x4.ge(x, splat(load<f32>(parameters))), f32x4.le(x, splat(load<f32>(parameters, 4))));
    return v128.and(dy, inside);
  }
}

export function clipForward(x: usize, y: usize, length: i32, parameters: usize): void {
  map1<Clip>(x, y, length, parameters);
}

export function clipBackward(x: usize, dy: usize, dx: usize, length: i32, parameters: usize): void {
  map2<ClipGradient>(x, dy, dx, length, parameters);
}

// --- Keras's relu with its options (the ReLU and LeakyReLU layers): x > t ? min(x, max) : a·(x − t);
// parameters [max, a, t]

@final class LeakyRelu {
  // @ts-ignore: decorator
  @inline apply(x: v128, parameters: usize): v128 {
    const slope = load<f32>(parameters, 4), threshold = splat(load<f32>(parameters, 8));
    const below = f32x4.mul(splat(slope), f32x4.sub(x, threshold));
    // At −∞ the limit: 0 for a slope of 0 (where 0·∞ would be NaN), else slope·−∞.
    const atMinusInfinity = splat(slope == 0 ? 0 : slope * f32.NEGATIVE_INFINITY);
    const low = v128.bitselect(atMinusInfinity, below, f32x4.eq(x, splat(f32.NEGATIVE_INFINITY)));
    return v128.bitselect(f32x4.pmin(x, splat(load<f32>(parameters))), low, f32x4.gt(x, threshold));
  }
}

/** dy where t < x ≤ max, a·dy where x ≤ t, else 0. */
@final class LeakyReluGradient {
  // @ts-ignore: decorator
  @inline apply(x: v128, dy: v128, parameters: usize): v128 {
    const passed = v128.and(dy, f32x4.le(x, splat(load<f32>(parameters))));
    const below = f32x4.mul(dy, splat(load<f32>(parameters, 4)));
    return v128.bitselect(passed, below, f32x4.gt(x, splat(load<f32>(parameters, 8))));
  }
}

export function leakyReluForward(x: usize, y: usize, length: i32, parameters: usize): void {
  map1<LeakyRelu>(x, y, length, parameters);
}

export function leakyReluBackward(x: usize, dy: usize, dx: usize, length: i32, parameters: usize): void {
  map2<LeakyReluGradient>(x, dy, dx, length, parameters);
}
