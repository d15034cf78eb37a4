// RMSProp (Hinton, lecture 6e), as TensorFlow/Keras compute it: f32x4 over the bulk, scalar over
// the tail. ε sits inside the root, as Keras's RMSprop has it.

/**
 * ms = ρ·ms + (1−ρ)·g²;  centered (mg ≠ 0): mg = ρ·mg + (1−ρ)·g and d = ms − mg² + ε, else d = ms + ε;
 * increment = lr·g/√d;  with momentum (mom ≠ 0): mom = momentum·mom + increment, w −= mom; else w −= increment.
 * (TF.js 4.22 computes the centered denominator as √(ms − (mg² + ε)), NaN for small gradients.)
 */
export function rmspropUpdate(w: usize, g: usize, ms: usize, mom: usize, mg: usize, length: i32, learningRate: f32,
  rho: f32, momentum: f32, epsilon: f32): void {
  const lr = f32x4.splat(learningRate), eps = f32x4.splat(epsilon), decay = f32x4.splat(rho), rest = f32x4.splat(1 - rho);
  const keep = f32x4.splat(momentum);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const grad = v128.load(g + at);
    const square = f32x4.add(f32x4.mul(decay, v128.load(ms + at)), f32x4.mul(rest, f32x4.mul(grad, grad)));
    v128.store(ms + at, square);
    let denominator = f32x4.add(square, eps);
    if (mg != 0) {
      const mean = f32x4.add(f32x4.mul(decay, v128.load(mg + at)), f32x4.mul(rest, grad));
      v128.store(mg + at, mean);
      denominator = f32x4.add(f32x4.sub(square, f32x4.mul(mean, mean)), eps);
    }
    let step = f32x4.div(f32x4.mul(lr, grad), f32x4.sqrt(denominator));
    if (mom != 0) {
      step = f32x4.add(f32x4.mul(keep, v128.load(mom + at)), step);
      v128.store(mom + at, step);
    }
    v128.store(w + at, f32x4.sub(v128.load(w + at), step));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const grad = load<f32>(g + at);
    const square = rho * load<f32>(ms + at) + (1 - rho) * (grad * grad);
    store<f32>(ms + at, square);
    let denominator = square + epsilon;
    if (mg != 0) {
      const mean = rho * load<f32>(mg + at) + (1 - rho) * grad;
      store<f32>(mg + at, mean);
      denominator = square - mean * mean + epsilon;
    }
    let step = (learningRate * grad) / Mathf.sqrt(denominator);
    if (mom != 0) {
      step = momentum * load<f32>(mom + at) + step;
      store<f32>(mom + at, step);
    }
    store<f32>(w + at, load<f32>(w + at) - step);
  }
}
