// The interfaces every place that stores model files implements (a directory, http, IndexedDB,
// downloads): formats write and read through them, so storage and file format never mix.

export interface StoredFile {
  path: string;
  bytes: Uint8Array<ArrayBuffer>;
}

/** Files read by path relative to the model file, the way model.json names its weights. */
export interface ModelSource {
  readonly modelFile: string;
  /** The full name of a file, for error messages: a path, a URL or indexeddb://name/file. */
  describe(path: string): string;
  read(path: string): Promise<Uint8Array>;
}

export interface ModelDestination {
  readonly modelFile: string;
  readonly weightsFile: string;
  /** Stores the files in order, replacing older ones; the last file written is the one that commits the model. */
  write(files: StoredFile[]): Promise<void>;
}
