// The model's own buffers for one batch: each input's examples (gathered in shuffled order), the
// targets, each loss row's weight (class or sample weights: up to one per position of an example's
// output) and the loss gradient. Planned for a capacity once;
// they grow, never shrink. evaluate, which reads the examples in place, plans the targets alone.
import { OwnedBlocks } from '../backend/owned-blocks.js';
import { getBackend } from '../backend/wasm.js';
import type { Tensor } from '../tensor.js';

export class BatchBuffers {
  readonly inputs: number[];
  target = 0;
  rowWeights = 0;
  outputGradient = 0;
  private capacity = 0;
  private targetCapacity = 0;
  private readonly blocks = new OwnedBlocks(this);

  /** `outputPositions`: the positions along the output's last axis, the most loss rows an example has. */
  constructor(private readonly inputSizes: number[], private readonly outputSize: number, private readonly outputPositions: number) {
    this.inputs = inputSizes.map(() => 0);
  }

  /** Every buffer, for batches of up to `capacity` examples. */
  plan(capacity: number): void {
    this.planTargets(capacity);
    if (capacity <= this.capacity) return;
    // The new buffers first, the old ones freed only then: out of memory, the old plan stands whole
    // (a fit under way on this model, which planned once, goes on using it).
    const made = this.blocks.allocAll([...this.inputSizes.map((size) => capacity * size * 4), capacity * this.outputPositions * 4, capacity * this.outputSize * 4]);
    this.freeExamples();
    this.inputSizes.forEach((_, i) => (this.inputs[i] = made[i]));
    [this.rowWeights, this.outputGradient] = made.slice(this.inputSizes.length);
    this.capacity = capacity;
  }

  /** The targets alone, for batches of up to `capacity` examples (the old ones kept if the new do not fit). */
  planTargets(capacity: number): void {
    if (capacity <= this.targetCapacity) return;
    const target = this.blocks.alloc(capacity * this.outputSize * 4);
    this.freeTargets();
    this.target = target;
    this.targetCapacity = capacity;
  }

  /** Copies examples order[from … from+batch) of each x (and y) into the buffers. */
  gather(xs: readonly Tensor[], y: Tensor | undefined, order: Uint32Array | undefined, from: number, batch: number): void {
    for (let i = 0; i < xs.length; i++) copyRows(xs[i], this.inputs[i], order, from, batch);
    if (y) copyRows(y, this.target, order, from, batch);
  }

  free(): void {
    this.freeTargets();
    this.freeExamples();
  }

  private freeTargets(): void {
    this.blocks.free(this.target);
    this.target = this.targetCapacity = 0;
  }

  /** Frees what plan() makes besides the targets. */
  private freeExamples(): void {
    for (const ptr of [...this.inputs, this.rowWeights, this.outputGradient]) this.blocks.free(ptr);
    this.inputs.fill(0);
    this.rowWeights = this.outputGradient = 0;
    this.capacity = 0;
  }
}

/** The address of example `index` of a batch-first tensor. */
export const rowAddress = (t: Tensor, index: number) => t.ptr + index * (t.size / t.shape[0]) * 4;

/** Copies examples order[from … from+batch) of src (or from … from+batch in order) to dst, one after another. */
export function copyRows(src: Tensor, dst: number, order: Uint32Array | undefined, from: number, batch: number): void {
  const memory = getBackend().memory;
  const width = src.size / src.shape[0];
  if (!order) {
    memory.copyFloats(dst, src.ptr + from * width * 4, batch * width);
    return;
  }
  for (let r = 0; r < batch; r++) memory.copyFloats(dst + r * width * 4, src.ptr + order[from + r] * width * 4, width);
}
