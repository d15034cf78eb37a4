// Training steps that can be taken back: the weights, the optimizer state and the layers' own state
// (batch normalisation's moving statistics, which the forward pass moves) are copied before each
// step, so a step that leaves a NaN or infinite value is undone and a diverging fit keeps the last
// good weights (which can still predict and be saved). Two copies alternate, so that when the loss
// itself shows the weights are bad, the step that made them can be undone too. Plain loops: this
// runs every step.
import { OwnedBlocks } from '../backend/owned-blocks.js';
import { getBackend } from '../backend/wasm.js';
import type { Parameter } from '../layers/layer.js';
import type { Optimizer } from './optimizers.js';

interface Span {
  name: string;
  ptr: number;
  size: number;
}

/** The first parameter whose gradient holds a NaN or infinite value, or undefined. */
export function firstNonFiniteGradient(params: readonly Parameter[]): Parameter | undefined {
  const k = getBackend().kernels;
  for (let i = 0; i < params.length; i++) if (k.countNonFinite(params[i].grad, params[i].size) > 0) return params[i];
  return undefined;
}

export class StepCheckpoint {
  private readonly spans: Span[];
  private readonly copies: [number, number];
  /** The copy the last save() wrote, and how many saves there were. */
  private latest = 1;
  private saves = 0;
  private readonly blocks = new OwnedBlocks(this);

  /** Covers the weights a step changes (`trained`), their optimizer state, and the layers' `state`. */
  constructor(trained: readonly Parameter[], state: readonly Parameter[], private readonly optimizer: Optimizer) {
    this.spans = [...trained.flatMap((p) => [{ name: p.name, ptr: p.value, size: p.size },
      ...optimizer.stateBuffers(p).map((ptr) => ({ name: `${p.name} (optimizer state)`, ptr, size: p.size }))]),
    ...state.map((p) => ({ name: p.name, ptr: p.value, size: p.size }))];
    const bytes = this.spans.reduce((n, s) => n + s.size, 0) * 4;
    this.copies = this.blocks.allocAll([bytes, bytes]) as [number, number];
  }

  save(): void {
    this.latest ^= 1;
    this.saves++;
    this.transfer(this.copies[this.latest], true);
  }

  /** Puts back what the last save() copied, and the optimizer's step count when the optimizer took the step. */
  restore(optimizerStepped: boolean): void {
    this.transfer(this.copies[this.latest], false);
    if (optimizerStepped) this.optimizer.forgetLastStep();
  }

  /**
   * Puts back what the save() before the last copied, undoing the step taken between the two (the
   * last save came before a step not taken). Returns false, putting back the last save instead, when
   * there was no earlier save.
   */
  restoreEarlier(): boolean {
    if (this.saves < 2) {
      this.restore(false);
      return false;
    }
    this.transfer(this.copies[this.latest ^ 1], false);
    this.optimizer.forgetLastStep();
    return true;
  }

  /** The name of the first array holding a NaN or infinite value, or undefined. */
  firstNonFinite(): string | undefined {
    const k = getBackend().kernels;
    for (let i = 0; i < this.spans.length; i++) if (k.countNonFinite(this.spans[i].ptr, this.spans[i].size) > 0) return this.spans[i].name;
    return undefined;
  }

  private transfer(copy: number, toCopy: boolean): void {
    const memory = getBackend().memory;
    let at = copy;
    for (let i = 0; i < this.spans.length; i++) {
      const { ptr, size } = this.spans[i];
      if (toCopy) memory.copyFloats(at, ptr, size);
      else memory.copyFloats(ptr, at, size);
      at += size * 4;
    }
  }

  dispose(): void {
    this.blocks.freeAll();
  }
}
