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

/** −Σ t·log softmax(z) averaged over rows, with log softmax(z) = z − logSumExp(z); dLogits = (p − t)/rows. */
export function softmaxCrossEntropy(logits: Float32Array, targets: Float32Array, rows: number, cols: number) {
  const t = rowsOf(targets, rows, cols);
  const loss = rowsOf(logits, rows, cols)
    .reduce((sum, z, r) => sum - z.reduce((s, v, c) => s + (t[r][c] === 0 ? 0 : t[r][c] * (v - logSumExp(z))), 0), 0) / rows;
  const probs = softmaxForward(logits, rows, cols);
  return { loss, probs, dLogits: probs.map((p, i) => (p - targets[i]) / rows) };
}

/** −Σ t·log(max(o, 1e-7)) / rows; the gradient is 0 where the floor holds the loss constant. */
export function crossEntropy(outputs: Float32Array, targets: Float32Array, rows: number) {
  const loss = -outputs.reduce((s, o, i) => s + targets[i] * Math.log(Math.max(o, 1e-7)), 0) / rows;
  return { loss, dOutputs: outputs.map((o, i) => (o >= Math.fround(1e-7) ? -targets[i] / o / rows : 0)) };
}

export function meanSquaredError(outputs: Float32Array, targets: Float32Array, rows: number) {
  const loss = outputs.reduce((s, o, i) => s + 0.5 * (targets[i] - o) ** 2, 0) / rows;
  return { loss, dOutputs: outputs.map((o, i) => (o - targets[i]) / rows) };
}
