// `convas train --resume DIR`: the run saved in DIR continues from its last checkpoint, with the
// settings it was started with, to the same weights as if it had never stopped.
import '../io/save.js'; // registers model.save()'s file formats
import { ConfigError } from '../errors.js';
import { seededRandom } from '../random.js';
import type { ResumeOptions } from './args.js';
import { endedOnBest } from './patience.js';
import { loadCheckpoint } from './run-checkpoint.js';
import { type Print, loadRunData, runEpochs } from './train-epochs.js';

/** Returns the exit code, as train() does. */
export async function resume(options: ResumeOptions, print: Print): Promise<number> {
  const { model, run } = await loadCheckpoint(options.dir);
  const settings = { ...run.settings, epochs: options.epochs ?? run.settings.epochs };
  if (settings.epochs < run.epochsDone) {
    throw new ConfigError(`--epochs ${settings.epochs} is fewer than the ${run.epochsDone} epochs the run in ${options.dir} has done`);
  }
  const extended = settings.epochs !== run.settings.epochs && settings.epochs > run.epochsDone;
  if (run.patience && extended && endedOnBest(run.patience, run.epochsDone, run.settings.epochs)) {
    throw new ConfigError(`${options.dir}: the run ended with the weights of its best epoch, ${run.patience.bestEpoch}, put back ` +
      `(--patience ${run.settings.patience}); going on from them would not be the run it would have been, so --epochs ` +
      `${settings.epochs} cannot extend it: start a new run with more --epochs`);
  }
  print(`Resuming the run saved in ${options.dir} after epoch ${run.epochsDone} of ${settings.epochs}`);
  const data = await loadRunData(settings, print);
  const shift = seededRandom(settings.seed);
  shift.state = run.shiftState;
  return runEpochs({ model, settings, data, out: options.dir, epochsDone: run.epochsDone, shift, threads: options.threads, patience: run.patience }, print);
}
