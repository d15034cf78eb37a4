// A model directory on disk (Node): model.json and weights.bin. Saving replaces a model whole or not
// at all, and every moment of it leaves a loadable model (a crash included):
//   1. the new weights and a model.json naming them go to temporary files, synced;
//   2. that model.json is renamed over the old one: the new model is in place (the commit);
//   3. the weights are written again as weights.bin and a model.json naming weights.bin replaces
//      the first, so the directory ends as it always looks; then the temporary files go.
// A failure up to the commit removes the temporary files and leaves the old model as it was; after
// it, the model is saved (step 3 only tidies, and the next save finishes what a failure there left).
// System errors become StorageErrors naming the path and the reason.
import { FileFormatError, StateError, StorageError } from '../errors.js';
import { importNodeBuiltin } from '../platform.js';
import { type EncodedModel, MAX_FILE_BYTES, type ModelDestination, type ModelSource, tooLong } from './storage.js';

const MODEL_FILE = 'model.json';
const WEIGHTS_FILE = 'weights.bin';

/** Temporary files are `.<final name>.<uuid>.tmp`, so an interrupted save's leftovers are recognised and removed. */
const TEMPORARY = /^\..+\.[0-9a-f-]{36}(\.\d)?\.tmp$/;

/**
 * Directories a save of this program is writing to. Two saves at once to one directory would mix
 * their files (one's model.json beside the other's weights) and each tidies away the other's
 * temporary files: the second is refused rather than queued, so a save that never ends blocks none.
 */
const savingTo = new Set<string>();

/** The system's reasons, in words, for the errors a user can fix. */
const REASONS: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a directory',
  EEXIST: 'it is a file, not a directory',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  ENAMETOOLONG: 'the name is too long',
  ELOOP: 'too many symbolic links',
  EMFILE: 'too many open files',
  EIO: 'an input/output error',
};

/** `error` as a StorageError saying what could not be done to `path` and why; other errors as they are. */
function storageError(error: unknown, doing: string, path: string): unknown {
  const code = (error as { code?: unknown }).code;
  if (!(error instanceof Error) || typeof code !== 'string') return error;
  const reason = REASONS[code] ?? error.message.replace(/^[A-Z]+: /, '').replace(/, \w+ '.*'$/, '');
  return new StorageError(`${doing} ${path}: ${reason} (${code})`);
}

/** A test hook: how long to pause before each rename of a save, so a test can kill the process mid-save. */
const pauseBeforeRenames = () => Number(process.env.CONVAS_TEST_SAVE_PAUSE_MS ?? 0);

/**
 * `location` is the model's directory, or its file: a .json (e.g. name.json from downloads://name)
 * to load, an .onnx file to load or save.
 */
export async function nodeDirectory(location: string): Promise<ModelSource & ModelDestination> {
  const fs = await importNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const path = await importNodeBuiltin<typeof import('node:path')>('node:path');
  const { randomUUID } = await importNodeBuiltin<typeof import('node:crypto')>('node:crypto');
  const namesFile = location.endsWith('.json') || location.endsWith('.onnx');
  const directory = namesFile ? path.dirname(location) : location;
  const modelFile = namesFile ? path.basename(location) : MODEL_FILE;
  const describe = (file: string) => path.join(directory, file);
  /** Manifest paths come from the file itself: they must stay inside the directory. */
  const inside = (file: string) => {
    if (path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) {
      throw new FileFormatError(`${describe(modelFile)}: weights path ${JSON.stringify(file)} leaves the model's directory; expected a file name inside ${directory}`);
    }
    return describe(file);
  };

  async function writeSynced(file: string, bytes: Uint8Array): Promise<void> {
    const handle = await fs.open(describe(file), 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
  }

  async function rename(from: string, to: string): Promise<void> {
    const pause = pauseBeforeRenames();
    if (pause > 0) await new Promise((resolve) => setTimeout(resolve, pause));
    await fs.rename(describe(from), describe(to));
  }

  /** Removes `files`, or with no list every temporary file: this save's and those of saves that were interrupted. */
  async function removeTemporaryFiles(files?: string[]): Promise<void> {
    const names = files ?? (await fs.readdir(directory)).filter((n) => TEMPORARY.test(n));
    await Promise.all(names.map((n) => fs.rm(describe(n), { force: true })));
  }

  /** Runs `save` as the only save to this directory in this program, or refuses it. */
  async function alone(save: () => Promise<void>): Promise<void> {
    const key = path.resolve(directory);
    if (savingTo.has(key)) {
      throw new StateError(`save: another save to ${directory} is under way; await it before saving there again ` +
        `(two at once would mix their files)`);
    }
    savingTo.add(key);
    try {
      await save();
    } finally {
      savingTo.delete(key);
    }
  }

  async function makeDirectory(): Promise<void> {
    try {
      await fs.mkdir(directory, { recursive: true });
    } catch (error) {
      throw storageError(error, 'save: cannot make the model directory', directory);
    }
  }

  return {
    modelFile,
    describe,
    async read(file, listed) {
      const maxBytes = listed ?? MAX_FILE_BYTES;
      let handle;
      try {
        handle = await fs.open(inside(file), 'r');
        // A link may lead anywhere: what it leads to must be a file of a size the model file allows.
        const stat = await handle.stat();
        if (stat.isDirectory()) throw new FileFormatError(`${describe(file)}: cannot be read (EISDIR: it is a directory); expected a model file`);
        if (!stat.isFile()) throw new FileFormatError(`${describe(file)}: is not a regular file (a device or a pipe?); expected a model file`);
        if (stat.size > maxBytes) throw tooLong(describe(file), stat.size, listed);
        // A plain Uint8Array over the Buffer's memory, not a copy: copying a big model's file took longer than reading it.
        const bytes = await handle.readFile();
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        if (error instanceof FileFormatError) throw error;
        const { code, message } = error as { code?: string; message?: string };
        if (code === 'ENOENT') throw new FileFormatError(`${describe(file)}: file not found`);
        // A path through a file, or a directory where the file should be: no model there.
        if (code === 'ENOTDIR' || code === 'EISDIR') throw new FileFormatError(`${describe(file)}: cannot be read (${message ?? code}); expected a model file`);
        throw storageError(error, 'cannot read', describe(file));
      } finally {
        await handle?.close();
      }
    },
    write: (model: EncodedModel) => alone(async () => {
      await makeDirectory();
      const id = randomUUID();
      const staged = { weights: `.${WEIGHTS_FILE}.${id}.tmp`, model: `.${MODEL_FILE}.${id}.tmp` };
      try {
        await writeSynced(staged.weights, model.weights);
        await writeSynced(staged.model, model.modelFile(staged.weights));
        await rename(staged.model, MODEL_FILE);
      } catch (error) {
        await removeTemporaryFiles([staged.weights, staged.model]).catch(() => undefined); // the error to report is the first
        throw storageError(error, 'save: cannot write the model to', directory);
      }
      const final = { weights: `.${WEIGHTS_FILE}.${id}.1.tmp`, model: `.${MODEL_FILE}.${id}.1.tmp` };
      try {
        await writeSynced(final.weights, model.weights);
        await rename(final.weights, WEIGHTS_FILE);
        await writeSynced(final.model, model.modelFile(WEIGHTS_FILE));
        await rename(final.model, MODEL_FILE);
        await removeTemporaryFiles();
      } catch {
        // Saved: model.json names the staged weights, and only the tidying failed. Its own files go;
        // the staged weights stay while model.json names them, and the next save tidies them away.
        await removeTemporaryFiles([final.weights, final.model]).catch(() => undefined);
      }
    }),
    writeOnnx: (bytes) => alone(async () => {
      // The .onnx named, or model.onnx in the directory: written aside, then renamed over the old one.
      const file = modelFile.endsWith('.onnx') ? modelFile : 'model.onnx';
      await makeDirectory();
      const staged = `.${file}.${randomUUID()}.tmp`;
      try {
        await writeSynced(staged, bytes);
        await rename(staged, file);
      } catch (error) {
        await removeTemporaryFiles([staged]).catch(() => undefined);
        throw storageError(error, 'save: cannot write the model to', describe(file));
      }
    }),
  };
}
