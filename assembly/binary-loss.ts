// Binary cross-entropy, one independent yes/no per output (sigmoid outputs, multi-label). Like
// the other losses: the mean over a row's outputs, averaged over rows, summed in f64 in row order;
// gradients written only when their pointer is not 0. With label smoothing ls the target is
// t·(1 − ls) + ls/2 (Keras's smoothing).
import { clip, inClip } from './probability';

// @ts-ignore: decorator
@inline function smoothed(target: f32, labelSmoothing: f32): f32 {
  return labelSmoothing == 0 ? target : target * (1 - labelSmoothing) + 0.5 * labelSmoothing;
}

/**
 * From the logits z of a sigmoid output, in the log-sum-exp form that never overflows:
 * max(z, 0) − z·t + log(1 + e^−|z|). The gradient with respect to z is (σ(z) − t)/(cols·rows),
 * σ(z) read from `outputs` (the sigmoid's forward output).
 */
export function sigmoidCrossEntropy(logits: usize, outputs: usize, targets: usize, dLogits: usize, rows: i32, cols: i32,
  labelSmoothing: f32): f64 {
  const count = <f32>cols * <f32>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let rowLoss: f64 = 0;
    for (let i = start; i < start + cols; i++) {
      const at = <usize>i << 2;
      const z = <f64>load<f32>(logits + at), target = smoothed(load<f32>(targets + at), labelSmoothing);
      rowLoss += max(z, 0) - z * target + Math.log1p(Math.exp(-Math.abs(z)));
      if (dLogits != 0) store<f32>(dLogits + at, (load<f32>(outputs + at) - target) / count);
    }
    total += rowLoss / cols;
  }
  return total / rows;
}

/**
 * On probabilities o (no sigmoid to take the logits from), as Keras: o clipped to [1e-7, 1 − 1e-7],
 * then −(t·log o + (1 − t)·log(1 − o)). The gradient is −(t/o − (1 − t)/(1 − o))/(cols·rows) inside
 * the clip and 0 outside it.
 */
export function binaryCrossEntropy(outputs: usize, targets: usize, dOutputs: usize, rows: i32, cols: i32, labelSmoothing: f32): f64 {
  const count = <f32>cols * <f32>rows;
  let total: f64 = 0;
  for (let r = 0; r < rows; r++) {
    const start = r * cols;
    let rowLoss: f64 = 0;
    for (let i = start; i < start + cols; i++) {
      const at = <usize>i << 2;
      const output = load<f32>(outputs + at), target = smoothed(load<f32>(targets + at), labelSmoothing);
      const o = <f64>clip(output);
      rowLoss -= target * Math.log(o) + (1 - <f64>target) * Math.log(1 - o);
      if (dOutputs != 0) {
        store<f32>(dOutputs + at, inClip(output) ? -(target / output - (1 - target) / (1 - output)) / count : 0);
      }
    }
    total += rowLoss / cols;
  }
  return total / rows;
}
