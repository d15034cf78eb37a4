// Gradient clipping before an optimizer step, as Keras's optimizers do it: clipNorm scales each
// weight's gradient down to that norm (tf.clip_by_norm), globalClipNorm all of them together by
// their joint norm (tf.clip_by_global_norm), clipValue clips each value. Norms are summed in f64 in
// wasm, in weight order, so a clip gives the same bits on every engine and thread count.
import { getBackend } from '../backend/wasm.js';
import type { Parameter } from '../layers/layer.js';
import type { ResolvedOptimizerConfig } from './optimizer-types.js';

export function clipGradients(params: readonly Parameter[], config: ResolvedOptimizerConfig): void {
  const k = getBackend().kernels;
  const { clipNorm, clipValue, globalClipNorm } = config;
  if (clipNorm !== undefined) {
    for (const p of params) k.clipToNorm(p.grad, p.size, k.sumOfSquares(p.grad, p.size), clipNorm);
  } else if (globalClipNorm !== undefined) {
    let squaredNorm = 0;
    for (const p of params) squaredNorm += k.sumOfSquares(p.grad, p.size);
    for (const p of params) k.clipToNorm(p.grad, p.size, squaredNorm, globalClipNorm);
  } else if (clipValue !== undefined) {
    for (const p of params) k.clipByValue(p.grad, p.size, clipValue);
  }
}
