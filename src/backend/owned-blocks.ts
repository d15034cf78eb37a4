// The wasm blocks one object holds (a layer's weights and buffers, a graph's, an optimizer's state)
// and its share of the scratch all layers share. Its dispose() frees them at once; an object dropped
// without it has them freed by the garbage collector, as a forgotten tensor does — else a model
// built in a loop and never disposed kept its memory for the life of the page. Only blocks still
// held are freed then: one freed before may be someone else's since.
import { getBackend } from './wasm.js';

const collected = new FinalizationRegistry<OwnedBlocks>((blocks) => blocks.freeAll());

export class OwnedBlocks {
  private readonly live = new Set<number>();
  private holdsScratch = false;

  /** The blocks of `owner`, freed when it is collected; they must never be reachable from it alone. */
  constructor(owner: object) {
    collected.register(owner, this);
  }

  /** Memory.alloc, the block held. */
  alloc(bytes: number): number {
    const ptr = getBackend().memory.alloc(bytes);
    this.live.add(ptr);
    return ptr;
  }

  /** Memory.allocAll (a block of each size, or none), the blocks held. */
  allocAll(byteSizes: readonly number[]): number[] {
    const made = getBackend().memory.allocAll(byteSizes);
    made.forEach((ptr) => this.live.add(ptr));
    return made;
  }

  /** Frees a block this object holds (0, or one freed already: nothing). */
  free(ptr: number): void {
    if (this.live.delete(ptr)) getBackend().memory.free(ptr);
  }

  /** Reserves `bytes` of the shared scratch (replacing what this object reserved before). */
  reserveScratch(bytes: number): void {
    getBackend().parallel.scratch.reserve(this, bytes);
    this.holdsScratch = true;
  }

  releaseScratch(): void {
    if (!this.holdsScratch) return;
    getBackend().parallel.scratch.release(this);
    this.holdsScratch = false;
  }

  /** Frees every block still held and the scratch reserved (nothing held: the backend is not even asked for). */
  freeAll(): void {
    this.releaseScratch();
    if (this.live.size === 0) return;
    const memory = getBackend().memory;
    for (const ptr of this.live) memory.free(ptr);
    this.live.clear();
  }
}
