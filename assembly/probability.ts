// What the cross-entropies share: Keras's clip of probabilities before a logarithm, to [ε, 1 − ε]
// with ε = 1e-7, and its label smoothing. Helpers, not kernels: index.ts does not export this file.

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

/** A target smoothed towards the uniform distribution over `classes` (2 for a yes/no): t·(1 − ls) + ls/classes. */
// @ts-ignore: decorator
@inline export function smoothed(target: f32, labelSmoothing: f32, classes: i32): f32 {
  return labelSmoothing == 0 ? target : target * (1 - labelSmoothing) + labelSmoothing / <f32>classes;
}
