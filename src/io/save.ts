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
  const store = await destinationFor(destination);
  const encode = format === 'tfjs' ? encodeTfjsModel : encodeConvasModel;
  const { json, weights } = encode(model, store.weightsFile);
  await store.write([{ path: store.weightsFile, bytes: weights }, { path: store.modelFile, bytes: encodeJson(json) }]);
}

registerSaver(saveModel);
