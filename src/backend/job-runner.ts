// Runs kernel jobs (kernel-jobs.ts). The serial runner does every slice on the calling thread; the
// worker pool (worker-pool.ts) shares them out. Both run the same slices with the same arguments.
import { MAX_JOB_SLICES } from './batch-slices.js';
import { JOB_HEADER, JOB_HEADER_WORDS, JOB_KERNELS, MAX_JOB_ARGS, runClaimedSlices, startSlices } from './kernel-jobs.js';
import type { Kernels } from './kernels.js';

export interface JobRunner {
  readonly threads: number;
  /** The job to run next: filled in by the caller, then run(). */
  readonly header: Int32Array;
  readonly args: Uint32Array;
  /** Runs every slice of the job; `work` (in flops) tells whether it pays to wake other threads. */
  run(work: number): void;
}

export const jobArgsLength = MAX_JOB_SLICES * MAX_JOB_ARGS;

/** Kernel functions in JOB_KERNELS order, as the job header names them. */
export function jobKernels(kernels: Kernels): Array<(...args: number[]) => unknown> {
  return JOB_KERNELS.map((name) => kernels[name] as (...args: number[]) => unknown);
}

export class SerialRunner implements JobRunner {
  readonly threads: number = 1;
  private readonly kernels: Array<(...args: number[]) => unknown>;

  constructor(
    kernels: Kernels,
    readonly header: Int32Array = new Int32Array(JOB_HEADER_WORDS),
    readonly args: Uint32Array = new Uint32Array(jobArgsLength),
  ) {
    this.kernels = jobKernels(kernels);
  }

  run(_work?: number): void {
    startSlices(this.header, 1);
    runClaimedSlices(this.header, this.args, this.kernels, 0, JOB_HEADER, MAX_JOB_ARGS);
  }
}
