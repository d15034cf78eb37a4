// Shared test tools: a seeded generator, wasm buffers filled from JS, and a relative comparison.
import * as assert from 'uvu/assert';
import { type SimdBuild, init, getBackend } from '../src/backend/wasm.js';
import { type Kernels, RESIZE_COORDINATES, RESIZE_CUBIC, RESIZE_INTERPOLATION } from '../src/backend/kernels.js';
import type { ResizeMethod } from './reference/resize.js';
import type { Parameter } from '../src/layers/layer.js';
import { seededRandom } from '../src/random.js';
import type { Conv2dGeometry, Padding } from '../src/window.js';
import type { Conv2dPass } from '../src/backend/conv2d-algorithm.js';
import type { ParallelKernels } from '../src/backend/parallel-kernels.js';

/** The library's seeded generator, with helpers to draw test shapes and values. */
export function random(seed: number) {
  const rng = seededRandom(seed);
  return {
    ...rng,
    /** Float32Array of uniform values in [lo, hi). */
    array: (length: number, lo = -1, hi = 1) => Float32Array.from({ length }, () => lo + (hi - lo) * rng.next()),
    pick: <T>(items: readonly T[]): T => items[Math.floor(rng.next() * items.length)],
  };
}

/**
 * The build the kernel tests run on: the plain one, or the relaxed-SIMD one when
 * CONVAS_TEST_RELAXED_SIMD=1 (scripts/test.mjs runs them again so in Node; the browser tests, in a page).
 */
export const testedSimd: SimdBuild = process.env.CONVAS_TEST_RELAXED_SIMD === '1' ? 'relaxed' : 'plain';

/** A copy of a weight's gradient: zeros for one that has no gradient buffer (layer state). */
export const gradientOf = (p: Parameter): Float32Array =>
  p.grad ? getBackend().memory.f32(p.grad, p.size).slice() : new Float32Array(p.size);

export async function kernels(): Promise<Kernels> {
  return (await init({ relaxedSimd: testedSimd === 'relaxed' })).kernels;
}

/** Floats after each output of withBuffers, set to GUARD_BITS: a kernel that writes past its output (or scratch) changes them. */
const GUARD_FLOATS = 16;
/** A NaN no arithmetic produces (computed NaNs carry no payload), so any write to a guard shows. */
const GUARD_BITS = 0x7fc0dead;

/**
 * Runs `body` with wasm copies of `inputs` (f32, or i32 for Int32Array) and of the outputs, then
 * returns the outputs as JS arrays and frees everything. An output given as a length starts as
 * NaN so a kernel that forgets to write an element is caught; one given as an array starts as a
 * copy of it (for kernels that update in place). Guard floats follow each output, and fail the
 * test if the kernel wrote over them: scratch given exactly the size a kernel asks for is checked too.
 */
export function withBuffers(
  inputs: Array<Float32Array | Int32Array>, outputs: Array<number | Float32Array>,
  body: (inputPtrs: number[], outputPtrs: number[]) => void,
): Float32Array[] {
  const { memory } = getBackend();
  const copyIn = (a: Float32Array | Int32Array, guards = 0) => {
    const p = memory.alloc((a.length + guards) * 4);
    if (a instanceof Int32Array) memory.i32(p, a.length).set(a);
    else memory.f32(p, a.length).set(a);
    return p;
  };
  const inPtrs = inputs.map((a) => copyIn(a));
  const outputLengths = outputs.map((o) => (typeof o === 'number' ? o : o.length));
  const guardsOf = (p: number, i: number) => memory.i32(p + outputLengths[i] * 4, GUARD_FLOATS);
  const outPtrs = outputs.map((o, i) => {
    const p = copyIn(typeof o === 'number' ? new Float32Array(o).fill(NaN) : o, GUARD_FLOATS);
    guardsOf(p, i).fill(GUARD_BITS);
    return p;
  });
  try {
    body(inPtrs, outPtrs);
    outPtrs.forEach((p, i) => {
      const overwritten = guardsOf(p, i).findIndex((bits) => bits !== GUARD_BITS);
      if (overwritten >= 0) assert.unreachable(`output ${i} (${outputLengths[i]} floats): the kernel wrote past its end, at float ${outputLengths[i] + overwritten}`);
    });
    return outPtrs.map((p, i) => memory.f32(p, outputLengths[i]).slice());
  } finally {
    [...inPtrs, ...outPtrs].forEach((p) => memory.free(p));
  }
}

/** An i32 output of withBuffers: its bytes come back unchanged in a Float32Array, read them as i32. */
export const asInt32 = (output: Float32Array) => new Int32Array(output.buffer, output.byteOffset, output.length);

/** Asserts |a − b| ≤ tolerance·max(1, |b|) elementwise, naming the first index that differs. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-4, what = '') {
  assert.is(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i];
    const ok = Math.abs(a - e) <= tolerance * Math.max(1, Math.abs(e)) || (Number.isNaN(a) && Number.isNaN(e));
    if (!ok) assert.unreachable(`${what} differs at index ${i}: got ${a}, expected ${e} (of ${expected.length})`);
  }
}

/**
 * Asserts |a − b| ≤ tolerance·max(1, max |b|) elementwise: errors measured against the largest
 * magnitude of the result rather than each element's own, for algorithms (Winograd's) whose
 * rounding is spread over a tile, so that an element near zero carries its neighbours' error.
 */
export function assertCloseToScale(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what = '') {
  let scale = 1;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  assert.is(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance * scale)) {
      assert.unreachable(`${what} differs at index ${i}: got ${actual[i]}, expected ${expected[i]} (of ${expected.length}; scale ${scale})`);
    }
  }
}

/** Equal as bit patterns, so −0 ≠ 0 and NaNs are compared too. */
export function assertSameBits(actual: Float32Array, expected: Float32Array, what: string) {
  const a = new Uint32Array(actual.buffer, actual.byteOffset, actual.length);
  const e = new Uint32Array(expected.buffer, expected.byteOffset, expected.length);
  assert.is(a.length, e.length, `${what}: length`);
  const differs = a.findIndex((bits, i) => bits !== e[i]);
  if (differs >= 0) assert.unreachable(`${what}: differs at ${differs} of ${a.length}: ${actual[differs]} vs ${expected[differs]}`);
}

/** A padding of every form convas takes: 'valid', 'same', 'full', n zeros, or [top, bottom, left, right] (0 to 2 zeros each). */
export function randomPadding(rng: ReturnType<typeof random>): Padding {
  switch (rng.int(0, 4)) {
    case 0: return 'valid';
    case 1: return 'same';
    case 2: return 'full';
    case 3: return rng.int(0, 2);
    default: return [rng.int(0, 2), rng.int(0, 2), rng.int(0, 2), rng.int(0, 2)];
  }
}

/**
 * Values drawn in tests are of order 1, so an array whose largest value is below this is rounding
 * noise around zero (a softmax over one class has zero gradient): it is compared at this scale.
 */
export const SCALE_FLOOR = 1e-2;

/** Where |actual − expected| > tolerance·(largest |expected|, at least `floor`), or undefined when they agree. */
export function mismatch(actual: Float32Array, expected: Float32Array, tolerance: number, what: string, floor = SCALE_FLOOR): string | undefined {
  if (actual.length !== expected.length) return `${what}: ${actual.length} values, expected ${expected.length}`;
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), floor);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance * scale)) {
      return `${what} differs at index ${i}: wasm ${actual[i]}, reference ${expected[i]} (largest |value| ${scale})`;
    }
  }
  return undefined;
}

/** A resize method's kernel arguments: its `interpolation` code and coordinate mode, and the 3 f32 parameters `params` points at. */
export function resizeKernelArgs(m: ResizeMethod): { interpolation: number; coordinates: number; params: Float32Array } {
  const cubicBits = m.interpolation === 'bicubic'
    ? ((m.cubicExcludeOutside ?? true) ? RESIZE_CUBIC.excludeOutside : 0) | ((m.cubicTable ?? true) ? RESIZE_CUBIC.table : 0) : 0;
  return { interpolation: RESIZE_INTERPOLATION[m.interpolation] | cubicBits, coordinates: RESIZE_COORDINATES[m.coordinates],
    params: Float32Array.from([...(m.scales ?? [0, 0]), m.cubicCoefficient ?? -0.5]) };
}

/** conv2d's workspaceFloats, with the shared scratch its calls use reserved (for the geometry object), as a layer plans them. */
export function convWorkspaceFloats(p: ParallelKernels, g: Conv2dGeometry, passes: readonly Conv2dPass[]): number {
  const floats = p.conv2d.workspaceFloats(g, passes);
  p.scratch.reserve(g, p.conv2d.scratchBytes(g, passes));
  return floats;
}
