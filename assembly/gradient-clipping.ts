// Gradient clipping (Keras's clipnorm, global_clipnorm and clipvalue), in place on a weight's
// gradient. Norms are summed in f64 in a fixed order, so a clip gives the same bits everywhere.

/** Σ x², in f64: two f64x2 partial sums over the bulk (added in a fixed order), then the tail. */
export function sumOfSquares(x: usize, length: i32): f64 {
  let low = f64x2.splat(0), high = f64x2.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const v = v128.load(x + (<usize>i << 2));
    const a = f64x2.promote_low_f32x4(v), b = f64x2.promote_low_f32x4(i32x4.shuffle(v, v, 2, 3, 0, 1));
    low = f64x2.add(low, f64x2.mul(a, a));
    high = f64x2.add(high, f64x2.mul(b, b));
  }
  let sum = (f64x2.extract_lane(low, 0) + f64x2.extract_lane(low, 1)) + (f64x2.extract_lane(high, 0) + f64x2.extract_lane(high, 1));
  for (; i < length; i++) {
    const value = <f64>load<f32>(x + (<usize>i << 2));
    sum += value * value;
  }
  return sum;
}

/**
 * g ← g·c/‖g‖ when ‖g‖ = √squaredNorm exceeds c = clipNorm (tf.clip_by_norm; with the norm of all
 * the gradients together, tf.clip_by_global_norm); g is left as is otherwise.
 */
export function clipToNorm(g: usize, length: i32, squaredNorm: f64, clipNorm: f32): void {
  const norm = Math.sqrt(squaredNorm);
  if (norm <= clipNorm) return;
  const factor = <f32>(clipNorm / norm), f = f32x4.splat(factor);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(g + at, f32x4.mul(v128.load(g + at), f));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(g + at, load<f32>(g + at) * factor);
  }
}

/** g ← min(max(g, −limit), limit) (tf.clip_by_value). */
export function clipByValue(g: usize, length: i32, limit: f32): void {
  const high = f32x4.splat(limit), low = f32x4.splat(-limit);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(g + at, f32x4.min(f32x4.max(v128.load(g + at), low), high));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(g + at, min(max(load<f32>(g + at), -limit), limit));
  }
}
