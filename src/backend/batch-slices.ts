// The one split of a batch into slices that every batch-parallel kernel call uses, whatever the
// number of threads. A slice is the unit of work a thread takes, and sums over the batch (filter
// and weight gradients) are added up one partial sum per slice, in slice order. Because the split
// depends on the batch size alone, 1 thread and N threads compute the same floats in the same order.

/** At most this many slices, so also at most this many threads have work. */
export const MAX_SLICES = 8;

/** Slices of a batch (an empty batch is one empty slice, so kernels still clear their outputs). */
export function sliceCount(batch: number): number {
  return Math.max(1, Math.min(batch, MAX_SLICES));
}

/** First example of slice `s`: slices differ in size by at most one example. */
export function sliceStart(batch: number, s: number): number {
  return Math.floor((s * batch) / sliceCount(batch));
}
