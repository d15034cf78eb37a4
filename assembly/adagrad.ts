// Adagrad and Adadelta, per-parameter rates from accumulated squares, as TensorFlow/Keras compute
// them: f32x4 over the bulk, scalar over the tail. ε sits inside the roots in both (Keras's
// Adagrad; TensorFlow 2.0's put it outside, √a + ε).

/** Adagrad (Duchi et al.): a += g²;  w −= lr·g/√(a + ε). `a` starts at initialAccumulatorValue. */
export function adagradUpdate(w: usize, g: usize, accum: usize, length: i32, learningRate: f32, epsilon: f32): void {
  const lr = f32x4.splat(learningRate), eps = f32x4.splat(epsilon);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const grad = v128.load(g + at);
    const sum = f32x4.add(v128.load(accum + at), f32x4.mul(grad, grad));
    v128.store(accum + at, sum);
    v128.store(w + at, f32x4.sub(v128.load(w + at), f32x4.div(f32x4.mul(lr, grad), f32x4.sqrt(f32x4.add(sum, eps)))));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const grad = load<f32>(g + at);
    const sum = load<f32>(accum + at) + grad * grad;
    store<f32>(accum + at, sum);
    store<f32>(w + at, load<f32>(w + at) - (learningRate * grad) / Mathf.sqrt(sum + epsilon));
  }
}

/**
 * Adadelta (Zeiler), as Keras: a = ρ·a + (1−ρ)·g² first, then u = g·√(d + ε)/√(a + ε) with the new a;
 * d = ρ·d + (1−ρ)·u²;  w −= lr·u. (TF.js 4.22 divides by the previous a, so its first step is lr·g.)
 */
export function adadeltaUpdate(w: usize, g: usize, accumGrad: usize, accumUpdate: usize, length: i32, learningRate: f32,
  rho: f32, epsilon: f32): void {
  const lr = f32x4.splat(learningRate), eps = f32x4.splat(epsilon), decay = f32x4.splat(rho), rest = f32x4.splat(1 - rho);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const grad = v128.load(g + at);
    const squares = f32x4.add(f32x4.mul(decay, v128.load(accumGrad + at)), f32x4.mul(rest, f32x4.mul(grad, grad)));
    v128.store(accumGrad + at, squares);
    const previous = v128.load(accumUpdate + at);
    const update = f32x4.div(f32x4.mul(f32x4.sqrt(f32x4.add(previous, eps)), grad), f32x4.sqrt(f32x4.add(squares, eps)));
    v128.store(accumUpdate + at, f32x4.add(f32x4.mul(decay, previous), f32x4.mul(rest, f32x4.mul(update, update))));
    v128.store(w + at, f32x4.sub(v128.load(w + at), f32x4.mul(lr, update)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const grad = load<f32>(g + at);
    const squares = rho * load<f32>(accumGrad + at) + (1 - rho) * (grad * grad);
    store<f32>(accumGrad + at, squares);
    const previous = load<f32>(accumUpdate + at);
    const update = (Mathf.sqrt(previous + epsilon) * grad) / Mathf.sqrt(squares + epsilon);
    store<f32>(accumUpdate + at, rho * previous + (1 - rho) * (update * update));
    store<f32>(w + at, load<f32>(w + at) - learningRate * update);
  }
}
