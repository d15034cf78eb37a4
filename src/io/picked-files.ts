// Loading from File objects, as a browser's file picker or drag and drop hands them over: the
// model's .json (or .onnx) and the files it names (weights, external data), found by file name.
import { ConfigError, FileFormatError } from '../errors.js';
import { MAX_FILE_BYTES, type ModelSource, tooLong } from './storage.js';

export function pickedFilesSource(files: readonly File[]): ModelSource {
  if (files.some((f) => typeof f?.name !== 'string' || typeof f.arrayBuffer !== 'function')) {
    throw new ConfigError('cannot load a model from this array: expected File objects (as a file picker gives them)');
  }
  const names = files.map((f) => f.name);
  const models = files.filter((f) => f.name.endsWith('.json') || f.name.endsWith('.onnx'));
  if (models.length !== 1) {
    throw new ConfigError(`cannot load a model from the files ${JSON.stringify(names)}: expected exactly one .json file or one ` +
      '.onnx file (the model) among them, with the files it names');
  }
  const byName = new Map(files.map((f) => [f.name, f]));
  return {
    modelFile: models[0].name,
    describe: (path) => path,
    async read(path, listed) {
      const file = byName.get(path);
      if (!file) throw new FileFormatError(`${path}: file not found among the files given (${names.join(', ')})`);
      if (file.size > (listed ?? MAX_FILE_BYTES)) throw tooLong(path, file.size, listed);
      return new Uint8Array(await file.arrayBuffer());
    },
  };
}
