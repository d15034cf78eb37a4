// ReLU on four lanes, for the kernels that apply it (not a kernel itself: it takes a v128).

/**
 * ReLU as x < 0 ? 0 : x (f32x4.pmax): one instruction, where f32x4.max costs about nine for its
 * NaN and ±0 rules. A NaN still passes through (divergence checks see it); −0 stays −0.
 */
// @ts-ignore: decorator
@inline export function relu4(x: v128): v128 {
  return f32x4.pmax(x, f32x4.splat(0));
}
