// How an error message shows a value its caller gave: as JSON where that is short and says what was
// given (strings, numbers, small arrays and settings objects), otherwise by what kind of thing it is.
// JSON.stringify alone shows NaN and ±Infinity as null and a function as undefined, throws a TypeError
// of its own on a BigInt or a circular object (a TensorFlow.js optimizer or model passed by mistake),
// and prints a large array or object whole.

import { withArticle } from './article.js';

const LONGEST = 80;

export function shownValue(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return value.name ? `the function ${value.name}` : 'a function';
  if (value === undefined || value === null || typeof value === 'symbol') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > LONGEST ? `${value.slice(0, LONGEST)}…` : value);
  if (ArrayBuffer.isView(value)) return `${withArticle(value.constructor.name)}${'length' in value ? ` of ${value.length}` : ''}`;
  if (Array.isArray(value) && value.length > LONGEST) return `an array of ${value.length}`;
  // Arrays of numbers one by one, so that a NaN among them shows as NaN.
  if (Array.isArray(value) && value.every((v) => typeof v === 'number' || Array.isArray(v))) {
    const shown = `[${value.map(shownValue).join(',')}]`;
    if (shown.length <= LONGEST) return shown;
  }
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch {
    json = undefined;
  }
  if (json !== undefined && json.length <= LONGEST) return json;
  if (Array.isArray(value)) return `an array of ${value.length}`;
  const kind = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return kind && kind !== 'Object' ? `${withArticle(kind)} object` : 'an object';
}
