// fit's batches: the first n examples of tensors in wasm memory (validationSplit keeps the rest
// out), in an order shuffled before each epoch with the model's seeded stream, gathered into the
// model's batch buffers. Each epoch's order is a fresh permutation (of 0 … n − 1, not of the last
// epoch's order), so it depends only on where the stream is: a run continued with initialEpoch, or
// from a saved model, draws the same batches as one that never stopped.
import type { Tensor } from '../tensor.js';
import type { BatchSource } from './fit-loop.js';
import type { TrainStep } from './train-step.js';

export class TensorBatches implements BatchSource {
  private readonly order?: Uint32Array;
  private from = 0;
  private size = 0;

  constructor(private readonly step: TrainStep, private readonly xs: readonly Tensor[], private readonly y: Tensor,
    private readonly n: number, private readonly batch: number, shuffle: boolean) {
    if (shuffle) this.order = Uint32Array.from({ length: n }, (_, i) => i);
    step.plan(batch);
  }

  startEpoch(): void {
    if (this.order) {
      for (let i = 0; i < this.n; i++) this.order[i] = i;
      this.step.shuffle(this.order);
    }
    this.from = this.size = 0;
  }

  nextBatch(): number {
    this.from += this.size;
    this.size = Math.max(0, Math.min(this.batch, this.n - this.from));
    return this.size;
  }

  loadBatch(): void {
    // Planned again (nothing is allocated while the plan stands): a call on a model sharing layers
    // that ran out of memory may have had to let a layer's buffers go, which are made again here.
    this.step.plan(this.batch);
    this.step.gather(this.xs, this.y, this.order, this.from, this.size);
  }
}
