// What `convas train` keeps with the model it saves after every epoch, so that `--resume DIR`
// continues a stopped run exactly: the settings it was started with, the epochs done, and where the
// augmentation stream (the shifts) was, and with --patience where early stopping stands
// (patience.ts). The model file holds the rest — weights, optimizer state
// with its schedule's position, the shuffle and dropout streams — and is saved atomically, so the
// checkpoint is always the whole of one epoch's end.
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError, FileFormatError } from '../errors.js';
import { FORMAT } from '../io/convas-format.js';
import { loadModel } from '../io/load.js';
import type { Model } from '../model/model.js';
import type { TrainOptions } from './args.js';
import { type PatienceState, isPatienceState } from './patience.js';

/** The options that decide what a run computes (the network is in the checkpoint; where it goes and the threads do not matter). */
export type RunSettings = Omit<TrainOptions, 'model' | 'out' | 'threads'>;

export interface TrainingRun {
  settings: RunSettings;
  epochsDone: number;
  /** The state of the stream that shifts the training images (Random.state). */
  shiftState: number;
  /** With --patience: the best epoch so far, the wait, and whether the run stopped early. */
  patience?: PatienceState;
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
  const { settings, epochsDone, shiftState, patience } = run;
  const valid = typeof settings === 'object' && settings !== null && isCount(epochsDone) && isCount(shiftState) && shiftState < 2 ** 32 &&
    [settings.epochs, settings.batchSize, settings.seed, settings.shift].every(isCount) && epochsDone <= settings.epochs &&
    (patience === undefined ? settings.patience === undefined : isCount(settings.patience) && isPatienceState(patience));
  return valid ? run : undefined;
}

/** The model and run of the checkpoint in `dir`; a directory without one is a ConfigError saying so. */
export async function loadCheckpoint(dir: string): Promise<{ model: Model; run: TrainingRun }> {
  const file = resolve(dir, 'model.json');
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new ConfigError(`${dir}: no checkpoint to resume (${file} cannot be read); --resume takes the --out directory of a run of convas train`);
  }
  const model = await loadModel(dir);
  const run = recordedRun(model.getUserDefinedMetadata());
  // A finished run saved with --format tfjs: its file keeps no optimizer state to go on from.
  if (run && JSON.parse(text).format !== FORMAT) {
    throw new ConfigError(`${file}: the run ended saved in the TensorFlow.js format (--format tfjs), which keeps no optimizer state, so it ` +
      'cannot go on as if it had never stopped; train again with more --epochs, or keep the convas format for runs to continue');
  }
  if (!run) {
    throw new FileFormatError(`${file}: this model holds no run of convas train to resume (userDefinedMetadata.${RUN_KEY} is missing or ` +
      'not what convas train writes); --resume takes the --out directory of a run of convas train');
  }
  return { model, run };
}
