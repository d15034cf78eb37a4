// Shared test tools: a seeded generator, wasm buffers filled from JS, and a relative comparison.
import * as assert from 'uvu/assert';
import { init, getBackend } from '../src/backend/wasm.js';
import type { Kernels } from '../src/backend/kernels.js';

/** mulberry32: tiny, seeded, good enough to draw test shapes and values. */
export function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    /** Integer in [lo, hi]. */
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    /** Float32Array of uniform values in [lo, hi). */
    array: (length: number, lo = -1, hi = 1) => Float32Array.from({ length }, () => lo + (hi - lo) * next()),
    pick: <T>(items: readonly T[]): T => items[Math.floor(next() * items.length)],
  };
}

export async function kernels(): Promise<Kernels> {
  return (await init()).kernels;
}

/**
 * Runs `body` with wasm copies of `inputs` and zero-free garbage-filled outputs of the given
 * lengths, then returns the outputs as JS arrays and frees everything.
 */
export function withBuffers(
  inputs: Float32Array[], outputLengths: number[], body: (inputPtrs: number[], outputPtrs: number[]) => void,
): Float32Array[] {
  const { memory } = getBackend();
  const inPtrs = inputs.map((a) => {
    const p = memory.alloc(a.length * 4);
    memory.f32(p, a.length).set(a);
    return p;
  });
  // Outputs start as NaN so a kernel that forgets to write an element is caught.
  const outPtrs = outputLengths.map((n) => {
    const p = memory.alloc(n * 4);
    memory.f32(p, n).fill(NaN);
    return p;
  });
  try {
    body(inPtrs, outPtrs);
    return outPtrs.map((p, i) => memory.f32(p, outputLengths[i]).slice());
  } finally {
    [...inPtrs, ...outPtrs].forEach((p) => memory.free(p));
  }
}

/** Asserts |a − b| ≤ tolerance·max(1, |b|) elementwise, naming the first index that differs. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-4, what = '') {
  assert.is(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const ok = Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)) || (Number.isNaN(a) && Number.isNaN(e));
    if (!ok) assert.unreachable(`${what} differs at index ${i}: got ${a}, expected ${e} (of ${expected.length})`);
  }
}
