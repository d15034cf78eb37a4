// A TensorFlow.js LayersModel (see tfjs-format.ts) → Model: its topology (tfjs-topology.ts), its
// weights matched by name, its training config.
import type { MetricName } from '../model/metric-set.js';
import type { Model } from '../model/model.js';
import { Optimizer, type OptimizerConfig, type OptimizerType, optimizerSettings } from '../model/optimizers.js';
import { formatShape } from '../shape.js';
import type { ModelSource } from './handlers.js';
import { joinBytes } from './join-bytes.js';
import { type JsonObject, field, fileError, objectValue, optionalField, readMetadata, withinFile } from './json-fields.js';
import { buildModel, planModel } from './model-plan.js';
import { LOSS_NAMES, METRIC_NAMES, OPTIMIZER_CLASSES, fromKerasName, toCamelCase } from './tfjs-format.js';
import { MAX_FILE_BYTES } from './storage.js';
import { readTopology } from './tfjs-topology.js';
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

function readTrainingConfig(json: JsonObject, file: string) {
  const training = optionalField(json, 'trainingConfig', 'object', file);
  if (!training) return undefined;
  const lossName = field(training, 'loss', 'string', file, 'trainingConfig');
  const loss = fromKerasName(LOSS_NAMES, lossName);
  if (!loss) {
    throw fileError(file, `trainingConfig.loss ${JSON.stringify(lossName)} is not a loss convas has; expected ${Object.values(LOSS_NAMES).join(', ')}`);
  }
  const optimizer = field(training, 'optimizer_config', 'object', file, 'trainingConfig');
  const optimizerClass = field(optimizer, 'class_name', 'string', file, 'trainingConfig.optimizer_config');
  const settings = optionalField(optimizer, 'config', 'object', file, 'trainingConfig.optimizer_config') ?? {};
  const type = (Object.keys(OPTIMIZER_CLASSES) as OptimizerType[]).find((t) => OPTIMIZER_CLASSES[t] === optimizerClass);
  if (!type) {
    throw fileError(file, `trainingConfig optimizer ${JSON.stringify(optimizerClass)} is not one convas has; expected ${Object.values(OPTIMIZER_CLASSES).join(', ')}`);
  }
  const decay = setting(settings, 'decay');
  if (type === 'adamax' && decay) {
    throw fileError(file, `trainingConfig.optimizer_config: Adamax decay ${JSON.stringify(decay)} (a learning rate decaying as lr/(1 + decay·t)) ` +
      'is not one convas has; expected 0');
  }
  const config = {
    type, learningRate: setting(settings, 'learning_rate'), momentum: setting(settings, 'momentum'),
    useNesterov: setting(settings, 'use_nesterov'), beta1: setting(settings, 'beta_1') ?? settings.beta1,
    beta2: setting(settings, 'beta_2') ?? settings.beta2, epsilon: setting(settings, 'epsilon'),
    rho: type === 'rmsprop' ? decay ?? setting(settings, 'rho') : setting(settings, 'rho'), centered: setting(settings, 'centered'),
    initialAccumulatorValue: setting(settings, 'initial_accumulator_value'),
  } as Record<string, unknown>;
  // Only the settings of the type, as given (other keys, such as Keras's, are left out).
  const own = optimizerSettings(type);
  for (const key of Object.keys(config)) if (config[key] === undefined || config[key] === null || !own.includes(key)) delete config[key];
  const metrics = readMetrics(training, file);
  return {
    loss, optimizer: withinFile(file, 'trainingConfig.optimizer_config', () => new Optimizer(config as unknown as OptimizerConfig).config),
    ...(metrics.length ? { metrics } : {}),
  };
}

export async function readTfjsModel(json: JsonObject, file: string, source: ModelSource): Promise<Model> {
  const plan = planModel(readTopology(json, file), 0, file, 'modelTopology');
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
    // Every weight as the manifest lists it, checked before any shard is read: the shards hold their total, no more.
    const listed = specs.map((specEntry, i) => {
      const at = `${where}.weights[${i}]`;
      const spec = objectValue(specEntry, file, at);
      // Layer weights are float32 (maybe quantized); TensorFlow.js's optimizer state also has an int32 step count.
      const dtypes = spec.group === 'optimizer' ? ['float32', 'int32'] : ['float32'];
      return { at, spec, weight: readManifestWeight(spec, dtypes, MAX_FILE_BYTES, file, at) };
    });
    const listedBytes = listed.reduce((n, { weight }) => n + weight.byteLength, 0);
    // The group's shards, joined (a single one as it is): its weights lie one after another across them.
    const shards = await Promise.all((paths as string[]).map((p) => source.read(p, listedBytes)));
    const shardNames = (paths as string[]).map((p) => source.describe(p)).join(' + ');
    const bytes = joinBytes(shards);
    let offset = 0;
    let last = '';
    for (const { at, spec, weight } of listed) {
      const { name } = weight;
      if (offset + weight.byteLength > bytes.length) {
        throw fileError(shardNames, `hold ${bytes.length} bytes, shorter than the weights ${file} lists for them (${name} ends at byte ${offset + weight.byteLength})`);
      }
      // Optimizer state saved by TensorFlow.js (includeOptimizer) is not carried over: convas starts its own.
      if (spec.group !== 'optimizer') {
        const shape = expected.get(name);
        if (!shape) throw fileError(file, `${at} is ${name}, which no layer has; expected the layers' weights: ${[...expected.keys()].join(', ')}`);
        if (values.has(name)) throw fileError(file, `${at}: ${name} is listed twice`);
        checkShapeMatches(weight.shape, shape, file, `${at} (${name})`);
        values.set(name, weight.decode(bytes, offset, shardNames));
      }
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
