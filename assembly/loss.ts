// Softmax and the losses, one row (sample) at a time. Losses are summed in f64 in row order and
// averaged over rows; gradients are written only when their pointer is not 0.
// These run on [batch, classes] matrices, small next to the layers, so they stay scalar.

/** Writes softmax(x) of one row into y and returns the row's log-sum-exp, both shifted by the row max. */
function softmaxRow(x: usize, y: usize, cols: i32): f32 {
  let rowMax = -Infinity as f32;
  for (let c = 0; c < cols; c++) rowMax = max(rowMax, load<f32>(x + (<usize>c << 2)));
  let sum: f32 = 0;
  for (let c = 0; c < cols; c++) {
    const e = Mathf.exp(load<f32>(x + (<usize>c << 2)) - rowMax);
    store<f32>(y + (<usize>c << 2), e);
    sum += e;
  }
  for (let c = 0; c < cols; c++) store<f32>(y + (<usize>c << 2), load<f32>(y + (<usize>c << 2)) / sum);
  return rowMax + Mathf.log(sum);
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

/**
 * −Σ t·log softmax(z) as Σ t·(logSumExp − z), which stays finite for any finite logits. Classes
 * with t = 0 add nothing, even where the log-probability is −∞.
 */
export function softmaxCrossEntropy(logits: usize, targets: usize, probs: usize, dLogits: usize, rows: i32, cols: i32): f64 {
  const rowBytes = <usize>cols << 2;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * rowBytes;
    const logSumExp = softmaxRow(logits + row, probs + row, cols);
    let rowLoss: f64 = 0;
    for (let c = 0; c < cols; c++) {
      const target = load<f32>(targets + row + (<usize>c << 2));
      if (target != 0) rowLoss += <f64>target * (<f64>logSumExp - load<f32>(logits + row + (<usize>c << 2)));
    }
    total += rowLoss;
  }
  if (dLogits != 0) scaledDifference(probs, targets, dLogits, rows * cols, <f32>rows);
  return total / rows;
}

const PROBABILITY_FLOOR: f32 = 1e-7;

/**
 * −Σ t·log(max(o, 1e-7)) / rows; its gradient is −t/(o·rows) where o ≥ 1e-7 and 0 below, where
 * the floor makes the loss constant (as TensorFlow's clip does).
 */
export function crossEntropy(outputs: usize, targets: usize, dOutputs: usize, rows: i32, cols: i32): f64 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let rowLoss: f64 = 0;
    for (let i = start; i < start + cols; i++) {
      const at = <usize>i << 2;
      const output = load<f32>(outputs + at), target = load<f32>(targets + at);
      rowLoss -= <f64>target * Mathf.log(max(output, PROBABILITY_FLOOR));
      if (dOutputs != 0) store<f32>(dOutputs + at, output >= PROBABILITY_FLOOR ? -target / output / <f32>rows : 0);
    }
    total += rowLoss;
  }
  return total / rows;
}

/** ½Σ(t − o)² / rows; dOutputs = (o − t)/rows. */
export function meanSquaredError(outputs: usize, targets: usize, dOutputs: usize, rows: i32, cols: i32): f64 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let rowLoss: f64 = 0;
    for (let i = start; i < start + cols; i++) {
      const at = <usize>i << 2;
      const error = <f64>load<f32>(outputs + at) - load<f32>(targets + at);
      rowLoss += 0.5 * error * error;
    }
    total += rowLoss;
  }
  if (dOutputs != 0) scaledDifference(outputs, targets, dOutputs, rows * cols, <f32>rows);
  return total / rows;
}

/** out = (a − b) / divisor. */
function scaledDifference(a: usize, b: usize, out: usize, length: i32, divisor: f32): void {
  for (let i = 0; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(out + at, (load<f32>(a + at) - load<f32>(b + at)) / divisor);
  }
}
