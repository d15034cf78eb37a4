// Keras's clip of probabilities before a logarithm, to [ε, 1 − ε] with ε = 1e-7, shared by the
// cross-entropies on outputs that are already probabilities. Helpers, not kernels: index.ts does
// not export this file.

const FLOOR: f32 = 1e-7;
const CEILING: f32 = 1 - FLOOR;

// @ts-ignore: decorator
@inline export function clip(probability: f32): f32 {
  return min(max(probability, FLOOR), CEILING);
}

/** Whether the clip leaves the probability as it is, so that the loss has a slope there. */
// @ts-ignore: decorator
@inline export function inClip(probability: f32): bool {
  return probability >= FLOOR && probability <= CEILING;
}
