// Reading a model file's JSON: every missing or mistyped field is a FileFormatError that names the
// file, the field and what was expected.
import { ConvasError, FileFormatError, OutOfMemoryError } from '../errors.js';

export type JsonObject = Record<string, unknown>;

interface FieldTypes {
  object: JsonObject;
  array: unknown[];
  string: string;
  number: number;
  integer: number;
  boolean: boolean;
}
export type FieldKind = keyof FieldTypes;

const DESCRIPTIONS: Record<FieldKind, string> = {
  object: 'an object', array: 'an array', string: 'a string', number: 'a number', integer: 'an integer', boolean: 'true or false',
};

export const fileError = (file: string, message: string) => new FileFormatError(`${file}: ${message}`);

/** The model's user-defined metadata as model.json holds it in both formats: { userDefinedMetadata } or nothing. */
export function metadataOf(model: { getUserDefinedMetadata(): Record<string, unknown> | undefined }) {
  const metadata = model.getUserDefinedMetadata();
  return metadata ? { userDefinedMetadata: metadata } : {};
}

/** Gives `model` the file's userDefinedMetadata (an object, when present); a wrong one disposes the model and names the file. */
export function readMetadata<M extends { setUserDefinedMetadata(m: Record<string, unknown>): void; dispose(): void }>(json: JsonObject, model: M, file: string): M {
  try {
    const metadata = optionalField(json, 'userDefinedMetadata', 'object', file);
    if (metadata) model.setUserDefinedMetadata(metadata);
    return model;
  } catch (error) {
    model.dispose();
    throw error;
  }
}

function kindOf(value: unknown, kind: FieldKind): boolean {
  switch (kind) {
    case 'object': return typeof value === 'object' && value !== null && !Array.isArray(value);
    case 'array': return Array.isArray(value);
    case 'integer': return Number.isInteger(value);
    default: return typeof value === kind;
  }
}

/** `value` (named `name` in messages), which must be an object. */
export function objectValue(value: unknown, file: string, name: string): JsonObject {
  if (!kindOf(value, 'object')) throw fileError(file, `${name} is ${JSON.stringify(value)}; expected an object`);
  return value as JsonObject;
}

/** `parent[key]`, which must be present and of `kind`; `where` says whose field it is (e.g. "weights.arrays[2]"). */
export function field<K extends FieldKind>(parent: JsonObject, key: string, kind: K, file: string, where = ''): FieldTypes[K] {
  const value = parent[key];
  const name = where ? `${where}.${key}` : key;
  if (value === undefined) throw fileError(file, `missing field "${name}"; expected ${DESCRIPTIONS[kind]}`);
  if (!kindOf(value, kind)) throw fileError(file, `field "${name}" is ${JSON.stringify(value)}; expected ${DESCRIPTIONS[kind]}`);
  return value as FieldTypes[K];
}

/** Like field(), but absent or null is allowed (and gives undefined). */
export function optionalField<K extends FieldKind>(parent: JsonObject, key: string, kind: K, file: string, where = ''): FieldTypes[K] | undefined {
  return parent[key] === undefined || parent[key] === null ? undefined : field(parent, key, kind, file, where);
}

/** A model file describes layers and a manifest: kilobytes. Anything near this is not one, and is not parsed. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;
/** Real model files nest a few levels; deeper JSON would overflow the stack of whatever walks it (messages, checks). */
export const MAX_JSON_DEPTH = 64;

/** Whether arrays and objects in `value` nest deeper than `limit`, found without recursion. */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (typeof v !== 'object' || v === null) continue;
    if (depth > limit) return true;
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
  return false;
}

/** Parses UTF-8 JSON that must be an object, of a size and depth a model file can have. */
export function parseJsonFile(bytes: Uint8Array, file: string): JsonObject {
  if (bytes.length > MAX_JSON_BYTES) {
    throw fileError(file, `is ${bytes.length} bytes; a model file is at most ${MAX_JSON_BYTES} (its weights are in a separate file)`);
  }
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (error) {
    throw fileError(file, `is not valid JSON (${(error as Error).message}); expected a model file`);
  }
  if (!kindOf(value, 'object')) throw fileError(file, 'holds JSON that is not an object; expected a model file');
  if (nestsDeeperThan(value, MAX_JSON_DEPTH)) throw fileError(file, `nests arrays or objects deeper than ${MAX_JSON_DEPTH} levels; expected a model file`);
  return value as JsonObject;
}

export const encodeJson = (value: unknown): Uint8Array<ArrayBuffer> => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

/**
 * Runs `run`; a settings error it throws (a bad layer or optimizer config) becomes a FileFormatError
 * naming the file, and `where` in it unless undefined (for errors that say where themselves).
 */
export function withinFile<T>(file: string, where: string | undefined, run: () => T): T {
  try {
    return run();
  } catch (error) {
    // Running out of memory is no fault of the file: it stays an OutOfMemoryError.
    if (error instanceof ConvasError && !(error instanceof FileFormatError) && !(error instanceof OutOfMemoryError)) {
      throw fileError(file, where ? `${where}: ${error.message}` : error.message);
    }
    throw error;
  }
}
