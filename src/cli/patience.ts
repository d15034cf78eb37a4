// `convas train --patience N`: Keras's EarlyStopping(monitor='val_loss', patience=N,
// restore_best_weights=True) over the held-out images, across the one fit per epoch the run makes
// and across --resume. An epoch improves when its held-out loss is below the best so far; after N
// epochs in a row that do not (the first that does not, for N = 0, as in Keras), the run stops
// (never after its first epoch). When the run ends —
// stopped early or its last epoch done, as Keras 3 restores — the model takes back the weights of
// its best epoch. The state lives in the run's record (run-checkpoint.ts) and the best epoch's
// model in DIR/best, so that a run resumed from any checkpoint ends with the same model as one
// never stopped.
import { join } from 'node:path';
import { FileFormatError } from '../errors.js';
import { loadModel } from '../io/load.js';
import type { Model } from '../model/model.js';
import { counted } from './counted.js';

/** What the run records after each epoch. */
export interface PatienceState {
  /** The lowest held-out loss so far, and the epoch (counted from 1) that reached it; 0 before any. */
  best: number;
  bestEpoch: number;
  /** Epochs since then that did not improve on it. */
  wait: number;
  /** Whether the run stopped early: it is finished, though epochs are left. */
  stopped: boolean;
}

export const freshPatience = (): PatienceState => ({ best: 0, bestEpoch: 0, wait: 0, stopped: false });

/** Whether `state` is a PatienceState as the run records it. */
export function isPatienceState(state: unknown): state is PatienceState {
  const s = state as PatienceState;
  return typeof s === 'object' && s !== null && Number.isFinite(s.best) && Number.isInteger(s.bestEpoch) && s.bestEpoch >= 0 &&
    Number.isInteger(s.wait) && s.wait >= 0 && typeof s.stopped === 'boolean';
}

/** Where the best epoch's model is kept, inside the run's --out directory. */
export const bestDirectory = (out: string) => join(out, 'best');

/** Counts epoch `epochsDone` (from 1) with its held-out loss into `state`; returns whether it is the best so far. */
export function countEpoch(state: PatienceState, patience: number, epochsDone: number, heldOutLoss: number): boolean {
  state.wait++;
  if (state.bestEpoch === 0 || heldOutLoss < state.best) {
    Object.assign(state, { best: heldOutLoss, bestEpoch: epochsDone, wait: 0 });
    return true;
  }
  if (state.wait >= patience && epochsDone > 1) state.stopped = true;
  return false;
}

/** Why a run stopped early, after epoch `stoppedAfter` (from 1): the epochs in a row without improvement that `patience` waits for. */
export const stoppedWhy = (patience: number, stoppedAfter: number) =>
  `the held-out loss did not improve for ${counted(Math.max(patience, 1), 'epoch')}, stopped after epoch ${stoppedAfter}`;

/**
 * Puts the best epoch's weights back into `model`, which holds epoch `epochsDone`'s: from DIR/best
 * unless that is the best. Returns whether the weights changed.
 */
export async function restoreBest(model: Model, state: PatienceState, out: string, epochsDone: number): Promise<boolean> {
  if (state.bestEpoch === epochsDone) return false;
  const dir = bestDirectory(out);
  const best = await loadModel(dir);
  const kept = (best.getUserDefinedMetadata()?.trainingRun as { epochsDone?: number } | undefined)?.epochsDone;
  if (kept !== state.bestEpoch) {
    best.dispose();
    throw new FileFormatError(`${dir}: holds epoch ${kept ?? '(none recorded)'}, but the run's best epoch is ${state.bestEpoch}; ` +
      'the directory was changed outside convas train');
  }
  const weights = best.getWeights();
  model.setWeights(weights);
  weights.forEach((w) => w.dispose());
  best.dispose();
  return true;
}

/**
 * Whether the run has ended with its best epoch's weights put back (stopped early, or its last
 * epoch not the best): going on from them would not be the run it would have been with more epochs.
 */
export const endedOnBest = (state: PatienceState, epochsDone: number, epochs: number): boolean =>
  state.stopped || (epochsDone === epochs && state.bestEpoch !== epochsDone);
