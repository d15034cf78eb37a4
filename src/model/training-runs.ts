// One fit at a time for any layer. A layer keeps one set of training buffers (its outputs and
// gradients) and a model one batch buffer, so a second fit or fitDataset started before the first
// has finished, on the same model or on another that shares a layer, would train on the other's
// batch. TF.js refuses a second fit on one model likewise. lossAndGradients, a step of its own, waits
// for such a run to finish too.
import { StateError } from '../errors.js';
import type { Layer } from '../layers/layer.js';

/** The model whose fit or fitDataset is training each layer now. */
const trainedBy = new WeakMap<Layer, Layer>();

/** Which run trains `model` or one of its `layers` (nested ones included) now, in words; undefined while none does. */
function runUnderWay(model: Layer, layers: readonly Layer[]): string | undefined {
  const busy = [model, ...layers].find((layer) => trainedBy.has(layer));
  if (!busy) return undefined;
  const other = trainedBy.get(busy)!;
  return other === model ? `model ${model.name} is training already`
    : busy === model ? `model ${other.name}, which holds ${model.name}, is training it`
    : busy === other ? `model ${other.name}, which ${model.name} holds, is training`
    : `model ${other.name} is training layer ${busy.name}, which ${model.name} shares`;
}

/** Runs `run` with `model` and its `layers` (nested ones included) marked as training; refused while any of them is. */
export async function trainExclusively<T>(model: Layer, layers: readonly Layer[], what: string, run: () => Promise<T>): Promise<T> {
  const state = runUnderWay(model, layers);
  if (state) throw new StateError(`${what}: ${state}; await that fit or fitDataset before starting another (a layer trains in one run at a time)`);
  const marked = [model, ...layers];
  for (const layer of marked) trainedBy.set(layer, model);
  try {
    return await run();
  } finally {
    for (const layer of marked) trainedBy.delete(layer);
  }
}

/** Refuses `what` on a model while its own fit or fitDataset runs: the run steps with what compile() would replace. */
export function checkNotTraining(model: Layer, what: string): void {
  if (trainedBy.get(model) === model) {
    throw new StateError(`${what}: model ${model.name} is training; call it once fit or fitDataset has finished ` +
      '(set model.stopTraining = true to end the run after the current batch)');
  }
}

/**
 * Refuses `what`, a training step of its own (lossAndGradients), while a fit or fitDataset trains
 * `model` or any of its `layers`: the step fixes again which layers train and which weights get
 * gradients, and plans their buffers, under a run that keeps stepping with what it fixed at its start.
 */
export function checkNoRunUnderWay(model: Layer, layers: readonly Layer[], what: string): void {
  const state = runUnderWay(model, layers);
  if (state) {
    throw new StateError(`${what}: ${state}; call it once that fit or fitDataset has finished (a layer trains in one run at a time; ` +
      'set model.stopTraining = true to end the run after the current batch)');
  }
}
