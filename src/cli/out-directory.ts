// What `convas train` may write over in its --out directory: nothing yet, or a model a finished run
// (all its epochs done, or stopped early by --patience) of convas train saved there (the same --out is trained again and again, as `npm start`'s default
// is). Anything else there — a model of the user's own, the pretrained --base itself, a run stopped
// half-way (which --resume continues) — is refused before any work, so that no run destroys it;
// the same holds for DIR/best, where --patience keeps the best epoch's model. A new run removes the
// DIR/best an earlier run of convas train left, which is no longer the best epoch of the model in DIR,
// once its own first save has replaced that model: a run stopped or failing before leaves both.
import { lstat, realpath, rm, rmdir, stat } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { nodeDirectory } from '../io/node-directory.js';
import { bestDirectory } from './patience.js';
import { recordedRun } from './run-checkpoint.js';

/** The key a model trained on a --base records (TransferMetadata). */
export const TRANSFER_KEY = 'transfer';

/** The directory a model path names: itself, or the one holding a model.json given by name. */
const modelDirectory = (path: string) => resolve(path.endsWith('.json') ? dirname(path) : path);

/**
 * Throws a ConfigError when a run must not save to `out`; `base` is the --base model, which must
 * stay. With `patience` the run also saves its best epoch in DIR/best, which must hold no model
 * but one convas train saved there, and be no file.
 */
export async function checkOutDirectory(out: string, base?: string, patience?: boolean): Promise<void> {
  if (base !== undefined && modelDirectory(base) === resolve(out)) {
    throw new ConfigError(`--out ${out} is where the --base model is: saving there would replace it; give another --out`);
  }
  if (patience) {
    const best = bestDirectory(out);
    // Found only when the best epoch is first saved, after the first checkpoint has replaced the model in `out`.
    if (await stat(best).then((entry) => !entry.isDirectory(), () => false)) {
      throw new ConfigError(`${best} is a file, where --patience saves the best epoch's model: move it away, or give another --out`);
    }
    const saved = await savedMetadata(best);
    if (saved && !recordedRun(saved.metadata)) throw notSavedByTrain(best);
  }
  const saved = await savedMetadata(out);
  if (!saved) return;
  const { metadata } = saved;
  const run = recordedRun(metadata);
  if (run && run.epochsDone < run.settings.epochs && !run.patience?.stopped) {
    throw new ConfigError(`${out} holds a run stopped after epoch ${run.epochsDone} of ${run.settings.epochs}: continue it with ` +
      `convas train --resume ${out}, or give another --out (or delete it) to start afresh`);
  }
  if (!run && !(metadata && TRANSFER_KEY in metadata)) throw notSavedByTrain(out);
}

/**
 * Removes DIR/best when it holds the best epoch an earlier run of convas train saved, called once this
 * run has saved in `out`: it would sit beside a model it is not the best epoch of (or, with --patience,
 * hold another run's epoch until this one saves its first). Only the files convas saves there go, and
 * the directory if nothing else is left in it; a model convas train did not save stays, as does a
 * best/ that is a link or this run's `base`. The run says so through `print`.
 */
export async function removeEarlierBest(out: string, print: (text: string) => void, base?: string): Promise<void> {
  const best = bestDirectory(out);
  // A link named best leads out of --out: what it names is the user's, wherever it is, and stays.
  if (!(await lstat(best).then((entry) => entry.isDirectory(), () => false))) return;
  // This run's --base may be that best epoch: the user's starting point now, which stays.
  if (base !== undefined && await sameDirectory(modelDirectory(base), best)) return;
  const saved = await savedMetadata(best).catch(() => undefined); // unreadable: not known to be convas train's
  if (!saved || !recordedRun(saved.metadata)) return;
  // model.json first: what remains if this is interrupted is no model, rather than a model without its weights.
  for (const file of ['model.json', 'weights.bin']) await rm(resolve(best, file), { force: true });
  await rmdir(best).catch(() => undefined); // left when it holds files of the user's
  print(`Removed the model in ${best}: the best epoch of the earlier run in ${out}, not of the model this run saves there`);
}

/** Whether two paths name one directory, through any links; a path that does not exist (a URL) names none. */
const sameDirectory = async (a: string, b: string) => {
  const [realA, realB] = await Promise.all([realpath(a).catch(() => undefined), realpath(b).catch(() => undefined)]);
  return realA !== undefined && realA === realB;
};

const notSavedByTrain = (dir: string) => new ConfigError(`${dir} holds a model (model.json) that convas train did not save, which this ` +
  'run would replace: give another --out (or move that model away)');

/** The user-defined metadata of the model saved in `dir` (undefined inside when it has none), or undefined when there is no model.json. */
async function savedMetadata(dir: string): Promise<{ metadata?: Record<string, unknown> } | undefined> {
  try {
    await stat(resolve(dir, 'model.json'));
  } catch (error) {
    const { code } = error as NodeJS.ErrnoException;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined; // no model there: nothing to lose (saving says why a file is in the way)
  }
  let text: string;
  try {
    // As a model is read: a link to a device, or a file of gigabytes, is refused rather than read.
    text = new TextDecoder().decode(await (await nodeDirectory(dir)).read('model.json'));
  } catch (error) {
    throw new ConfigError(`${dir}: its model.json cannot be read (${(error as Error).message}), so this run cannot tell what saving there ` +
      'would replace; give another --out');
  }
  try {
    return { metadata: JSON.parse(text)?.userDefinedMetadata };
  } catch {
    return {};
  }
}
