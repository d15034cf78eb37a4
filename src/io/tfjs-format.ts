// The TensorFlow.js LayersModel format, as far as convas maps it: model.json holds
//   { modelTopology: { class_name: "Sequential", config: { name, layers: [{ class_name, config }, …] } }
//     or { class_name: "Model", config: { name, layers: [{ class_name, name, config, inbound_nodes }, …],
//          input_layers, output_layers } } (tfjs-topology.ts),
//     weightsManifest: [{ paths: [shard, …], weights: [{ name: "conv2d_1/kernel", shape, dtype }, …] }, …],
//     trainingConfig?: { loss, metrics?: [name, …], optimizer_config: { class_name, config } } }
// with Keras's snake_case settings (kernel_size, use_bias, pool_size); each group's weights lie one
// after another, little-endian f32, across its shards in order.
//
// Losses: convas's meanSquaredError is ½Σₖ(tₖ − oₖ)² per example, averaged over the batch, while
// Keras's mean_squared_error is the mean over k of (tₖ − oₖ)²: the same minimum, with values and
// gradients scaled by units/2. The names map to each other; the learning rate does not rescale.
import { layerClassNames, layerDescriptor } from '../layers/registry.js';
import { KERAS_LOSS_NAMES, type LossName } from '../model/losses.js';
import type { MetricName } from '../model/metric-set.js';
import { KERAS_METRIC_NAMES } from '../model/log-names.js';
import type { OptimizerType } from '../model/optimizers.js';

/** The Keras classes convas reads and writes (beyond InputLayer, Sequential and Model): those whose descriptor maps to TF.js. */
export const tfjsLayerClasses = (): string[] => layerClassNames().filter((c) => layerDescriptor(c)?.tfjs);

/** Keras's names of the losses TensorFlow.js also has (it has no huber). */
const { huber: _, ...tfjsLosses } = KERAS_LOSS_NAMES;
export const LOSS_NAMES: Partial<Record<LossName, string>> = tfjsLosses;

/**
 * TensorFlow.js's optimizer classes (it has no AdamW). Its RMSProp calls rho `decay`; its centered
 * RMSProp and its Adadelta compute their steps differently from Keras (convas follows Keras).
 */
export const OPTIMIZER_CLASSES: Partial<Record<OptimizerType, string>> = {
  sgd: 'SGD', momentum: 'Momentum', adam: 'Adam', rmsprop: 'RMSProp', adagrad: 'Adagrad', adadelta: 'Adadelta', adamax: 'Adamax',
};

export const toSnakeCase = (key: string) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
export const toCamelCase = (key: string) => key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

/** The convas name of `name` in a table of Keras's names (LOSS_NAMES, METRIC_NAMES), given either way; undefined if none. */
export const fromKerasName = <K extends string>(names: Partial<Record<K, string>>, name: unknown): K | undefined =>
  (Object.keys(names) as K[]).find((key) => key === name || names[key] === name);

/**
 * Keras's snake_case names of the metrics convas has, as TF.js writes them in trainingConfig.metrics
 * (a metric compiled by name or by function: tf.metrics.recall is written "recall"). The per-class
 * scores and the confusion matrix have no Keras name.
 */
export const METRIC_NAMES: Partial<Record<MetricName, string>> = {
  accuracy: 'accuracy',
  acc: 'acc',
  ...KERAS_METRIC_NAMES,
  precision: 'precision',
  recall: 'recall',
};

/**
 * The metrics tf.loadLayersModel can compile from a file (accuracy and its metricsMap): it refuses
 * the whole model for any other name, so only these are written.
 */
export const TFJS_LOADABLE_METRICS: readonly MetricName[] = ['accuracy', 'acc', 'binaryAccuracy', 'categoricalAccuracy', 'precision'];
