// Keras's names for the logs beside TensorFlow.js's. For metrics: ['accuracy'] TF.js logs 'acc' and
// 'val_acc' (tfjs-layers' training.js names 'accuracy' and 'acc' alike 'acc'), which convas logs
// too; Keras logs the name asked for, 'accuracy' and 'val_accuracy'. The other accuracies TF.js
// names in camelCase ('binaryAccuracy', which convas logs), Keras in snake_case
// ('binary_accuracy'); compile and evaluate take both (metric-set.ts). Code copied from either must
// run: every monitor (earlyStopping, modelCheckpoint and its file-name placeholders,
// reduceLROnPlateau) takes both names, and logs, history.history and evaluate's result answer to
// Keras's names as well — as non-enumerable aliases of the same values (read and written), so that
// each value is logged, printed, serialised and recorded once, under TF.js's name.

/** Keras's snake_case names of the metrics TF.js names in camelCase (precision and recall are the same in both). */
export const KERAS_METRIC_NAMES = {
  binaryAccuracy: 'binary_accuracy',
  categoricalAccuracy: 'categorical_accuracy',
  sparseCategoricalAccuracy: 'sparse_categorical_accuracy',
  topKCategoricalAccuracy: 'top_k_categorical_accuracy',
  sparseTopKCategoricalAccuracy: 'sparse_top_k_categorical_accuracy',
} as const;

export type KerasMetricName = (typeof KERAS_METRIC_NAMES)[keyof typeof KERAS_METRIC_NAMES];

/** Keras's name → the name convas gives the value: in evaluate's result (whose accuracy is 'accuracy' already) … */
const EVALUATION_NAMES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries(KERAS_METRIC_NAMES).map(([tfjs, keras]) => [keras, tfjs]));
/** … and in fit's logs, validation's val_ ones included. */
const LOG_NAMES: Readonly<Record<string, string>> = Object.fromEntries(Object.entries({ accuracy: 'acc', ...EVALUATION_NAMES })
  .flatMap(([keras, logged]) => [[keras, logged], [`val_${keras}`, `val_${logged}`]]));

/** The name convas logs the value under: Keras's names read as TF.js's, any other name as it is. */
export const loggedName = (name: string): string => (Object.hasOwn(LOG_NAMES, name) ? LOG_NAMES[name] : name);

/** The convas (TF.js) name of a metric compile or evaluate is given by Keras's name; any other name as it is. */
export const metricName = (name: string): string => (Object.hasOwn(EVALUATION_NAMES, name) ? EVALUATION_NAMES[name] : name);

/**
 * The aliases of a run whose logs are `logged` (fit's params.metrics): the accuracy's always, the
 * other metrics' only when logged (so that `name in logs` holds only for what the run logs).
 */
export const kerasNamesOf = (logged: readonly string[]): Readonly<Record<string, string>> =>
  Object.fromEntries(Object.entries(LOG_NAMES).filter(([, name]) => name === 'acc' || name === 'val_acc' || logged.includes(name)));

/**
 * Adds Keras's names to `record` (an epoch's logs, history.history, or with `of` 'evaluation',
 * evaluate's finished result): non-enumerable aliases that read and write the value
 * under TF.js's name — a Keras callback that sets logs['val_accuracy'] (custom validation, say) sets
 * val_acc, where a getter alone would throw a TypeError.
 */
export function withKerasNames<T extends object>(record: T, of: 'logs' | 'evaluation' = 'logs'): T {
  // evaluate's result holds its metrics already, and answers to Keras's names of those alone.
  return Object.defineProperties(record, kerasNameAliases(of === 'logs' ? LOG_NAMES
    : Object.fromEntries(Object.entries(EVALUATION_NAMES).filter(([, logged]) => Object.hasOwn(record, logged)))));
}

/**
 * Keras's name of each of `names` as a non-enumerable alias of the value under TF.js's name, on
 * whatever object it is defined on. fit makes them once per run and each batch's logs with them
 * (Object.create(Object.prototype, aliases)): plain objects, as TF.js's logs are, with no closures
 * made per batch — making and defining them for every batch took a tenth of the host's work in a
 * LeNet-small step.
 */
export function kerasNameAliases(names: Readonly<Record<string, string>>): PropertyDescriptorMap {
  return Object.fromEntries(Object.entries(names).map(([keras, logged]) => [keras, {
    get(this: Record<string, unknown>) {
      return this[logged];
    },
    set(this: Record<string, unknown>, value: unknown) {
      this[logged] = value;
    },
    enumerable: false, configurable: true,
  }]));
}
