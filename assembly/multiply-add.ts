// The multiply-add at the heart of every matrix product.

/**
 * c + a·b, lane by lane. The default build multiplies, then adds: two roundings, the same bits on
 * every engine. The relaxed-SIMD build (--enable relaxed-simd) uses f32x4.relaxed_madd, which an
 * engine may fuse into one rounding: faster, but its bits depend on the machine.
 */
// @ts-ignore: decorator
@inline export function multiplyAdd(a: v128, b: v128, c: v128): v128 {
  if (ASC_FEATURE_RELAXED_SIMD) return f32x4.relaxed_madd(a, b, c);
  return f32x4.add(c, f32x4.mul(a, b));
}
