// A job is one kernel called once per slice of a batch, each call with its own arguments. The job
// lives in a header of i32 words and a table of u32 arguments [slice, argument] (every kernel argument
// is an address or a count; small integers reach a kernel without being boxed); threads claim
// slices with an atomic counter, so whichever thread runs a slice, it runs the same call. With
// threads the header and table sit in shared wasm memory; with one thread, in plain arrays.
//
// runClaimedSlices and serveKernelJobs also run inside workers, built from their source text
// (workerSource in worker-pool.ts): they must use nothing but their parameters and globals.

import type { Kernels } from './kernels.js';

/** Kernels that map each element on its own: kernel(input, [input,] output, length). */
export const ELEMENTWISE_KERNELS = [
  'reluForward', 'reluBackward', 'tanhForward', 'tanhBackward', 'sigmoidForward', 'sigmoidBackward',
] as const satisfies ReadonlyArray<keyof Kernels>;
export type ElementwiseKernel = (typeof ELEMENTWISE_KERNELS)[number];

/** The kernels a job may call, by index: the header names a kernel by its position here. */
export const JOB_KERNELS = [
  'conv2dForward', 'conv2dBackwardInput', 'conv2dBackwardFilter',
  'maxPoolForward', 'maxPoolBackward', 'avgPoolForward', 'avgPoolBackward', 'matMul',
  ...ELEMENTWISE_KERNELS,
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
  /** The argument that is the caller's scratch (−1: none): each thread passes its own region. */
  scratchArg: 5,
  scratchBase: 6,
  scratchStride: 7,
  /** Set when a kernel threw in a worker. */
  failed: 8,
} as const;
export type JobHeaderLayout = typeof JOB_HEADER;
export const JOB_HEADER_WORDS = 16;
/** The longest call: conv2dForward's 5 pointers, activation and 13 geometry numbers (runClaimedSlices passes 20). */
export const MAX_JOB_ARGS = 20;

/**
 * Milliseconds a waiting thread polls before it sleeps in Atomics.wait: the jobs of a training step
 * come close together, and a sleeping thread takes tens of µs to wake (far more on a busy machine).
 */
export const SPIN_MS = 0.2;

type KernelFunction = (...args: number[]) => unknown;

/** Claims slices of the current job until none is left, and runs each as thread `thread`. */
export function runClaimedSlices(
  header: Int32Array, args: Uint32Array, kernels: KernelFunction[], thread: number,
  layout: JobHeaderLayout, maxArgs: number,
): void {
  const count = header[layout.sliceCount];
  const scratchArg = header[layout.scratchArg];
  const kernel = kernels[header[layout.kernel]];
  for (let s = Atomics.add(header, layout.nextSlice, 1); s < count; s = Atomics.add(header, layout.nextSlice, 1)) {
    const a = s * maxArgs;
    // A slice's row of the table is read by the one thread that claimed it, so it may take its scratch in place.
    if (scratchArg >= 0) args[a + scratchArg] = header[layout.scratchBase] + thread * header[layout.scratchStride];
    // Every argument straight from the table, so a call allocates nothing; a kernel ignores those past its own.
    kernel(args[a], args[a + 1], args[a + 2], args[a + 3], args[a + 4], args[a + 5], args[a + 6], args[a + 7], args[a + 8],
      args[a + 9], args[a + 10], args[a + 11], args[a + 12], args[a + 13], args[a + 14], args[a + 15], args[a + 16],
      args[a + 17], args[a + 18], args[a + 19]);
  }
}

/**
 * A worker's life: wait for the next generation, run slices with the main thread, report done.
 * A worker that failed still reports, so the main thread never waits forever.
 */
export function serveKernelJobs(
  header: Int32Array, args: Uint32Array, kernels: KernelFunction[], thread: number,
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
