// A TensorFlow.js / Keras modelTopology → a convas graph config. Sequential models are chains;
// Model (Functional) ones list each layer with inbound_nodes [[[name, nodeIndex, tensorIndex, kwargs], …]]
// (of the kwargs, convas reads `training`);
// either may nest inside the other as a layer. Each class's settings map as its descriptor says;
// any other setting must be absent, null, or the value convas implements.
import { activationFromKeras } from '../layers/activation-function.js';
import { layerDescriptor } from '../layers/registry.js';
import type { LayerConfig } from '../layers/layer.js';
import type { GraphConfig, GraphLayerConfig } from '../model/graph-config.js';
import { chainConfig } from './model-plan.js';
import { type JsonObject, field, fileError, objectValue } from './json-fields.js';
import { tfjsLayerClasses, toCamelCase } from './tfjs-format.js';
import { withArticle } from '../article.js';

const isOne = (v: unknown) => v === 1 || (Array.isArray(v) && v.every((d) => d === 1));
/** A dtype as Keras writes it: a name, or a policy ({ class_name: 'Policy' or 'DTypePolicy', config: { name } }). */
const dtypeName = (v: unknown) => (v !== null && typeof v === 'object' ? ((v as JsonObject).config as JsonObject | undefined)?.name : v);
const onlyNull = { accepts: () => false, expected: 'null' };

/**
 * Settings convas has no equivalent for in some classes: accepted when absent, null, or the value
 * convas implements, unless the class's descriptor maps the setting (as Conv2D maps dilation_rate).
 */
const FIXED_OPTIONS: Record<string, { accepts: (v: unknown) => boolean; expected: string }> = {
  // Keras computes a layer in its dtype (a quantized policy's in int8); convas only in float32. A
  // mixed policy keeps float32 weights and computes in half precision: convas, as TF.js, computes
  // it in float32, the weights' own precision (README).
  dtype: {
    accepts: (v) => ['float32', 'mixed_float16', 'mixed_bfloat16'].includes(dtypeName(v) as string),
    expected: "'float32' or a mixed policy (convas computes every layer in float32): set the layer's dtype to float32 before saving",
  },
  data_format: { accepts: (v) => v === 'channels_last', expected: "'channels_last'" },
  padding: { accepts: (v) => v === 'valid' || v === 'same', expected: "'valid' or 'same'" },
  dilation_rate: { accepts: isOne, expected: '1' },
  groups: { accepts: isOne, expected: '1' },
  output_padding: onlyNull,
  noise_shape: onlyNull,
  kernel_regularizer: onlyNull,
  // Constraints act on the weights after each step, which neither convas nor TensorFlow.js's fit does.
  kernel_constraint: onlyNull,
  bias_constraint: onlyNull,
  depthwise_constraint: onlyNull,
  pointwise_constraint: onlyNull,
  depthwise_regularizer: onlyNull,
  pointwise_regularizer: onlyNull,
  bias_regularizer: onlyNull,
  activity_regularizer: onlyNull,
  beta_regularizer: onlyNull,
  gamma_regularizer: onlyNull,
  beta_constraint: onlyNull,
  gamma_constraint: onlyNull,
  renorm: { accepts: (v) => v === false, expected: 'false' },
  virtual_batch_size: onlyNull,
  alpha_regularizer: onlyNull,
  alpha_constraint: onlyNull,
  crop_to_aspect_ratio: { accepts: (v) => v === false, expected: 'false' },
  // Keras 3's Resizing: padding to the aspect ratio, and anti-aliased down-sampling (TensorFlow's scale_and_translate).
  pad_to_aspect_ratio: { accepts: (v) => v === false, expected: 'false' },
  antialias: { accepts: (v) => v === false, expected: 'false' },
  // Keras 3's LayerNormalization: true divides by the root mean square instead (no centring).
  rms_scaling: { accepts: (v) => v === false, expected: 'false' },
  // Keras 3's LoRA: a low-rank product lora_kernel_a·lora_kernel_b (scaled by lora_alpha/lora_rank) added to the kernel.
  lora_rank: onlyNull,
};

const MODEL_CLASSES = ['Sequential', 'Model', 'Functional'];

/** Keras stores the input as batch_input_shape (or batch_shape): [batch, …dimensions], the batch null or fixed. */
function inputShapeOf(config: JsonObject): unknown {
  const batchShape = config.batch_input_shape ?? config.batch_shape;
  return Array.isArray(batchShape) ? batchShape.slice(1) : batchShape;
}

function trainableOf(config: JsonObject, file: string, where: string): { trainable?: false } {
  const trainable = config.trainable;
  if (trainable !== undefined && typeof trainable !== 'boolean') throw fileError(file, `${where} has trainable ${JSON.stringify(trainable)}; expected true or false`);
  return trainable === false ? { trainable: false } : {};
}

/** One Keras layer ({ class_name, config }) as a convas layer config; a nested model as its graph config. */
function convasLayer(entry: JsonObject, file: string, where: string): LayerConfig {
  const kerasClass = field(entry, 'class_name', 'string', file, where);
  const config = field(entry, 'config', 'object', file, where);
  const named = `${where} ${JSON.stringify(config.name ?? entry.name)} (${kerasClass})`;
  if (MODEL_CLASSES.includes(kerasClass)) return readModel(entry, file, named);
  const mapping = layerDescriptor(kerasClass)?.tfjs;
  if (!mapping) throw fileError(file, `${named} is not a layer convas has; expected InputLayer, ${tfjsLayerClasses().join(', ')}`);
  for (const [key, { accepts, expected }] of Object.entries(FIXED_OPTIONS)) {
    if (mapping.options.includes(key)) continue;
    const value = config[key];
    if (value !== undefined && value !== null && !accepts(value)) {
      throw fileError(file, `${named} has ${key} ${JSON.stringify(value)}, which convas does not support; expected ${expected}`);
    }
  }
  const options: LayerConfig = { className: kerasClass, name: typeof config.name === 'string' ? config.name : undefined };
  // Each mapped setting under its own name, then under another Keras name it has.
  for (const [key, setting] of [...mapping.options.map((o) => [o, o]), ...Object.entries(mapping.kerasAliases ?? {})]) {
    if (config[key] !== undefined && config[key] !== null) options[toCamelCase(setting)] = config[key];
  }
  if (typeof options.activation === 'string') options.activation = activationFromKeras(options.activation);
  return { ...options, ...trainableOf(config, file, named) };
}

function readSequential(config: unknown, file: string, where: string): GraphConfig {
  const entries = Array.isArray(config) ? config : field(objectValue(config, file, `${where} config`), 'layers', 'array', file, `${where} config`);
  if (entries.length === 0) throw fileError(file, `${where} lists no layers; expected at least one`);
  const first = objectValue(entries[0], file, `${where} layer 1`);
  const firstConfig = field(first, 'config', 'object', file, `${where} layer 1`);
  const layerEntries = first.class_name === 'InputLayer' ? entries.slice(1) : entries;
  const layers = layerEntries.map((e, i) => convasLayer(objectValue(e, file, `${where} layer ${i + 1}`), file, `${where} layer`));
  // The input shape: an InputLayer's, the first layer's batch_input_shape, or a nested model's input.
  const nested = layers[0] as Partial<GraphConfig> | undefined;
  const inputShape = inputShapeOf(firstConfig) ?? (nested?.layers?.[0]?.className === 'InputLayer' ? nested.layers[0].shape : undefined);
  if (inputShape === undefined) throw fileError(file, `${where} gives no input shape; expected batch_input_shape on its first layer`);
  const name = Array.isArray(config) ? undefined : (config as JsonObject).name;
  return chainConfig(inputShape, layers, typeof name === 'string' ? name : undefined);
}

/**
 * The node indices a reference to a layer of `className` may use. convas applies each layer once, so
 * a layer has node 0; but TF.js and Keras count a nested model's own wiring (its inputs to its
 * outputs) as its node 0, so where it is applied is its node 1 (0 in Keras files of a Sequential
 * that has no input shape).
 */
const nodesOf = (className: unknown) => (MODEL_CLASSES.includes(className as string) ? [1, 0] : [0]);

/**
 * [[name, nodeIndex, tensorIndex, kwargs?], …] → the names, each a layer's only output. `classes`
 * gives the class of each layer of the graph by name, to check the node indices; a name that is no
 * layer is left for the graph to report.
 */
function layerReferences(value: unknown, file: string, where: string, classes: ReadonlyMap<unknown, unknown>): string[] {
  if (value !== null && typeof value === 'object' && 'args' in value) {
    throw fileError(file, `${where} is a Keras 3 node ({ args, kwargs }); convas reads the TF.js and Keras 2 ` +
      'format, [[layerName, nodeIndex, tensorIndex, kwargs], …] (save the model with TF.js or tf.keras in Keras 2)');
  }
  if (!Array.isArray(value)) throw fileError(file, `${where} is ${JSON.stringify(value)}; expected [[layerName, nodeIndex, tensorIndex], …]`);
  return value.map((ref, i) => {
    if (!Array.isArray(ref) || typeof ref[0] !== 'string' || !Number.isInteger(ref[1]) || !Number.isInteger(ref[2])) {
      throw fileError(file, `${where}[${i}] is ${JSON.stringify(ref)}; expected [layerName, nodeIndex, tensorIndex]`);
    }
    if (ref.length > 3 && !isKeywordArguments(ref[3])) {
      throw fileError(file, `${where}[${i}] has call arguments ${JSON.stringify(ref[3])}; expected an object of keyword arguments ({} or { training })`);
    }
    if (ref[2] !== 0) throw fileError(file, `${where}[${i}] reads output ${ref[2]} of ${ref[0]}; convas layers have one output (expected 0)`);
    const nodes = classes.has(ref[0]) ? nodesOf(classes.get(ref[0])) : [ref[1]];
    if (!nodes.includes(ref[1])) {
      throw fileError(file, `${where}[${i}] reads node ${ref[1]} of ${ref[0]}, which has no such node; ` +
        `convas applies each layer once, so it has node ${nodes.join(' (or ')}${nodes.length > 1 ? ' in some Keras files)' : ''}`);
    }
    return ref[0];
  });
}

/** A reference's kwargs, as Keras and TF.js write them: an object, {} when the call had none. */
const isKeywordArguments = (value: unknown) => value !== null && typeof value === 'object' && !Array.isArray(value);

/**
 * A node's `training` call argument, from its first reference (Keras writes the node's kwargs on
 * each): false fixes the call in inference mode, as `base_model(x, training=False)`; true, a call in
 * training mode in predict too (Monte Carlo dropout), convas does not have. Other kwargs are not read.
 * A node that reads nothing has none (the graph refuses it, naming the layer).
 */
function callTraining([first]: unknown[], file: string, where: string): { training?: false } {
  // layerReferences has checked the kwargs: an object, or none.
  const kwargs = (first as unknown[] | undefined)?.[3] as JsonObject | undefined;
  const training = kwargs?.training ?? null;
  if (training === null) return {};
  if (training === false) return { training };
  throw fileError(file, `${where} calls the layer with training ${JSON.stringify(training)}, which convas does not support; ` +
    'expected false (inference mode, in fit too) or none (the call follows the run)');
}

function readFunctional(config: unknown, file: string, where: string): GraphConfig {
  const c = objectValue(config, file, `${where} config`);
  const entries = field(c, 'layers', 'array', file, `${where} config`);
  const classes = new Map(entries.map((e) => {
    const entry = (e ?? {}) as JsonObject;
    return [entry.name ?? (entry.config as JsonObject | undefined)?.name, entry.class_name];
  }));
  const layers = entries.map((e, i): GraphLayerConfig => {
    const at = `${where} layer ${i + 1}`;
    const entry = objectValue(e, file, at);
    const layerConfig = field(entry, 'config', 'object', file, at);
    const name = entry.name ?? layerConfig.name;
    if (typeof name !== 'string') throw fileError(file, `${at} has no name; expected a name that inbound_nodes can refer to`);
    const nodes = field(entry, 'inbound_nodes', 'array', file, at);
    if (nodes.length > 1) {
      throw fileError(file, `${at} (${name}) is applied ${nodes.length} times; convas applies each layer once (shared layers are not supported)`);
    }
    if (entry.class_name === 'InputLayer') {
      if (nodes.length) throw fileError(file, `${at} (${name}) is an InputLayer with inbound nodes; expected none`);
      return { className: 'InputLayer', name, shape: inputShapeOf(layerConfig) };
    }
    if (nodes.length === 0) throw fileError(file, `${at} (${name}) has no inbound nodes; expected the layers it reads`);
    const node = `${at} (${name}) inbound_nodes[0]`;
    const inbound = layerReferences(nodes[0], file, node, classes);
    return { ...convasLayer(entry, file, `${where} layer`), name, inbound, ...callTraining(nodes[0] as unknown[], file, node) };
  });
  const name = typeof c.name === 'string' ? c.name : undefined;
  return {
    className: 'Model', name, layers,
    inputs: layerReferences(field(c, 'input_layers', 'array', file, `${where} config`), file, `${where} input_layers`, classes),
    outputs: layerReferences(field(c, 'output_layers', 'array', file, `${where} config`), file, `${where} output_layers`, classes),
  };
}

/** A { class_name, config } model entry as a graph config, with the model's own trainable flag (Keras 3 and convas write it). */
export function readModel(entry: JsonObject, file: string, where = 'modelTopology'): GraphConfig {
  const className = field(entry, 'class_name', 'string', file, where);
  // A Keras 2 Sequential's config may be its list of layers, with no flag.
  const flag = entry.config !== null && typeof entry.config === 'object' && !Array.isArray(entry.config)
    ? trainableOf(entry.config as JsonObject, file, where) : {};
  if (className === 'Sequential') return { ...readSequential(entry.config, file, where), ...flag };
  if (className === 'Model' || className === 'Functional') return { ...readFunctional(entry.config, file, where), ...flag };
  throw fileError(file, `${where} is ${withArticle(className)}; expected a Sequential or a Model (Functional)`);
}

export function readTopology(json: JsonObject, file: string): GraphConfig {
  const topology = field(json, 'modelTopology', 'object', file);
  return readModel(objectValue(topology.model_config ?? topology, file, 'modelTopology'), file);
}
