// The convas model format: model.json describes the model and every array in weights.bin.
//
//   { format: "convas-model", formatVersion: 2, seed,
//     model: { className: "Model" | "Sequential", name, layers: [{ ...layer.getConfig(), inbound,
//              trainable? }, …], inputs: [names], outputs: [names] }   (graph-config.ts),
//     training?: { optimizer: <full optimizer config>, loss, metrics?, steps, randomState, scheduleState? },
//     userDefinedMetadata?: { … } (any JSON object: Model.setUserDefinedMetadata),
//     weights: { path: "weights.bin", byteLength, crc32: "<8 hex digits>",
//                arrays: [{ name, shape, dtype: "float32", byteOffset, byteLength }, …] } }
//
// Version 1 (still read) held a chain: inputShape and layers: [layer.getConfig(), …] in place of model.
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
import type { GraphConfig } from '../model/graph-config.js';

export const FORMAT = 'convas-model';
export const FORMAT_VERSION = 2;

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
