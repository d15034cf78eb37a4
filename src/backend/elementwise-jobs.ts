// Element-by-element kernels as layers call them (activations, PReLU), as jobs over the batch
// (job-writer.ts). PReLU's slope gradients sum over the batch into partial sums, one per slice after the first.
import { alignBytes } from './alignment.js';
import { MAX_SLICES } from './batch-slices.js';
import type { JobWriter } from './job-writer.js';
import type { ElementwiseKernel } from './kernel-jobs.js';
import { ELEMENTWISE_COST } from './work.js';

export class ElementwiseJobs {
  constructor(private readonly jobs: JobWriter) {}

  /**
   * An elementwise kernel over a batch of examples of exampleFloats each: its two to four arrays
   * (p2 and p3 when ≠ 0), in the kernel's order — forward (x, y), backward (y or x, dy, dx) or
   * (x, y, dy, dx) — and the address of its parameters (0: none).
   */
  map(kernel: ElementwiseKernel, batch: number, exampleFloats: number, parameters: number,
    p0: number, p1: number, p2 = 0, p3 = 0): void {
    const bytes = exampleFloats * 4;
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const offset = this.jobs.first * bytes;
      this.jobs.arg(p0 + offset).arg(p1 + offset);
      if (p2) this.jobs.arg(p2 + offset);
      if (p3) this.jobs.arg(p3 + offset);
      this.jobs.arg(this.jobs.count * exampleFloats).arg(parameters);
    }
    this.jobs.run(kernel, ELEMENTWISE_COST * batch * exampleFloats);
  }

  // --- PReLU: slopes repeating every alphaLength elements of each example

  preluForward(x: number, alpha: number, y: number, batch: number, exampleFloats: number, alphaLength: number): void {
    const bytes = exampleFloats * 4;
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(x + this.jobs.first * bytes).arg(alpha).arg(y + this.jobs.first * bytes).arg(this.jobs.count * exampleFloats).arg(alphaLength);
    }
    this.jobs.run('preluForward', ELEMENTWISE_COST * batch * exampleFloats);
  }

  /** Floats of the partial slope gradients preluBackward adds up. */
  preluPartialSumsFloats(alphaLength: number): number {
    return (alignBytes(alphaLength * 4) * (MAX_SLICES - 1)) / 4;
  }

  /**
   * dx (when ≠ 0), and dAlpha summed over the batch (when ≠ 0): slice 0 writes it, later slices a
   * partial sum each into `partials` (preluPartialSumsFloats), added in slice order.
   */
  preluBackward(x: number, alpha: number, dy: number, dx: number, dAlpha: number, partials: number,
    batch: number, exampleFloats: number, alphaLength: number): void {
    const bytes = exampleFloats * 4, partialBytes = alignBytes(alphaLength * 4);
    const slices = this.jobs.start(batch, false);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const offset = this.jobs.first * bytes;
      this.jobs.arg(x + offset).arg(alpha).arg(dy + offset).arg(dx && dx + offset)
        .arg(dAlpha && (s === 0 ? dAlpha : partials + (s - 1) * partialBytes)).arg(this.jobs.count * exampleFloats).arg(alphaLength);
    }
    this.jobs.run('preluBackward', ELEMENTWISE_COST * batch * exampleFloats);
    if (dAlpha) this.jobs.addPartials(dAlpha, partials, partialBytes, alphaLength, batch);
  }
}
