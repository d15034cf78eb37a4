// A TensorFlow.js LayersModel (see tfjs-format.ts) → Model: a Sequential of the classes convas has,
// channels_last, every option either mapped or at the value convas implements.
import type { LossName } from '../model/losses.js';
import type { Model } from '../model/model.js';
import { Optimizer, type OptimizerConfig } from '../model/optimizers.js';
import type { LayerConfig } from '../layers/index.js';
import { formatShape } from '../shape.js';
import type { ModelSource } from './handlers.js';
import { type JsonObject, field, fileError, objectValue, optionalField, withinFile } from './json-fields.js';
import { buildModel, planModel } from './model-plan.js';
import { LOSS_NAMES, OPTIMIZER_CLASSES, TFJS_LAYER_CLASSES, toCamelCase } from './tfjs-format.js';
import { checkShapeMatches, checkedShapeSize, readFloats } from './weight-bytes.js';

/** Per class, the Keras settings convas takes over (as its camelCase options). */
const MAPPED_OPTIONS: Record<string, string[]> = {
  Conv2D: ['filters', 'kernel_size', 'strides', 'padding', 'activation', 'use_bias'],
  Dense: ['units', 'activation', 'use_bias'],
  MaxPooling2D: ['pool_size', 'strides', 'padding'],
  AveragePooling2D: ['pool_size', 'strides', 'padding'],
  Flatten: [],
  Activation: ['activation'],
  ReLU: [],
  Dropout: ['rate'],
};

const isOne = (v: unknown) => v === 1 || (Array.isArray(v) && v.every((d) => d === 1));
const onlyNull = { accepts: () => false, expected: 'null' };

/** Settings convas has no equivalent for: accepted when absent, null, or the value convas implements. */
const FIXED_OPTIONS: Record<string, { accepts: (v: unknown) => boolean; expected: string }> = {
  data_format: { accepts: (v) => v === 'channels_last', expected: "'channels_last'" },
  padding: { accepts: (v) => v === 'valid' || v === 'same', expected: "'valid' or 'same'" },
  dilation_rate: { accepts: isOne, expected: '1' },
  groups: { accepts: isOne, expected: '1' },
  max_value: onlyNull,
  negative_slope: { accepts: (v) => v === 0, expected: '0' },
  threshold: { accepts: (v) => v === 0, expected: '0' },
  noise_shape: onlyNull,
  kernel_regularizer: onlyNull,
  bias_regularizer: onlyNull,
  activity_regularizer: onlyNull,
};

function convasLayer(kerasClass: string, config: JsonObject, file: string): LayerConfig {
  const where = `layer ${JSON.stringify(config.name)} (${kerasClass})`;
  if (!Object.hasOwn(MAPPED_OPTIONS, kerasClass)) {
    throw fileError(file, `${where} is not a layer convas has; expected InputLayer (first), ${TFJS_LAYER_CLASSES.join(', ')}`);
  }
  for (const [key, { accepts, expected }] of Object.entries(FIXED_OPTIONS)) {
    const value = config[key];
    if (value !== undefined && value !== null && !accepts(value)) {
      throw fileError(file, `${where} has ${key} ${JSON.stringify(value)}, which convas does not support; expected ${expected}`);
    }
  }
  const options: LayerConfig = { className: kerasClass, name: typeof config.name === 'string' ? config.name : undefined };
  for (const key of MAPPED_OPTIONS[kerasClass]) {
    if (config[key] !== undefined && config[key] !== null) options[toCamelCase(key)] = config[key];
  }
  return options;
}

/** Keras stores the input as batch_input_shape (or batch_shape): [null, …dimensions]. */
function inputShapeOf(config: JsonObject): unknown {
  const batchShape = config.batch_input_shape ?? config.batch_shape;
  return Array.isArray(batchShape) && batchShape[0] === null ? batchShape.slice(1) : batchShape;
}

function readTopology(json: JsonObject, file: string): { inputShape: unknown; layers: LayerConfig[] } {
  const topology = field(json, 'modelTopology', 'object', file);
  const model = objectValue(topology.model_config ?? topology, file, 'modelTopology');
  const className = field(model, 'class_name', 'string', file, 'modelTopology');
  if (className !== 'Sequential') throw fileError(file, `modelTopology is a ${className} model; convas reads Sequential models only`);
  const config = model.config;
  const entries = Array.isArray(config) ? config : field(objectValue(config, file, 'modelTopology.config'), 'layers', 'array', file, 'modelTopology.config');
  let inputShape: unknown;
  const layers: LayerConfig[] = [];
  entries.forEach((entry, i) => {
    const where = `modelTopology layer ${i + 1}`;
    const layer = objectValue(entry, file, where);
    const kerasClass = field(layer, 'class_name', 'string', file, where);
    const layerConfig = field(layer, 'config', 'object', file, where);
    inputShape ??= inputShapeOf(layerConfig);
    if (kerasClass === 'InputLayer' && i === 0) return;
    layers.push(convasLayer(kerasClass, layerConfig, file));
  });
  if (inputShape === undefined) throw fileError(file, 'gives no input shape; expected batch_input_shape on the first layer');
  return { inputShape, layers };
}

/** Keras names settings in snake_case, TensorFlow.js in camelCase: accept both. */
const setting = (config: JsonObject, key: string) => config[key] ?? config[toCamelCase(key)];

function readTrainingConfig(json: JsonObject, file: string) {
  const training = optionalField(json, 'trainingConfig', 'object', file);
  if (!training) return undefined;
  const lossName = field(training, 'loss', 'string', file, 'trainingConfig');
  const loss = (Object.keys(LOSS_NAMES) as LossName[]).find((l) => l === lossName || LOSS_NAMES[l] === lossName);
  if (!loss) {
    throw fileError(file, `trainingConfig.loss ${JSON.stringify(lossName)} is not a loss convas has; expected ${Object.values(LOSS_NAMES).join(' or ')}`);
  }
  const optimizer = field(training, 'optimizer_config', 'object', file, 'trainingConfig');
  const optimizerClass = field(optimizer, 'class_name', 'string', file, 'trainingConfig.optimizer_config');
  const settings = optionalField(optimizer, 'config', 'object', file, 'trainingConfig.optimizer_config') ?? {};
  const type = (Object.keys(OPTIMIZER_CLASSES) as OptimizerConfig['type'][]).find((t) => OPTIMIZER_CLASSES[t] === optimizerClass);
  if (!type) {
    throw fileError(file, `trainingConfig optimizer ${JSON.stringify(optimizerClass)} is not one convas has; expected ${Object.values(OPTIMIZER_CLASSES).join(', ')}`);
  }
  const config = {
    type, learningRate: setting(settings, 'learning_rate'), momentum: setting(settings, 'momentum'),
    useNesterov: setting(settings, 'use_nesterov'), beta1: setting(settings, 'beta_1') ?? settings.beta1,
    beta2: setting(settings, 'beta_2') ?? settings.beta2, epsilon: setting(settings, 'epsilon'),
  } as OptimizerConfig;
  for (const key of Object.keys(config) as Array<keyof OptimizerConfig>) if (config[key] === undefined || config[key] === null) delete config[key];
  return { loss, optimizer: withinFile(file, 'trainingConfig.optimizer_config', () => new Optimizer(config).config) };
}

export async function readTfjsModel(json: JsonObject, file: string, source: ModelSource): Promise<Model> {
  const topology = readTopology(json, file);
  const plan = planModel(topology.inputShape, topology.layers, file);
  const training = readTrainingConfig(json, file);
  const expected = new Map(plan.weights.map((w) => [w.name, w.shape]));
  const values = new Map<string, Float32Array>();

  const groups = field(json, 'weightsManifest', 'array', file);
  for (const [g, groupEntry] of groups.entries()) {
    const where = `weightsManifest[${g}]`;
    const group = objectValue(groupEntry, file, where);
    const paths = field(group, 'paths', 'array', file, where);
    if (paths.some((p) => typeof p !== 'string')) throw fileError(file, `${where}.paths is ${JSON.stringify(paths)}; expected file names`);
    const specs = field(group, 'weights', 'array', file, where);
    // The group's shards, joined: its weights lie one after another across them.
    const shards = await Promise.all((paths as string[]).map((p) => source.read(p)));
    const shardNames = (paths as string[]).map((p) => source.describe(p)).join(' + ');
    const bytes = new Uint8Array(shards.reduce((n, s) => n + s.length, 0));
    shards.reduce((at, s) => (bytes.set(s, at), at + s.length), 0);
    let offset = 0;
    for (const [i, specEntry] of specs.entries()) {
      const at = `${where}.weights[${i}]`;
      const spec = objectValue(specEntry, file, at);
      const name = field(spec, 'name', 'string', file, at);
      // Layer weights are float32; TensorFlow.js's optimizer state also has an int32 step count.
      const dtypes = spec.group === 'optimizer' ? ['float32', 'int32'] : ['float32'];
      if (!dtypes.includes(spec.dtype as string) || spec.quantization !== undefined) {
        throw fileError(file, `${at} (${name}) is ${spec.quantization ? 'quantized' : `of dtype ${JSON.stringify(spec.dtype)}`}; expected unquantized ${dtypes.join(' or ')}`);
      }
      const size = checkedShapeSize(spec.shape, bytes.length / 4, file, `${at} (${name})`);
      if (offset + size * 4 > bytes.length) {
        throw fileError(shardNames, `hold ${bytes.length} bytes, shorter than the weights ${file} lists for them (${name} ends at byte ${offset + size * 4})`);
      }
      // Optimizer state saved by TensorFlow.js (includeOptimizer) is not carried over: convas starts its own.
      if (spec.group !== 'optimizer') {
        const shape = expected.get(name);
        if (!shape) throw fileError(file, `${at} is ${name}, which no layer has; expected the layers' weights: ${[...expected.keys()].join(', ')}`);
        if (values.has(name)) throw fileError(file, `${at}: ${name} is listed twice`);
        checkShapeMatches(spec.shape as number[], shape, file, `${at} (${name})`);
        values.set(name, readFloats(bytes, offset, size, shardNames, name));
      }
      offset += size * 4;
    }
    if (offset !== bytes.length) {
      throw fileError(shardNames, `hold ${bytes.length} bytes, longer than the ${offset} bytes of weights ${file} lists for them`);
    }
  }
  const missing = plan.weights.filter((w) => !values.has(w.name));
  if (missing.length) {
    throw fileError(file, `weightsManifest lacks ${missing.map((w) => `${w.name} ${formatShape(w.shape)}`).join(', ')}, which the layers need`);
  }
  const weights = plan.weights.map((w) => values.get(w.name)!);
  return buildModel(plan, 0, weights, training && { compile: training });
}
