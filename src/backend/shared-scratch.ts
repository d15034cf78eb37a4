// One block of wasm memory that the convolutions' scratch shares: what a kernel call writes and reads
// only while it runs (each thread's scratch, a large filter transformed for Winograd). Calls run one
// after another, whatever the model, so every layer's scratch can lie in the same place: the block
// is as large as the largest need and no larger, where each layer holding its own made a deep
// network hold all of them at once. Needs are reserved at plan time (the block moves then, never
// during a step), and released when the layer's buffers are.
import { alignBytes } from './alignment.js';
import type { Memory } from './memory.js';

export class SharedScratch {
  private readonly needs = new Map<object, number>();
  private ptr = 0;
  private size = 0;

  constructor(private readonly memory: Memory) {}

  /** Where the block lies now: read at call time, as a later reservation may move it. */
  get address(): number {
    return this.ptr;
  }

  /** Bytes the block holds (memory's bytesInUse counts them). */
  get bytes(): number {
    return this.size;
  }

  /** `owner` needs `bytes` of scratch (replacing what it reserved before). */
  reserve(owner: object, bytes: number): void {
    const before = this.needs.get(owner);
    this.needs.set(owner, bytes);
    try {
      this.resize();
    } catch (error) {
      // Out of memory: the block and the needs stay as they were.
      if (before === undefined) this.needs.delete(owner);
      else this.needs.set(owner, before);
      throw error;
    }
  }

  /** `owner` needs none any more. */
  release(owner: object): void {
    if (this.needs.delete(owner)) this.resize();
  }

  /** Reallocates the block when the largest need changed. */
  private resize(): void {
    const size = alignBytes(Math.max(0, ...this.needs.values()));
    if (size === this.size) return;
    // Shrinking frees first (its contents live only during a call), so letting go never runs out of memory.
    if (size < this.size && this.ptr) {
      this.memory.free(this.ptr);
      this.ptr = this.size = 0;
    }
    const ptr = size > 0 ? this.memory.alloc(size) : 0;
    if (this.ptr) this.memory.free(this.ptr);
    this.ptr = ptr;
    this.size = size;
  }
}
