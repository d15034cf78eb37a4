// Transfer learning's two steps before a head is trained: cut a pretrained base at a named layer
// (frozen, optionally pooled to one feature vector per image), and run it once over the images to
// cache their features — the embeddings a small head then trains on in seconds. The head and the
// cut base stack back into one model: sequential({ inputShape, layers: [cut, head] }).
import { getBackend } from '../backend/wasm.js';
import { ConfigError, ShapeError } from '../errors.js';
import { Flatten } from '../layers/flatten.js';
import { GlobalPooling2D } from '../layers/global-pooling2d.js';
import { InputLayer } from '../layers/input-layer.js';
import type { Layer } from '../layers/layer.js';
import type { SymbolicTensor } from '../layers/node.js';
import { formatShape, sizeOf } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type Tensor, emptyTensor, tensor } from '../tensor.js';
import { Model, PREDICT_OPTIONS, type PredictOptions } from './model.js';
import { checkOptions } from './settings.js';

export interface CutOptions {
  /**
   * What follows the cut layer: 'none' (default: its output as it is), 'avg' or 'max' (global
   * pooling of an image-shaped output: one value per channel, as Teachable Machine and Keras's
   * `pooling` do), or 'flatten'.
   */
  pooling?: 'none' | 'avg' | 'max' | 'flatten';
  /** Whether the cut layers train (fine-tuning). Default false: frozen, the usual transfer learning. */
  trainable?: boolean;
  /** The cut model's name; default `${base.name}_cut`. */
  name?: string;
}

export const POOLINGS = ['none', 'avg', 'max', 'flatten'] as const;

/**
 * The base from its inputs to the output of the layer named `layerName` (sharing the base's layers
 * and weights, as `model({ inputs: base.inputs, outputs: base.getLayer(name).output })` does),
 * pooled as asked and frozen unless `trainable`. A layer inside a nested model (a Teachable Machine
 * export's MobileNet, a Keras base applied in a new model) cuts that model there: what the base
 * computes before it, then the nested model up to the layer. A name the base lacks, or that names
 * layers in several nested models, is a ConfigError saying what there is.
 */
export function cutModel(base: Model, layerName: string, options: CutOptions = {}): Model {
  if (!(base instanceof Model)) throw new ConfigError(`cutModel: expected a model to cut, got ${String(base)}`);
  const { pooling = 'none', trainable = false, name = `${base.name}_cut` } = options;
  if (!(POOLINGS as readonly string[]).includes(pooling)) {
    throw new ConfigError(`cutModel: pooling ${shownValue(pooling)}; expected ${POOLINGS.map((p) => `'${p}'`).join(', ')}`);
  }
  if (typeof trainable !== 'boolean') throw new ConfigError(`cutModel: trainable must be true or false, got ${shownValue(trainable)}`);
  const path = pathTo(base, layerName);
  const layer = path[path.length - 1];
  if (layer instanceof InputLayer) {
    throw new ConfigError(`cutModel: ${layerName} is ${path.length > 1 ? `the nested model ${path[path.length - 2].name}` : base.name}'s input layer; cut after a layer that computes`);
  }
  let output = outputThrough(path, name);
  if (pooling === 'avg' || pooling === 'max') {
    if (output.shape.length !== 3) {
      throw new ConfigError(`cutModel: pooling '${pooling}' pools images [height, width, channels], but ${layerName} outputs ` +
        `${formatShape(output.shape)}; use pooling 'none' or 'flatten'`);
    }
    output = new GlobalPooling2D(pooling, { name: `${name}_pool` }).apply(output);
  } else if (pooling === 'flatten' && output.shape.length > 1) {
    output = new Flatten({ name: `${name}_flatten` }).apply(output);
  }
  const cut = new Model({ inputs: base.inputs, outputs: output, name, seed: base.seed });
  cut.trainable = trainable;
  return cut;
}

/**
 * The layers from the base down to the one named `layerName`: [layer] for one of the base's own,
 * [nested, …, layer] for one inside nested models (found in exactly one of them). A name found
 * nowhere, or in several nested models, is a ConfigError listing what there is.
 */
function pathTo(base: Model, layerName: string): Layer[] {
  const own = base.layers.find((l) => l.name === layerName);
  if (own) return [own];
  const found = nestedPaths(base, layerName);
  if (found.length === 1) return found[0];
  const nested = base.layers.filter((l): l is Model => l instanceof Model);
  const inside = nested.length ? `; inside it: ${nested.map((m) => `${m.name} (${m.layers.length} layers)`).join(', ')}` : '';
  if (found.length > 1) {
    throw new ConfigError(`cutModel: ${shownValue(layerName)} is a layer of ${found.length} nested models of ${base.name} ` +
      `(${found.map((p) => p.slice(0, -1).map((l) => l.name).join(' › ')).join(', ')}): cut the one you mean instead`);
  }
  const names = base.layers.map((l) => l.name);
  throw new ConfigError(`cutModel: ${base.name} has no layer ${shownValue(layerName)}${nested.length ? ', nor has any model nested in it' : ''}; ` +
    `its ${names.length} layers are ${names.join(', ')}${inside}`);
}

/** Every path [nested, …, layer] to a layer named `layerName` inside the models nested in `model`. */
function nestedPaths(model: Model, layerName: string): Layer[][] {
  return model.layers.filter((l): l is Model => l instanceof Model).flatMap((nested) => {
    const own = nested.layers.find((l) => l.name === layerName);
    return [...(own ? [[nested, own]] : []), ...nestedPaths(nested, layerName).map((p) => [nested, ...p])];
  });
}

/**
 * The output of the path's last layer in the graph of the model that holds the path's first: a
 * nested model on the way is replaced by its cut (up to the rest of the path), applied where it was
 * applied, in inference mode if its call was.
 */
function outputThrough([first, ...rest]: Layer[], name: string): SymbolicTensor<Layer> {
  if (rest.length === 0) return first.output;
  const nested = first as Model;
  const inner = new Model({ inputs: nested.inputs, outputs: outputThrough(rest, name), name: `${name}_${nested.name}`, seed: nested.seed });
  const node = nested.inboundNode!;
  return inner.apply([...node.inputs], node.inferenceMode ? { training: false } : undefined);
}

/**
 * Examples per batch when running a model over inputs of `inputShape`: `largest`, or fewer where
 * inputs are big (about 2^20 input values a batch), since a network keeps every layer's output for
 * the whole batch: a MobileNetV2 at 224×224 needs some 64 MB an image.
 */
export function inferenceBatchSize(inputShape: readonly number[], largest: number): number {
  return Math.max(1, Math.min(largest, Math.floor(2 ** 20 / sizeOf(inputShape))));
}

export interface EmbedOptions extends PredictOptions {
  /** Examples per batch; default 32, fewer for big inputs (inferenceBatchSize). */
  batchSize?: number;
  /** Called after each batch with the examples done so far. */
  onProgress?: (done: number, total: number) => void;
}

const EMBED_OPTIONS: Record<keyof EmbedOptions, true> = { ...PREDICT_OPTIONS, onProgress: true };

/**
 * Runs `model` (a cut base) over `images` once, in batches, and returns its outputs: a tensor
 * [n, ...model.outputShape], the cached features a head trains on. `images` is a tensor
 * [n, ...model.inputShape] or their values one example after another (a Float32Array, which is
 * never copied whole into wasm memory). Between batches it yields to the event loop, so a page
 * stays responsive and progress can be drawn.
 */
export async function embed(model: Model, images: Tensor | Float32Array, options: EmbedOptions = {}): Promise<Tensor> {
  if (!(model instanceof Model)) throw new ConfigError(`embed: expected a model, got ${String(model)}`);
  if (model.inputs.length !== 1) throw new ConfigError(`embed: ${model.name} has ${model.inputs.length} inputs; embed runs models with one`);
  checkOptions('embed', options, Object.keys(EMBED_OPTIONS));
  const { onProgress, batchSize = inferenceBatchSize(model.inputShape, 32), ...predictOptions } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new ConfigError(`embed: batchSize must be a positive integer, got ${shownValue(batchSize)}`);
  const exampleSize = sizeOf(model.inputShape);
  const n = countExamples(images, model, exampleSize);
  const outputSize = sizeOf(model.outputShape);
  const result = emptyTensor([n, ...model.outputShape]);
  for (let from = 0; from < n; from += batchSize) {
    const count = Math.min(batchSize, n - from);
    const values = images instanceof Float32Array
      ? images.subarray(from * exampleSize, (from + count) * exampleSize)
      : getBackend().memory.f32(images.ptr + from * exampleSize * 4, count * exampleSize).slice(); // a copy: allocating may move memory
    const batch = tensor(values, [count, ...model.inputShape]);
    const features = model.predict(batch, { ...predictOptions, batchSize });
    batch.dispose();
    getBackend().memory.copyFloats(result.ptr + from * outputSize * 4, features.ptr, count * outputSize);
    features.dispose();
    onProgress?.(from + count, n);
    if (from + count < n) await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return result;
}

function countExamples(images: Tensor | Float32Array, model: Model, exampleSize: number): number {
  const expected = formatShape(['n', ...model.inputShape] as never);
  if (images instanceof Float32Array) {
    if (images.length === 0 || images.length % exampleSize !== 0) {
      throw new ShapeError(`embed: ${images.length} values are not whole examples of ${formatShape(model.inputShape)} (${exampleSize} values each) for ${model.name}`);
    }
    return images.length / exampleSize;
  }
  const shape = images?.shape;
  if (!shape || shape.length !== model.inputShape.length + 1 || shape.slice(1).some((d, i) => d !== model.inputShape[i])) {
    throw new ShapeError(`embed: images of shape ${shape ? formatShape(shape) : String(images)}, but ${model.name} takes ${expected}`);
  }
  return shape[0];
}
