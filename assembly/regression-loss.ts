// Losses on the error x = o − t of each output, as Keras defines them: the mean over a row's
// outputs, averaged over rows, summed in f64 in row order; gradients written only when their
// pointer is not 0. (meanSquaredError, convas's ½Σx² per row, is in loss.ts.)

/** |x|; dO = sign(x)/(cols·rows), 0 where x = 0. */
export function meanAbsoluteError(outputs: usize, targets: usize, dOutputs: usize, rows: i32, cols: i32): f64 {
  const count = <f32>cols * <f32>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let rowLoss: f64 = 0;
    for (let i = start; i < start + cols; i++) {
      const at = <usize>i << 2;
      const error = load<f32>(outputs + at) - load<f32>(targets + at);
      rowLoss += Math.abs(<f64>error);
      if (dOutputs != 0) store<f32>(dOutputs + at, (error > 0 ? 1 : error < 0 ? -1 : 0) / count);
    }
    total += rowLoss / cols;
  }
  return total / rows;
}

/** ½x² where |x| ≤ δ, else δ·|x| − ½δ²; dO = x, or δ·sign(x) beyond δ, over cols·rows. */
export function huber(outputs: usize, targets: usize, dOutputs: usize, rows: i32, cols: i32, delta: f32): f64 {
  const count = <f32>cols * <f32>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let rowLoss: f64 = 0;
    for (let i = start; i < start + cols; i++) {
      const at = <usize>i << 2;
      const error = load<f32>(outputs + at) - load<f32>(targets + at);
      const size = Math.abs(<f64>error);
      const inside = size <= delta;
      rowLoss += inside ? 0.5 * size * size : delta * size - 0.5 * <f64>delta * delta;
      if (dOutputs != 0) store<f32>(dOutputs + at, (inside ? error : error > 0 ? delta : -delta) / count);
    }
    total += rowLoss / cols;
  }
  return total / rows;
}
