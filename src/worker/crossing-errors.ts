// Errors as they cross from the training worker to the page. A structured clone keeps an error's
// message, and in V8 its stack and cause, but not its class nor its own fields; so each error goes
// as its parts and the page rebuilds it as its own class: a ConvasError passes instanceof against
// those a user imports from 'convas', with the fields it carried (a DivergenceError's history and
// callbackError), the stack of the worker where it was thrown, and its cause, rebuilt the same way.
import { ERROR_CLASSES } from '../index.js';
import { shownValue } from '../shown-value.js';

/** A value as it crosses: an error as its parts; anything else as structured clone copies it, or as text where it cannot. */
export type Crossing = { error: CrossingError } | { value: unknown };

export interface CrossingError {
  name: string;
  message: string;
  /** Where it was thrown, in the worker (none for a thrown value that is not an Error). */
  stack?: string;
  cause?: Crossing;
  /** Its own enumerable fields, such as a DivergenceError's history and callbackError. */
  fields?: Record<string, Crossing>;
}

/** Errors inside errors (causes of causes) that cross as errors; a deeper one crosses as text. */
const DEEPEST = 16;
/** Not fields: the parts every error crosses with. */
const PARTS = new Set(['name', 'message', 'stack', 'cause']);

/** What of `error` crosses (anything thrown that is not an Error, as an Error saying it). */
export function crossingError(error: unknown): CrossingError {
  return error instanceof Error ? errorParts(error, []) : { name: 'Error', message: thrownText(error) };
}

/** `within`: the errors this one is the cause or a field of, so that one met again (a loop) or too deep crosses as text. */
function errorParts(error: Error, within: Error[]): CrossingError {
  const path = [...within, error];
  const parts: CrossingError = { name: thrownText(error.name), message: thrownText(error.message) };
  const stack = reading(() => error.stack);
  if (typeof stack === 'string') parts.stack = stack;
  if (reading(() => Object.hasOwn(error, 'cause'))) parts.cause = crossing(reading(() => error.cause), path);
  const keys = reading(() => Object.keys(error).filter((key) => !PARTS.has(key))) ?? [];
  if (keys.length > 0) parts.fields = Object.fromEntries(keys.map((key) => [key, crossing(reading(() => (error as unknown as Record<string, unknown>)[key]), path)]));
  return parts;
}

function crossing(value: unknown, within: Error[]): Crossing {
  if (value instanceof Error) {
    if (within.includes(value)) return { value: `${thrownText(value)} (the error again: a loop of causes)` };
    if (within.length >= DEEPEST) return { value: `${thrownText(value)} (${DEEPEST} errors deep: not crossed as an error)` };
    return { error: errorParts(value, within) };
  }
  try {
    return { value: structuredClone(value) };
  } catch {
    return { value: thrownText(value) }; // a function, say: the rest of the error crosses all the same
  }
}

/** What `read` gives, or undefined where it throws (a getter that does, a revoked proxy): reading an error must not fail its crossing. */
function reading<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch {
    return undefined;
  }
}

/** A thrown value as text: String() throws for some (an object without a prototype), and then the page would wait for an answer for good. */
function thrownText(value: unknown): string {
  try {
    return String(value);
  } catch {
    return shownValue(value);
  }
}

/** The error again on the page: a convas error as its class, any other as an Error with its name. */
export function rebuiltError({ name, message, stack, cause, fields }: CrossingError): Error {
  const ErrorClass = Object.hasOwn(ERROR_CLASSES, name) ? ERROR_CLASSES[name] : undefined;
  const error = ErrorClass ? new ErrorClass(message) : Object.assign(new Error(message), { name });
  // The worker's stack, as a structured clone gives it: the page's would only show this function.
  if (stack !== undefined) error.stack = stack;
  // Not enumerable, as new Error(message, { cause }) makes it; fields as the worker's error had them.
  if (cause) Object.defineProperty(error, 'cause', { value: rebuilt(cause), writable: true, configurable: true });
  for (const [key, value] of Object.entries(fields ?? {})) {
    Object.defineProperty(error, key, { value: rebuilt(value), writable: true, configurable: true, enumerable: true });
  }
  return error;
}

const rebuilt = (crossing: Crossing) => ('error' in crossing ? rebuiltError(crossing.error) : crossing.value);
