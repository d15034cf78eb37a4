// model.save() (registered with the model at import): encode in the chosen format, then hand the
// weights and model.json (which names them) to the destination's handler, which stores them whole or not at all.
import { ConfigError } from '../errors.js';
import type { Model } from '../model/model.js';
import { type SaveOptions, registerSaver } from '../model/save-registry.js';
import { checkOptions } from '../model/settings.js';
import { shownValue } from '../shown-value.js';
import { encodeConvasModel } from './convas-writer.js';
import { destinationFor } from './handlers.js';
import { MAX_JSON_DEPTH, encodeJson, nestsDeeperThan } from './json-fields.js';
import { onnxSupport } from './onnx-support.js';
import { encodeTfjsModel } from './tfjs-writer.js';
import { QUANTIZATIONS } from './tfjs-weights.js';

export type { SaveOptions } from '../model/save-registry.js';

const SAVE_OPTIONS = ['format', 'quantize'] as const satisfies ReadonlyArray<keyof SaveOptions>;

export async function saveModel(model: Model, destination: string, options: SaveOptions = {}): Promise<void> {
  // A misspelt option (fromat: 'onnx') would save in the convas format without a word.
  checkOptions('save', options, SAVE_OPTIONS);
  const format = options.format ?? 'convas';
  if (format !== 'convas' && format !== 'tfjs' && format !== 'onnx') {
    throw new ConfigError(`save: unknown format ${shownValue(format)}; expected 'convas', 'tfjs' or 'onnx'`);
  }
  if (format === 'onnx') {
    // The destination first, as below: a wrong one is refused before the model is encoded.
    const store = await destinationFor(destination, true);
    const bytes = (await onnxSupport('save')).encodeOnnx(model);
    // One file: the .onnx named, or model.onnx in the directory (name.onnx for downloads://name);
    // destinationFor(…, true) gives only stores that hold one.
    await store.writeOnnx!(bytes);
    return;
  }
  const { quantize } = options;
  if (quantize !== undefined && !(QUANTIZATIONS as readonly string[]).includes(quantize)) {
    throw new ConfigError(`save: unknown quantize ${shownValue(quantize)}; expected ${QUANTIZATIONS.map((q) => `'${q}'`).join(', ')} (or none for float32)`);
  }
  if (quantize && format !== 'tfjs') {
    throw new ConfigError(`save: quantize applies to format 'tfjs' only; the convas format keeps the exact float32 weights ` +
      `and the optimizer state, so that training resumes bit for bit`);
  }
  checkWeightNames(model, format);
  const store = await destinationFor(destination);
  // Encoded before anything is written: a weight float16 cannot hold fails with nothing half-saved.
  const { json, weights } = format === 'tfjs' ? encodeTfjsModel(model, quantize) : encodeConvasModel(model);
  if (nestsDeeperThan(json('weights.bin'), MAX_JSON_DEPTH)) {
    throw new ConfigError(`save (format '${format}'): model ${model.name}'s file would nest deeper than ${MAX_JSON_DEPTH} levels ` +
      `(models nested in models, a few levels each), which loadModel refuses; nest fewer models, or save as 'onnx'`);
  }
  await store.write({ weights, modelFile: (weightsPath) => encodeJson(json(weightsPath)) });
}

/**
 * Both JSON formats match weights to layers by name: layers of one name in two nested models (which
 * a graph allows, as Keras does) would write a file that cannot be read back. Refused before anything is written.
 */
function checkWeightNames(model: Model, format: string): void {
  const seen = new Set<string>();
  for (const { name } of model.params) {
    if (seen.has(name)) {
      throw new ConfigError(`save (format '${format}'): two weights are named ${name}: nested models hold layers of one name, and the file ` +
        `matches weights by name; give one of the layers another name (or save as 'onnx')`);
    }
    seen.add(name);
  }
}

registerSaver(saveModel);
