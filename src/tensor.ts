// A tensor is an f32 array in wasm memory with a shape. dispose() frees it at once; a tensor that
// is simply forgotten is freed by the garbage collector, so no tidy() is ever needed.
import { getBackend } from './backend/wasm.js';
import { ShapeError, StateError } from './errors.js';
import { type Shape, checkShape, formatShape, sizeOf } from './shape.js';

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

  /** The same values under another shape (a copy; -1 stands for the one dimension inferred). */
  reshape(shape: number[]): Tensor {
    const known = shape.filter((d) => d !== -1);
    const inferred = shape.length - known.length === 1 ? this.size / sizeOf(known) : undefined;
    const resolved = shape.map((d) => (d === -1 ? inferred ?? -1 : d));
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

/** Nested number arrays flatten to values and a shape. */
function flatten(values: unknown): { flat: number[]; shape: number[] } {
  const shape: number[] = [];
  for (let v: unknown = values; Array.isArray(v); v = v[0]) shape.push(v.length);
  return { flat: (values as unknown[]).flat(Infinity) as number[], shape };
}

/**
 * Makes a tensor from values (Float32Array, number[] or nested arrays) and a shape (inferred
 * from nested arrays when omitted). Values are copied into wasm memory.
 */
export function tensor(values: Float32Array | ArrayLike<number> | unknown[], shape?: number[]): Tensor {
  getBackend();
  let flat: ArrayLike<number>;
  if (values instanceof Float32Array || !Array.isArray(values) || !Array.isArray(values[0])) {
    flat = values as ArrayLike<number>;
  } else {
    const nested = flatten(values);
    flat = nested.flat;
    shape ??= nested.shape;
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
