// The host owns the wasm heap: kernels only ever see pointers. A first-fit free list with
// coalescing is enough, since models allocate their buffers once and then reuse them.
import { OutOfMemoryError } from '../errors.js';
import { ALIGN_BYTES } from './alignment.js';
import type { Kernels } from './kernels.js';

const PAGE = 65536;
/**
 * The most pages the kernels' memory may grow to: wasm32's 4 GiB of its own; 2 GiB shared with
 * threads (engines reserve a shared memory's maximum up front).
 */
export const MAX_PAGES = { own: 65536, shared: 32768 } as const;

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

export class Memory {
  private readonly memory: WebAssembly.Memory;
  private top: number;
  /** Free blocks, sorted by address: [start, size] pairs. */
  private readonly freeBlocks: Array<[number, number]> = [];
  private readonly sizes = new Map<number, number>();
  private f32View: Float32Array;
  private i32View: Int32Array;
  private readonly copyRuns: Kernels['copyRuns'];

  constructor(kernels: Kernels) {
    this.memory = kernels.memory;
    this.copyRuns = kernels.copyRuns;
    this.top = alignUp(Math.max(kernels.heapBase(), ALIGN_BYTES), ALIGN_BYTES);
    this.f32View = new Float32Array(this.memory.buffer);
    this.i32View = new Int32Array(this.memory.buffer);
  }

  /** Bytes handed out and not yet freed. */
  get bytesInUse(): number {
    let total = 0;
    for (const size of this.sizes.values()) total += size;
    return total;
  }

  /** Bytes of wasm linear memory in all (it only ever grows). */
  get bytesReserved(): number {
    return this.memory.buffer.byteLength;
  }

  /** Reserves `bytes` (rounded up to 64) and returns the address; the contents are not cleared. */
  alloc(bytes: number): number {
    const size = alignUp(Math.max(bytes, 1), ALIGN_BYTES);
    for (let i = 0; i < this.freeBlocks.length; i++) {
      const [start, free] = this.freeBlocks[i];
      if (free < size) continue;
      if (free === size) this.freeBlocks.splice(i, 1);
      else this.freeBlocks[i] = [start + size, free - size];
      this.sizes.set(start, size);
      return start;
    }
    const start = this.top;
    this.ensure(start + size);
    this.top = start + size;
    this.sizes.set(start, size);
    return start;
  }

  /** Allocates a block of each size, or none: when one does not fit, those made are freed before the error goes on. */
  allocAll(byteSizes: readonly number[]): number[] {
    const made: number[] = [];
    try {
      for (const bytes of byteSizes) made.push(this.alloc(bytes));
      return made;
    } catch (error) {
      made.forEach((ptr) => this.free(ptr));
      throw error;
    }
  }

  free(ptr: number): void {
    const size = this.sizes.get(ptr);
    if (size === undefined) return; // already freed: dispose() is idempotent
    this.sizes.delete(ptr);
    let i = 0;
    while (i < this.freeBlocks.length && this.freeBlocks[i][0] < ptr) i++;
    this.freeBlocks.splice(i, 0, [ptr, size]);
    // Merge with the next, then the previous block, then give the tail back to `top`.
    if (i + 1 < this.freeBlocks.length && ptr + size === this.freeBlocks[i + 1][0]) {
      this.freeBlocks[i][1] += this.freeBlocks[i + 1][1];
      this.freeBlocks.splice(i + 1, 1);
    }
    if (i > 0 && this.freeBlocks[i - 1][0] + this.freeBlocks[i - 1][1] === ptr) {
      this.freeBlocks[i - 1][1] += this.freeBlocks[i][1];
      this.freeBlocks.splice(i, 1);
      i--;
    }
    const last = this.freeBlocks[this.freeBlocks.length - 1];
    if (last && last[0] + last[1] === this.top) {
      this.top = last[0];
      this.freeBlocks.pop();
    }
  }

  /** A Float32Array over all of memory, indexed by ptr >>> 2: for hot loops that must not allocate. */
  get heapF32(): Float32Array {
    this.renewViews();
    return this.f32View;
  }

  /** A Float32Array over [ptr, ptr + 4·length): valid until the next allocation. */
  f32(ptr: number, length: number): Float32Array {
    return this.heapF32.subarray(ptr >>> 2, (ptr >>> 2) + length);
  }

  /**
   * Copies `length` floats from address `from` to address `to` (the ranges may overlap), with wasm's
   * memory.copy: over a shared memory (threads) an engine's typed-array copyWithin takes about 4× as
   * long (V8 copies shared bytes with relaxed atomic loads and stores), and a training step copies
   * every batch's rows and saves every weight with it.
   */
  copyFloats(to: number, from: number, length: number): void {
    this.copyRuns(from, 0, to, 0, 1, length);
  }

  i32(ptr: number, length: number): Int32Array {
    this.renewViews();
    return this.i32View.subarray(ptr >>> 2, (ptr >>> 2) + length);
  }

  private ensure(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / PAGE));
    } catch {
      const mb = (bytes: number) => (bytes / 2 ** 20).toFixed(0);
      const shared = typeof SharedArrayBuffer !== 'undefined' && this.memory.buffer instanceof SharedArrayBuffer;
      const limit = mb((shared ? MAX_PAGES.shared : MAX_PAGES.own) * PAGE);
      throw new OutOfMemoryError(`wasm memory cannot grow from ${mb(have)} MB to the ${mb(end)} MB needed ` +
        `(it ends at ${limit} MB${shared ? ' with threads' : ''}, or where the engine refuses more); use a smaller batchSize or model, ` +
        'or free tensors and models with dispose()');
    }
  }

  /** memory.grow detaches every view on the old buffer (or, shared, leaves it short), so views are renewed on demand. */
  private renewViews(): void {
    if (this.f32View.buffer !== this.memory.buffer) {
      this.f32View = new Float32Array(this.memory.buffer);
      this.i32View = new Int32Array(this.memory.buffer);
    }
  }
}
