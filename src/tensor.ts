// A tensor is an f32 array in wasm memory with a shape. dispose() frees it at once; a tensor that
// is simply forgotten is freed by the garbage collector, so no tidy() is ever needed.
import { getBackend } from './backend/wasm.js';
import { ShapeError, StateError, ValueError } from './errors.js';
import { type Shape, checkShape, formatShape, isShape, sizeOf } from './shape.js';
import { withArticle } from './article.js';

const registry = new FinalizationRegistry<number>((ptr) => getBackend().memory.free(ptr));

export class Tensor {
  readonly shape: readonly number[];
  readonly size: number;
  private address: number;

  /** Takes ownership of `ptr` (size·4 bytes of wasm memory). Use tensor() or ops to make tensors. */
  constructor(ptr: number, shape: Shape) {
    this.shape = Object.freeze([...shape]);
    this.size = sizeOf(shape);
    this.address = ptr;
    registry.register(this, ptr, this);
  }

  get rank(): number {
    return this.shape.length;
  }

  get isDisposed(): boolean {
    return this.address === 0;
  }

  /** The wasm address of the data: for kernels and layers, valid until dispose(). */
  get ptr(): number {
    if (this.address === 0) throw new StateError(`tensor ${formatShape(this.shape)} was disposed and cannot be used`);
    return this.address;
  }

  /** A copy of the values. */
  dataSync(): Float32Array {
    return getBackend().memory.f32(this.ptr, this.size).slice();
  }

  async data(): Promise<Float32Array> {
    return this.dataSync();
  }

  /** Nested arrays, like TensorFlow.js's arraySync(). */
  arraySync(): unknown {
    const values = Array.from(this.dataSync());
    const nest = (offset: number, dim: number): unknown => {
      if (dim === this.shape.length) return values[offset];
      const stride = sizeOf(this.shape.slice(dim + 1));
      return Array.from({ length: this.shape[dim] }, (_, i) => nest(offset + i * stride, dim + 1));
    };
    return nest(0, 0);
  }

  /** Nested arrays, like TensorFlow.js's array(). */
  async array(): Promise<unknown> {
    return this.arraySync();
  }

  /**
   * The index of the largest value along `axis` (TF.js's default 0; −1 the last), that axis removed:
   * `model.predict(x).argMax(-1)` is each example's class. The first of tied maxima, as TF.js.
   */
  argMax(axis = 0): Tensor {
    const rank = this.shape.length;
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
      throw new ValueError(`argMax: axis ${axis} is not an axis of a tensor ${formatShape(this.shape)}; expected an integer from ${-rank} to ${rank - 1}`);
    }
    const along = axis < 0 ? axis + rank : axis;
    const length = this.shape[along], inner = sizeOf(this.shape.slice(along + 1));
    const values = getBackend().memory.f32(this.ptr, this.size);
    const indices = new Float32Array(this.size / length);
    for (let i = 0; i < indices.length; i++) {
      const start = Math.floor(i / inner) * length * inner + (i % inner);
      let best = 0;
      for (let j = 1; j < length; j++) if (values[start + j * inner] > values[start + best * inner]) best = j;
      indices[i] = best;
    }
    return fromValues(indices, this.shape.filter((_, d) => d !== along));
  }

  /** The same values under another shape (a copy; -1 stands for the one dimension inferred). */
  reshape(shape: number[]): Tensor {
    const known = shape.filter((d) => d !== -1);
    const inferred = shape.length - known.length === 1 ? this.size / sizeOf(known) : undefined;
    const resolved = shape.map((d) => (d === -1 ? inferred ?? -1 : d));
    if (inferred !== undefined && isShape(known) && !Number.isInteger(inferred)) {
      throw new ShapeError(`reshape: cannot reshape ${formatShape(this.shape)} (${this.size} values) to ${formatShape(shape)}: ` +
        `${this.size} is not a multiple of ${sizeOf(known)}`);
    }
    checkShape(resolved, 'reshape');
    if (sizeOf(resolved) !== this.size) {
      throw new ShapeError(`reshape: cannot reshape ${formatShape(this.shape)} (${this.size} values) to ${formatShape(shape)}`);
    }
    return fromValues(getBackend().memory.f32(this.ptr, this.size), resolved);
  }

  clone(): Tensor {
    return fromValues(getBackend().memory.f32(this.ptr, this.size), this.shape);
  }

  dispose(): void {
    if (this.address === 0) return;
    registry.unregister(this);
    getBackend().memory.free(this.address);
    this.address = 0;
  }

  toString(): string {
    return `Tensor ${formatShape(this.shape)}`;
  }
}

/** An uninitialised tensor of the given shape (for ops to fill). */
export function emptyTensor(shape: Shape): Tensor {
  return new Tensor(getBackend().memory.alloc(sizeOf(shape) * 4), shape);
}

function fromValues(values: ArrayLike<number>, shape: Shape): Tensor {
  const t = emptyTensor(shape);
  getBackend().memory.f32(t.ptr, t.size).set(values);
  return t;
}

/** The typed arrays tensor() takes. */
export type NumberArray = Float32Array | Float64Array | Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array;

/** What a value is, for messages: `the string "a"`, `null`, `an object`. */
function describeValue(value: unknown): string {
  if (value === null || value === undefined) return String(value);
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 20 ? `${value.slice(0, 20)}…` : value)}`;
  if (typeof value === 'bigint') return `the bigint ${value}n`;
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value === 'number' ? 'the number' : `a ${typeof value}`} ${String(value)}`;
}

/** `values[1][0]`: where flat element `index` of `shape` sits, as indices into the nested arrays, cut to `depth` levels. */
function position(index: number, shape: readonly number[], depth = shape.length): string {
  const indices = new Array<number>(shape.length);
  for (let d = shape.length - 1; d >= 0; d--) {
    indices[d] = index % shape[d];
    index = Math.floor(index / shape[d]);
  }
  return `values${indices.slice(0, depth).map((i) => `[${i}]`).join('')}`;
}

/**
 * Numbers from an array or nested arrays (their shape: the lengths along the first elements), as
 * f32 values. Each must be a number — true and false count as 1 and 0, as in TensorFlow.js's
 * float32 tensors — and nested arrays must be regular.
 */
function numbersOf(values: unknown[]): { flat: Float32Array; shape: number[] } {
  const shape: number[] = [];
  for (let v: unknown = values; Array.isArray(v); v = v[0]) shape.push(v.length);
  checkShape(shape, 'tensor');
  const flat = new Float32Array(sizeOf(shape));
  let k = 0;
  const read = (array: unknown[], depth: number): void => {
    const last = depth === shape.length - 1;
    for (let i = 0; i < array.length; i++) {
      const value = array[i];
      if (last) {
        if (typeof value === 'number') flat[k++] = value;
        else if (typeof value === 'boolean') flat[k++] = value ? 1 : 0;
        else throw new ValueError(`tensor: ${position(k, shape)} is ${describeValue(value)}; expected a number`);
      } else if (!Array.isArray(value) || value.length !== shape[depth + 1]) {
        throw new ShapeError(`tensor: the nested arrays are not regular: ${position(k, shape, depth + 1)} is ` +
          `${Array.isArray(value) ? `an array of ${value.length}` : describeValue(value)}, where ${position(0, shape, depth + 1)} ` +
          `is an array of ${shape[depth + 1]}`);
      } else {
        read(value, depth + 1);
      }
    }
  };
  read(values, 0);
  return { flat, shape };
}

/**
 * Makes a tensor from values (Float32Array or another typed array, number[] or nested arrays) and a
 * shape (inferred from nested arrays when omitted). Values are copied into wasm memory; anything but
 * numbers (and booleans, as 1 and 0) is a ValueError naming the first such value.
 */
export function tensor(values: NumberArray | readonly number[] | unknown[], shape?: number[]): Tensor {
  getBackend();
  let flat: ArrayLike<number>;
  if (ArrayBuffer.isView(values) && !(values instanceof DataView) && !(values instanceof BigInt64Array || values instanceof BigUint64Array)) {
    flat = values as unknown as ArrayLike<number>;
  } else if (Array.isArray(values)) {
    const nested = numbersOf(values);
    flat = nested.flat;
    shape ??= nested.shape;
  } else {
    throw new ValueError(`tensor: values must be a typed array such as Float32Array, an array of numbers, or nested arrays of ` +
      `numbers; got ${ArrayBuffer.isView(values) ? withArticle(values.constructor.name) : describeValue(values)}` +
      `${typeof values === 'number' ? ' (a single number is tensor([x]))' : ''}`);
  }
  shape ??= [flat.length];
  checkShape(shape, 'tensor');
  if (sizeOf(shape) !== flat.length) {
    throw new ShapeError(`tensor: ${flat.length} values do not fill shape ${formatShape(shape)} (${sizeOf(shape)} values expected)`);
  }
  return fromValues(flat, shape);
}

export function zeros(shape: number[]): Tensor {
  checkShape(shape, 'zeros');
  return fromValues(new Float32Array(sizeOf(shape)), shape);
}
