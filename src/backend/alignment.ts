/** Alignment of every block in wasm memory: a cache line, so SIMD loads never straddle one at a row start. */
export const ALIGN_BYTES = 64;

/** `bytes` rounded up to whole cache lines, as the allocator does: each partial sum and scratch starts on one. */
export const alignBytes = (bytes: number) => Math.ceil(bytes / ALIGN_BYTES) * ALIGN_BYTES;
