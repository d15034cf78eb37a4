// Typed lookups of the page's elements by id: a missing element is a bug in the page, said at once.
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (!element) throw new Error(`the page has no element #${id}`);
  return element as T;
}

/** Shows `text` in a status line, in red when it reports an error. */
export function setStatus(element: HTMLElement, text: string, isError = false): void {
  element.textContent = text;
  element.classList.toggle('error', isError);
}

export const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** The number typed in field `id`, or an Error saying what `what` must be. */
export function fieldNumber(id: string, what: string, check: (n: number) => boolean, expected: string): number {
  const text = byId<HTMLInputElement>(id).value;
  const n = text.trim() === '' ? NaN : Number(text);
  if (!check(n)) throw new Error(`${what} must be ${expected} (it is ${text.trim() === '' ? 'empty' : text.trim()})`);
  return n;
}

/** A whole number of at least `min`, for fieldNumber. */
export const wholeFrom = (min: number) => (n: number) => Number.isInteger(n) && n >= min;
