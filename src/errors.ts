// Every error convas throws on purpose is a ConvasError; the subclass says what kind of thing was wrong.

export class ConvasError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}

/** A tensor or dataset whose shape is not the one expected. */
export class ShapeError extends ConvasError {}
/** A layer, model, optimizer or option setting that cannot work. */
export class ConfigError extends ConvasError {}
/** Values that are not acceptable: NaN or infinite numbers, labels out of range. */
export class ValueError extends ConvasError {}
/** A call made at the wrong time: before init(), before compile(), on a disposed tensor. */
export class StateError extends ConvasError {}
/** A model or data file that is truncated, corrupted, or of a format or version we cannot read. */
export class FileFormatError extends ConvasError {}
/** Training produced a non-finite loss or weight. */
export class DivergenceError extends ConvasError {
  // history, the epochs that finished, is declared beside History (model/callbacks.ts): errors sit below the model.
  /** What a callback's onTrainEnd threw after the run diverged (the divergence is still the error thrown). */
  callbackError?: unknown;
}
/** WebAssembly memory could not grow to hold what was asked (a batch or model too large for it). */
export class OutOfMemoryError extends ConvasError {}
/** A place for model or image files that cannot be written or read: a path under a file, no permission, a full or read-only disk, a server that cannot be reached. */
export class StorageError extends ConvasError {}

/** Every class above by name: errors that cross a worker boundary are rebuilt as their own class. */
export const ERROR_CLASSES: Record<string, new (message: string) => ConvasError> = {
  ConvasError, ShapeError, ConfigError, ValueError, StateError, FileFormatError, DivergenceError, OutOfMemoryError, StorageError,
};
