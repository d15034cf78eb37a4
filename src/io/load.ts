// loadModel(): read the model file through the source's handler, recognise its format (convas, a
// TensorFlow.js LayersModel, or ONNX) and let that format's reader check and build the model.
import { ConfigError } from '../errors.js';
import type { Model } from '../model/model.js';
import { checkOptions } from '../model/settings.js';
import { shownValue } from '../shown-value.js';
import { FORMAT, FORMAT_VERSION } from './convas-format.js';
import { readConvasModel } from './convas-reader.js';
import { type ModelLocation, sourceFor } from './handlers.js';
import { fileError, parseJsonFile } from './json-fields.js';
import { type LoadOptions, onnxSupport } from './onnx-support.js';
import { readTfjsModel } from './tfjs-reader.js';

export type { LoadOptions } from './onnx-support.js';

const LAYOUTS = ['NHWC', 'NCHW'];
const LOAD_OPTIONS = ['inputLayout', 'sizes'] as const satisfies ReadonlyArray<keyof LoadOptions>;

/** An .onnx file, or bytes that open as an ONNX ModelProto does (field 1, ir_version, a varint: 0x08) where no .json was named. */
const looksLikeOnnx = (name: string, bytes: Uint8Array) =>
  name.toLowerCase().endsWith('.onnx') || (!name.toLowerCase().endsWith('.json') && bytes[0] === 0x08);

/** options.sizes: names of variable dimensions, each with a positive whole size. */
function checkSizes(sizes: unknown): void {
  if (sizes === undefined) return;
  const entries = sizes !== null && typeof sizes === 'object' && !Array.isArray(sizes) ? Object.entries(sizes) : undefined;
  if (!entries) throw new ConfigError(`loadModel: options.sizes must map dimension names to sizes, e.g. { height: 224, width: 224 }; got ${shownValue(sizes)}`);
  for (const [name, size] of entries) {
    if (!Number.isInteger(size) || size < 1) throw new ConfigError(`loadModel: options.sizes.${name} must be a positive integer, got ${shownValue(size)}`);
  }
}

/**
 * Loads a model saved by model.save() (compiled, with its optimizer state, if it was), a
 * TensorFlow.js LayersModel, or an ONNX model: from a directory (or its .json file, or an .onnx
 * file) in Node, an http(s) URL of model.json or of an .onnx file, indexeddb://name, File objects
 * (as a file picker gives them: the model's .json or .onnx and the files it names), or an ONNX
 * model's bytes. Every problem with the files is a FileFormatError naming the file.
 */
export async function loadModel(source: ModelLocation, options: LoadOptions = {}): Promise<Model> {
  // A misspelt option (inputlayout) would load an ONNX model channels-last without a word.
  checkOptions('loadModel', options, LOAD_OPTIONS);
  if (options.inputLayout !== undefined && !LAYOUTS.includes(options.inputLayout)) {
    throw new ConfigError(`loadModel: options.inputLayout must be 'NHWC' or 'NCHW', got ${shownValue(options.inputLayout)}`);
  }
  checkSizes(options.sizes);
  const store = await sourceFor(source);
  const file = store.describe(store.modelFile);
  const bytes = await store.read(store.modelFile);
  if (looksLikeOnnx(store.modelFile, bytes)) return (await onnxSupport('loadModel')).readOnnx(bytes, file, store, options);
  if (options.inputLayout === 'NCHW') throw new ConfigError(`loadModel: inputLayout 'NCHW' is for ONNX models; ${file} is not one (its inputs are NHWC)`);
  if (options.sizes !== undefined) throw new ConfigError(`loadModel: sizes are for ONNX models' variable dimensions; ${file} is not one (its sizes are fixed)`);
  const json = parseJsonFile(bytes, file);
  if (json.format === FORMAT) return readConvasModel(json, file, store);
  if (json.modelTopology !== undefined) return readTfjsModel(json, file, store);
  if (json.format === undefined) throw fileError(file, `missing field "format"; expected "${FORMAT}" or a TensorFlow.js LayersModel`);
  throw fileError(file, `has format ${JSON.stringify(json.format)}; expected "${FORMAT}" (formatVersion 1 to ${FORMAT_VERSION}) or a TensorFlow.js ` +
    'LayersModel (with modelTopology and weightsManifest)');
}
