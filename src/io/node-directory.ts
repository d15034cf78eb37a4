// A model directory on disk (Node). Saving is atomic: each file is written to a temporary name in
// the same directory, synced, then renamed over the old one in the order given (weights, then
// model.json), so a crash leaves either the old model or the new one — and a model.json beside
// the wrong weights is caught by its checksum.
import { FileFormatError } from '../errors.js';
import { importNodeBuiltin } from '../platform.js';
import type { ModelDestination, ModelSource, StoredFile } from './storage.js';

/**
 * `location` is the model's directory, or its file: a .json (e.g. name.json from downloads://name)
 * to load, an .onnx file to load or save.
 */
export async function nodeDirectory(location: string): Promise<ModelSource & ModelDestination> {
  const fs = await importNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const path = await importNodeBuiltin<typeof import('node:path')>('node:path');
  const namesFile = location.endsWith('.json') || location.endsWith('.onnx');
  const directory = namesFile ? path.dirname(location) : location;
  const modelFile = namesFile ? path.basename(location) : 'model.json';
  const { randomUUID } = await importNodeBuiltin<typeof import('node:crypto')>('node:crypto');
  const describe = (file: string) => path.join(directory, file);
  /** Manifest paths come from the file itself: they must stay inside the directory. */
  const inside = (file: string) => {
    if (path.isAbsolute(file) || file.split(/[\\/]/).includes('..')) {
      throw new FileFormatError(`${describe(modelFile)}: weights path ${JSON.stringify(file)} leaves the model's directory; expected a file name inside ${directory}`);
    }
    return describe(file);
  };
  return {
    modelFile,
    weightsFile: 'weights.bin',
    describe,
    async read(file) {
      try {
        return new Uint8Array(await fs.readFile(inside(file)));
      } catch (error) {
        const { code, message } = error as { code?: string; message?: string };
        if (code === 'ENOENT') throw new FileFormatError(`${describe(file)}: file not found`);
        if (code === 'ERR_FS_FILE_TOO_LARGE') throw new FileFormatError(`${describe(file)}: too large to read (over 2 GB); expected a model file`);
        if (error instanceof FileFormatError) throw error;
        // ENOTDIR (a path through a file), EISDIR, EACCES…: the file cannot be a model either.
        throw new FileFormatError(`${describe(file)}: cannot be read (${message ?? code}); expected a model file`);
      }
    },
    async write(files: StoredFile[]) {
      await fs.mkdir(directory, { recursive: true });
      const temporary = files.map((f) => describe(`.${f.path}.${randomUUID()}.tmp`));
      try {
        for (let i = 0; i < files.length; i++) {
          const handle = await fs.open(temporary[i], 'w');
          try {
            await handle.writeFile(files[i].bytes);
            await handle.sync();
          } finally {
            await handle.close();
          }
        }
        for (let i = 0; i < files.length; i++) await fs.rename(temporary[i], describe(files[i].path));
      } catch (error) {
        await Promise.all(temporary.map((t) => fs.rm(t, { force: true })));
        throw error;
      }
    },
  };
}
