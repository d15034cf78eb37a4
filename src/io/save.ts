// model.save() (registered with the model at import): encode in the chosen format, then hand the files to the destination's handler —
// weights first and model.json last, so the file that points at the weights is the one that commits.
import { ConfigError } from '../errors.js';
import type { Model } from '../model/model.js';
import { type SaveOptions, registerSaver } from '../model/save-registry.js';
import { encodeConvasModel } from './convas-writer.js';
import { destinationFor } from './handlers.js';
import { encodeJson } from './json-fields.js';
import { onnxSupport } from './onnx-support.js';
import { encodeTfjsModel } from './tfjs-writer.js';
import { QUANTIZATIONS } from './tfjs-weights.js';

export type { SaveOptions } from '../model/save-registry.js';

export async function saveModel(model: Model, destination: string, options: SaveOptions = {}): Promise<void> {
  const format = options.format ?? 'convas';
  if (format !== 'convas' && format !== 'tfjs' && format !== 'onnx') {
    throw new ConfigError(`save: unknown format ${JSON.stringify(format)}; expected 'convas', 'tfjs' or 'onnx'`);
  }
  if (format === 'onnx') {
    const bytes = (await onnxSupport('save')).encodeOnnx(model);
    const store = await destinationFor(destination, true);
    // One file: the .onnx named, or model.onnx in the directory (name.onnx for downloads://name).
    await store.write([{ path: store.modelFile.replace(/\.json$/, '.onnx'), bytes }]);
    return;
  }
  const { quantize } = options;
  if (quantize !== undefined && !(QUANTIZATIONS as readonly string[]).includes(quantize)) {
    throw new ConfigError(`save: unknown quantize ${JSON.stringify(quantize)}; expected ${QUANTIZATIONS.map((q) => `'${q}'`).join(', ')} (or none for float32)`);
  }
  if (quantize && format !== 'tfjs') {
    throw new ConfigError(`save: quantize applies to format 'tfjs' only; the convas format keeps the exact float32 weights ` +
      `and the optimizer state, so that training resumes bit for bit`);
  }
  const store = await destinationFor(destination);
  // Encoded before anything is written: a weight float16 cannot hold fails with nothing half-saved.
  const { json, weights } = format === 'tfjs' ? encodeTfjsModel(model, store.weightsFile, quantize) : encodeConvasModel(model, store.weightsFile);
  await store.write([{ path: store.weightsFile, bytes: weights }, { path: store.modelFile, bytes: encodeJson(json) }]);
}

registerSaver(saveModel);
