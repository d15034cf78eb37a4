// model.json + weights.bin in the convas format (see convas-format.ts) → Model. Every field, every
// array and the weights file itself are checked before the model is built.
import { type LossConfig, checkLoss, lossConfig } from '../model/losses.js';
import type { MetricSpec } from '../model/metric-set.js';
import type { Model } from '../model/model.js';
import { OPTIMIZERS, Optimizer, type OptimizerConfig, type OptimizerType, optimizerSettings } from '../model/optimizers.js';
import type { PlateauState } from '../model/schedules.js';
import { crc32Hex } from './crc32.js';
import { FORMAT_VERSION, optimizerArrayName } from './convas-format.js';
import type { ModelSource } from './handlers.js';
import { type JsonObject, field, fileError, objectValue, optionalField, readMetadata, withinFile } from './json-fields.js';
import { type ExpectedArray, buildModel, chainConfig, planModel } from './model-plan.js';
import type { GraphConfig } from '../model/graph-config.js';
import type { LayerConfig } from '../layers/index.js';
import { checkShapeMatches, checkedShapeSize, readFloats } from './weight-bytes.js';

const SEED_LIMIT = 2 ** 32;

/**
 * The optimizer config of the file, with only the settings of its type: files of format 2 written
 * before convas had more optimizers list every setting of the three it had, whatever the type.
 */
function ownSettings(optimizer: OptimizerConfig): OptimizerConfig {
  if (!OPTIMIZERS.includes(optimizer.type)) return optimizer;
  const own = optimizerSettings(optimizer.type as OptimizerType);
  return Object.fromEntries(Object.entries(optimizer).filter(([key]) => own.includes(key))) as unknown as OptimizerConfig;
}

function readTraining(json: JsonObject, file: string) {
  const training = optionalField(json, 'training', 'object', file);
  if (!training) return undefined;
  const optimizer = ownSettings(field(training, 'optimizer', 'object', file, 'training') as unknown as OptimizerConfig);
  const loss = training.loss as string | LossConfig;
  // Checked against the loss and the output when the loaded model is compiled (buildModel).
  const metrics = optionalField(training, 'metrics', 'array', file, 'training') as MetricSpec[] | undefined;
  const steps = field(training, 'steps', 'integer', file, 'training');
  if (steps < 0) throw fileError(file, `training.steps is ${steps}; expected a count of steps, 0 or more`);
  const randomState = optionalField(training, 'randomState', 'array', file, 'training') as number[] | undefined;
  const scheduleState = optionalField(training, 'scheduleState', 'object', file, 'training') as PlateauState | undefined;
  const made = withinFile(file, 'training.optimizer', () => new Optimizer(optimizer));
  if (scheduleState) {
    withinFile(file, 'training.scheduleState', () => {
      made.scheduleState = scheduleState;
    });
  }
  return {
    compile: { optimizer: made.config, loss: withinFile(file, 'training.loss', () => lossConfig(checkLoss(loss))), ...(metrics ? { metrics } : {}) },
    slots: made.slotNames, steps, randomState, scheduleState,
  };
}

export async function readConvasModel(json: JsonObject, file: string, source: ModelSource): Promise<Model> {
  const version = field(json, 'formatVersion', 'integer', file);
  if (version > FORMAT_VERSION) {
    throw fileError(file, `formatVersion ${version} is newer than this convas reads (version ${FORMAT_VERSION}); update convas to load it`);
  }
  if (version < 1) throw fileError(file, `formatVersion ${version} is not a version; expected 1 to ${FORMAT_VERSION}`);
  const seed = field(json, 'seed', 'integer', file);
  if (seed < 0 || seed >= SEED_LIMIT) throw fileError(file, `seed ${seed} is out of range; expected an integer in [0, 2^32)`);
  const config = version === 1
    ? chainConfig(field(json, 'inputShape', 'array', file), field(json, 'layers', 'array', file) as LayerConfig[])
    : field(json, 'model', 'object', file) as unknown as GraphConfig;
  const plan = planModel(config, seed, file, 'model');
  const training = readTraining(json, file);
  const slots = training?.slots ?? [];
  const expected: ExpectedArray[] = [...plan.weights,
    ...plan.weights.flatMap((w) => slots.map((slot) => ({ name: optimizerArrayName(w.name, slot), shape: w.shape })))];

  const manifest = field(json, 'weights', 'object', file);
  const path = field(manifest, 'path', 'string', file, 'weights');
  const byteLength = field(manifest, 'byteLength', 'integer', file, 'weights');
  const checksum = field(manifest, 'crc32', 'string', file, 'weights');
  const entries = field(manifest, 'arrays', 'array', file, 'weights');
  if (entries.length !== expected.length) {
    throw fileError(file, `weights.arrays lists ${entries.length} arrays, but the layers${training ? ' and optimizer' : ''} ` +
      `make ${expected.length}: ${expected.map((e) => e.name).join(', ')}`);
  }

  const bytes = await source.read(path, byteLength);
  const weightsFile = source.describe(path);
  if (bytes.length !== byteLength) {
    throw fileError(weightsFile, `is ${bytes.length} bytes, ${bytes.length < byteLength ? 'shorter' : 'longer'} than the ` +
      `${byteLength} bytes ${file} describes; expected the weights saved with it`);
  }
  // Arrays are matched by name: the file may list them in another order than the model makes them
  // (the graph's layer order is Keras's, which an older writer did not follow).
  const expectedIndex = new Map(expected.map((e, i) => [e.name, i]));
  const found = new Map<number, number>();
  let offset = 0;
  const sizes = entries.map((entry, i) => {
    const where = `weights.arrays[${i}]`;
    const e = objectValue(entry, file, where);
    const name = field(e, 'name', 'string', file, where);
    const index = expectedIndex.get(name);
    if (index === undefined) {
      throw fileError(file, `${where} is named ${JSON.stringify(name)}, which the model does not make; expected ${expected.map((x) => x.name).join(', ')}`);
    }
    if (found.has(index)) throw fileError(file, `${where}: ${name} is listed twice`);
    found.set(index, i);
    const size = checkedShapeSize(e.shape, bytes.length / 4, file, `${where} (${name})`);
    checkShapeMatches(e.shape as number[], expected[index].shape, file, `${where} (${name})`);
    if (e.dtype !== 'float32') throw fileError(file, `${where} (${name}) has dtype ${JSON.stringify(e.dtype)}; expected "float32"`);
    const at = field(e, 'byteOffset', 'integer', file, where);
    const length = field(e, 'byteLength', 'integer', file, where);
    if (at !== offset || length !== size * 4) {
      throw fileError(file, `${where} (${name}) is at byteOffset ${at} with byteLength ${length}; expected ${offset} and ${size * 4} ` +
        '(arrays follow each other, 4 bytes per value)');
    }
    offset += length;
    return size;
  });
  if (offset !== byteLength) throw fileError(file, `weights.arrays cover ${offset} bytes, but weights.byteLength is ${byteLength}`);
  const actual = crc32Hex(bytes);
  if (actual !== checksum.toLowerCase()) {
    throw fileError(weightsFile, `CRC32 checksum is ${actual}, but ${file} records ${checksum}: the weights are corrupted or belong to another model`);
  }

  offset = 0;
  const listed = sizes.map((size, i) => {
    const array = readFloats(bytes, offset, size, weightsFile, (entries[i] as { name: string }).name);
    offset += size * 4;
    return array;
  });
  const values = expected.map((_, index) => listed[found.get(index)!]);
  const weightCount = plan.weights.length;
  const state = training && {
    steps: training.steps,
    buffers: plan.weights.map((_, i) => slots.map((_, j) => values[weightCount + i * slots.length + j])),
    schedule: training.scheduleState,
  };
  const model = buildModel(plan, values.slice(0, weightCount), file, training && { compile: training.compile, state });
  if (training?.randomState) {
    const states = training.randomState;
    withinFile(file, 'training.randomState', () => {
      try {
        model.randomState = states;
      } catch (error) {
        model.dispose();
        throw error;
      }
    });
  }
  return readMetadata(json, model, file);
}
