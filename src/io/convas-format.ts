// The convas model format: model.json describes the model and every array in weights.bin.
//
//   { format: "convas-model", formatVersion: 2 or 3, seed,
//     model: { className: "Model" | "Sequential", name, trainable?, layers: [{ ...layer.getConfig(),
//              inbound, trainable?, training? }, …], inputs: [names], outputs: [names] }   (graph-config.ts),
//     training?: { optimizer: <full optimizer config>, loss, metrics?, steps, randomState, scheduleState? },
//     userDefinedMetadata?: { … } (any JSON object: Model.setUserDefinedMetadata),
//     weights: { path: "weights.bin", byteLength, crc32: "<8 hex digits>",
//                arrays: [{ name, shape, dtype: "float32", byteOffset, byteLength }, …] } }
//
// Version 1 (still read) held a chain: inputShape and layers: [layer.getConfig(), …] in place of model.
// Version 3 is version 2 with a layer's `training: false` (its call fixed in inference mode): only a
// file holding one says 3 (formatVersionOf), so a convas that reads version 2 refuses it, rather than
// ignore the setting on a nested model and train its batch normalisations; it reads every other file.
//
// weights.bin is little-endian f32: the model's weights in layer order (Model.params), then (if compiled)
// the optimizer's state buffers per parameter, named optimizer/<parameter>/<slot> (Optimizer.slotNames),
// so training continues exactly where it stopped. training.randomState holds where the shuffle and
// dropout streams were (Model.randomState), so resumed training draws the same batches and masks.
// A learning-rate schedule is saved in the optimizer config as { className, config }; the step it is
// at is training.steps, and training.scheduleState holds reduceLROnPlateau's own state.
import type { LossConfig, LossName } from '../model/losses.js';
import type { MetricSpec } from '../model/metric-set.js';
import type { ResolvedOptimizerConfig } from '../model/optimizers.js';
import type { PlateauState } from '../model/schedules.js';
import { type GraphConfig, isGraphClass } from '../model/graph-config.js';

export const FORMAT = 'convas-model';
/** The newest version, which this convas reads. */
export const FORMAT_VERSION = 3;

/** The version a model's file is written in: 3 where a layer (nested ones included) is called with training false, else 2. */
export function formatVersionOf(model: GraphConfig): number {
  const graphs = [model];
  for (let g = 0; g < graphs.length; g++) {
    for (const layer of graphs[g].layers) {
      if (layer.training === false) return 3;
      if (isGraphClass(layer.className)) graphs.push(layer as unknown as GraphConfig);
    }
  }
  return 2;
}

export const optimizerArrayName = (parameter: string, slot: string) => `optimizer/${parameter}/${slot}`;

export interface ArrayEntry {
  name: string;
  shape: number[];
  dtype: 'float32';
  byteOffset: number;
  byteLength: number;
}

export interface ConvasModelJson {
  format: typeof FORMAT;
  formatVersion: number;
  seed: number;
  model: GraphConfig;
  training?: {
    optimizer: ResolvedOptimizerConfig; loss: LossName | LossConfig; metrics?: MetricSpec[]; steps: number; randomState?: number[];
    scheduleState?: PlateauState;
  };
  weights: { path: string; byteLength: number; crc32: string; arrays: ArrayEntry[] };
  /** Model.setUserDefinedMetadata's object, when there is one. */
  userDefinedMetadata?: Record<string, unknown>;
}
