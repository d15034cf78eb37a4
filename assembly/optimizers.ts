// Optimizer steps over a parameter and its gradient: f32x4 over the bulk, scalar over the last
// (length mod 4). Weight decay is L2: weightDecay·w joins the gradient before anything else.

/** w −= lr·(g + weightDecay·w). */
export function sgdUpdate(w: usize, g: usize, length: i32, learningRate: f32, weightDecay: f32): void {
  const lr = f32x4.splat(learningRate), decay = f32x4.splat(weightDecay);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const weight = v128.load(w + at);
    const grad = f32x4.add(v128.load(g + at), f32x4.mul(decay, weight));
    v128.store(w + at, f32x4.sub(weight, f32x4.mul(lr, grad)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const weight = load<f32>(w + at);
    const grad = load<f32>(g + at) + weightDecay * weight;
    store<f32>(w + at, weight - learningRate * grad);
  }
}

/** accum = momentum·accum + g;  w −= lr·(nesterov ? g + momentum·accum : accum). */
export function momentumUpdate(w: usize, g: usize, accum: usize, length: i32, learningRate: f32,
  momentum: f32, nesterov: i32, weightDecay: f32): void {
  const lr = f32x4.splat(learningRate), decay = f32x4.splat(weightDecay), mom = f32x4.splat(momentum);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const weight = v128.load(w + at);
    const grad = f32x4.add(v128.load(g + at), f32x4.mul(decay, weight));
    const velocity = f32x4.add(f32x4.mul(mom, v128.load(accum + at)), grad);
    v128.store(accum + at, velocity);
    const step = nesterov != 0 ? f32x4.add(grad, f32x4.mul(mom, velocity)) : velocity;
    v128.store(w + at, f32x4.sub(weight, f32x4.mul(lr, step)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const weight = load<f32>(w + at);
    const grad = load<f32>(g + at) + weightDecay * weight;
    const velocity = momentum * load<f32>(accum + at) + grad;
    store<f32>(accum + at, velocity);
    const step = nesterov != 0 ? grad + momentum * velocity : velocity;
    store<f32>(w + at, weight - learningRate * step);
  }
}

/**
 * Adam (Kingma & Ba, Algorithm 1): m = β1·m + (1−β1)·g;  v = β2·v + (1−β2)·g²;
 * w −= lr·(m/correction1) / (√(v/correction2) + ε)  [+ lr·decoupledWeightDecay·w].
 * AdamW is this with decoupledWeightDecay (PyTorch's AdamW): w ← w − lr·(m̂/(√v̂ + ε) + λ·w), λ
 * applied to the weight itself, not through the moments; weightDecay (L2) joins the gradient instead.
 */
export function adamUpdate(w: usize, g: usize, m: usize, v: usize, length: i32, learningRate: f32,
  beta1: f32, beta2: f32, epsilon: f32, correction1: f32, correction2: f32, weightDecay: f32, decoupledWeightDecay: f32): void {
  const lr = f32x4.splat(learningRate), decay = f32x4.splat(weightDecay), eps = f32x4.splat(epsilon);
  const b1 = f32x4.splat(beta1), b2 = f32x4.splat(beta2), rest1 = f32x4.splat(1 - beta1), rest2 = f32x4.splat(1 - beta2);
  const c1 = f32x4.splat(correction1), c2 = f32x4.splat(correction2);
  const shrink: f32 = learningRate * decoupledWeightDecay, shrinks = f32x4.splat(shrink);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const weight = v128.load(w + at);
    const grad = f32x4.add(v128.load(g + at), f32x4.mul(decay, weight));
    const mean = f32x4.add(f32x4.mul(b1, v128.load(m + at)), f32x4.mul(rest1, grad));
    const variance = f32x4.add(f32x4.mul(b2, v128.load(v + at)), f32x4.mul(rest2, f32x4.mul(grad, grad)));
    v128.store(m + at, mean);
    v128.store(v + at, variance);
    const denominator = f32x4.add(f32x4.sqrt(f32x4.div(variance, c2)), eps);
    const stepped = f32x4.sub(weight, f32x4.div(f32x4.mul(lr, f32x4.div(mean, c1)), denominator));
    v128.store(w + at, f32x4.sub(stepped, f32x4.mul(shrinks, weight)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const weight = load<f32>(w + at);
    const grad = load<f32>(g + at) + weightDecay * weight;
    const mean = beta1 * load<f32>(m + at) + (1 - beta1) * grad;
    const variance = beta2 * load<f32>(v + at) + (1 - beta2) * (grad * grad);
    store<f32>(m + at, mean);
    store<f32>(v + at, variance);
    const denominator = Mathf.sqrt(variance / correction2) + epsilon;
    store<f32>(w + at, weight - learningRate * (mean / correction1) / denominator - shrink * weight);
  }
}

/**
 * Adamax (Kingma & Ba, section 7.1), in Keras's form: m += (g − m)·(1−β1);  u = max(β2·u, |g|);
 * w −= lr·m / (correction1·(u + ε)), correction1 = 1 − β1^t. ε is added to u, outside any root.
 */
export function adamaxUpdate(w: usize, g: usize, m: usize, u: usize, length: i32, learningRate: f32,
  beta1: f32, beta2: f32, epsilon: f32, correction1: f32): void {
  const lr = f32x4.splat(learningRate), eps = f32x4.splat(epsilon), rest1 = f32x4.splat(1 - beta1);
  const b2 = f32x4.splat(beta2), c1 = f32x4.splat(correction1);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const grad = v128.load(g + at), previous = v128.load(m + at);
    const mean = f32x4.add(previous, f32x4.mul(f32x4.sub(grad, previous), rest1));
    const norm = f32x4.max(f32x4.mul(b2, v128.load(u + at)), f32x4.abs(grad));
    v128.store(m + at, mean);
    v128.store(u + at, norm);
    const step = f32x4.div(f32x4.mul(lr, mean), f32x4.mul(c1, f32x4.add(norm, eps)));
    v128.store(w + at, f32x4.sub(v128.load(w + at), step));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const grad = load<f32>(g + at), previous = load<f32>(m + at);
    const mean = previous + (grad - previous) * (1 - beta1);
    const norm = max(beta2 * load<f32>(u + at), Mathf.abs(grad));
    store<f32>(m + at, mean);
    store<f32>(u + at, norm);
    store<f32>(w + at, load<f32>(w + at) - (learningRate * mean) / (correction1 * (norm + epsilon)));
  }
}
