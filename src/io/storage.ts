// The interfaces every place that stores model files implements (a directory, http, IndexedDB,
// downloads): formats write and read through them, so storage and file format never mix.
import { FileFormatError } from '../errors.js';

/** Files read by path relative to the model file, the way model.json names its weights. */
export interface ModelSource {
  readonly modelFile: string;
  /** The full name of a file, for error messages: a path, a URL or indexeddb://name/file. */
  describe(path: string): string;
  /**
   * The file's bytes. Given `maxBytes` (what the model file lists there), a longer file is a
   * FileFormatError before it is read whole; so is anything that is no regular file (a device, a
   * pipe), which could be read forever.
   */
  read(path: string, maxBytes?: number): Promise<Uint8Array>;
}

/** The most bytes any one file of a model is read to (where the model file lists no size for it): Node's limit. */
export const MAX_FILE_BYTES = 2 ** 31 - 1;

/** The FileFormatError of a file longer than its model file lists (`listed`), or than any model file is read to. */
export const tooLong = (file: string, bytes: number, listed: number | undefined) => new FileFormatError(listed === undefined
  ? `${file}: holds ${bytes} bytes or more, too large to read (over 2 GB); expected a model file`
  : `${file}: holds ${bytes} bytes or more, longer than the ${listed} bytes the model file lists for it`);

/** A model ready to store: its weights, and its model file, which names the weights file it goes with. */
export interface EncodedModel {
  weights: Uint8Array<ArrayBuffer>;
  /** The model file's bytes when the weights are stored as `weightsPath` (relative to it). */
  modelFile(weightsPath: string): Uint8Array<ArrayBuffer>;
}

export interface ModelDestination {
  /** Stores the model file and the weights file it names under the store's own names, replacing an older model. */
  write(model: EncodedModel): Promise<void>;
  /** Stores a one-file model (ONNX), replacing an older one: the .onnx named, a directory's model.onnx, or name.onnx for downloads://name. */
  writeOnnx?(bytes: Uint8Array<ArrayBuffer>): Promise<void>;
}
