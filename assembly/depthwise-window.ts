// What the depthwise kernels share: which outputs' taps lie inside the image, addresses of signed
// offsets, and the four input lanes that output channels read (depthwise-conv2d.ts has the contract).

/** Adjacent outputs a 3×3 path takes at once (at stride 1, ten input pixels of each kernel row). */
export const BLOCK = 8;

/** The first i ≥ 0 with offset + i·step ≥ 0. */
// @ts-ignore: decorator
@inline export function firstInside(offset: i32, step: i32): i32 {
  return offset >= 0 ? 0 : (step - 1 - offset) / step;
}

/** One past the last i ≥ 0 with offset + i·step < limit (0 when there is none). */
// @ts-ignore: decorator
@inline export function endInside(offset: i32, step: i32, limit: i32): i32 {
  return offset >= limit ? 0 : (limit - 1 - offset) / step + 1;
}

/** Byte offset of a signed element count: addresses wrap in wasm32, so a window origin may lie before the image. */
// @ts-ignore: decorator
@inline export function bytes(elements: i32, elementBytes: usize): usize {
  return <usize>elements * elementBytes;
}

/** The input lanes of output channels o … o+3: x[o / dm] each (one load when dm is 1). */
// @ts-ignore: decorator
@inline export function repeatedLanes(pixel: usize, o: i32, dm: i32): v128 {
  if (dm == 1) return v128.load(pixel + (<usize>o << 2));
  let v = f32x4.splat(load<f32>(pixel + (<usize>(o / dm) << 2)));
  v = f32x4.replace_lane(v, 1, load<f32>(pixel + (<usize>((o + 1) / dm) << 2)));
  v = f32x4.replace_lane(v, 2, load<f32>(pixel + (<usize>((o + 2) / dm) << 2)));
  return f32x4.replace_lane(v, 3, load<f32>(pixel + (<usize>((o + 3) / dm) << 2)));
}

/** Four lanes laneBytes apart (one load when they are adjacent). */
// @ts-ignore: decorator
@inline export function stridedLanes(at: usize, laneBytes: usize): v128 {
  if (laneBytes == 4) return v128.load(at);
  let v = f32x4.splat(load<f32>(at));
  v = f32x4.replace_lane(v, 1, load<f32>(at + laneBytes));
  v = f32x4.replace_lane(v, 2, load<f32>(at + 2 * laneBytes));
  return f32x4.replace_lane(v, 3, load<f32>(at + 3 * laneBytes));
}

