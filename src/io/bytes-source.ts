// A model given as bytes (a Uint8Array or ArrayBuffer, say from fetch or a drop): a single-file
// format, ONNX. There is nothing beside it, so external data cannot be read from here.
import { FileFormatError } from '../errors.js';
import type { ModelSource } from './storage.js';

const MODEL_FILE = 'model.onnx';

export function bytesSource(bytes: Uint8Array | ArrayBuffer): ModelSource {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  return {
    modelFile: MODEL_FILE,
    describe: (path) => (path === MODEL_FILE ? 'the model bytes' : path),
    async read(path) {
      if (path === MODEL_FILE) return data;
      throw new FileFormatError(`${path}: the model was given as bytes, so the files beside it cannot be read; ` +
        'load it from its path or URL (or as File objects, with this file among them)');
    },
  };
}
