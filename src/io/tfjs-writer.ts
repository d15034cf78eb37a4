// Model → a TensorFlow.js LayersModel (see tfjs-format.ts) that tf.loadLayersModel reads: a chain
// as a Sequential (unless a call in it is fixed in inference mode: see kerasModel), a graph as a
// Model with inbound_nodes, nested models as their own topologies.
// Each layer's settings are written as its descriptor maps them.
import { ConfigError } from '../errors.js';
import { type ActivationName, kerasActivationName } from '../layers/activation-function.js';
import type { Layer, LayerConfig } from '../layers/layer.js';
import { layerDescriptor } from '../layers/registry.js';
import type { CompiledMetric } from '../model/metric-set.js';
import { Model } from '../model/model.js';
import { LOSS_NAMES, METRIC_NAMES, OPTIMIZER_CLASSES, TFJS_LOADABLE_METRICS, toSnakeCase } from './tfjs-format.js';
import { metadataOf } from './json-fields.js';
import { quantizeWeight } from './tfjs-quantize.js';
import type { Quantization } from './tfjs-weights.js';
import { packFloats, parameterValues } from './weight-bytes.js';
import { withArticle } from '../article.js';

type KerasEntry = { class_name: string; config: Record<string, unknown>; name?: string; inbound_nodes?: unknown[] };

/** The names TensorFlow.js takes for layers (and so weights): tf.loadLayersModel refuses any other. */
const TFJS_NAME = /^[A-Za-z0-9][-A-Za-z0-9._/]*$/;

function checkTfjsName(layer: Layer): void {
  if (!TFJS_NAME.test(layer.name)) {
    throw new ConfigError(`save (format 'tfjs'): the name ${JSON.stringify(layer.name)} is one TensorFlow.js cannot load (its names are letters, ` +
      'digits and . _ - /, not first): give the layer another name, or save it in the convas format');
  }
}

function kerasLayer(layer: Layer): KerasEntry {
  checkTfjsName(layer);
  if (layer instanceof Model) return kerasModel(layer);
  const { className, name, ...options } = layer.getConfig();
  const cannot = (why: string) => new ConfigError(`save (format 'tfjs'): layer ${name} ${why}; save it in the convas format instead`);
  const mapping = layerDescriptor(className)?.tfjs;
  if (!mapping) throw cannot(`is ${withArticle(className)}, which TensorFlow.js does not have`);
  if ('padding' in options && !mapping.ownSettings?.includes('padding') && options.padding !== 'valid' && options.padding !== 'same') {
    throw cannot(`has padding ${JSON.stringify(options.padding)}, which TensorFlow.js cannot express ('valid' or 'same' only)`);
  }
  const inexpressible = mapping.inexpressible?.(layer.getConfig());
  if (inexpressible) throw cannot(inexpressible);
  const config: Record<string, unknown> = { name, trainable: layer.trainable, dtype: 'float32' };
  for (const [key, value] of Object.entries(options)) {
    if (!mapping.convasOnly?.includes(key)) config[toSnakeCase(key)] = value;
  }
  if ('activation' in options) {
    config.activation = kerasActivationName(options.activation as ActivationName);
    if (!config.activation) throw cannot(`has activation '${options.activation}', which TensorFlow.js does not have`);
  }
  if (mapping.spatial) config.data_format = 'channels_last';
  Object.assign(config, mapping.written);
  return { class_name: className, config };
}

const inputEntry = (layer: Layer): KerasEntry => {
  checkTfjsName(layer);
  return { class_name: 'InputLayer', config: { name: layer.name, batch_input_shape: [null, ...layer.outputShape], dtype: 'float32', sparse: false } };
};

/** TF.js counts a nested model's own wiring as its node 0, so where it is applied is its node 1 (for its readers and output_layers alike). */
const nodeIndex = (layer: Layer) => (layer instanceof Model ? 1 : 0);
/** A reference to what a node reads, with the node's call arguments: Keras's `training: false` for a call fixed in inference mode. */
const reference = (layer: Layer, inferenceMode: boolean) => [layer.name, nodeIndex(layer), 0, inferenceMode ? { training: false } : {}];

/**
 * A model's topology, with its own trainable flag as Keras 3 writes it (a frozen base stays frozen;
 * TF.js ignores the flag of a model). A chain is a Sequential, unless a call is fixed in inference
 * mode: only a graph's inbound_nodes hold call arguments.
 */
function kerasModel(model: Model): KerasEntry {
  const flag = { trainable: model.trainable };
  if (model.className === 'Sequential' && model.nodes.every((n) => !n.inferenceMode)) {
    const layers = [inputEntry(model.inputs[0].sourceLayer), ...model.nodes.map((n) => kerasLayer(n.layer))];
    return { class_name: 'Sequential', config: { name: model.name, layers, ...flag } };
  }
  const layers = [
    ...model.inputs.map((t) => ({ ...inputEntry(t.sourceLayer), name: t.sourceLayer.name, inbound_nodes: [] })),
    ...model.nodes.map((n) => ({ ...kerasLayer(n.layer), name: n.layer.name, inbound_nodes: [n.inputs.map((l) => reference(l, n.inferenceMode))] })),
  ];
  const ends = (tensors: Model['inputs']) => tensors.map((t) => [t.sourceLayer.name, nodeIndex(t.sourceLayer), 0]);
  return { class_name: 'Model', config: { name: model.name, layers, input_layers: ends(model.inputs), output_layers: ends(model.outputs), ...flag } };
}

/** The compiled metrics by Keras's names, those TF.js can compile from a file only (with any other, tf.loadLayersModel fails). */
const tfjsMetrics = (metrics: CompiledMetric[] = []): string[] => metrics
  .map((spec) => (typeof spec === 'string' ? spec : spec.type))
  .filter((type) => TFJS_LOADABLE_METRICS.includes(type))
  .map((type) => METRIC_NAMES[type]!);

/**
 * Keras's trainingConfig, when the loss and optimizer map to TensorFlow.js's: not for a schedule,
 * clipping, label smoothing, huber, AdamW, an L2 weightDecay or an Adagrad epsilon other than
 * TF.js's fixed 1e-7, which TensorFlow.js optimizers cannot express.
 */
function trainingConfig(model: Model) {
  const compiled = model.compileConfig;
  if (!compiled) return undefined;
  const { type, learningRate, momentum, useNesterov, beta1, beta2, epsilon, rho, centered, initialAccumulatorValue } = compiled.optimizer;
  const loss = typeof compiled.loss === 'string' ? LOSS_NAMES[compiled.loss] : undefined;
  const className = OPTIMIZER_CLASSES[type];
  const unmapped = typeof learningRate !== 'number' || (compiled.optimizer.weightDecay ?? 0) !== 0 ||
    ['clipNorm', 'clipValue', 'globalClipNorm'].some((c) => c in compiled.optimizer) || (type === 'adagrad' && epsilon !== 1e-7);
  if (!loss || !className || unmapped) return undefined;
  const settings = {
    sgd: {}, momentum: { momentum, use_nesterov: useNesterov }, adam: { beta1, beta2, epsilon }, adamax: { beta1, beta2, epsilon, decay: 0 },
    rmsprop: { decay: rho, momentum, epsilon, centered }, adagrad: { initial_accumulator_value: initialAccumulatorValue },
    adadelta: { rho, epsilon }, adamw: {},
  }[type];
  return { loss, metrics: tfjsMetrics(compiled.metrics), optimizer_config: { class_name: className, config: { learning_rate: learningRate, ...settings } } };
}

/**
 * The weights file, and model.json for it stored as `weightsFile`; with `quantize`, every weight
 * quantized as tfjs-converter does (tfjs-quantize.ts).
 */
export function encodeTfjsModel(model: Model, quantize?: Quantization) {
  const topology = kerasModel(model);
  const values = parameterValues(model.params);
  const entries = model.params.map((p) => ({ name: p.name, shape: [...p.shape], dtype: 'float32' }));
  let weights: Uint8Array<ArrayBuffer>;
  let manifest: object[] = entries;
  if (quantize) {
    const quantized = values.map((v, i) => quantizeWeight(v, quantize, model.params[i].name));
    weights = new Uint8Array(quantized.reduce((n, q) => n + q.bytes.length, 0));
    quantized.reduce((at, q) => (weights.set(q.bytes, at), at + q.bytes.length), 0);
    manifest = entries.map((entry, i) => ({ ...entry, quantization: quantized[i].quantization }));
  } else {
    weights = packFloats(values);
  }
  const training = trainingConfig(model);
  const json = (weightsFile: string) => ({
    format: 'layers-model',
    generatedBy: 'convas',
    convertedBy: null,
    modelTopology: { ...topology, keras_version: 'convas', backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [weightsFile], weights: manifest }],
    ...(training ? { trainingConfig: training } : {}),
    ...metadataOf(model),
  });
  return { json, weights };
}
