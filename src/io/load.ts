// loadModel(): read model.json through the source's handler, recognise its format (convas or a
// TensorFlow.js LayersModel) and let that format's reader check and build the model.
import type { Model } from '../model/model.js';
import { FORMAT } from './convas-format.js';
import { readConvasModel } from './convas-reader.js';
import { sourceFor } from './handlers.js';
import { fileError, parseJsonFile } from './json-fields.js';
import { readTfjsModel } from './tfjs-reader.js';

/**
 * Loads a model saved by model.save() (compiled, with its optimizer state, if it was) or a
 * TensorFlow.js LayersModel: from a directory (or its .json file) in Node, an http(s) URL of model.json,
 * indexeddb://name, or File objects (as a file picker gives them: the model's .json and the weights
 * files it names). Every problem with the files is a FileFormatError naming the file.
 */
export async function loadModel(source: string | readonly File[]): Promise<Model> {
  const store = await sourceFor(source);
  const file = store.describe(store.modelFile);
  const json = parseJsonFile(await store.read(store.modelFile), file);
  if (json.format === FORMAT) return readConvasModel(json, file, store);
  if (json.modelTopology !== undefined) return readTfjsModel(json, file, store);
  if (json.format === undefined) throw fileError(file, `missing field "format"; expected "${FORMAT}" or a TensorFlow.js LayersModel`);
  throw fileError(file, `has format ${JSON.stringify(json.format)}; expected "${FORMAT}" (formatVersion 1) or a TensorFlow.js ` +
    'LayersModel (with modelTopology and weightsManifest)');
}
