// Images sampled through a 2×3 affine map per example: the kernel of Keras's RandomTranslation,
// RandomRotation and RandomZoom. The sampling is TensorFlow's ImageProjectiveTransformV3 (which
// Keras's layers call): output pixel (row r, column c) reads the input at column a0·c + a1·r + a2,
// row b0·c + b1·r + b2, those coordinates first folded into the image by the fill mode, then read
// nearest (rounded half away from zero) or bilinear; a tap outside the image reads fillValue.
import { multiplyAdd } from './multiply-add';

/** Fill modes, as the layers number them. */
const FILL_CONSTANT = 0, FILL_NEAREST = 1, FILL_REFLECT = 2, FILL_WRAP = 3;
/** Interpolations, as the layers number them. */
const NEAREST = 0;

// The taps of the pixel being sampled: byte offsets within the example (−1: outside, reads the
// fill) and weights. Globals, as a kernel runs on one thread of its own instance.
let offset0: isize = 0, offset1: isize = 0, offset2: isize = 0, offset3: isize = 0;
let weight0: f32 = 0, weight1: f32 = 0, weight2: f32 = 0, weight3: f32 = 0;

/** TensorFlow's MapCoordinate: a coordinate folded into [0, length − 1] as the fill mode extends the image. */
function mapCoordinate(at: f32, length: i32, mode: i32): f32 {
  if (mode == FILL_CONSTANT) return at;
  const last = <f32>(length - 1);
  if (mode == FILL_REFLECT) {
    const twice = <f32>length * 2;
    if (at < 0) {
      if (length <= 1) return 0;
      at = twice * Mathf.trunc(-at / twice) + at;
      at = at < <f32>-length ? at + twice : -at - 1;
    } else if (at > last) {
      if (length <= 1) return 0;
      at -= twice * Mathf.trunc(at / twice);
      if (at >= <f32>length) at = twice - at - 1;
    }
  } else if (mode == FILL_WRAP) {
    const span = <f32>(length - 1);
    if (at < 0) {
      if (length <= 1) return 0;
      at += <f32>length * (Mathf.trunc(-at / span) + 1);
    } else if (at > last) {
      if (length <= 1) return 0;
      at -= <f32>length * Mathf.trunc(at / span);
    }
  }
  return Mathf.min(Mathf.max(at, 0), last);
}

/** An index as i32, held within [−2, length + 1] first (beyond that every tap is outside alike). */
// @ts-ignore: decorator
@inline function index(at: f32, length: i32): i32 {
  return <i32>Mathf.min(Mathf.max(at, -2), <f32>(length + 1));
}

/** The byte offset of pixel (row, column) within an example, or −1 outside the image. */
// @ts-ignore: decorator
@inline function tap(row: i32, column: i32, height: i32, width: i32, pixel: usize): isize {
  return row >= 0 && row < height && column >= 0 && column < width ? <isize>((<usize>row * <usize>width + <usize>column) * pixel) : -1;
}

/** Sets the taps of output pixel (r, c) under transform t (6 f32s); returns the weight left to the fill. */
function setTaps(t: usize, r: i32, c: i32, height: i32, width: i32, pixel: usize, fillMode: i32, interpolation: i32): f32 {
  const column = mapCoordinate(load<f32>(t) * <f32>c + load<f32>(t, 4) * <f32>r + load<f32>(t, 8), width, fillMode);
  const row = mapCoordinate(load<f32>(t, 12) * <f32>c + load<f32>(t, 16) * <f32>r + load<f32>(t, 20), height, fillMode);
  if (interpolation == NEAREST) {
    offset0 = tap(index(roundHalfAway(row), height), index(roundHalfAway(column), width), height, width, pixel);
    weight0 = 1;
    offset1 = offset2 = offset3 = -1;
    weight1 = weight2 = weight3 = 0;
    return offset0 < 0 ? 1 : 0;
  }
  const top = Mathf.floor(row), left = Mathf.floor(column);
  const below = row - top, above = top + 1 - row, right = column - left, leftWeight = left + 1 - column;
  const r0 = index(top, height), c0 = index(left, width);
  offset0 = tap(r0, c0, height, width, pixel);
  offset1 = tap(r0, c0 + 1, height, width, pixel);
  offset2 = tap(r0 + 1, c0, height, width, pixel);
  offset3 = tap(r0 + 1, c0 + 1, height, width, pixel);
  weight0 = above * leftWeight;
  weight1 = above * right;
  weight2 = below * leftWeight;
  weight3 = below * right;
  let fill: f32 = 0;
  if (offset0 < 0) fill += weight0;
  if (offset1 < 0) fill += weight1;
  if (offset2 < 0) fill += weight2;
  if (offset3 < 0) fill += weight3;
  return fill;
}

// @ts-ignore: decorator
@inline function roundHalfAway(at: f32): f32 {
  return at < 0 ? -Mathf.floor(0.5 - at) : Mathf.floor(at + 0.5);
}

/** to[i] += weight·from[i] for i < channels: f32x4, then a scalar tail. */
function addScaled(to: usize, from: usize, weight: f32, channels: i32): void {
  const w = f32x4.splat(weight);
  let i = 0;
  for (; i + 4 <= channels; i += 4) {
    const at = <usize>i << 2;
    v128.store(to + at, multiplyAdd(w, v128.load(from + at), v128.load(to + at)));
  }
  for (; i < channels; i++) {
    const at = <usize>i << 2;
    store<f32>(to + at, load<f32>(to + at) + weight * load<f32>(from + at));
  }
}

/**
 * y[b] = x[b] sampled through transforms[b] (6 f32s per example: a0 a1 a2 b0 b1 b2, output column c
 * and row r reading input column a0·c + a1·r + a2, row b0·c + b1·r + b2), images x [batch, height,
 * width, channels] (NHWC), y [batch, outHeight, outWidth, channels]. fillMode: 0 constant (the f32
 * at address fill; an address, as job arguments are integers), 1 nearest, 2 reflect, 3 wrap, as
 * TensorFlow folds coordinates; interpolation: 0 nearest, 1 bilinear. x and y are distinct.
 */
export function affineTransformImages(
  x: usize, y: usize, transforms: usize, batch: i32, height: i32, width: i32, channels: i32, outHeight: i32, outWidth: i32,
  fillMode: i32, interpolation: i32, fill: usize,
): void {
  const fillValue = load<f32>(fill);
  const pixel = <usize>channels << 2, image = <usize>height * <usize>width * pixel, outImage = <usize>outHeight * <usize>outWidth * pixel;
  for (let b = 0; b < batch; b++) {
    const from = x + <usize>b * image, t = transforms + <usize>b * 24;
    let to = y + <usize>b * outImage;
    for (let r = 0; r < outHeight; r++) {
      for (let c = 0; c < outWidth; c++, to += pixel) {
        const fill = setTaps(t, r, c, height, width, pixel, fillMode, interpolation) * fillValue;
        for (let i: usize = 0; i < pixel; i += 4) store<f32>(to + i, fill);
        if (offset0 >= 0) addScaled(to, from + offset0, weight0, channels);
        if (offset1 >= 0) addScaled(to, from + offset1, weight1, channels);
        if (offset2 >= 0) addScaled(to, from + offset2, weight2, channels);
        if (offset3 >= 0) addScaled(to, from + offset3, weight3, channels);
      }
    }
  }
}

/**
 * The gradient of affineTransformImages: dx[b] = the transposed sampling of dy[b], each output
 * pixel's gradient scattered back onto its taps with their weights (the fill takes none). Pixels
 * are visited in order within an example, so the sums are the same on every run.
 */
export function affineTransformImagesBackward(
  dy: usize, dx: usize, transforms: usize, batch: i32, height: i32, width: i32, channels: i32, outHeight: i32, outWidth: i32,
  fillMode: i32, interpolation: i32,
): void {
  const pixel = <usize>channels << 2, image = <usize>height * <usize>width * pixel, outImage = <usize>outHeight * <usize>outWidth * pixel;
  memory.fill(dx, 0, <usize>batch * image);
  for (let b = 0; b < batch; b++) {
    const to = dx + <usize>b * image, t = transforms + <usize>b * 24;
    let from = dy + <usize>b * outImage;
    for (let r = 0; r < outHeight; r++) {
      for (let c = 0; c < outWidth; c++, from += pixel) {
        setTaps(t, r, c, height, width, pixel, fillMode, interpolation);
        if (offset0 >= 0) addScaled(to + offset0, from, weight0, channels);
        if (offset1 >= 0) addScaled(to + offset1, from, weight1, channels);
        if (offset2 >= 0) addScaled(to + offset2, from, weight2, channels);
        if (offset3 >= 0) addScaled(to + offset3, from, weight3, channels);
      }
    }
  }
}
