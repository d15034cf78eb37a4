// A job is one kernel called once per slice of a batch, each call with its own arguments. The job
// lives in a header of i32 words and a table of u32 arguments [slice, argument] (every kernel argument
// is an address or a count; small integers reach a kernel without being boxed). Each thread owns a
// contiguous range of the slices, the same examples in every job of a step, so the data a layer
// leaves for the next stays in that core's cache; a thread done with its range claims slices left
// in the others' (atomic counters), so a late thread holds no one up; a worker that has not even joined
// the job when the main thread has claimed its last slice is not waited for. Whichever thread runs a slice,
// it runs the same call. With threads the header and table sit in shared wasm memory; with one
// thread, in plain arrays.
//
// runClaimedSlices, joinJob, spinWhile and serveKernelJobs also run inside workers, built from their
// source text (workerSource in worker-pool.ts): they must use nothing but their parameters and globals.

import { MAX_SLICES } from './batch-slices.js';
import type { Kernels } from './kernels.js';

/**
 * Kernels that map each element on its own: kernel(input, [input, [input,]] output, length, parameters),
 * parameters being the address of the f32s the kernel takes, if any (the same for every slice).
 */
export const ELEMENTWISE_KERNELS = [
  'reluForward', 'reluBackward', 'tanhForward', 'tanhBackward', 'sigmoidForward', 'sigmoidBackward',
  'relu6Forward', 'relu6Backward', 'eluForward', 'eluBackward', 'softplusForward', 'softplusBackward',
  'softsignForward', 'softsignBackward', 'swishForward', 'swishBackward', 'geluForward', 'geluBackward',
  'hardSigmoidForward', 'hardSigmoidBackward', 'hardSwishForward', 'hardSwishBackward', 'leakyReluForward', 'leakyReluBackward',
  'clipForward', 'clipBackward',
] as const satisfies ReadonlyArray<keyof Kernels>;
export type ElementwiseKernel = (typeof ELEMENTWISE_KERNELS)[number];

/** The kernels a job may call, by index: the header names a kernel by its position here. */
export const JOB_KERNELS = [
  'conv2dForward', 'conv2dBackwardInput', 'conv2dBackwardFilter', 'conv2dForwardMaxPool',
  'maxPoolForward', 'maxPoolBackward', 'avgPoolForward', 'avgPoolBackward', 'matMul',
  ...ELEMENTWISE_KERNELS,
  'upSampling2dForward', 'upSampling2dBackward',
  'globalAvgPoolForward', 'globalAvgPoolBackward', 'globalMaxPoolForward', 'globalMaxPoolBackward',
  'channelAffine', 'batchNormSums', 'batchNormBackwardSums', 'batchNormBackwardInput', 'layerNormForward', 'layerNormBackward',
  'groupNormForward', 'groupNormBackward',
  'preluForward', 'preluBackward',
  'depthwiseConv2dForward', 'depthwiseConv2dBackwardInput', 'depthwiseConv2dBackwardFilter', 'spaceToBatch', 'batchToSpace',
  'conv2dWinogradForward', 'conv2dWinogradBackwardInput', 'conv2dWinogradBackwardFilter', 'conv2dWinogradForwardMaxPool',
  'winogradFilterTransformInputs', 'resizeForward', 'resizeBackward',
  'affineTransformImages', 'affineTransformImagesBackward',
] as const satisfies ReadonlyArray<keyof Kernels>;
export type JobKernel = (typeof JOB_KERNELS)[number];

/** Word of each header field. */
export const JOB_HEADER = {
  /** Bumped by the main thread to start a job; workers wait on it. */
  generation: 0,
  /** Workers done with the current job; the main thread waits on it. */
  finished: 1,
  /** Threads that share the job's slices. */
  threads: 2,
  sliceCount: 3,
  kernel: 4,
  /** The argument that is the caller's scratch (−1: none): each thread passes its own region. */
  scratchArg: 5,
  scratchBase: 6,
  scratchStride: 7,
  /** Set when a kernel threw in a worker. */
  failed: 8,
  /**
   * Joins of the current job so far (a late worker may join one job twice: each join reports
   * finished once), or CLOSED: the header and the table are written only while the job is closed
   * (also while a job too small to share runs on the main thread alone), and the main thread closes
   * a job once it has claimed its last slice (or failed), then waits for the joins it counted alone.
   */
  joined: 9,
  /** Thread t's next unclaimed slice is at word firstSliceCounter + t·sliceCounterStride. */
  firstSliceCounter: 16,
  /** A cache line apart: each thread mostly bumps its own counter. */
  sliceCounterStride: 16,
} as const;
export type JobHeaderLayout = typeof JOB_HEADER;
/** The value of the joined word once the current job takes no more workers. */
export const CLOSED = -1;
/** Room for the counters of MAX_SLICES threads (no more ever run). */
export const JOB_HEADER_WORDS = JOB_HEADER.firstSliceCounter + JOB_HEADER.sliceCounterStride * MAX_SLICES;
/** The longest calls: conv2dForwardMaxPool's 6 pointers, activation and 13 geometry numbers; depthwiseConv2dForward's 4, activation and 15 (runClaimedSlices passes 20). */
export const MAX_JOB_ARGS = 20;

/**
 * Milliseconds a waiting thread polls before it sleeps in Atomics.wait: the jobs of a training step
 * come close together, and a sleeping thread takes tens of µs to wake (far more on a busy machine).
 */
export const SPIN_MS = 0.2;

type KernelFunction = (...args: number[]) => unknown;

/** Sets up the slice counters of the job whose slice count is in the header, for `threads` threads. */
export function startSlices(header: Int32Array, threads: number): void {
  header[JOB_HEADER.threads] = threads;
  const count = header[JOB_HEADER.sliceCount];
  for (let t = 0; t < threads; t++) {
    header[JOB_HEADER.firstSliceCounter + t * JOB_HEADER.sliceCounterStride] = Math.floor((t * count) / threads);
  }
}

/**
 * Runs the current job's slices as thread `thread`: first its own range (thread t owns slices
 * ⌊t·count/threads⌋ up to the next thread's first), then whatever the other ranges have left.
 */
export function runClaimedSlices(
  header: Int32Array, args: Uint32Array, kernels: KernelFunction[], thread: number,
  layout: JobHeaderLayout, maxArgs: number,
): void {
  const count = header[layout.sliceCount];
  const threads = header[layout.threads];
  const scratchArg = header[layout.scratchArg];
  const kernel = kernels[header[layout.kernel]];
  for (let k = 0; k < threads; k++) {
    const owner = (thread + k) % threads;
    const counter = layout.firstSliceCounter + owner * layout.sliceCounterStride;
    const end = Math.floor(((owner + 1) * count) / threads);
    for (let s = Atomics.add(header, counter, 1); s < end; s = Atomics.add(header, counter, 1)) {
      const a = s * maxArgs;
      // A slice's row of the table is read by the one thread that claimed it, so it may take its scratch in place.
      if (scratchArg >= 0) args[a + scratchArg] = header[layout.scratchBase] + thread * header[layout.scratchStride];
      // Every argument straight from the table, so a call allocates nothing; a kernel ignores those past its own.
      kernel(args[a], args[a + 1], args[a + 2], args[a + 3], args[a + 4], args[a + 5], args[a + 6], args[a + 7], args[a + 8],
        args[a + 9], args[a + 10], args[a + 11], args[a + 12], args[a + 13], args[a + 14], args[a + 15], args[a + 16],
        args[a + 17], args[a + 18], args[a + 19]);
    }
  }
}

/** Counts a worker into the current job unless it is closed; whether it joined. */
export function joinJob(header: Int32Array, layout: JobHeaderLayout, closed: number): boolean {
  for (let joined = Atomics.load(header, layout.joined); joined !== closed;) {
    const before = Atomics.compareExchange(header, layout.joined, joined, joined + 1);
    if (before === joined) return true;
    joined = before;
  }
  return false;
}

/** Closes the current job to workers not yet in it; how many joins it had. */
export function closeJob(header: Int32Array): number {
  return Atomics.exchange(header, JOB_HEADER.joined, CLOSED);
}

/**
 * The main thread's side of a shared job whose header and table are written: sets up its slices for
 * `threads`, opens it (the store publishes every word written before it to the workers that join)
 * and wakes the workers.
 */
export function openJob(header: Int32Array, threads: number): void {
  startSlices(header, threads);
  header[JOB_HEADER.finished] = 0;
  header[JOB_HEADER.failed] = 0;
  Atomics.store(header, JOB_HEADER.joined, 0);
  Atomics.add(header, JOB_HEADER.generation, 1);
  Atomics.notify(header, JOB_HEADER.generation);
}

/**
 * Polls header[index] while it holds `value`, for `spinMs` at most; returns the value it read last.
 * The clock is read once every 1,024 polls (a few µs), not at every poll: in Node a clock read
 * allocates (performance.now() builds an array and a number), and a kernel worker that read it at
 * every poll between jobs filled its young generation every ~40 ms of LeNet-small training.
 */
export function spinWhile(header: Int32Array, index: number, value: number, spinMs: number): number {
  const pollsPerClockRead = 1024;
  const spinUntil = performance.now() + spinMs;
  for (let polls = 1; ; polls++) {
    const now = Atomics.load(header, index);
    if (now !== value || (polls % pollsPerClockRead === 0 && performance.now() > spinUntil)) return now;
  }
}

/**
 * The main thread's side once it has no slice left to claim (or failed): closes the job, so that a
 * worker still asleep or descheduled never joins it, and waits for the workers that did, polling
 * `spinMs` for each report before sleeping (never, where the thread may not block); returns the
 * joins it waited for.
 */
export function finishJob(header: Int32Array, canBlock: boolean, spinMs: number): number {
  const joins = closeJob(header);
  for (let done = Atomics.load(header, JOB_HEADER.finished); done < joins; done = Atomics.load(header, JOB_HEADER.finished)) {
    if (spinWhile(header, JOB_HEADER.finished, done, spinMs) === done && canBlock) Atomics.wait(header, JOB_HEADER.finished, done);
  }
  return joins;
}

/**
 * A worker's life: wait for the next generation, join the job unless it is closed, run slices with
 * the main thread, report done. A worker that joined and failed still reports, so the main thread
 * never waits forever. A worker that joins late may find the job after the one it woke for open; it
 * runs that one, whose every word was written before it was opened, so it runs it whole and right
 * (and may join it again on seeing its generation, to find its slices taken).
 */
export function serveKernelJobs(
  header: Int32Array, args: Uint32Array, kernels: KernelFunction[], thread: number,
  layout: JobHeaderLayout, maxArgs: number, spinMs: number, run: typeof runClaimedSlices,
  join: typeof joinJob, spin: typeof spinWhile, closed: number,
): void {
  let seen = 0; // workers start before the first job, at generation 0
  for (;;) {
    spin(header, layout.generation, seen, spinMs);
    Atomics.wait(header, layout.generation, seen);
    seen = Atomics.load(header, layout.generation);
    if (!join(header, layout, closed)) continue;
    try {
      run(header, args, kernels, thread, layout, maxArgs);
    } catch {
      Atomics.store(header, layout.failed, 1);
    }
    Atomics.add(header, layout.finished, 1);
    Atomics.notify(header, layout.finished);
  }
}
