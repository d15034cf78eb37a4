// Naive references for the optimizer steps: one element at a time, returning the new state.

/** The gradient with L2 weight decay folded in. */
const decayed = (g: number, w: number, weightDecay: number) => g + weightDecay * w;

export function sgdUpdate(w: Float32Array, g: Float32Array, learningRate: number, weightDecay: number) {
  return w.map((wi, i) => wi - learningRate * decayed(g[i], wi, weightDecay));
}

export function momentumUpdate(w: Float32Array, g: Float32Array, accum: Float32Array, learningRate: number,
  momentum: number, nesterov: boolean, weightDecay: number) {
  const newAccum = accum.map((a, i) => momentum * a + decayed(g[i], w[i], weightDecay));
  const newW = w.map((wi, i) => {
    const step = nesterov ? decayed(g[i], wi, weightDecay) + momentum * newAccum[i] : newAccum[i];
    return wi - learningRate * step;
  });
  return { w: newW, accum: newAccum };
}

export function adamUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, learningRate: number,
  beta1: number, beta2: number, epsilon: number, step: number, weightDecay: number) {
  const grad = w.map((wi, i) => decayed(g[i], wi, weightDecay));
  const newM = m.map((mi, i) => beta1 * mi + (1 - beta1) * grad[i]);
  const newV = v.map((vi, i) => beta2 * vi + (1 - beta2) * grad[i] ** 2);
  const newW = w.map((wi, i) => {
    const mHat = newM[i] / (1 - beta1 ** step), vHat = newV[i] / (1 - beta2 ** step);
    return wi - (learningRate * mHat) / (Math.sqrt(vHat) + epsilon);
  });
  return { w: newW, m: newM, v: newV };
}

/** PyTorch's AdamW: w − lr·(m̂/(√v̂ + ε) + weightDecay·w), the decay on the weight before the step. */
export function adamwUpdate(w: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, learningRate: number,
  beta1: number, beta2: number, epsilon: number, step: number, weightDecay: number) {
  const adam = adamUpdate(w, g, m, v, learningRate, beta1, beta2, epsilon, step, 0);
  return { ...adam, w: adam.w.map((wi, i) => wi - learningRate * weightDecay * w[i]) };
}

/** Keras's Adamax: m += (g − m)(1 − β1); u = max(β2·u, |g|); w −= lr·m / ((1 − β1^t)(u + ε)). */
export function adamaxUpdate(w: Float32Array, g: Float32Array, m: Float32Array, u: Float32Array, learningRate: number,
  beta1: number, beta2: number, epsilon: number, step: number) {
  const newM = m.map((mi, i) => mi + (g[i] - mi) * (1 - beta1));
  const newU = u.map((ui, i) => Math.max(beta2 * ui, Math.abs(g[i])));
  const newW = w.map((wi, i) => wi - (learningRate * newM[i]) / ((1 - beta1 ** step) * (newU[i] + epsilon)));
  return { w: newW, m: newM, u: newU };
}

/**
 * Keras's RMSprop: ms = ρ·ms + (1 − ρ)·g²; centered: mg likewise of g and the denominator
 * √(ms − mg² + ε), else √(ms + ε); with momentum the increment lr·g/√… accumulates in mom.
 */
export function rmspropUpdate(w: Float32Array, g: Float32Array, ms: Float32Array, mom: Float32Array, mg: Float32Array,
  learningRate: number, rho: number, momentum: number, epsilon: number, centered: boolean) {
  const newMs = ms.map((s, i) => rho * s + (1 - rho) * g[i] ** 2);
  const newMg = centered ? mg.map((a, i) => rho * a + (1 - rho) * g[i]) : mg;
  const increment = g.map((gi, i) => (learningRate * gi) / Math.sqrt(centered ? newMs[i] - newMg[i] ** 2 + epsilon : newMs[i] + epsilon));
  const newMom = momentum > 0 ? mom.map((p, i) => momentum * p + increment[i]) : mom;
  const newW = w.map((wi, i) => wi - (momentum > 0 ? newMom[i] : increment[i]));
  return { w: newW, ms: newMs, mom: newMom, mg: newMg };
}

/** Keras's Adagrad: a += g²; w −= lr·g/√(a + ε). */
export function adagradUpdate(w: Float32Array, g: Float32Array, accum: Float32Array, learningRate: number, epsilon: number) {
  const newAccum = accum.map((a, i) => a + g[i] ** 2);
  return { w: w.map((wi, i) => wi - (learningRate * g[i]) / Math.sqrt(newAccum[i] + epsilon)), accum: newAccum };
}

/** Keras's Adadelta: a = ρa + (1−ρ)g²; u = g·√(d + ε)/√(a + ε) with the new a; d = ρd + (1−ρ)u²; w −= lr·u. */
export function adadeltaUpdate(w: Float32Array, g: Float32Array, accumGrad: Float32Array, accumUpdate: Float32Array,
  learningRate: number, rho: number, epsilon: number) {
  const newGrad = accumGrad.map((a, i) => rho * a + (1 - rho) * g[i] ** 2);
  const update = g.map((gi, i) => (gi * Math.sqrt(accumUpdate[i] + epsilon)) / Math.sqrt(newGrad[i] + epsilon));
  const newUpdate = accumUpdate.map((d, i) => rho * d + (1 - rho) * update[i] ** 2);
  return { w: w.map((wi, i) => wi - learningRate * update[i]), accumGrad: newGrad, accumUpdate: newUpdate };
}

const norm = (arrays: Float32Array[]) => Math.sqrt(arrays.reduce((s, a) => s + a.reduce((t, v) => t + v * v, 0), 0));

/** tf.clip_by_norm: g·c/‖g‖ when ‖g‖ > c. */
export const clipByNorm = (g: Float32Array, clipNorm: number) => {
  const n = norm([g]);
  return n > clipNorm ? g.map((v) => (v * clipNorm) / n) : g;
};

/** tf.clip_by_global_norm: every g scaled by c/‖all‖ when ‖all‖ > c. */
export const clipByGlobalNorm = (gs: Float32Array[], clipNorm: number) => {
  const n = norm(gs);
  return n > clipNorm ? gs.map((g) => g.map((v) => (v * clipNorm) / n)) : gs;
};

export const clipByValue = (g: Float32Array, limit: number) => g.map((v) => Math.min(Math.max(v, -limit), limit));
