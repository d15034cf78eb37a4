// Streams of examples and batches for model.fitDataset, after tf.data: make one from arrays or a
// generator, then map, shuffle (a seeded buffer), batch, repeat, take and prefetch, e.g.
// data.fromArrays(x, y).shuffle(1000, seed).batch(32).prefetch(2). A stream is re-readable: each
// pass ([Symbol.asyncIterator]() or iterator(), as tf.data's) starts from the source again, so
// fitDataset can take one pass per epoch. Values travel as plain Float32Arrays with their shapes,
// never as tensors, so a pipeline takes no wasm memory however much data flows through it.
import { ConfigError, ShapeError } from '../errors.js';
import { seededRandom } from '../random.js';
import { type Shape, formatShape, sizeOf } from '../shape.js';
import { getBackend } from '../backend/wasm.js';
import { shownValue } from '../shown-value.js';
import { Tensor } from '../tensor.js';

/** Values with their shape: one example's (no batch axis) or a batch's (batch first). */
export interface ShapedArray {
  values: Float32Array;
  shape: number[];
}

/** One value of a batch (or example): a Tensor, values with their shape, or flat values (their shape read from the model). */
export type BatchValue = Tensor | ShapedArray | Float32Array | number[];

/** What fitDataset trains on: inputs (a list for a model with several) and targets. */
export interface Batch {
  xs: BatchValue | BatchValue[];
  ys: BatchValue;
}

/** One example of a stream made by data.fromArrays: per-example values, no batch axis. */
export interface Example {
  xs: ShapedArray | ShapedArray[];
  ys: ShapedArray;
}

type AnyIterator<T> = Iterator<T> | AsyncIterator<T>;

/**
 * What fitDataset reads: any iterable or async iterable of batches (an array, a generator, a
 * Stream), or an object whose iterator() starts a pass, as tf.data's Dataset.
 */
export type Dataset<T = Batch> = Iterable<T> | AsyncIterable<T> | { iterator(): AnyIterator<T> | Promise<AnyIterator<T>> };

/** Starts a pass over a dataset, whichever form it has. */
export async function openPass<T>(dataset: Dataset<T>, who: string): Promise<AnyIterator<T>> {
  const source = dataset as unknown as Partial<Record<'iterator' | typeof Symbol.asyncIterator | typeof Symbol.iterator, () => unknown>>;
  const open = source && typeof source === 'object'
    ? (typeof source.iterator === 'function' && source.iterator) || source[Symbol.asyncIterator] || source[Symbol.iterator] : undefined;
  if (typeof open !== 'function') {
    throw new ConfigError(`${who}: expected a dataset: an iterable or async iterable of batches, or an object with iterator() (tf.data's), ` +
      `got ${dataset === null ? 'null' : typeof dataset}`);
  }
  const iterator = await open.call(dataset);
  if (!iterator || typeof (iterator as AnyIterator<T>).next !== 'function') throw new ConfigError(`${who}: the dataset's iterator has no next()`);
  return iterator as AnyIterator<T>;
}

/**
 * Whether a dataset is a generator object: its one pass is all it can give, and it is the user's to
 * read on from (fitDataset with batchesPerEpoch), so a run never closes it. Told by its tag alone:
 * other iterators may rewind when asked for their iterator, and asking may have effects.
 */
export function isGeneratorObject(dataset: unknown): boolean {
  const tag = Object.prototype.toString.call(dataset);
  return tag === '[object Generator]' || tag === '[object AsyncGenerator]';
}

/**
 * One pass over a dataset, read element by element. A run that leaves it before its end closes it,
 * as for-of does (a generator's finally runs), but a generator object is the user's to read on from.
 * Closing is not waited for and cannot fail the run: the run is over, whatever the source does then.
 */
export class Pass<T> {
  /** Whether the pass may give more: one whose next() ended or threw has closed itself. */
  private open = true;

  private constructor(private readonly iterator: AnyIterator<T>, private readonly dataset: Dataset<T>, private readonly who: string) {}

  static async start<T>(dataset: Dataset<T>, who: string): Promise<Pass<T>> {
    return new Pass(await openPass(dataset, who), dataset, who);
  }

  async next(): Promise<IteratorResult<T>> {
    this.open = false;
    const next = await this.iterator.next();
    this.open = !next.done;
    return next;
  }

  leave(): void {
    if (!this.open || isGeneratorObject(this.dataset)) return;
    this.open = false;
    closeQuietly(this.iterator, this.who);
  }
}

/** Asks an iterator to end, without waiting for it; a failure to is a warning. */
function closeQuietly(iterator: AnyIterator<unknown>, who: string): void {
  const warn = (error: unknown) => console.warn(`${who}: closing the dataset's pass failed: ${error instanceof Error ? error.message : String(error)}`);
  try {
    Promise.resolve(iterator.return?.()).catch(warn);
  } catch (error) {
    warn(error);
  }
}

/** A stream of T, each pass opened afresh by `open`. */
export class Stream<T> implements AsyncIterable<T> {
  constructor(private readonly open: () => AsyncIterator<T>) {}

  [Symbol.asyncIterator](): AsyncIterator<T> {
    return this.open();
  }

  /** A new pass (tf.data's iterator()). */
  iterator(): AsyncIterator<T> {
    return this.open();
  }

  /** Each element through `fn` (which may return a promise). */
  map<U>(fn: (element: T) => U | Promise<U>): Stream<U> {
    if (typeof fn !== 'function') throw new ConfigError(`map: expected a function, got ${typeof fn}`);
    return this.derive(async function* (source) {
      for await (const element of source) yield await fn(element);
    });
  }

  /**
   * Elements in a random order from a buffer of `bufferSize`: the buffer fills, a random one of it
   * is taken and the next element takes its place (tf.data's shuffle). The order is fixed by
   * `seed`; each pass draws another one, as tf.data reshuffles each iteration.
   */
  shuffle(bufferSize: number, seed: number): Stream<T> {
    if (!Number.isInteger(bufferSize) || bufferSize < 1) throw new ConfigError(`shuffle: bufferSize must be a positive integer, got ${shownValue(bufferSize)}`);
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) throw new ConfigError(`shuffle: seed must be an integer in [0, 2^32), got ${shownValue(seed)}`);
    const passes = seededRandom(seed);
    return this.derive(async function* (source) {
      const rng = seededRandom(passes.seed());
      const buffer: T[] = [];
      const takeOne = () => {
        const i = rng.int(0, buffer.length - 1);
        const chosen = buffer[i];
        buffer[i] = buffer[buffer.length - 1];
        buffer.pop();
        return chosen;
      };
      for await (const element of source) {
        buffer.push(element);
        if (buffer.length === bufferSize) yield takeOne();
      }
      while (buffer.length > 0) yield takeOne();
    });
  }

  /**
   * Groups `size` elements into one batch: each value's examples one after another, under a batch
   * axis. The last batch may be smaller (smallLastBatch, TF.js's default) or is dropped.
   */
  batch(size: number, smallLastBatch = true): Stream<BatchOf<T>> {
    if (!Number.isInteger(size) || size < 1) throw new ConfigError(`batch: size must be a positive integer, got ${shownValue(size)}`);
    return this.derive(async function* (source) {
      let group: T[] = [];
      let index = 0;
      for await (const element of source) {
        group.push(element);
        if (group.length === size) {
          yield stack(group, index++) as BatchOf<T>;
          group = [];
        }
      }
      if (group.length > 0 && smallLastBatch) yield stack(group, index) as BatchOf<T>;
    });
  }

  /** The stream again and again, `count` times (or without end). */
  repeat(count = Infinity): Stream<T> {
    if (count !== Infinity && (!Number.isInteger(count) || count < 0)) throw new ConfigError(`repeat: count must be an integer ≥ 0, got ${shownValue(count)}`);
    const open = this.open;
    return new Stream(async function* () {
      for (let pass = 0; pass < count; pass++) {
        let any = false;
        for await (const element of { [Symbol.asyncIterator]: open }) {
          any = true;
          yield element;
        }
        if (!any) return; // an empty stream repeated is empty, not an endless loop
      }
    });
  }

  /** The first `count` elements. */
  take(count: number): Stream<T> {
    if (!Number.isInteger(count) || count < 0) throw new ConfigError(`take: count must be an integer ≥ 0, got ${shownValue(count)}`);
    return this.derive(async function* (source) {
      if (count === 0) return;
      let taken = 0;
      for await (const element of source) {
        yield element;
        if (++taken === count) return;
      }
    });
  }

  /**
   * Reads up to `count` elements ahead while the consumer works on the current one: a slow source
   * (files, decoding) then overlaps with training. The order is unchanged. An element read ahead
   * that fails is the consumer's error when it gets there, and nobody's if the pass ends first;
   * tensors read ahead and never handed out are disposed when the pass ends.
   */
  prefetch(count: number): Stream<T> {
    if (!Number.isInteger(count) || count < 1) throw new ConfigError(`prefetch: count must be a positive integer, got ${shownValue(count)}`);
    const open = this.open;
    return new Stream(() => {
      const source = open();
      const ahead: Array<Promise<IteratorResult<T>>> = [];
      return {
        next() {
          while (ahead.length <= count) {
            const read = source.next();
            read.catch(() => {}); // handled by whoever reads it; unread, it is nobody's error
            ahead.push(read);
          }
          return ahead.shift()!;
        },
        async return(): Promise<IteratorResult<T>> {
          for (const unread of ahead.splice(0)) unread.then((r) => r.done || disposeTensorsOf(r.value), () => {});
          // Not awaited: the source ends once the reads ahead of it are done, which a slow source may take long to be.
          closeQuietly(source, 'prefetch');
          return { done: true, value: undefined };
        },
      };
    });
  }

  /** Every element of one pass (for small streams and tests). */
  async toArray(): Promise<T[]> {
    const all: T[] = [];
    for await (const element of this) all.push(element);
    return all;
  }

  private derive<U>(body: (source: AsyncIterable<T>) => AsyncGenerator<U>): Stream<U> {
    const open = this.open;
    return new Stream(() => body({ [Symbol.asyncIterator]: open }));
  }
}

/** A value stacked by batch(): a list of inputs stays a list. */
type Stacked<X> = X extends number[] ? ShapedArray : X extends unknown[] ? ShapedArray[] : ShapedArray;

/** The batch that batch() makes of elements of type T. */
export type BatchOf<T> = T extends { xs: infer X; ys: unknown } ? { xs: Stacked<X>; ys: ShapedArray } : ShapedArray;

/** Values of one shape, one after another under a batch axis; `what` names them for errors. */
function stackValues(values: unknown[], what: string): ShapedArray {
  const shaped = values.map((v, i) => {
    if (isShaped(v)) return v;
    // A number is a value of shape [] (a class id, say), as tf.data stacks it.
    if (typeof v === 'number') return { values: Float32Array.of(v), shape: [] };
    if (v instanceof Float32Array || (Array.isArray(v) && isFlat(v))) return { values: v as Float32Array, shape: [v.length] };
    throw new ConfigError(`batch: ${what} of element ${i} is ${v instanceof Tensor ? 'a Tensor' : typeof v}; batch() stacks plain values ` +
      '({ values, shape }, a Float32Array, a number[] or a number) — yield those, or yield whole batches');
  });
  const shape = shaped[0].shape;
  const size = sizeOf(shape);
  const out = new Float32Array(size * shaped.length);
  shaped.forEach((v, i) => {
    if (v.shape.length !== shape.length || v.shape.some((d, j) => d !== shape[j]) || v.values.length !== size) {
      throw new ShapeError(`batch: ${what} of element ${i} has shape ${formatShape(v.shape)} (${v.values.length} values), ` +
        `but element 0's is ${formatShape(shape)}; a batch takes examples of one shape`);
    }
    out.set(v.values, i * size);
  });
  return { values: out, shape: [shaped.length, ...shape] };
}

/** A batch of elements: { xs, ys } examples (xs a list for several inputs), or bare values. */
function stack(group: unknown[], index: number): unknown {
  const first = group[0];
  const where = `(batch ${index})`;
  if (!first || typeof first !== 'object' || !('xs' in first) || !('ys' in first)) return stackValues(group, `the value ${where}`);
  const examples = group as Example[];
  const ys = stackValues(examples.map((e) => e.ys), `ys ${where}`);
  if (!Array.isArray(first.xs) || isFlat(first.xs)) return { xs: stackValues(examples.map((e) => e.xs), `xs ${where}`), ys };
  return { xs: first.xs.map((_, i) => stackValues(examples.map((e) => (e.xs as unknown[])[i]), `xs[${i}] ${where}`)), ys };
}

/** The elements of an iterator; a pass ended early (take(), a stopped fit) closes it, so a generator's finally runs. */
async function* readClosing<T>(iterator: AnyIterator<T>): AsyncGenerator<T> {
  for await (const element of { [Symbol.asyncIterator]: () => iterator as AsyncIterator<T> }) yield element;
}

/** Disposes the tensors of an element never trained on: a Tensor, or a batch's xs (or list of them) and ys. */
export function disposeTensorsOf(element: unknown): void {
  const values = element instanceof Tensor ? [element]
    : element && typeof element === 'object' && 'xs' in element && 'ys' in element ? [(element as Batch).xs, (element as Batch).ys].flat() : [];
  for (const value of values) if (value instanceof Tensor && !value.isDisposed) value.dispose();
}

const isShaped = (v: unknown): v is ShapedArray => !!v && typeof v === 'object' && 'values' in v && 'shape' in v;
/** A flat list of numbers (one value), rather than a list of values (one per input). */
const isFlat = (v: unknown[]): boolean => v.length === 0 || typeof v[0] === 'number';

/** Example `row` of a batch-first source, as its own values (a tensor's read from wasm memory now). */
function exampleOf(source: Tensor | ShapedArray, row: number): ShapedArray {
  const shape = source.shape.slice(1);
  const size = sizeOf(shape);
  const values = source instanceof Tensor ? getBackend().memory.f32(source.ptr + row * size * 4, size) : source.values.subarray(row * size, (row + 1) * size);
  return { values: values.slice(), shape };
}

/** A batch-first source, checked: a Tensor or { values, shape }, whose examples number `n` (when given). */
function checkSource(source: unknown, name: string, n?: number): Tensor | ShapedArray {
  if (source instanceof Tensor) {
    if (n !== undefined && source.shape[0] !== n) throw new ShapeError(`fromArrays: ${name} has ${source.shape[0]} examples but x has ${n}`);
    return source;
  }
  if (!isShaped(source) || !(source.values instanceof Float32Array) || !Array.isArray(source.shape)) {
    throw new ConfigError(`fromArrays: ${name} must be a Tensor or { values: Float32Array, shape }, got ${shownValue(source)}`);
  }
  if (source.shape.length < 1 || sizeOf(source.shape as Shape) !== source.values.length) {
    throw new ShapeError(`fromArrays: ${name} has ${source.values.length} values, which do not fill shape ${formatShape(source.shape)}`);
  }
  if (n !== undefined && source.shape[0] !== n) throw new ShapeError(`fromArrays: ${name} has ${source.shape[0]} examples but x has ${n}`);
  return source;
}

export const data = {
  /**
   * A stream of the examples of x (a Tensor or { values, shape }, batch first; a list of them for
   * a model with several inputs) and y, in order: { xs, ys } per example, ready for shuffle and
   * batch. A tensor's rows are read when the stream reaches them.
   */
  fromArrays(x: Tensor | ShapedArray | Array<Tensor | ShapedArray>, y: Tensor | ShapedArray): Stream<Example> {
    const several = Array.isArray(x);
    const first = checkSource(several ? x[0] : x, several ? 'x[0]' : 'x');
    const n = first.shape[0];
    const xs = several ? x.map((t, i) => checkSource(t, `x[${i}]`, n)) : [first];
    const ys = checkSource(y, 'y', n);
    return new Stream(async function* () {
      for (let row = 0; row < n; row++) {
        const inputs = xs.map((s) => exampleOf(s, row));
        yield { xs: several ? inputs : inputs[0], ys: exampleOf(ys, row) };
      }
    });
  },

  /**
   * A stream from a function that starts a pass: it returns an iterator, an async iterator or an
   * iterable (a generator function is such a function). Called once per pass.
   */
  generator<T>(start: () => Iterator<T> | AsyncIterator<T> | Iterable<T> | AsyncIterable<T>): Stream<T> {
    if (typeof start !== 'function') throw new ConfigError(`generator: expected a function that starts a pass (e.g. a generator function), got ${typeof start}`);
    return new Stream(async function* () {
      const made = start();
      const iterator = made && typeof (made as Iterator<T>).next === 'function' ? made as AnyIterator<T> : await openPass(made as Dataset<T>, 'generator');
      yield* readClosing(iterator);
    });
  },

  /** A stream over an array or any (async) iterable that can be read again (an array, a Set, another Stream). */
  from<T>(items: Iterable<T> | AsyncIterable<T>): Stream<T> {
    return new Stream(async function* () {
      yield* readClosing(await openPass(items as Dataset<T>, 'from'));
    });
  },
};
