// What `convas train` keeps with the model it saves after every epoch, so that `--resume DIR`
// continues a stopped run exactly: the settings it was started with, the epochs done, and where the
// augmentation stream (the shifts) was. The model file holds the rest — weights, optimizer state
// with its schedule's position, the shuffle and dropout streams — and is saved atomically, so the
// checkpoint is always the whole of one epoch's end.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, FileFormatError } from '../errors.js';
import { loadModel } from '../io/load.js';
import type { Model } from '../model/model.js';
import type { TrainOptions } from './args.js';

/** The options that decide what a run computes (the network is in the checkpoint; where it goes and the threads do not matter). */
export type RunSettings = Omit<TrainOptions, 'model' | 'out' | 'threads'>;

export interface TrainingRun {
  settings: RunSettings;
  epochsDone: number;
  /** The state of the stream that shifts the training images (Random.state). */
  shiftState: number;
}

/** The key of the run in the model's user-defined metadata. */
export const RUN_KEY = 'trainingRun';

/** A run's settings from its options: the data directory made absolute, so that --resume works from anywhere. */
export function runSettings({ model, out, threads, ...settings }: TrainOptions): RunSettings {
  return { ...settings, ...(settings.data === undefined ? {} : { data: resolve(settings.data) }) };
}

/** The model with the run recorded beside `metadata` (what image folders add), ready to save. */
export function recordRun(model: Model, metadata: object | undefined, run: TrainingRun): void {
  model.setUserDefinedMetadata({ ...metadata, [RUN_KEY]: run });
}

const isCount = (n: unknown): n is number => Number.isInteger(n) && (n as number) >= 0;

/** The run of convas train a model's user-defined metadata records, if it is one convas train wrote. */
export function recordedRun(metadata: Record<string, unknown> | undefined): TrainingRun | undefined {
  const run = metadata?.[RUN_KEY] as TrainingRun | undefined;
  if (run === undefined) return undefined;
  const { settings, epochsDone, shiftState } = run;
  const valid = typeof settings === 'object' && settings !== null && isCount(epochsDone) && isCount(shiftState) && shiftState < 2 ** 32 &&
    [settings.epochs, settings.batchSize, settings.seed, settings.shift].every(isCount) && epochsDone <= settings.epochs;
  return valid ? run : undefined;
}

/** The model and run of the checkpoint in `dir`; a directory without one is a ConfigError saying so. */
export async function loadCheckpoint(dir: string): Promise<{ model: Model; run: TrainingRun }> {
  const file = resolve(dir, 'model.json');
  try {
    await readFile(file);
  } catch {
    throw new ConfigError(`${dir}: no checkpoint to resume (${file} cannot be read); --resume takes the --out directory of a run of convas train`);
  }
  const model = await loadModel(dir);
  const run = recordedRun(model.getUserDefinedMetadata());
  if (!run) {
    throw new FileFormatError(`${file}: this model holds no run of convas train to resume (userDefinedMetadata.${RUN_KEY} is missing or ` +
      'not what convas train writes); --resume takes the --out directory of a run of convas train');
  }
  return { model, run };
}

/** The epochs done and planned of an unfinished run saved in `dir`, or undefined (none there, or it finished). */
export async function unfinishedRunIn(dir: string): Promise<{ epochsDone: number; epochs: number } | undefined> {
  let json: { userDefinedMetadata?: Record<string, unknown> };
  try {
    json = JSON.parse(await readFile(resolve(dir, 'model.json'), 'utf8'));
  } catch {
    return undefined; // no model, or one that is no checkpoint: nothing to protect
  }
  const run = recordedRun(json?.userDefinedMetadata);
  return run && run.epochsDone < run.settings.epochs ? { epochsDone: run.epochsDone, epochs: run.settings.epochs } : undefined;
}
