// Keras's names for the accuracy log beside TensorFlow.js's. For metrics: ['accuracy'] TF.js logs
// 'acc' and 'val_acc' (tfjs-layers' training.js names 'accuracy' and 'acc' alike 'acc'), which
// convas logs too; Keras logs the name asked for, 'accuracy' and 'val_accuracy'. Code copied from
// either must run: every monitor (earlyStopping, modelCheckpoint and its file-name placeholders,
// reduceLROnPlateau) takes both names, and logs and history.history answer to Keras's names as
// well — as non-enumerable aliases of the same values (read and written), so that each value is
// logged, printed, serialised and recorded once, under TF.js's name.

/** Keras's name → the name convas logs. */
const KERAS_NAMES: Readonly<Record<string, string>> = { accuracy: 'acc', val_accuracy: 'val_acc' };

/** The name convas logs the value under: Keras's accuracy names read as TF.js's, any other name as it is. */
export const loggedName = (name: string): string => (Object.hasOwn(KERAS_NAMES, name) ? KERAS_NAMES[name] : name);

/**
 * Adds Keras's names to `record` (an epoch's logs, or history.history): non-enumerable aliases that
 * read and write the value under TF.js's name — a Keras callback that sets logs['val_accuracy']
 * (custom validation, say) sets val_acc, where a getter alone would throw a TypeError.
 */
export function withKerasNames<T extends object>(record: T): T {
  const values = record as Record<string, unknown>;
  for (const [keras, logged] of Object.entries(KERAS_NAMES)) {
    Object.defineProperty(record, keras, {
      get: () => values[logged],
      set: (value: unknown) => void (values[logged] = value),
      enumerable: false, configurable: true,
    });
  }
  return record;
}
