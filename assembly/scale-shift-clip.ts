// The per-example colour adjustments of Keras's RandomBrightness and RandomContrast: each channel of
// each image scaled and shifted, then clipped to the images' value range.
import { multiplyAdd } from './multiply-add';

/**
 * y[b, p, c] = clip(x[b, p, c]·scales[b] + offsets[b·channels + c], low, high) over images
 * [batch, pixels, channels]. x and y may be one buffer.
 */
export function scaleShiftClip(
  x: usize, y: usize, scales: usize, offsets: usize, batch: i32, pixels: i32, channels: i32, low: f32, high: f32,
): void {
  forEachScaledValue(false, x, 0, y, scales, offsets, batch, pixels, channels, low, high);
}

/**
 * The clip's gradient: dx = dy where low ≤ x·scales[b] + offsets[b·channels + c] ≤ high (the value
 * scaleShiftClip computed, the bounds passing as TensorFlow's clip passes them), else 0. The scale
 * is not applied: the layers know what else depends on x.
 */
export function scaleShiftClipGradient(
  x: usize, dy: usize, dx: usize, scales: usize, offsets: usize, batch: i32, pixels: i32, channels: i32, low: f32, high: f32,
): void {
  forEachScaledValue(true, x, dy, dx, scales, offsets, batch, pixels, channels, low, high);
}

/**
 * The walk both passes share: v = x·scales[b] + offsets[b·channels + c] for every value, then to
 * `out` the clipped v (forward) or dy where the clip passed v (gradient). `gradient` is a constant
 * at each call, so inlining drops the branch.
 */
// @ts-ignore: decorator
@inline function forEachScaledValue(
  gradient: bool, x: usize, dy: usize, out: usize, scales: usize, offsets: usize,
  batch: i32, pixels: i32, channels: i32, low: f32, high: f32,
): void {
  const lows = f32x4.splat(low), highs = f32x4.splat(high);
  const row = <usize>channels << 2;
  for (let b = 0; b < batch; b++) {
    const scale = load<f32>(scales + (<usize>b << 2)), scale4 = f32x4.splat(scale), offset = offsets + <usize>b * row;
    for (let p = 0; p < pixels; p++) {
      const at = (<usize>b * <usize>pixels + <usize>p) * row;
      let c = 0;
      for (; c + 4 <= channels; c += 4) {
        const i = <usize>c << 2;
        const v = multiplyAdd(v128.load(x + at + i), scale4, v128.load(offset + i));
        v128.store(out + at + i, gradient
          ? v128.and(v128.load(dy + at + i), v128.and(f32x4.ge(v, lows), f32x4.le(v, highs)))
          : f32x4.min(f32x4.max(v, lows), highs));
      }
      for (; c < channels; c++) {
        const i = <usize>c << 2;
        const v = load<f32>(x + at + i) * scale + load<f32>(offset + i);
        store<f32>(out + at + i, gradient ? (v >= low && v <= high ? load<f32>(dy + at + i) : 0) : Mathf.min(Mathf.max(v, low), high));
      }
    }
  }
}
