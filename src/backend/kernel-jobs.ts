// A job is one kernel called once per slice of a batch, each call with its own arguments. The job
// lives in a header of i32 words and a table of f64 arguments [slice, argument]; threads claim
// slices with an atomic counter, so whichever thread runs a slice, it runs the same call. With
// threads the header and table sit in shared wasm memory; with one thread, in plain arrays.
//
// runClaimedSlices and serveKernelJobs also run inside workers, built from their source text
// (kernel-worker-source.ts): they must use nothing but their parameters and globals.

import type { Kernels } from './kernels.js';

/** The kernels a job may call, by index: the header names a kernel by its position here. */
export const JOB_KERNELS = [
  'conv2dForward', 'conv2dBackwardInput', 'conv2dBackwardFilter',
  'maxPoolForward', 'maxPoolBackward', 'avgPoolForward', 'avgPoolBackward', 'matMul',
] as const satisfies ReadonlyArray<keyof Kernels>;
export type JobKernel = (typeof JOB_KERNELS)[number];

/** Word of each header field. */
export const JOB_HEADER = {
  /** Bumped by the main thread to start a job; workers wait on it. */
  generation: 0,
  /** Workers done with the current job; the main thread waits on it. */
  finished: 1,
  nextSlice: 2,
  sliceCount: 3,
  kernel: 4,
  argCount: 5,
  /** The argument that is the caller's scratch (−1: none): each thread passes its own region. */
  scratchArg: 6,
  scratchBase: 7,
  scratchStride: 8,
  /** Set when a kernel threw in a worker. */
  failed: 9,
} as const;
export type JobHeaderLayout = typeof JOB_HEADER;
export const JOB_HEADER_WORDS = 16;
/** The longest call: conv2dForward's 5 pointers, activation and 13 geometry numbers. */
export const MAX_JOB_ARGS = 20;

/**
 * Milliseconds a waiting thread polls before it sleeps in Atomics.wait: the jobs of a training step
 * come close together, and a sleeping thread takes tens of µs to wake (far more on a busy machine).
 */
export const SPIN_MS = 0.2;

type KernelFunction = (...args: number[]) => unknown;

/** Claims slices of the current job until none is left, and runs each as thread `thread`. */
export function runClaimedSlices(
  header: Int32Array, args: Float64Array, kernels: KernelFunction[], thread: number,
  layout: JobHeaderLayout, maxArgs: number,
): void {
  const count = header[layout.sliceCount];
  const argCount = header[layout.argCount];
  const scratchArg = header[layout.scratchArg];
  const kernel = kernels[header[layout.kernel]];
  const call = new Array<number>(argCount);
  for (let s = Atomics.add(header, layout.nextSlice, 1); s < count; s = Atomics.add(header, layout.nextSlice, 1)) {
    for (let i = 0; i < argCount; i++) call[i] = args[s * maxArgs + i];
    if (scratchArg >= 0) call[scratchArg] = header[layout.scratchBase] + thread * header[layout.scratchStride];
    kernel(...call);
  }
}

/**
 * A worker's life: wait for the next generation, run slices with the main thread, report done.
 * A worker that failed still reports, so the main thread never waits forever.
 */
export function serveKernelJobs(
  header: Int32Array, args: Float64Array, kernels: KernelFunction[], thread: number,
  layout: JobHeaderLayout, maxArgs: number, spinMs: number, run: typeof runClaimedSlices,
): void {
  let seen = 0; // workers start before the first job, at generation 0
  for (;;) {
    const spinUntil = performance.now() + spinMs;
    while (Atomics.load(header, layout.generation) === seen && performance.now() < spinUntil);
    Atomics.wait(header, layout.generation, seen);
    seen = Atomics.load(header, layout.generation);
    try {
      run(header, args, kernels, thread, layout, maxArgs);
    } catch {
      Atomics.store(header, layout.failed, 1);
    }
    Atomics.add(header, layout.finished, 1);
    Atomics.notify(header, layout.finished);
  }
}
