// Checks of the numbers and choices in an optimizer, loss or schedule config: each failure is a
// ConfigError naming the owner, the setting and what it takes (and what was given instead).
import { ConfigError } from '../errors.js';
import { shownValue } from '../shown-value.js';

export type Range = 'finite' | 'positive' | 'non-negative' | 'fraction' | 'open fraction' | 'unit' | 'at least one';

const RANGES: Record<Range, { ok: (v: number) => boolean; says: string }> = {
  finite: { ok: () => true, says: 'a finite number' },
  positive: { ok: (v) => v > 0, says: 'a positive number' },
  'non-negative': { ok: (v) => v >= 0, says: 'a number ≥ 0' },
  /** [0, 1): decay rates, momentum. */
  fraction: { ok: (v) => v >= 0 && v < 1, says: 'a number in [0, 1)' },
  /** (0, 1): a factor that must shrink what it multiplies. */
  'open fraction': { ok: (v) => v > 0 && v < 1, says: 'a number in (0, 1)' },
  /** [0, 1]: label smoothing, alpha. */
  unit: { ok: (v) => v >= 0 && v <= 1, says: 'a number in [0, 1]' },
  'at least one': { ok: (v) => v >= 1, says: 'a number ≥ 1' },
};

/** A finite number in `range`. */
export function checkNumber(owner: string, name: string, value: unknown, range: Range): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || !RANGES[range].ok(value)) {
    throw new ConfigError(`${owner}: ${name} must be ${RANGES[range].says}, got ${shownValue(value)}`);
  }
  return value;
}

/** A whole number ≥ 0 (patience, cooldown). */
export function checkCount(owner: string, name: string, value: unknown): number {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw new ConfigError(`${owner}: ${name} must be an integer ≥ 0, got ${shownValue(value)}`);
  }
  return value as number;
}

export function checkBoolean(owner: string, name: string, value: unknown): boolean {
  if (typeof value !== 'boolean') throw new ConfigError(`${owner}: ${name} must be true or false, got ${shownValue(value)}`);
  return value;
}

export function checkChoice<T extends string>(owner: string, name: string, value: unknown, choices: readonly T[]): T {
  if (!choices.includes(value as T)) {
    throw new ConfigError(`${owner}: unknown ${name} ${shownValue(value)}; expected one of ${choices.join(', ')}`);
  }
  return value as T;
}

/** Refuses keys of `config` that `owner` does not take (a typo, or a setting of another kind). */
export function checkKeys(owner: string, config: object, known: readonly string[]): void {
  const unknown = Object.keys(config).filter((k) => !known.includes(k));
  if (unknown.length > 0) {
    throw new ConfigError(`${owner}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; ` +
      `its settings are ${known.join(', ')}`);
  }
}

/** A call's options: an object of known names (a misspelt one is refused rather than ignored). */
export function checkOptions(who: string, options: unknown, known: readonly string[]): void {
  if (options === null || typeof options !== 'object') throw new ConfigError(`${who}: options must be an object, got ${shownValue(options)}`);
  checkKeys(who, options, known);
}
