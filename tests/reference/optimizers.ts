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
