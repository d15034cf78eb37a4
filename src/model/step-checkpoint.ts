// A training step that can be taken back: the weights, the optimizer state and the layers' own state
// (batch normalisation's moving statistics, which the forward pass moves) are copied before each
// step, so a step that leaves a NaN or infinite value is undone and a diverging fit keeps the last
// good weights (which can still predict and be saved). Plain loops: this runs every step.
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
  private readonly copy: number;

  /** Covers the weights a step changes (`trained`), their optimizer state, and the layers' `state`. */
  constructor(trained: readonly Parameter[], state: readonly Parameter[], private readonly optimizer: Optimizer) {
    this.spans = [...trained.flatMap((p) => [{ name: p.name, ptr: p.value, size: p.size },
      ...optimizer.stateBuffers(p).map((ptr) => ({ name: `${p.name} (optimizer state)`, ptr, size: p.size }))]),
    ...state.map((p) => ({ name: p.name, ptr: p.value, size: p.size }))];
    this.copy = getBackend().memory.alloc(this.spans.reduce((n, s) => n + s.size, 0) * 4);
  }

  save(): void {
    this.transfer(true);
  }

  /** Puts back what save() copied, and the optimizer's step count when the optimizer took the step. */
  restore(optimizerStepped: boolean): void {
    this.transfer(false);
    if (optimizerStepped) this.optimizer.forgetLastStep();
  }

  /** The name of the first array holding a NaN or infinite value, or undefined. */
  firstNonFinite(): string | undefined {
    const k = getBackend().kernels;
    for (let i = 0; i < this.spans.length; i++) if (k.countNonFinite(this.spans[i].ptr, this.spans[i].size) > 0) return this.spans[i].name;
    return undefined;
  }

  private transfer(toCopy: boolean): void {
    const heap = getBackend().memory.heapF32;
    let at = this.copy >> 2;
    for (let i = 0; i < this.spans.length; i++) {
      const { ptr, size } = this.spans[i];
      if (toCopy) heap.copyWithin(at, ptr >> 2, (ptr >> 2) + size);
      else heap.copyWithin(ptr >> 2, at, at + size);
      at += size;
    }
  }

  dispose(): void {
    getBackend().memory.free(this.copy);
  }
}
