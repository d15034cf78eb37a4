// Resizing of NHWC images to any size (Keras's Resizing; ONNX's Resize), forward and backward.
// Output o of an axis of `inSize` pixels resized to `outSize` reads input coordinate s(o), by the
// coordinate mode (ONNX's coordinate_transformation_mode). Without a scale, r = inSize / outSize in
// f32, as TensorFlow and PyTorch compute it:
//   0 half_pixel          s = (o + ½)·r − ½
//   1 pytorch_half_pixel  as half_pixel, but 0 when outSize is 1
//   2 align_corners       s = o·(inSize − 1)/(outSize − 1), 0 when outSize is 1 (the product first, as ONNX Runtime)
//   3 asymmetric          s = o·r
// With an axis's scale (ONNX's `scales`, whose in·scale need not be whole), ONNX's own formulas
// divide by it instead: (o + ½)/scale − ½, and o/scale (align_corners does not use it).
// Nearest takes the pixel nearest s, halves rounded up (TensorFlow's half-pixel nearest), except
// asymmetric, which takes the pixel at or before s (PyTorch's nearest); bilinear blends the two
// pixels around s (s clamped to [0, inSize − 1]); both then along the other axis. Bicubic is Keys'
// cubic convolution with coefficient a over the pixels floor(s) − 1 … floor(s) + 2 (s not clamped;
// pixels beyond the edge read the edge pixel), rows combined first: with EXCLUDE_OUTSIDE, pixels
// beyond the edge weigh 0 and the other weights are divided by their sum (ONNX's exclude_outside,
// and TensorFlow's); with TABLE, the fraction s − floor(s) is first rounded to 1/1024, as
// TensorFlow's table of weights does (Keras's bicubic).
// Backward is the transpose: each input pixel gets its weighted share of every output that read
// it, outputs taken in order. Each example depends on itself alone and every sum runs in a fixed
// order, so any split of the batch gives the same bits. Channels go four at a time in f32x4 lanes,
// the last (channels mod 4) one by one.
import { blend, spread, spreadCorners } from './bilinear-blend';
import { fill } from './elementwise';
import { multiplyAdd } from './multiply-add';

const ASYMMETRIC = 3;
/** `interpolation`: 0 nearest, 1 bilinear, 2 bicubic; bicubic's options are bits above. */
const BILINEAR = 1;
const BICUBIC = 2;
const EXCLUDE_OUTSIDE = 4;
const TABLE = 8;
const TABLE_STEPS: f32 = 1024;

/**
 * `params` is the address of 3 f32s: the height's and the width's scale (0: by the sizes, r above)
 * and bicubic's coefficient a; or 0 when there are none (no scales, not bicubic).
 */
export function resizeForward(
  x: usize, y: usize, interpolation: i32, coordinates: i32, params: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
): void {
  forEachOutput(false, interpolation, coordinates, params, x, y, batch, inHeight, inWidth, channels, outHeight, outWidth);
}

export function resizeBackward(
  dy: usize, dx: usize, interpolation: i32, coordinates: i32, params: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
): void {
  fill(dx, batch * inHeight * inWidth * channels, 0);
  forEachOutput(true, interpolation, coordinates, params, dx, dy, batch, inHeight, inWidth, channels, outHeight, outWidth);
}

/** The input coordinate output `o` reads along an axis, by the coordinate mode and the axis's scale (0: none; see the top). */
// @ts-ignore: decorator
@inline function source(coordinates: i32, o: i32, inSize: i32, outSize: i32, scale: f32): f32 {
  if (coordinates == 2) return outSize == 1 ? 0 : <f32>(o * (inSize - 1)) / <f32>(outSize - 1);
  if (coordinates == 1 && outSize == 1) return 0;
  if (scale != 0) return coordinates == ASYMMETRIC ? <f32>o / scale : (<f32>o + 0.5) / scale - 0.5;
  const ratio = <f32>inSize / <f32>outSize;
  if (coordinates == ASYMMETRIC) return <f32>o * ratio;
  return (<f32>o + 0.5) * ratio - 0.5;
}

/** The f32 parameter at params + offset (0 without params). */
// @ts-ignore: decorator
@inline function parameter(params: usize, offset: usize): f32 {
  return params ? load<f32>(params + offset) : 0;
}

/** The pixel before coordinate s within [0, size − 1] (bilinear), or the pixel nearest it (nearest). */
// @ts-ignore: decorator
@inline function pixel(s: f32, nearest: bool, coordinates: i32, size: i32): i32 {
  const at = nearest && coordinates != ASYMMETRIC ? s + 0.5 : s;
  return min(<i32>Mathf.floor(max<f32>(at, 0)), size - 1);
}

/**
 * The walk both passes share: every output pixel in order. Nearest and bilinear take the input
 * pixel before its source (p), the byte steps to the pixels right of and below it (0 at the last
 * column or row) and the weights of those (fx, fy): forward blends the four into y (nearest: copies
 * p); backward spreads dy back over them. Bicubic takes the four rows around the source (r0…r3,
 * weights wy0…wy3) and hands each output to cubicOutput. `backward` is a constant at each call, so
 * inlining drops the branch.
 */
// @ts-ignore: decorator
@inline function forEachOutput(
  backward: bool, interpolation: i32, coordinates: i32, params: usize, image: usize, output: usize,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, outHeight: i32, outWidth: i32,
): void {
  const cubic = (interpolation & 3) == BICUBIC, bilinear = interpolation == BILINEAR;
  const heightScale = parameter(params, 0), widthScale = parameter(params, 4), a = parameter(params, 8);
  const pixelBytes = <usize>channels << 2;
  const rowBytes = <usize>inWidth * pixelBytes;
  let out = output;
  for (let b = 0; b < batch; b++) {
    const first = image + <usize>b * inHeight * rowBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const sy = source(coordinates, oy, inHeight, outHeight, heightScale);
      if (cubic) {
        cubicTaps(sy, a, interpolation, inHeight, rowBytes);
        const r0 = first + tap0, r1 = first + tap1, r2 = first + tap2, r3 = first + tap3;
        const wy0 = weight0, wy1 = weight1, wy2 = weight2, wy3 = weight3;
        for (let ox = 0; ox < outWidth; ox++, out += pixelBytes) {
          cubicTaps(source(coordinates, ox, inWidth, outWidth, widthScale), a, interpolation, inWidth, pixelBytes);
          cubicOutput(backward, out, r0, r1, r2, r3, wy0, wy1, wy2, wy3, channels);
        }
        continue;
      }
      const clampedY = min<f32>(max<f32>(sy, 0), <f32>(inHeight - 1));
      const top = pixel(clampedY, !bilinear, coordinates, inHeight);
      const below = top + 1 < inHeight ? rowBytes : 0;
      const fy = clampedY - <f32>top;
      for (let ox = 0; ox < outWidth; ox++, out += pixelBytes) {
        const sx = min<f32>(max<f32>(source(coordinates, ox, inWidth, outWidth, widthScale), 0), <f32>(inWidth - 1));
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

// The four pixels one bicubic output reads along an axis (byte offsets, the edge pixel for those
// beyond it) and their weights: cubicTaps' results, read at once into locals.
let tap0: usize = 0, tap1: usize = 0, tap2: usize = 0, tap3: usize = 0;
let weight0: f32 = 0, weight1: f32 = 0, weight2: f32 = 0, weight3: f32 = 0;

/** Keys' weight of a pixel at distance d ≤ 1 from s. */
// @ts-ignore: decorator
@inline function near(d: f32, a: f32): f32 {
  return ((a + 2) * d - (a + 3)) * d * d + 1;
}

/** Keys' weight of a pixel at distance 1 ≤ d ≤ 2 from s. */
// @ts-ignore: decorator
@inline function far(d: f32, a: f32): f32 {
  return ((a * d - 5 * a) * d + 8 * a) * d - 4 * a;
}

/** The byte offset of pixel i of an axis of `size` pixels `step` bytes apart, i clamped to the image. */
// @ts-ignore: decorator
@inline function clampedTap(i: i32, size: i32, step: usize): usize {
  return <usize>min(max(i, 0), size - 1) * step;
}

/** Sets tap0…tap3 and weight0…weight3 for coordinate s on an axis of `size` pixels `step` bytes apart. */
function cubicTaps(s: f32, a: f32, options: i32, size: i32, step: usize): void {
  const floor = Mathf.floor(s);
  let t = s - floor;
  if (options & TABLE) t = nearest<f32>(t * TABLE_STEPS) / TABLE_STEPS;
  const first = <i32>floor - 1;
  weight0 = far(1 + t, a);
  weight1 = near(t, a);
  weight2 = near(1 - t, a);
  weight3 = far(2 - t, a);
  if (options & EXCLUDE_OUTSIDE) {
    if (first < 0 || first >= size) weight0 = 0;
    if (first + 1 < 0 || first + 1 >= size) weight1 = 0;
    if (first + 2 < 0 || first + 2 >= size) weight2 = 0;
    if (first + 3 < 0 || first + 3 >= size) weight3 = 0;
    const sum = weight0 + weight1 + weight2 + weight3;
    if (sum != 0) {
      weight0 /= sum;
      weight1 /= sum;
      weight2 /= sum;
      weight3 /= sum;
    }
  }
  tap0 = clampedTap(first, size, step);
  tap1 = clampedTap(first + 1, size, step);
  tap2 = clampedTap(first + 2, size, step);
  tap3 = clampedTap(first + 3, size, step);
}

/** Σ w_i·x[at + c_i] over four pixels' four channels, in order. */
// @ts-ignore: decorator
@inline function cubicRow(at: usize, c0: usize, c1: usize, c2: usize, c3: usize, w0: v128, w1: v128, w2: v128, w3: v128): v128 {
  return multiplyAdd(v128.load(at + c3), w3, multiplyAdd(v128.load(at + c2), w2, multiplyAdd(v128.load(at + c1), w1, f32x4.mul(v128.load(at + c0), w0))));
}

/** The same for one channel. */
// @ts-ignore: decorator
@inline function cubicRowScalar(at: usize, c0: usize, c1: usize, c2: usize, c3: usize, w0: f32, w1: f32, w2: f32, w3: f32): f32 {
  return load<f32>(at + c0) * w0 + load<f32>(at + c1) * w1 + load<f32>(at + c2) * w2 + load<f32>(at + c3) * w3;
}

/**
 * One bicubic output at `out` from rows r0…r3 (weights wy0…wy3) and the columns cubicTaps left in
 * tap0…tap3 (weights weight0…weight3): forward sums each row's four pixels, then the four rows;
 * backward spreads dy over the sixteen pixels, row by row.
 */
// @ts-ignore: decorator
@inline function cubicOutput(backward: bool, out: usize, r0: usize, r1: usize, r2: usize, r3: usize,
  wy0: f32, wy1: f32, wy2: f32, wy3: f32, channels: i32): void {
  const c0 = tap0, c1 = tap1, c2 = tap2, c3 = tap3;
  const wx0 = weight0, wx1 = weight1, wx2 = weight2, wx3 = weight3;
  if (backward) {
    spreadRow(out, r0, c0, c1, c2, c3, wy0, wx0, wx1, wx2, wx3, channels);
    spreadRow(out, r1, c0, c1, c2, c3, wy1, wx0, wx1, wx2, wx3, channels);
    spreadRow(out, r2, c0, c1, c2, c3, wy2, wx0, wx1, wx2, wx3, channels);
    spreadRow(out, r3, c0, c1, c2, c3, wy3, wx0, wx1, wx2, wx3, channels);
    return;
  }
  const vx0 = f32x4.splat(wx0), vx1 = f32x4.splat(wx1), vx2 = f32x4.splat(wx2), vx3 = f32x4.splat(wx3);
  const vy0 = f32x4.splat(wy0), vy1 = f32x4.splat(wy1), vy2 = f32x4.splat(wy2), vy3 = f32x4.splat(wy3);
  let c = 0;
  for (; c + 4 <= channels; c += 4) {
    const at = <usize>c << 2;
    let sum = f32x4.mul(cubicRow(r0 + at, c0, c1, c2, c3, vx0, vx1, vx2, vx3), vy0);
    sum = multiplyAdd(cubicRow(r1 + at, c0, c1, c2, c3, vx0, vx1, vx2, vx3), vy1, sum);
    sum = multiplyAdd(cubicRow(r2 + at, c0, c1, c2, c3, vx0, vx1, vx2, vx3), vy2, sum);
    v128.store(out + at, multiplyAdd(cubicRow(r3 + at, c0, c1, c2, c3, vx0, vx1, vx2, vx3), vy3, sum));
  }
  for (; c < channels; c++) {
    const at = <usize>c << 2;
    store<f32>(out + at, cubicRowScalar(r0 + at, c0, c1, c2, c3, wx0, wx1, wx2, wx3) * wy0 +
      cubicRowScalar(r1 + at, c0, c1, c2, c3, wx0, wx1, wx2, wx3) * wy1 +
      cubicRowScalar(r2 + at, c0, c1, c2, c3, wx0, wx1, wx2, wx3) * wy2 +
      cubicRowScalar(r3 + at, c0, c1, c2, c3, wx0, wx1, wx2, wx3) * wy3);
  }
}

/** An output's gradient dy spread over the four pixels of one row it read, each by wy·wx_i. */
// @ts-ignore: decorator
@inline function spreadRow(dy: usize, row: usize, c0: usize, c1: usize, c2: usize, c3: usize,
  wy: f32, wx0: f32, wx1: f32, wx2: f32, wx3: f32, channels: i32): void {
  spread(dy, row + c0, wy * wx0, channels);
  spread(dy, row + c1, wy * wx1, channels);
  spread(dy, row + c2, wy * wx2, channels);
  spread(dy, row + c3, wy * wx3, channels);
}
