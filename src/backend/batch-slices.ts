// How batch-parallel kernel calls split a batch into slices, whatever the number of threads. A
// slice is the unit of work a thread takes, and sums over the batch (filter and weight gradients)
// are added up one partial sum per slice, in slice order. Because the split depends on the batch
// size alone, 1 thread and N threads compute the same floats in the same order.

/** Slices of a call that sums over the batch: so also at most this many threads have work. */
export const MAX_SLICES = 8;
/**
 * Floats of partial sums a call may hold (64 MiB): a sum of larger partials (a dense layer of
 * millions of weights) runs in fewer slices, down to one and no partials at all. The count depends
 * on the size of what is summed alone, never on the threads, so the bits stay the same.
 */
const PARTIAL_SUMS_FLOATS = 16 * 2 ** 20;

/** Slices of a sum over the batch of `floats` floats (the whole batch in one slice for the largest). */
export function sumSlices(floats: number): number {
  return Math.min(MAX_SLICES, 1 + Math.floor(PARTIAL_SUMS_FLOATS / floats));
}
/**
 * A call whose examples are independent may split any way without changing a bit: one slice on
 * one thread (no per-call overhead), else this many per thread, so that a thread that starts late
 * (a sleeping worker takes tens of µs to wake) leaves little of the job to the others at the end
 * (but for calls whose set-up does not shrink with the slice: JobWriter.startPerThread).
 */
export const INDEPENDENT_SLICES_PER_THREAD = 8;
/** The most slices any job has (threads never exceed MAX_SLICES). */
export const MAX_JOB_SLICES = INDEPENDENT_SLICES_PER_THREAD * MAX_SLICES;

/** Slices of a batch (an empty batch is one empty slice, so kernels still clear their outputs). */
export function sliceCount(batch: number, maxSlices = MAX_SLICES): number {
  return Math.max(1, Math.min(batch, maxSlices));
}

/** First example of slice `s`: slices differ in size by at most one example. */
export function sliceStart(batch: number, s: number, maxSlices = MAX_SLICES): number {
  return Math.floor((s * batch) / sliceCount(batch, maxSlices));
}
