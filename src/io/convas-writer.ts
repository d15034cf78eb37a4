// Model → model.json + weights.bin in the convas format (see convas-format.ts).
import { graphConfig } from '../model/graph-config.js';
import type { Model } from '../model/model.js';
import { crc32Hex } from './crc32.js';
import { type ArrayEntry, type ConvasModelJson, FORMAT, formatVersionOf, optimizerArrayName } from './convas-format.js';
import { metadataOf } from './json-fields.js';
import { packFloats, parameterValues } from './weight-bytes.js';

/** The weights, and model.json for the weights stored as `weightsFile`. */
export function encodeConvasModel(model: Model): { json: (weightsFile: string) => ConvasModelJson; weights: Uint8Array<ArrayBuffer> } {
  const params = model.params;
  const values = parameterValues(params);
  const arrays = params.map((p, i) => ({ name: p.name, shape: p.shape, values: values[i] }));
  const compiled = model.compileConfig;
  const optimizer = model.optimizerState;
  const state = optimizer?.getState();
  if (compiled && optimizer && state) {
    const slots = optimizer.slotNames;
    state.buffers.forEach((buffers, i) => buffers.forEach((values, j) =>
      arrays.push({ name: optimizerArrayName(params[i].name, slots[j]), shape: params[i].shape, values })));
  }
  const weights = packFloats(arrays.map((a) => a.values));
  let byteOffset = 0;
  const entries: ArrayEntry[] = arrays.map(({ name, shape, values }) => {
    const entry: ArrayEntry = { name, shape: [...shape], dtype: 'float32', byteOffset, byteLength: values.length * 4 };
    byteOffset += entry.byteLength;
    return entry;
  });
  const crc32 = crc32Hex(weights);
  const config = graphConfig(model);
  const json = (weightsFile: string): ConvasModelJson => ({
    format: FORMAT,
    formatVersion: formatVersionOf(config),
    seed: model.seed,
    model: config,
    ...(compiled && state ? {
      training: {
        optimizer: compiled.optimizer, loss: compiled.loss, ...(compiled.metrics ? { metrics: compiled.metrics } : {}),
        steps: state.steps, randomState: model.randomState,
        ...(state.schedule ? { scheduleState: state.schedule } : {}),
      },
    } : {}),
    weights: { path: weightsFile, byteLength: weights.length, crc32, arrays: entries },
    ...metadataOf(model),
  });
  return { json, weights };
}
