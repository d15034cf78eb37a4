// The two losses. Both are averaged over the batch; the gradient is written for backward.
import { getBackend } from '../backend/wasm.js';
import { ConfigError } from '../errors.js';

export const LOSSES = ['categoricalCrossentropy', 'meanSquaredError'] as const;
export type LossName = (typeof LOSSES)[number];

export function checkLoss(name: unknown): LossName {
  if (!LOSSES.includes(name as LossName)) {
    throw new ConfigError(`compile: unknown loss ${JSON.stringify(name)}; expected one of ${LOSSES.join(', ')}`);
  }
  return name as LossName;
}

/**
 * Computes the loss of `outputs` against `targets` ([rows, cols]) and, when dOutputs ≠ 0, its
 * gradient. With `logits` ≠ 0 (a softmax output trained with cross-entropy) the fused, stable
 * kernel works from the logits and the gradient is with respect to them.
 */
export function computeLoss(loss: LossName, outputs: number, logits: number, targets: number, dOutputs: number,
  rows: number, cols: number): number {
  const k = getBackend().kernels;
  if (loss === 'meanSquaredError') return k.meanSquaredError(outputs, targets, dOutputs, rows, cols);
  if (logits !== 0) return k.softmaxCrossEntropy(logits, targets, outputs, dOutputs, rows, cols);
  return k.crossEntropy(outputs, targets, dOutputs, rows, cols);
}
