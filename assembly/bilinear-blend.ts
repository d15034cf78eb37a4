// The two steps of bilinear interpolation on NHWC pixels: blending four pixels into an output, and
// spreading an output's gradient back over them.
// Not kernels themselves (assembly/index.ts does not export this file).
import { multiplyAdd } from './multiply-add';

/** y = top + (bottom − top)·fy, top and bottom each a + (b − a)·fx of two pixels, as TensorFlow's lerps. */
// @ts-ignore: decorator
@inline export function blend(p: usize, right: usize, below: usize, fx: f32, fy: f32, y: usize, channels: i32): void {
  const vx = f32x4.splat(fx), vy = f32x4.splat(fy);
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    const at = p + (<usize>c << 2);
    const topLeft = v128.load(at), bottomLeft = v128.load(at + below);
    const top = multiplyAdd(f32x4.sub(v128.load(at + right), topLeft), vx, topLeft);
    const bottom = multiplyAdd(f32x4.sub(v128.load(at + below + right), bottomLeft), vx, bottomLeft);
    v128.store(y + (<usize>c << 2), multiplyAdd(f32x4.sub(bottom, top), vy, top));
  }
  for (; c < channels; c++) {
    const at = p + (<usize>c << 2);
    const topLeft = load<f32>(at), bottomLeft = load<f32>(at + below);
    const top = topLeft + (load<f32>(at + right) - topLeft) * fx;
    const bottom = bottomLeft + (load<f32>(at + below + right) - bottomLeft) * fx;
    store<f32>(y + (<usize>c << 2), top + (bottom - top) * fy);
  }
}

/** dx += dy·weight over one pixel's channels. */
// @ts-ignore: decorator
@inline export function spread(dy: usize, dx: usize, weight: f32, channels: i32): void {
  const w = f32x4.splat(weight);
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    const at = <usize>c << 2;
    v128.store(dx + at, multiplyAdd(v128.load(dy + at), w, v128.load(dx + at)));
  }
  for (; c < channels; c++) {
    const at = <usize>c << 2;
    store<f32>(dx + at, load<f32>(dx + at) + load<f32>(dy + at) * weight);
  }
}

/**
 * An output's gradient dy spread over the four pixels it blended (p, p + right, p + below and
 * p + below + right), in the forward pass's order; at an edge two corners are one pixel and both
 * shares add up there.
 */
// @ts-ignore: decorator
@inline export function spreadCorners(dy: usize, p: usize, right: usize, below: usize, fx: f32, fy: f32, channels: i32): void {
  spread(dy, p, (1 - fy) * (1 - fx), channels);
  spread(dy, p + right, (1 - fy) * fx, channels);
  spread(dy, p + below, fy * (1 - fx), channels);
  spread(dy, p + below + right, fy * fx, channels);
}
