// One fit at a time for any layer. A layer keeps one set of training buffers (its outputs and
// gradients) and a model one batch buffer, so a second fit or fitDataset started before the first
// has finished, on the same model or on another that shares a layer, would train on the other's
// batch. TF.js refuses a second fit on one model likewise.
import { StateError } from '../errors.js';
import type { Layer } from '../layers/layer.js';

/** The model whose fit or fitDataset is training each layer now. */
const trainedBy = new WeakMap<Layer, Layer>();

/** Runs `run` with `model` and its `layers` (nested ones included) marked as training; refused while any of them is. */
export async function trainExclusively<T>(model: Layer, layers: readonly Layer[], what: string, run: () => Promise<T>): Promise<T> {
  const marked = [model, ...layers];
  const busy = marked.find((layer) => trainedBy.has(layer));
  if (busy) {
    const other = trainedBy.get(busy)!;
    const state = other === model ? `model ${model.name} is training already`
      : busy === model ? `model ${other.name}, which holds ${model.name}, is training it`
      : busy === other ? `model ${other.name}, which ${model.name} holds, is training`
      : `model ${other.name} is training layer ${busy.name}, which ${model.name} shares`;
    throw new StateError(`${what}: ${state}; await that fit or fitDataset before starting another (a layer trains in one run at a time)`);
  }
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
