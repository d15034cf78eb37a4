// Resizing of NHWC images to any size (Keras's Resizing; ONNX's Resize), forward and backward.
// Output o of an axis of `inSize` pixels resized to `outSize` reads input coordinate s(o), by the
// coordinate mode (ONNX's coordinate_transformation_mode; scale = inSize / outSize, in f32 as
// PyTorch computes it):
//   0 half_pixel          s = (o + ½)·scale − ½
//   1 pytorch_half_pixel  as half_pixel, but 0 when outSize is 1
//   2 align_corners       s = o·(inSize − 1)/(outSize − 1), 0 when outSize is 1
//   3 asymmetric          s = o·scale
// Bilinear blends the two pixels around s (s clamped to [0, inSize − 1]), then the same along the
// other axis. Nearest takes the pixel nearest s, halves rounded up (TensorFlow's half-pixel
// nearest), except asymmetric, which takes the pixel at or before s (PyTorch's nearest).
// Backward is the transpose: each input pixel gets its weighted share of every output that read
// it, outputs taken in order. Each example depends on itself alone and every sum runs in a fixed
// order, so any split of the batch gives the same bits. Channels go four at a time in f32x4 lanes,
// the last (channels mod 4) one by one.
import { blend, spread, spreadCorners } from './bilinear-blend';
import { fill } from './elementwise';

const ASYMMETRIC = 3;

export function resizeForward(
  x: usize, y: usize, bilinear: i32, coordinates: i32,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
): void {
  forEachOutput(false, bilinear != 0, coordinates, x, y, batch, inHeight, inWidth, channels, outHeight, outWidth);
}

export function resizeBackward(
  dy: usize, dx: usize, bilinear: i32, coordinates: i32,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
): void {
  fill(dx, batch * inHeight * inWidth * channels, 0);
  forEachOutput(true, bilinear != 0, coordinates, dx, dy, batch, inHeight, inWidth, channels, outHeight, outWidth);
}

/** The input coordinate output `o` reads along an axis, by the coordinate mode (see the top). */
// @ts-ignore: decorator
@inline function source(coordinates: i32, o: i32, inSize: i32, outSize: i32): f32 {
  if (coordinates == 2) return outSize == 1 ? 0 : <f32>o * (<f32>(inSize - 1) / <f32>(outSize - 1));
  const scale = <f32>inSize / <f32>outSize;
  if (coordinates == ASYMMETRIC) return <f32>o * scale;
  if (coordinates == 1 && outSize == 1) return 0;
  return (<f32>o + 0.5) * scale - 0.5;
}

/** The pixel before coordinate s within [0, size − 1] (bilinear), or the pixel nearest it (nearest). */
// @ts-ignore: decorator
@inline function pixel(s: f32, nearest: bool, coordinates: i32, size: i32): i32 {
  const at = nearest && coordinates != ASYMMETRIC ? s + 0.5 : s;
  return min(<i32>Mathf.floor(max<f32>(at, 0)), size - 1);
}

/**
 * The walk both passes share: every output pixel in order with the input pixel before its source
 * (p), the byte steps to the pixels right of and below it (0 at the last column or row) and the
 * weights of those (fx, fy). Forward blends the four into y (nearest: copies p); backward spreads
 * dy back over them. `backward` is a constant at each call, so inlining drops the branch.
 */
// @ts-ignore: decorator
@inline function forEachOutput(
  backward: bool, bilinear: bool, coordinates: i32, image: usize, output: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
): void {
  const pixelBytes = <usize>channels << 2;
  const rowBytes = <usize>inWidth * pixelBytes;
  let out = output;
  for (let b = 0; b < batch; b++) {
    const first = image + <usize>b * inHeight * rowBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const sy = min<f32>(max<f32>(source(coordinates, oy, inHeight, outHeight), 0), <f32>(inHeight - 1));
      const top = pixel(sy, !bilinear, coordinates, inHeight);
      const below = top + 1 < inHeight ? rowBytes : 0;
      const fy = sy - <f32>top;
      for (let ox = 0; ox < outWidth; ox++, out += pixelBytes) {
        const sx = min<f32>(max<f32>(source(coordinates, ox, inWidth, outWidth), 0), <f32>(inWidth - 1));
        const left = pixel(sx, !bilinear, coordinates, inWidth);
        const p = first + <usize>top * rowBytes + <usize>left * pixelBytes;
        if (!bilinear) {
          if (backward) spread(out, p, 1, channels);
          else memory.copy(out, p, pixelBytes);
          continue;
        }
        const right = left + 1 < inWidth ? pixelBytes : 0;
        const fx = sx - <f32>left;
        if (!backward) {
          blend(p, right, below, fx, fy, out, channels);
          continue;
        }
        spreadCorners(out, p, right, below, fx, fy, channels);
      }
    }
  }
}
