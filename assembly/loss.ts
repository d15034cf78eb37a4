// Softmax and log softmax, the losses that take a row as a whole (softmax with cross-entropy, the categorical hinge,
// the cosine similarity)
// and sparse labels made one-hot. Losses are summed in f64 in row order and averaged over rows;
// gradients are written only when their pointer is not 0. With `rowWeights` ≠ 0 each row's loss and
// gradient are multiplied by its weight (class weights), still divided by the row count, as Keras
// reduces weighted losses. (Losses scored output by output are in output-loss.ts.)
// These run on [batch, classes] matrices, small next to the layers, so they stay scalar.
import { smoothed } from './probability';
import { rowWeight } from './row-weight';

/** The largest value of one row. */
function rowMaxOf(x: usize, cols: i32): f32 {
  let rowMax = -Infinity as f32;
  for (let c = 0; c < cols; c++) rowMax = max(rowMax, load<f32>(x + (<usize>c << 2)));
  return rowMax;
}

/**
 * Σ e^(x − rowMax) over one row, in f64: in f32, once the largest term (1) is in, terms below half
 * its ulp — a long row's unlikely classes — were each rounded the same way, and 300 of them moved
 * every probability by 5e-6.
 */
function shiftedExpSum(x: usize, cols: i32, rowMax: f32): f64 {
  let sum: f64 = 0;
  for (let c = 0; c < cols; c++) sum += Mathf.exp(load<f32>(x + (<usize>c << 2)) - rowMax);
  return sum;
}

/**
 * Writes softmax(x) of one row into y and returns the row's log-sum-exp, both shifted by the row max
 * (the sum in f64, as shiftedExpSum's).
 */
function softmaxRow(x: usize, y: usize, cols: i32): f32 {
  const rowMax = rowMaxOf(x, cols);
  let sum: f64 = 0;
  for (let c = 0; c < cols; c++) {
    const e = Mathf.exp(load<f32>(x + (<usize>c << 2)) - rowMax);
    store<f32>(y + (<usize>c << 2), e);
    sum += e;
  }
  for (let c = 0; c < cols; c++) store<f32>(y + (<usize>c << 2), <f32>(load<f32>(y + (<usize>c << 2)) / sum));
  return rowMax + <f32>Math.log(sum);
}

export function softmaxForward(x: usize, y: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) softmaxRow(x + <usize>r * rowBytes, y + <usize>r * rowBytes, cols);
}

/** dx = y ⊙ (dy − Σ dy⊙y), per row. */
export function softmaxBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let dot: f64 = 0;
    for (let i = start; i < start + cols; i++) dot += <f64>load<f32>(dy + (<usize>i << 2)) * load<f32>(y + (<usize>i << 2));
    for (let i = start; i < start + cols; i++) {
      const at = <usize>i << 2;
      store<f32>(dx + at, load<f32>(y + at) * (load<f32>(dy + at) - <f32>dot));
    }
  }
}

/** y = (x − max) − log Σ e^(x − max), per row: log softmax, finite for any finite x (no probability rounds to 0 first); x may be y. */
export function logSoftmaxForward(x: usize, y: usize, rows: i32, cols: i32): void {
  const rowBytes = <usize>cols << 2;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * rowBytes;
    const rowMax = rowMaxOf(x + row, cols);
    const logSum = <f32>Math.log(shiftedExpSum(x + row, cols, rowMax));
    for (let c = 0; c < cols; c++) {
      const at = row + (<usize>c << 2);
      store<f32>(y + at, load<f32>(x + at) - rowMax - logSum);
    }
  }
}

/** dx = dy − softmax(x)·Σ dy, per row, softmax(x) being e^y. */
export function logSoftmaxBackward(y: usize, dy: usize, dx: usize, rows: i32, cols: i32): void {
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let sum: f64 = 0;
    for (let i = start; i < start + cols; i++) sum += <f64>load<f32>(dy + (<usize>i << 2));
    for (let i = start; i < start + cols; i++) {
      const at = <usize>i << 2;
      store<f32>(dx + at, load<f32>(dy + at) - Mathf.exp(load<f32>(y + at)) * <f32>sum);
    }
  }
}

/** The log-sum-exp of one row, shifted by the row max, without writing the softmax anywhere. */
function logSumExpRow(x: usize, cols: i32): f32 {
  const rowMax = rowMaxOf(x, cols);
  return rowMax + <f32>Math.log(shiftedExpSum(x, cols, rowMax));
}

/**
 * −Σ t·log softmax(z) as Σ t·(logSumExp − z), which stays finite for any finite logits. Classes
 * with t = 0 add nothing, even where the log-probability is −∞. With label smoothing ls the target
 * is t·(1 − ls) + ls/cols (Keras's smoothing); the gradient is (softmax(z) − that target)/rows.
 * `probs` may be dLogits itself (each probability is read just before its gradient overwrites it),
 * or 0 when dLogits is 0 too (a loss from logits whose probabilities nothing keeps).
 */
export function softmaxCrossEntropy(logits: usize, targets: usize, probs: usize, dLogits: usize, rows: i32, cols: i32,
  labelSmoothing: f32, rowWeights: usize): f64 {
  const rowBytes = <usize>cols << 2;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * rowBytes;
    const weight = rowWeight(rowWeights, r);
    const logSumExp = probs != 0 ? softmaxRow(logits + row, probs + row, cols) : logSumExpRow(logits + row, cols);
    let rowLoss: f64 = 0;
    for (let c = 0; c < cols; c++) {
      const at = row + (<usize>c << 2);
      const target = smoothed(load<f32>(targets + at), labelSmoothing, cols);
      if (target != 0) rowLoss += <f64>target * (<f64>logSumExp - load<f32>(logits + at));
      if (dLogits != 0) store<f32>(dLogits + at, (load<f32>(probs + at) - target) / <f32>rows * weight);
    }
    total += rowLoss * weight;
  }
  return total / rows;
}

/**
 * Sparse labels made one-hot in place: `labels` holds rows class ids (as f32) at its start and
 * becomes the [rows, cols] one-hot matrix. Rows are written last to first, so no id is overwritten
 * before it is read (row r's id sits at index r ≤ r·cols).
 */
export function expandClassIds(labels: usize, rows: i32, cols: i32): void {
  for (let r = rows - 1; r >= 0; r--) {
    const label = <i32>load<f32>(labels + (<usize>r << 2));
    const row = labels + (<usize>(r * cols) << 2);
    for (let c = 0; c < cols; c++) store<f32>(row + (<usize>c << 2), c == label ? 1 : 0);
  }
}

/**
 * Keras's categorical hinge, per row: pos = Σ t·o, neg = max over classes of (1 − t)·o, loss =
 * max(neg − pos + 1, 0). Where the loss is positive, dO = (−t + (1 − t) at the class that gave neg,
 * the first on ties)/rows; 0 elsewhere, the kink included.
 */
export function categoricalHinge(outputs: usize, targets: usize, dOutputs: usize, rows: i32, cols: i32, rowWeights: usize): f64 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * cols) << 2;
    const weight = rowWeight(rowWeights, r);
    let positive: f32 = 0, negative: f32 = -Infinity;
    let worst = 0;
    for (let c = 0; c < cols; c++) {
      const at = row + (<usize>c << 2);
      const t = load<f32>(targets + at), o = load<f32>(outputs + at);
      positive += t * o;
      const other: f32 = (1 - t) * o;
      if (other > negative) {
        negative = other;
        worst = c;
      }
    }
    const loss = max<f32>(negative - positive + 1, 0);
    total += <f64>loss * weight;
    if (dOutputs == 0) continue;
    for (let c = 0; c < cols; c++) {
      const at = row + (<usize>c << 2);
      const t = load<f32>(targets + at);
      store<f32>(dOutputs + at, loss > 0 ? (c == worst ? 1 - 2 * t : -t) / <f32>rows * weight : 0);
    }
  }
  return total / rows;
}

/** Keras's floor of a norm in l2 normalisation (backend.epsilon()). */
const NORM_FLOOR: f64 = 1e-7;

/**
 * Keras's cosine similarity loss, per row: −Σ t·o / (max(‖t‖, ε)·max(‖o‖, ε)), ε = 1e-7: −1 where
 * o points as t does. dO = −(t̂ − c·o/‖o‖²)/max(‖o‖, ε)/rows, t̂ = t/max(‖t‖, ε) and c the row's
 * similarity, the second term only where ‖o‖ is above the floor (below, the norm is a constant).
 */
export function cosineSimilarity(outputs: usize, targets: usize, dOutputs: usize, rows: i32, cols: i32, rowWeights: usize): f64 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * cols) << 2;
    const weight = rowWeight(rowWeights, r);
    let dot: f64 = 0, targetSquares: f64 = 0, outputSquares: f64 = 0;
    for (let c = 0; c < cols; c++) {
      const at = row + (<usize>c << 2);
      const t = <f64>load<f32>(targets + at), o = <f64>load<f32>(outputs + at);
      dot += t * o;
      targetSquares += t * t;
      outputSquares += o * o;
    }
    const targetNorm = max(Math.sqrt(targetSquares), NORM_FLOOR), outputNorm = Math.sqrt(outputSquares);
    const flooredOutputNorm = max(outputNorm, NORM_FLOOR);
    const similarity = dot / (targetNorm * flooredOutputNorm);
    total -= similarity * weight;
    if (dOutputs == 0) continue;
    const along: f64 = outputNorm > NORM_FLOOR ? similarity / outputNorm : 0;
    for (let c = 0; c < cols; c++) {
      const at = row + (<usize>c << 2);
      const slope = -(<f64>load<f32>(targets + at) / targetNorm - along * load<f32>(outputs + at)) / flooredOutputNorm;
      store<f32>(dOutputs + at, <f32>(slope / rows * weight));
    }
  }
  return total / rows;
}
