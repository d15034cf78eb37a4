// A train request as the worker reads it, checked before anything is allocated: its four parts,
// the fields of its data, and fit's settings. fit would skip zero or NaN epochs without a word and hand back untrained
// weights, and a fit option the worker passes on unchecked (validationSplit) would break its
// count of whole epochs: each is a ConfigError naming the setting.
import { ConfigError } from '../index.js';
import { shownValue } from '../shown-value.js';
import type { TrainFitOptions, TrainRequest, TrainingData } from './protocol.js';

const PARTS = ['modelConfig', 'compile', 'fit', 'data'] as const satisfies ReadonlyArray<keyof TrainRequest>;
const FIT_SETTINGS = {
  epochs: true, batchSize: true, shuffle: true, classWeight: true, earlyStopping: true,
} satisfies Record<keyof TrainFitOptions, true>;

const DATA_FIELDS = ['images', 'labels', 'sampleWeights'] as const satisfies ReadonlyArray<keyof TrainingData>;

export function checkRequest(request: unknown): TrainRequest {
  const parts = `a request is { ${PARTS.join(', ')} }`;
  if (request === null || typeof request !== 'object') throw new ConfigError(`train: ${parts}, got ${shownValue(request)}`);
  for (const part of PARTS) {
    const value = (request as Record<string, unknown>)[part];
    if (value === undefined) throw new ConfigError(`train: request.${part} is missing; ${parts}`);
    if (value === null || typeof value !== 'object') throw new ConfigError(`train: request.${part} must be an object, got ${shownValue(value)}`);
  }
  const fit = (request as TrainRequest).fit;
  const unknown = Object.keys(fit).filter((key) => !Object.hasOwn(FIT_SETTINGS, key));
  if (unknown.length > 0) {
    // fit's own names for what a worker request carries in data.
    const hint = unknown.some((key) => key.startsWith('validation')) ? ' (held-out data goes in data.validation)'
      : unknown.includes('sampleWeight') ? ' (sample weights go in data.sampleWeights)' : '';
    throw new ConfigError(`train: unknown fit setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}${hint}; ` +
      `a worker run's fit takes ${Object.keys(FIT_SETTINGS).join(', ')}`);
  }
  // A misnamed field (fit's own sampleWeight) would otherwise leave the run unweighted without a word.
  const { data } = request as TrainRequest;
  checkDataFields(data, 'data', [...DATA_FIELDS, 'validation']);
  if (data.validation !== null && typeof data.validation === 'object') checkDataFields(data.validation, 'data.validation', DATA_FIELDS);
  for (const name of ['epochs', 'batchSize'] as const) {
    const value = fit[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw new ConfigError(`fit: ${name} must be a positive integer, got ${shownValue(value)}`);
    }
  }
  return request as TrainRequest;
}

function checkDataFields(data: object, where: string, fields: readonly string[]): void {
  const unknown = Object.keys(data).filter((key) => !fields.includes(key));
  if (unknown.length > 0) {
    throw new ConfigError(`train: unknown field${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')} in ${where}; it takes ${fields.join(', ')}`);
  }
}
