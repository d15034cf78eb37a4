/** Alignment of every block in wasm memory: a cache line, so SIMD loads never straddle one at a row start. */
export const ALIGN_BYTES = 64;
