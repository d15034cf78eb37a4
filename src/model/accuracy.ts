// Accuracy as fit and evaluate report it, counted the way the loss reads its targets (Keras's
// choice of metric for 'accuracy'): the class of the largest output against the target's (for
// sparse labels, against the id, the targets being one-hot by then); for binaryCrossentropy each
// output as a yes/no, o > 0.5 (a logit, with fromLogits: z > 0, the same yes as σ(z) > 0.5),
// against its 0/1 target, a row counting the share it gets right; for the hinges each output's
// sign against its target's (−1/1, or 0/1).
import { getBackend } from '../backend/wasm.js';
import { argmaxRow } from '../metrics.js';
import type { AccuracyKind } from './losses.js';

/**
 * The rows right (fractions of a row for the per-output kinds) among the first `rows` of output and
 * target; a binary output is a yes above `yesAbove` (the loss's: 0.5, or 0 for logits).
 */
export function countCorrect(kind: AccuracyKind, output: number, target: number, rows: number, cols: number, yesAbove: number): number {
  const heap = getBackend().memory.heapF32;
  const o = output >>> 2, t = target >>> 2;
  if (kind === 'class') {
    let correct = 0;
    for (let r = 0; r < rows; r++) {
      const at = r * cols;
      const right = cols === 1 ? Math.round(heap[o + at]) === heap[t + at] : argmaxRow(heap, o + at, cols) === argmaxRow(heap, t + at, cols);
      if (right) correct++;
    }
    return correct;
  }
  let right = 0;
  for (let i = 0; i < rows * cols; i++) {
    right += kind === 'binary' ? Number((heap[o + i] > yesAbove ? 1 : 0) === heap[t + i]) : Number(heap[o + i] > 0 === heap[t + i] > 0);
  }
  return right / cols;
}
