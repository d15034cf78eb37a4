// A TensorFlow.js LayersModel (see tfjs-format.ts) → Model: its topology (tfjs-topology.ts), its
// weights matched by name, its training config.
import type { MetricName } from '../model/metric-set.js';
import type { Model } from '../model/model.js';
import { KERAS_LOSS_NAMES, lossNamed } from '../model/losses.js';
import { Optimizer, type OptimizerConfig, type OptimizerType, optimizerSettings } from '../model/optimizers.js';
import { formatShape } from '../shape.js';
import type { ModelSource } from './handlers.js';
import { joinBytes } from '../join-bytes.js';
import { type JsonObject, field, fileError, objectValue, optionalField, readMetadata, withinFile } from './json-fields.js';
import { buildModel, planModel } from './model-plan.js';
import { METRIC_NAMES, OPTIMIZER_CLASSES, fromKerasName, toCamelCase } from './tfjs-format.js';
import { MAX_FILE_BYTES } from './storage.js';
import { readTopology } from './tfjs-topology.js';
import { withSeparableDepthMultipliers } from './tfjs-depth-multipliers.js';
import { checkShapeMatches } from './weight-bytes.js';
import { readManifestWeight } from './tfjs-weights.js';

/** Keras names settings in snake_case, TensorFlow.js in camelCase: accept both. */
const setting = (config: JsonObject, key: string) => config[key] ?? config[toCamelCase(key)];

/**
 * trainingConfig.metrics: a list of Keras's names (TF.js writes snake_case and reads either case).
 * TF.js writes an object of names per output for metrics given so, and an empty one for none;
 * convas, compiling metrics for one output, reads the empty one only.
 */
function readMetrics(training: JsonObject, file: string): MetricName[] {
  const listed = training.metrics;
  if (listed === undefined || listed === null || (typeof listed === 'object' && Object.keys(listed).length === 0)) return [];
  if (!Array.isArray(listed)) {
    throw fileError(file, `field "trainingConfig.metrics" is ${JSON.stringify(listed)}; expected an array of metric names ` +
      '(convas does not read metrics per output)');
  }
  const metrics: MetricName[] = [];
  for (const [i, name] of listed.entries()) {
    const where = `trainingConfig.metrics[${i}] is ${JSON.stringify(name)}`;
    const metric = fromKerasName(METRIC_NAMES, name);
    if (!metric) throw fileError(file, `${where}, not a metric convas has; expected one of ${Object.values(METRIC_NAMES).join(', ')}`);
    if (metrics.includes(metric)) throw fileError(file, `${where}, listed before as metrics[${metrics.indexOf(metric)}]; expected each metric once`);
    metrics.push(metric);
  }
  return metrics;
}

/**
 * Keras's and TF.js's optimizer settings that change nothing at these values (or ever: a name, how
 * Keras compiles); any other setting convas's optimizer does not take is refused by name.
 */
const NEUTRAL_OPTIMIZER_SETTINGS: Record<string, (value: unknown) => boolean> = {
  name: () => true, jit_compile: () => true, is_legacy_optimizer: () => true, ema_momentum: () => true, ema_overwrite_frequency: () => true,
  decay: (v) => v === 0 || v === null, momentum: (v) => v === 0 || v === null, nesterov: (v) => v === false, use_nesterov: (v) => v === false,
  centered: (v) => v === false,
  amsgrad: (v) => v === false, use_ema: (v) => v === false, weight_decay: (v) => v === 0 || v === null,
  clipnorm: (v) => v === null, clipvalue: (v) => v === null, global_clipnorm: (v) => v === null,
  loss_scale_factor: (v) => v === null, gradient_accumulation_steps: (v) => v === null,
};

/** The names an optimizer setting has in TF.js's files and in Keras's (2 and 3), first found first read. */
const OPTIMIZER_FILE_KEYS: Record<string, string[]> = {
  learningRate: ['learning_rate', 'learningRate', 'lr'], useNesterov: ['use_nesterov', 'useNesterov', 'nesterov'],
  beta1: ['beta_1', 'beta1'], beta2: ['beta_2', 'beta2'], initialAccumulatorValue: ['initial_accumulator_value', 'initialAccumulatorValue'],
};

function readTrainingConfig(json: JsonObject, file: string) {
  const training = optionalField(json, 'trainingConfig', 'object', file);
  if (!training) return undefined;
  const lossName = field(training, 'loss', 'string', file, 'trainingConfig');
  // Any name compile takes: Keras's files carry the loss as it was compiled ('mse' as well as 'mean_squared_error').
  const loss = lossNamed(lossName);
  if (!loss) {
    throw fileError(file, `trainingConfig.loss ${JSON.stringify(lossName)} is not a loss convas has; expected ${Object.values(KERAS_LOSS_NAMES).join(', ')} ` +
      '(or TF.js\'s names for them, or Keras\'s short ones: mse, kld, msle, …)');
  }
  const optimizer = field(training, 'optimizer_config', 'object', file, 'trainingConfig');
  const optimizerClass = field(optimizer, 'class_name', 'string', file, 'trainingConfig.optimizer_config');
  const settings = optionalField(optimizer, 'config', 'object', file, 'trainingConfig.optimizer_config') ?? {};
  // Keras names classes as TF.js does but for case (RMSprop, RMSProp).
  const named = (Object.keys(OPTIMIZER_CLASSES) as OptimizerType[]).find((t) => OPTIMIZER_CLASSES[t]!.toLowerCase() === optimizerClass.toLowerCase());
  if (!named) {
    throw fileError(file, `trainingConfig optimizer ${JSON.stringify(optimizerClass)} is not one convas has; expected ${Object.values(OPTIMIZER_CLASSES).join(', ')}`);
  }
  // Keras's SGD with momentum is TF.js's Momentum (the same steps at a fixed learning rate).
  const type = named === 'sgd' && Number(settings.momentum) > 0 ? 'momentum' : named;
  const decay = setting(settings, 'decay');
  if (type === 'adamax' && decay) {
    throw fileError(file, `trainingConfig.optimizer_config: Adamax decay ${JSON.stringify(decay)} (a learning rate decaying as lr/(1 + decay·t)) ` +
      'is not one convas has; expected 0');
  }
  // TF.js's RMSProp writes rho as decay; Keras's writes rho, and decay is then its learning-rate decay.
  const keys: Record<string, string[]> = { ...OPTIMIZER_FILE_KEYS, ...(type === 'rmsprop' && settings.rho === undefined ? { rho: ['decay'] } : {}) };
  const config: Record<string, unknown> = { type };
  const taken = new Set<string>();
  for (const setting of optimizerSettings(type)) {
    const key = (keys[setting] ?? [setting]).find((k) => settings[k] !== undefined && settings[k] !== null);
    if (key === undefined) continue;
    config[setting] = settings[key];
    for (const k of keys[setting] ?? [setting]) taken.add(k);
  }
  // Any other setting must be one that changes nothing, else it is refused by name.
  for (const [key, value] of Object.entries(settings)) {
    if (taken.has(key)) continue;
    if (!(key in NEUTRAL_OPTIMIZER_SETTINGS) || !NEUTRAL_OPTIMIZER_SETTINGS[key](value)) {
      throw fileError(file, `trainingConfig.optimizer_config: ${optimizerClass} has ${key} ${JSON.stringify(value)}, which convas's ${type} ` +
        'optimizer does not take; compile the model in convas with the settings it has');
    }
  }
  const metrics = readMetrics(training, file);
  return {
    loss, optimizer: withinFile(file, 'trainingConfig.optimizer_config', () => new Optimizer(config as unknown as OptimizerConfig).config),
    ...(metrics.length ? { metrics } : {}),
  };
}

export async function readTfjsModel(json: JsonObject, file: string, source: ModelSource): Promise<Model> {
  const plan = planModel(withSeparableDepthMultipliers(readTopology(json, file), json), 0, file, 'modelTopology');
  const training = readTrainingConfig(json, file);
  const expected = new Map(plan.weights.map((w) => [w.name, w.shape]));
  const values = new Map<string, Float32Array>();
  /** The layer weights listed so far, in every group: each must be listed once. */
  const listedNames = new Set<string>();

  const groups = field(json, 'weightsManifest', 'array', file);
  for (const [g, groupEntry] of groups.entries()) {
    const where = `weightsManifest[${g}]`;
    const group = objectValue(groupEntry, file, where);
    const paths = field(group, 'paths', 'array', file, where);
    if (paths.some((p) => typeof p !== 'string')) throw fileError(file, `${where}.paths is ${JSON.stringify(paths)}; expected file names`);
    const specs = field(group, 'weights', 'array', file, where);
    // Every weight as the manifest lists it, checked against the layers before any shard is read (a
    // wrong shape is named as such, not as shards of the wrong length): the shards hold their total, no more.
    const listed = specs.map((specEntry, i) => {
      const at = `${where}.weights[${i}]`;
      const spec = objectValue(specEntry, file, at);
      // Optimizer state saved by TensorFlow.js (includeOptimizer) is not carried over: convas starts its own.
      const isLayerWeight = spec.group !== 'optimizer';
      // Layer weights are float32 (maybe quantized); TensorFlow.js's optimizer state also has an int32 step count.
      const weight = readManifestWeight(spec, isLayerWeight ? ['float32'] : ['float32', 'int32'], MAX_FILE_BYTES, file, at);
      if (isLayerWeight) {
        const shape = expected.get(weight.name);
        if (!shape) throw fileError(file, `${at} is ${weight.name}, which no layer has; expected the layers' weights: ${[...expected.keys()].join(', ')}`);
        if (listedNames.has(weight.name)) throw fileError(file, `${at}: ${weight.name} is listed twice`);
        listedNames.add(weight.name);
        checkShapeMatches(weight.shape, shape, file, `${at} (${weight.name})`);
      }
      return { isLayerWeight, weight };
    });
    const listedBytes = listed.reduce((n, { weight }) => n + weight.byteLength, 0);
    // The group's shards, joined (a single one as it is): its weights lie one after another across them.
    const shards = await Promise.all((paths as string[]).map((p) => source.read(p, listedBytes)));
    const shardNames = (paths as string[]).map((p) => source.describe(p)).join(' + ');
    const bytes = joinBytes(shards);
    let offset = 0;
    let last = '';
    for (const { isLayerWeight, weight } of listed) {
      const { name } = weight;
      if (offset + weight.byteLength > bytes.length) {
        throw fileError(shardNames, `hold ${bytes.length} bytes, shorter than the weights ${file} lists for them (${name} ends at byte ${offset + weight.byteLength})`);
      }
      if (isLayerWeight) values.set(name, weight.decode(bytes, offset, shardNames));
      offset += weight.byteLength;
      last = name;
    }
    if (offset !== bytes.length) {
      throw fileError(shardNames, `hold ${bytes.length} bytes, longer than the ${offset} bytes of weights ${file} lists for them (the last, ${last || 'none'}, ends at byte ${offset})`);
    }
  }
  const missing = plan.weights.filter((w) => !values.has(w.name));
  if (missing.length) {
    throw fileError(file, `weightsManifest lacks ${missing.map((w) => `${w.name} ${formatShape(w.shape)}`).join(', ')}, which the layers need`);
  }
  const weights = plan.weights.map((w) => values.get(w.name)!);
  return readMetadata(json, buildModel(plan, weights, file, training && { compile: training }), file);
}
