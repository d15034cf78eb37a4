// The hinge (SVM) losses, as Keras defines them. hinge and squaredHinge are the mean over a row's
// outputs; categoricalHinge is per row. All are averaged over rows, summed in f64 in row order;
// gradients written only when their pointer is not 0. Where a hinge is exactly at its kink the
// gradient is taken as 0.

/**
 * Keras's labels for hinge: −1 or 1, and a batch whose targets are all 0 or 1 is read as 0 → −1,
 * 1 → 1 (Keras decides this per batch, as here). Returns whether to convert.
 */
function binaryTargets(targets: usize, length: i32): bool {
  for (let i = 0; i < length; i++) {
    const t = load<f32>(targets + (<usize>i << 2));
    if (t != 0 && t != 1) return false;
  }
  return true;
}

/**
 * m = max(1 − t·o, 0); the loss is m (hinge) or m² (squared = 1), per output; dO = −t (or −2m·t)
 * where m > 0, divided by cols·rows.
 */
export function hinge(outputs: usize, targets: usize, dOutputs: usize, rows: i32, cols: i32, squared: i32): f64 {
  const convert = binaryTargets(targets, rows * cols);
  const count = <f32>cols * <f32>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let rowLoss: f64 = 0;
    for (let i = start; i < start + cols; i++) {
      const at = <usize>i << 2;
      const raw = load<f32>(targets + at);
      const t: f32 = convert ? 2 * raw - 1 : raw;
      const margin = max<f32>(1 - t * load<f32>(outputs + at), 0);
      rowLoss += squared != 0 ? <f64>margin * margin : <f64>margin;
      if (dOutputs != 0) store<f32>(dOutputs + at, margin > 0 ? (squared != 0 ? -2 * margin * t : -t) / count : 0);
    }
    total += rowLoss / cols;
  }
  return total / rows;
}

/**
 * Per row: pos = Σ t·o, neg = max over classes of (1 − t)·o, loss = max(neg − pos + 1, 0). Where
 * the loss is positive, dO = (−t + (1 − t) at the class that gave neg, the first on ties)/rows.
 */
export function categoricalHinge(outputs: usize, targets: usize, dOutputs: usize, rows: i32, cols: i32): f64 {
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const row = <usize>(r * cols) << 2;
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
    total += loss;
    if (dOutputs == 0) continue;
    for (let c = 0; c < cols; c++) {
      const at = row + (<usize>c << 2);
      const t = load<f32>(targets + at);
      store<f32>(dOutputs + at, loss > 0 ? (c == worst ? 1 - 2 * t : -t) / <f32>rows : 0);
    }
  }
  return total / rows;
}
