// The activation a kernel may apply to its results on their way out (convolutions, batch
// normalisation), so that no separate pass over memory is needed. The codes are part of the
// kernel contract (FUSED_ACTIVATION in src/backend/kernels.ts).
import { relu4 } from './relu';

export const FUSED_NONE = 0;
export const FUSED_RELU = 1;
/** ReLU capped at 6 (MobileNet's ReLU6). */
export const FUSED_RELU6 = 2;

/** The activation `code` on four lanes; a NaN passes through every code, so divergence checks see it. */
// @ts-ignore: decorator
@inline export function fusedActivation4(x: v128, code: i32): v128 {
  if (code == FUSED_RELU) return relu4(x);
  // pmin(v, 6) is 6 < v ? 6 : v: one instruction, and NaN stays NaN.
  if (code == FUSED_RELU6) return f32x4.pmin(relu4(x), f32x4.splat(6));
  return x;
}

/** The same on one lane, for scalar tails: the same comparisons, so the same bits. */
// @ts-ignore: decorator
@inline export function fusedActivation(x: f32, code: i32): f32 {
  if (code == FUSED_NONE) return x;
  const r: f32 = x < 0 ? 0 : x;
  return code == FUSED_RELU6 && <f32>6 < r ? 6 : r;
}
