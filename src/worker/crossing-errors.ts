// Errors as they cross from the training worker to the page. A structured clone would keep an
// error's message but not its class, so each goes as its name and message and the page rebuilds it
// as its own class: a ConvasError passes instanceof against those a user imports from 'convas'.
import { ERROR_CLASSES } from '../index.js';
import { shownValue } from '../shown-value.js';

export interface CrossingError {
  name: string;
  message: string;
}

/** What of `error` crosses: its name and message (anything thrown that is not an Error, as an Error saying it). */
export function crossingError(error: unknown): CrossingError {
  const { name, message } = error instanceof Error ? error : new Error(thrownText(error));
  return { name, message };
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
export function rebuiltError({ name, message }: CrossingError): Error {
  const ErrorClass = Object.hasOwn(ERROR_CLASSES, name) ? ERROR_CLASSES[name] : undefined;
  return ErrorClass ? new ErrorClass(message) : Object.assign(new Error(message), { name });
}
