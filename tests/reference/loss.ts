// Naive references for softmax and the losses, in f64, row by row.

/** Rows of a [rows, cols] matrix as plain arrays. */
const rowsOf = (m: Float32Array, rows: number, cols: number) =>
  Array.from({ length: rows }, (_, r) => Array.from(m.subarray(r * cols, (r + 1) * cols)));

/** log Σ exp(z), computed as max + log Σ exp(z − max) so it cannot overflow. */
const logSumExp = (z: number[]) => {
  const top = Math.max(...z);
  return top + Math.log(z.reduce((s, v) => s + Math.exp(v - top), 0));
};

export function softmaxForward(x: Float32Array, rows: number, cols: number) {
  return Float32Array.from(rowsOf(x, rows, cols).flatMap((z) => z.map((v) => Math.exp(v - logSumExp(z)))));
}

/** dx_i = Σ_j (∂y_j/∂x_i) dy_j with ∂y_j/∂x_i = y_j(δ_ij − y_i): the Jacobian written out. */
export function softmaxBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number) {
  const dx = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += y[r * cols + j] * ((i === j ? 1 : 0) - y[r * cols + i]) * dy[r * cols + j];
      dx[r * cols + i] = sum;
    }
  }
  return dx;
}

export function logSoftmaxForward(x: Float32Array, rows: number, cols: number) {
  return Float32Array.from(rowsOf(x, rows, cols).flatMap((z) => z.map((v) => v - logSumExp(z))));
}

/** dx_i = Σ_j (∂y_j/∂x_i) dy_j with ∂y_j/∂x_i = δ_ij − p_i, p_i = e^y_i: the Jacobian written out. */
export function logSoftmaxBackward(y: Float32Array, dy: Float32Array, rows: number, cols: number) {
  const dx = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    for (let i = 0; i < cols; i++) {
      let sum = 0;
      for (let j = 0; j < cols; j++) sum += ((i === j ? 1 : 0) - Math.exp(y[r * cols + i])) * dy[r * cols + j];
      dx[r * cols + i] = sum;
    }
  }
  return dx;
}

/** Keras's label smoothing: towards uniform over the classes (categorical) or towards ½ (binary). */
const smooth = (t: number, labelSmoothing: number, classes: number) => t * (1 - labelSmoothing) + labelSmoothing / classes;

/** −Σ t·log softmax(z) averaged over rows, with log softmax(z) = z − logSumExp(z); dLogits = (p − t)/rows. */
export function softmaxCrossEntropy(logits: Float32Array, targets: Float32Array, rows: number, cols: number, labelSmoothing = 0) {
  const t = rowsOf(targets, rows, cols).map((row) => row.map((v) => smooth(v, labelSmoothing, cols)));
  const loss = rowsOf(logits, rows, cols)
    .reduce((sum, z, r) => sum - z.reduce((s, v, c) => s + (t[r][c] === 0 ? 0 : t[r][c] * (v - logSumExp(z))), 0), 0) / rows;
  const probs = softmaxForward(logits, rows, cols);
  return { loss, probs, dLogits: probs.map((p, i) => (p - t[Math.floor(i / cols)][i % cols]) / rows) };
}

/** Keras's clip of probabilities before a logarithm. */
const FLOOR = Math.fround(1e-7), CEILING = Math.fround(1 - 1e-7);
const clip = (o: number) => Math.min(Math.max(o, FLOOR), CEILING);
const inClip = (o: number) => o >= FLOOR && o <= CEILING;

/** −Σ t·log(clip(o)) / rows; the gradient is 0 where the clip holds the loss constant. */
export function crossEntropy(outputs: Float32Array, targets: Float32Array, rows: number, cols: number, labelSmoothing = 0) {
  const t = Array.from(targets, (v) => smooth(v, labelSmoothing, cols));
  const loss = -outputs.reduce((s, o, i) => s + t[i] * Math.log(clip(o)), 0) / rows;
  return { loss, dOutputs: outputs.map((o, i) => (inClip(o) ? -t[i] / o / rows : 0)) };
}

/** Class ids → one-hot rows. */
export const oneHot = (ids: Float32Array, cols: number) => {
  const m = new Float32Array(ids.length * cols);
  ids.forEach((id, r) => (m[r * cols + id] = 1));
  return m;
};

/**
 * Sparse categorical cross-entropy from logits, straight from the ids: −log softmax(z)[id], or with
 * smoothing (1 − ls)·(−log p_id) + (ls/cols)·Σ_c −log p_c; dLogits = (p − smoothed one-hot)/rows.
 */
export function sparseSoftmaxCrossEntropy(logits: Float32Array, ids: Float32Array, cols: number, labelSmoothing = 0) {
  const rows = ids.length;
  const z = rowsOf(logits, rows, cols);
  const loss = z.reduce((sum, row, r) => {
    const lse = logSumExp(row), nll = (c: number) => lse - row[c];
    return sum + (1 - labelSmoothing) * nll(ids[r]) + (labelSmoothing / cols) * row.reduce((s, _, c) => s + nll(c), 0);
  }, 0) / rows;
  const probs = softmaxForward(logits, rows, cols);
  const dLogits = probs.map((p, i) => (p - ((i % cols === ids[Math.floor(i / cols)] ? 1 - labelSmoothing : 0) + labelSmoothing / cols)) / rows);
  return { loss, probs, dLogits };
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

/** −(t·log σ(z) + (1 − t)·log(1 − σ(z))), mean over cols and rows; dLogits = (σ(z) − t)/(rows·cols). */
export function sigmoidCrossEntropy(logits: Float32Array, targets: Float32Array, rows: number, cols: number, labelSmoothing = 0) {
  const t = Array.from(targets, (v) => smooth(v, labelSmoothing, 2));
  const loss = -logits.reduce((s, z, i) => s + t[i] * Math.log(sigmoid(z)) + (1 - t[i]) * Math.log(1 - sigmoid(z)), 0) / (rows * cols);
  return { loss, dLogits: logits.map((z, i) => (sigmoid(z) - t[i]) / (rows * cols)) };
}

/** Keras's binary cross-entropy on probabilities: o clipped first; no slope outside the clip. */
export function binaryCrossEntropy(outputs: Float32Array, targets: Float32Array, rows: number, cols: number, labelSmoothing = 0) {
  const t = Array.from(targets, (v) => smooth(v, labelSmoothing, 2));
  const loss = -outputs.reduce((s, o, i) => s + t[i] * Math.log(clip(o)) + (1 - t[i]) * Math.log(1 - clip(o)), 0) / (rows * cols);
  const dOutputs = outputs.map((o, i) => (inClip(o) ? -(t[i] / o - (1 - t[i]) / (1 - o)) / (rows * cols) : 0));
  return { loss, dOutputs };
}

/** Keras's hinge and squared hinge: 0/1 targets (all of them in the batch) read as −1/1. */
export function hinge(outputs: Float32Array, targets: Float32Array, rows: number, cols: number, squared: boolean) {
  const binary = targets.every((t) => t === 0 || t === 1);
  const t = Array.from(targets, (v) => (binary ? 2 * v - 1 : v));
  const margins = Array.from(outputs, (o, i) => Math.max(1 - t[i] * o, 0));
  const loss = margins.reduce((s, m) => s + (squared ? m * m : m), 0) / (rows * cols);
  const dOutputs = Float32Array.from(margins, (m, i) => (m > 0 ? (squared ? -2 * m * t[i] : -t[i]) / (rows * cols) : 0));
  return { loss, dOutputs };
}

/** Keras's categorical hinge: max(max_c (1 − t)·o − Σ t·o + 1, 0) per row. */
export function categoricalHinge(outputs: Float32Array, targets: Float32Array, rows: number, cols: number) {
  const o = rowsOf(outputs, rows, cols), t = rowsOf(targets, rows, cols);
  const dOutputs = new Float32Array(rows * cols);
  let loss = 0;
  o.forEach((row, r) => {
    const pos = row.reduce((s, v, c) => s + t[r][c] * v, 0);
    const others = row.map((v, c) => (1 - t[r][c]) * v);
    const worst = others.indexOf(Math.max(...others));
    const value = Math.max(others[worst] - pos + 1, 0);
    loss += value;
    if (value > 0) row.forEach((_, c) => (dOutputs[r * cols + c] = (-t[r][c] + (c === worst ? 1 - t[r][c] : 0)) / rows));
  });
  return { loss: loss / rows, dOutputs };
}

export function meanAbsoluteError(outputs: Float32Array, targets: Float32Array, rows: number, cols: number) {
  const loss = outputs.reduce((s, o, i) => s + Math.abs(o - targets[i]), 0) / (rows * cols);
  return { loss, dOutputs: outputs.map((o, i) => Math.sign(o - targets[i]) / (rows * cols)) };
}

/** Keras's Huber: ½x² within delta, delta·|x| − ½delta² beyond. */
export function huber(outputs: Float32Array, targets: Float32Array, rows: number, cols: number, delta: number) {
  const errors = Array.from(outputs, (o, i) => o - targets[i]);
  const loss = errors.reduce((s, x) => s + (Math.abs(x) <= delta ? 0.5 * x * x : delta * Math.abs(x) - 0.5 * delta * delta), 0) / (rows * cols);
  const dOutputs = Float32Array.from(errors, (x) => (Math.abs(x) <= delta ? x : delta * Math.sign(x)) / (rows * cols));
  return { loss, dOutputs };
}

/** convas's ½Σ(t − o)² per row, averaged over rows. */
export function meanSquaredError(outputs: Float32Array, targets: Float32Array, rows: number) {
  const loss = outputs.reduce((s, o, i) => s + 0.5 * (targets[i] - o) ** 2, 0) / rows;
  return { loss, dOutputs: outputs.map((o, i) => (o - targets[i]) / rows) };
}

/** Keras's backend.epsilon(), the floor of the clips below. */
const EPSILON = Math.fround(1e-7);

/**
 * A loss averaged over every output of [rows, cols] (Keras's mean over the last axis, then over rows),
 * from the formula for one output and its slope.
 */
function meanOverOutputs(outputs: Float32Array, targets: Float32Array, loss: (o: number, t: number) => number,
  slope: (o: number, t: number) => number) {
  const n = outputs.length;
  return {
    loss: outputs.reduce((s, o, i) => s + loss(o, targets[i]), 0) / n,
    dOutputs: outputs.map((o, i) => slope(o, targets[i]) / n),
  };
}

/** Keras's kl_divergence: Σ t·log(t/o) over the row, t and o clipped to [ε, 1]; averaged over rows. */
export function klDivergence(outputs: Float32Array, targets: Float32Array, rows: number) {
  const clip1 = (v: number) => Math.min(Math.max(v, EPSILON), 1);
  const loss = outputs.reduce((s, o, i) => s + clip1(targets[i]) * Math.log(clip1(targets[i]) / clip1(o)), 0) / rows;
  return { loss, dOutputs: outputs.map((o, i) => (o >= EPSILON && o <= 1 ? -clip1(targets[i]) / o / rows : 0)) };
}

/** Keras's poisson: o − t·log(o + ε). */
export const poisson = (outputs: Float32Array, targets: Float32Array) =>
  meanOverOutputs(outputs, targets, (o, t) => o - t * Math.log(o + EPSILON), (o, t) => 1 - t / (o + EPSILON));

/** Keras's log_cosh: log cosh(o − t), whose slope is tanh(o − t). */
export const logCosh = (outputs: Float32Array, targets: Float32Array) =>
  meanOverOutputs(outputs, targets, (o, t) => Math.log(Math.cosh(o - t)), (o, t) => Math.tanh(o - t));

/** Keras's mean_squared_logarithmic_error: (log(max(o, ε) + 1) − log(max(t, ε) + 1))²; no slope where o is below ε. */
export const meanSquaredLogarithmicError = (outputs: Float32Array, targets: Float32Array) => {
  const error = (o: number, t: number) => Math.log(Math.max(o, EPSILON) + 1) - Math.log(Math.max(t, EPSILON) + 1);
  return meanOverOutputs(outputs, targets, (o, t) => error(o, t) ** 2, (o, t) => (o >= EPSILON ? 2 * error(o, t) / (o + 1) : 0));
};

/** Keras's mean_absolute_percentage_error: 100·|t − o|/max(|t|, ε). */
export const meanAbsolutePercentageError = (outputs: Float32Array, targets: Float32Array) =>
  meanOverOutputs(outputs, targets, (o, t) => 100 * Math.abs(t - o) / Math.max(Math.abs(t), EPSILON),
    (o, t) => 100 * Math.sign(o - t) / Math.max(Math.abs(t), EPSILON));

/**
 * Keras's cosine_similarity loss, −Σ (t/max(‖t‖, ε))·(o/max(‖o‖, ε)) per row, averaged over rows;
 * its gradient by the quotient rule, the norm of o a constant where it is at the floor.
 */
export function cosineSimilarity(outputs: Float32Array, targets: Float32Array, rows: number, cols: number) {
  const o = rowsOf(outputs, rows, cols), t = rowsOf(targets, rows, cols);
  const norm = (v: number[]) => Math.sqrt(v.reduce((s, x) => s + x * x, 0));
  const dOutputs = new Float32Array(rows * cols);
  let loss = 0;
  o.forEach((row, r) => {
    const tNorm = Math.max(norm(t[r]), EPSILON), oNorm = norm(row), floored = Math.max(oNorm, EPSILON);
    const dot = row.reduce((s, v, c) => s + v * t[r][c], 0);
    loss -= dot / (tNorm * floored);
    row.forEach((v, c) => {
      const dDot = t[r][c] / (tNorm * floored);
      const dNorm = oNorm > EPSILON ? dot / tNorm * v / oNorm ** 3 : 0;
      dOutputs[r * cols + c] = -(dDot - dNorm) / rows;
    });
  });
  return { loss: loss / rows, dOutputs };
}
