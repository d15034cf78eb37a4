// How the batch-heavy kernels become jobs: a call is split into slices of the batch
// (batch-slices.ts), each slice's arguments written straight into the job table (beginSlice, then
// arg … in the kernel's order), and the job run on one thread or many. Every output element is
// computed by the same kernel code whatever the split, and sums over the batch are kept as one
// partial sum per slice of a split that depends on the batch size alone, added in slice order
// afterwards, so results are the same bit for bit at any thread count. A training step writes many
// jobs, so writing one allocates nothing.
import { ALIGN_BYTES } from './alignment.js';
import { INDEPENDENT_SLICES_PER_THREAD, MAX_SLICES, sliceCount, sliceStart } from './batch-slices.js';
import type { JobRunner } from './job-runner.js';
import { JOB_HEADER, JOB_KERNELS, type JobKernel, MAX_JOB_ARGS } from './kernel-jobs.js';
import type { Conv2dArgs, DepthwiseConv2dArgs, Kernels, PhaseArgs, Pool2dArgs } from './kernels.js';
import type { SharedScratch } from './shared-scratch.js';

/**
 * The least distance in bytes between the starts of two threads' scratch in one block. On a Zen 5
 * VM, LeNet-small's Winograd passes ran 2× slower in the thread whose scratch began 268 KiB above
 * the other's (its whole need) while the other worked in its own, whichever thread that was; 288
 * KiB apart 1.5–1.9×, 320 KiB 1.2–1.4×, 384 KiB and more (and separate blocks) not at all. Why is
 * not known (no cache line or page is shared); the distance alone removes it.
 */
export const THREAD_SCRATCH_SPACING = 512 * 1024;

export class JobWriter {
  /** The job being written: its batch, how finely it splits, and the slice whose arguments come next. */
  private batch = 0;
  private maxSlices = MAX_SLICES;
  private slice = 0;
  private argIndex = 0;
  /** The current slice's first example and how many it has (set by beginSlice). */
  first = 0;
  count = 0;

  constructor(readonly kernels: Kernels, private readonly runner: JobRunner, readonly scratch: SharedScratch) {}

  get threads(): number {
    return this.runner.threads;
  }

  /**
   * Starts writing a job over `batch` examples; returns its slice count. A job that sums over the
   * batch takes the fixed split of `sums` slices (MAX_SLICES, fewer for the largest partial sums:
   * sumSlices), one of independent examples a split for balance.
   */
  start(batch: number, independent: boolean, sums = MAX_SLICES): number {
    this.batch = batch;
    this.maxSlices = !independent ? sums : this.threads === 1 ? 1 : INDEPENDENT_SLICES_PER_THREAD * this.threads;
    return sliceCount(batch, this.maxSlices);
  }

  /**
   * Starts writing a job of independent rows whose every call first pays for a set-up that does not
   * shrink with its slice (matMul packs all of B): one slice per thread, so that each thread pays it
   * once (twice when it also takes a late thread's slice).
   */
  startPerThread(rows: number): number {
    this.batch = rows;
    this.maxSlices = this.threads;
    return sliceCount(rows, this.maxSlices);
  }

  /** Starts writing slice `s` of the job: first and count are its examples. */
  beginSlice(s: number): void {
    this.slice = s;
    this.argIndex = 0;
    this.first = sliceStart(this.batch, s, this.maxSlices);
    this.count = sliceStart(this.batch, s + 1, this.maxSlices) - this.first;
  }

  /** Writes the next argument of the current slice. */
  arg(value: number): this {
    this.runner.args[this.slice * MAX_JOB_ARGS + this.argIndex++] = value;
    return this;
  }

  /** The geometry's kernel arguments, with the current slice's example count as their batch. */
  geometryArgs(args: Conv2dArgs | Pool2dArgs | DepthwiseConv2dArgs | PhaseArgs): this {
    this.arg(this.count);
    for (let i = 1; i < args.length; i++) this.arg(args[i]);
    return this;
  }

  /** Runs the job whose slices were written; `work` (flops) tells whether it pays to wake other threads. */
  run(kernel: JobKernel, work: number, scratchArg = -1, scratchBase = 0, scratchStride = 0): void {
    const header = this.runner.header;
    header[JOB_HEADER.kernel] = JOB_KERNELS.indexOf(kernel);
    header[JOB_HEADER.sliceCount] = sliceCount(this.batch, this.maxSlices);
    header[JOB_HEADER.scratchArg] = scratchArg;
    header[JOB_HEADER.scratchBase] = scratchBase;
    header[JOB_HEADER.scratchStride] = scratchStride;
    this.runner.run(work);
  }

  /** Bytes of a block to plan per thread for threads that each need `bytes`: with threads, at least THREAD_SCRATCH_SPACING. */
  threadScratchBytes(bytes: number): number {
    return this.threads === 1 ? bytes : Math.max(bytes, THREAD_SCRATCH_SPACING);
  }

  /**
   * Runs the job written, each thread's scratch an equal share (whole cache lines) of the `bytes` at
   * `base`, the same whatever the job: jobs that need different scratch in one block would otherwise
   * put one thread's scratch where the other's was in the job before, and each call would begin by
   * pulling those cache lines over from the other core. The block must hold each job's scratch per
   * thread.
   */
  runSharingScratch(kernel: JobKernel, work: number, scratchArg: number, base: number, bytes: number): void {
    this.run(kernel, work, scratchArg, base, Math.floor(bytes / this.threads / ALIGN_BYTES) * ALIGN_BYTES);
  }

  /** target += partial sums of slices 1 … (at first + (s − 1)·stride), in slice order. */
  addPartials(target: number, first: number, stride: number, length: number, batch: number, sums = MAX_SLICES): void {
    for (let s = 1; s < sliceCount(batch, sums); s++) this.kernels.add(target, first + (s - 1) * stride, target, length);
  }
}
