// Loading from File objects, as a browser's file picker or drag and drop hands them over: the
// model's .json and the weights files it names, found by file name.
import { ConfigError, FileFormatError } from '../errors.js';
import type { ModelSource } from './storage.js';

export function pickedFilesSource(files: readonly File[]): ModelSource {
  const names = files.map((f) => f.name);
  const models = files.filter((f) => f.name.endsWith('.json'));
  if (models.length !== 1) {
    throw new ConfigError(`cannot load a model from the files ${JSON.stringify(names)}: expected exactly one .json file ` +
      '(the model) among them, with the weights files it names');
  }
  const byName = new Map(files.map((f) => [f.name, f]));
  return {
    modelFile: models[0].name,
    describe: (path) => path,
    async read(path) {
      const file = byName.get(path);
      if (!file) throw new FileFormatError(`${path}: file not found among the files given (${names.join(', ')})`);
      return new Uint8Array(await file.arrayBuffer());
    },
  };
}
