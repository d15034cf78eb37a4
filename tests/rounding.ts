// Room for f32 rounding where a reference in f64 is compared with wasm's f32: the reference is run
// again with values nudged by a few roundings, and each value may differ from it by ten times what
// the nudge moved it. A value that is a small difference of large terms (a normalisation of nearly
// equal values, gradients that cancel, a saturated sigmoid's y(1 − y)) moves by about what the two
// sides' roundings may make of it, which no kernel could do better than; a well-conditioned value
// moves by next to nothing, so its check stays as tight as mismatch's (tests/helpers.ts).
import { SCALE_FLOOR, random } from './helpers.js';

export type Nudge = (values: Float32Array) => Float32Array;

/** Each value moved by up to a few f32 roundings of itself (2⁻²⁰ relative), from its own stream. */
export function nudger(seed: number): Nudge {
  const rng = random(seed ^ 0x5bd1e995);
  return (values) => Float32Array.from(values, (v) => v * (1 + (rng.next() - 0.5) * 2 ** -19));
}

/** The largest |value|, at least `floor`. */
export const largest = (values: Float32Array, floor: number) => values.reduce((m, v) => Math.max(m, Math.abs(v)), floor);

/**
 * `actual` against the reference's `expected`: each value within `tolerance` of the largest |expected|
 * (at least `floor`), plus ten times what it moves in the nudged reference (`nudged`).
 */
export function agreesWith(actual: Float32Array, expected: Float32Array, nudged: Float32Array, tolerance: number, what: string,
  floor = SCALE_FLOOR): string | undefined {
  if (actual.length !== expected.length) return `${what}: ${actual.length} values, expected ${expected.length}`;
  const scale = largest(expected, floor);
  for (let i = 0; i < expected.length; i++) {
    const allowed = tolerance * scale + 10 * Math.abs(nudged[i] - expected[i]);
    if (!(Math.abs(actual[i] - expected[i]) <= allowed)) {
      return `${what} differs at index ${i}: wasm ${actual[i]}, reference ${expected[i]} (largest |value| ${scale}, allowed ${allowed})`;
    }
  }
  return undefined;
}
