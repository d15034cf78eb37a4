// The maximum of a 2×2 window and where it lies, four channels at a time: the step every 2×2 max
// pooling takes, in the pooling kernel and in a convolution that pools its own output (conv2d.ts).
// One definition, so both give the same bits and the same argmax.

/** Indices at, at + 1, at + 2, at + 3: where four lanes of channels come from. */
// @ts-ignore: decorator
@inline export function laneIndices(at: i32): v128 {
  return i32x4.add(i32x4.splat(at), i32x4(0, 1, 2, 3));
}

/** Per lane, `later` where value > best (strictly: ties keep the first in window order), else `index`. */
// @ts-ignore: decorator
@inline export function laterIfGreater(index: v128, later: v128, value: v128, best: v128): v128 {
  return v128.bitselect(later, index, f32x4.gt(value, best));
}

/** The largest of a window's four values, taken in window order: here, right, below, below right. */
// @ts-ignore: decorator
@inline export function windowMax(here: v128, right: v128, below: v128, belowRight: v128): v128 {
  return f32x4.pmax(f32x4.pmax(f32x4.pmax(here, right), below), belowRight);
}

/**
 * The index of windowMax's value, the first in window order on ties: `index` holds the indices of
 * `here`, `rightStep` and `belowStep` how far the others are.
 */
// @ts-ignore: decorator
@inline export function windowArgmax(
  index: v128, rightStep: v128, belowStep: v128, here: v128, right: v128, below: v128, belowRight: v128,
): v128 {
  let best = here, chosen = index;
  chosen = laterIfGreater(chosen, i32x4.add(index, rightStep), right, best);
  best = f32x4.pmax(best, right);
  chosen = laterIfGreater(chosen, i32x4.add(index, belowStep), below, best);
  best = f32x4.pmax(best, below);
  return laterIfGreater(chosen, i32x4.add(i32x4.add(index, belowStep), rightStep), belowRight, best);
}
