// How an error message shows a value its caller gave: as JSON-like text where that is short and says
// what was given (strings, numbers, small arrays and settings objects), otherwise by what kind of
// thing it is. JSON.stringify alone shows NaN and ±Infinity as null, drops undefined and functions,
// makes {} of a Promise or a Map, spells out a typed array index by index, throws on a BigInt or a
// circular object (a TensorFlow.js optimizer or model passed by mistake), and reads a large value
// whole (a batch of images given as nested arrays) only for the message to drop it.

import { withArticle } from './article.js';

const LONGEST = 80;
/** How many values one message looks at, at most: items of items that do not fit are looked at too. */
const MOST_LOOKED_AT = 4 * LONGEST;

/** What showing one value has looked at so far. */
interface Looked {
  count: number;
  /** The arrays and objects being spelt out, around the item at hand: one of them again is a loop. */
  around: object[];
}

export function shownValue(value: unknown): string {
  return shownWithin(value, LONGEST, { count: 0, around: [] }) ?? shownByKind(value);
}

/** A value as a word or two, without looking inside it. */
function shownByKind(value: unknown): string {
  if (typeof value !== 'object' && typeof value !== 'function' || value === null) return shownAlone(value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (ArrayBuffer.isView(value)) return `${withArticle(value.constructor.name)}${'length' in value ? ` of ${value.length}` : ''}`;
  if (typeof value === 'function') return value.name ? `the function ${value.name}` : 'a function';
  const kind = (Object.getPrototypeOf(value) as { constructor?: { name?: string } } | null)?.constructor?.name;
  return kind && kind !== 'Object' ? `${withArticle(kind)} object` : 'an object';
}

/**
 * The value spelt out in at most `room` characters, or undefined where it takes more. Arrays and plain
 * objects show their items in turn, each in the room the ones before it left, so that no more of a
 * value is read than the message can show (and a value that contains itself runs out of room).
 */
function shownWithin(value: unknown, room: number, looked: Looked): string | undefined {
  if (typeof value !== 'object' || value === null) return shownAlone(value);
  if (++looked.count > MOST_LOOKED_AT || looked.around.includes(value)) return undefined;
  let shown: string | undefined;
  if (Array.isArray(value)) shown = value.length > LONGEST ? shownByKind(value) : itemsWithin(value, '[', value.map((v) => ['', v]), ']', room, looked);
  else if (isPlainObject(value)) {
    const keys = Object.keys(value);
    shown = keys.length > LONGEST ? undefined : itemsWithin(value, '{', keys.map((k) => [`${JSON.stringify(k)}:`, value[k]]), '}', room, looked);
  } else shown = shownByKind(value);
  return shown !== undefined && shown.length <= room ? shown : undefined;
}

/** A value that holds no others: a string as JSON (its start where it is long), the rest as JavaScript writes them. */
function shownAlone(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > LONGEST ? `${start(value)}…` : value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'function') return shownByKind(value);
  return String(value);
}

/**
 * The first LONGEST UTF-16 units of a long string, one fewer where the last would be the first half
 * of a character written as two (an emoji): half a character shows as an escape such as \ud83d.
 */
function start(text: string): string {
  const lastCode = text.charCodeAt(LONGEST - 1);
  return text.slice(0, lastCode >= 0xd800 && lastCode <= 0xdbff ? LONGEST - 1 : LONGEST);
}

function itemsWithin(whole: object, open: string, items: [string, unknown][], close: string, room: number, looked: Looked): string | undefined {
  looked.around.push(whole);
  try {
    return spelt(open, items, close, room, looked);
  } finally {
    looked.around.pop();
  }
}

function spelt(open: string, items: [string, unknown][], close: string, room: number, looked: Looked): string | undefined {
  let shown = open;
  for (const [label, item] of items) {
    const separator = shown === open ? '' : ',';
    const left = room - shown.length - separator.length - label.length - close.length;
    if (left <= 0) return undefined;
    const one = shownWithin(item, left, looked) ?? shownByKind(item);
    shown += separator + label + one;
    if (shown.length + close.length > room) return undefined;
  }
  return shown + close;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}
