// Up-sampling of NHWC images by whole factors (Keras's UpSampling2D), forward and backward.
//   nearest:  y[oy, ox] = x[oy / sizeHeight, ox / sizeWidth]: each pixel repeated size² times.
//   bilinear: tf.image.resize with half-pixel centres, as Keras computes it: output o of an axis
//             sits at input coordinate (o + ½)·in/out − ½ (clamped at 0) and blends the two pixels
//             around it, then the same along the other axis.
// Backward is the transpose: nearest sums the size² gradients of a pixel's copies; bilinear gives
// each input pixel its weighted share of every output that read it, outputs taken in order. Each
// example depends on itself alone and every sum runs in a fixed order, so any split of the batch
// gives the same bits. Channels go four at a time in f32x4 lanes, the last (channels mod 4) one by one.
import { blend, spreadCorners } from './bilinear-blend';
import { fill } from './elementwise';

export function upSampling2dForward(
  x: usize, y: usize, bilinear: i32,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, sizeHeight: i32, sizeWidth: i32,
): void {
  if (bilinear) forEachBilinearOutput(false, x, y, batch, inHeight, inWidth, channels, sizeHeight, sizeWidth);
  else nearestForward(x, y, batch, inHeight, inWidth, channels, sizeHeight, sizeWidth);
}

export function upSampling2dBackward(
  dy: usize, dx: usize, bilinear: i32,
  batch: i32, inHeight: i32, inWidth: i32, channels: i32, sizeHeight: i32, sizeWidth: i32,
): void {
  if (bilinear) {
    fill(dx, batch * inHeight * inWidth * channels, 0);
    forEachBilinearOutput(true, dx, dy, batch, inHeight, inWidth, channels, sizeHeight, sizeWidth);
  } else {
    nearestBackward(dy, dx, batch, inHeight, inWidth, channels, sizeHeight, sizeWidth);
  }
}

/** A pure copy: each input row becomes one output row, which is then repeated sizeHeight − 1 times. */
function nearestForward(x: usize, y: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32, sizeHeight: i32, sizeWidth: i32): void {
  const pixelBytes = <usize>channels << 2;
  const outRowBytes = <usize>inWidth * sizeWidth * pixelBytes;
  let from = x, to = y;
  for (let row = 0; row < batch * inHeight; row++) {
    const first = to;
    for (let ix = 0; ix < inWidth; ix++, from += pixelBytes) {
      for (let k = 0; k < sizeWidth; k++, to += pixelBytes) memory.copy(to, from, pixelBytes);
    }
    for (let k = 1; k < sizeHeight; k++, to += outRowBytes) memory.copy(to, first, outRowBytes);
  }
}

/** dx[iy, ix] = Σ over the size² copies of dy, rows then columns of the block. */
function nearestBackward(dy: usize, dx: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32, sizeHeight: i32, sizeWidth: i32): void {
  const outWidth = inWidth * sizeWidth;
  const rowBytes = (<usize>outWidth * channels) << 2;
  for (let row = 0; row < batch * inHeight; row++) {
    for (let ix = 0; ix < inWidth; ix++) {
      const block = dy + ((<usize>(row * sizeHeight * outWidth + ix * sizeWidth) * channels) << 2);
      const out = dx + ((<usize>(row * inWidth + ix) * channels) << 2);
      let c = 0;
      for (; c + 4 <= channels; c += 4) {
        let sum = f32x4.splat(0);
        for (let a = 0; a < sizeHeight; a++) {
          for (let b = 0; b < sizeWidth; b++) sum = f32x4.add(sum, v128.load(block + <usize>a * rowBytes + ((<usize>(b * channels + c)) << 2)));
        }
        v128.store(out + (<usize>c << 2), sum);
      }
      for (; c < channels; c++) {
        let sum: f32 = 0;
        for (let a = 0; a < sizeHeight; a++) {
          for (let b = 0; b < sizeWidth; b++) sum += load<f32>(block + <usize>a * rowBytes + ((<usize>(b * channels + c)) << 2));
        }
        store<f32>(out + (<usize>c << 2), sum);
      }
    }
  }
}

/**
 * The input coordinate of output `o` along an axis (half-pixel centres), clamped at 0: its whole
 * part is the pixel before, its fraction the weight of the pixel after (the last pixel at the edge).
 */
// @ts-ignore: decorator
@inline function source(o: i32, inSize: i32, outSize: i32): f32 {
  return max<f32>((<f32>o + 0.5) * (<f32>inSize / <f32>outSize) - 0.5, 0);
}

/**
 * The walk both bilinear passes share: every output pixel in order with the input pixel before it
 * (p), the byte steps to the pixels right of and below it (0 at the last column or row) and the
 * weights of those (fx, fy). Forward blends the four into y; backward spreads dy back over them.
 * `backward` is a constant at each call, so inlining drops the branch.
 */
// @ts-ignore: decorator
@inline function forEachBilinearOutput(
  backward: bool, image: usize, output: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32, sizeHeight: i32, sizeWidth: i32,
): void {
  const outHeight = inHeight * sizeHeight, outWidth = inWidth * sizeWidth;
  const pixelBytes = <usize>channels << 2;
  const rowBytes = <usize>inWidth * pixelBytes;
  let out = output;
  for (let b = 0; b < batch; b++) {
    const first = image + <usize>b * inHeight * rowBytes;
    for (let oy = 0; oy < outHeight; oy++) {
      const sy = source(oy, inHeight, outHeight);
      const top = <i32>sy;
      const below = top + 1 < inHeight ? rowBytes : 0;
      const fy = sy - <f32>top;
      for (let ox = 0; ox < outWidth; ox++, out += pixelBytes) {
        const sx = source(ox, inWidth, outWidth);
        const left = <i32>sx;
        const right = left + 1 < inWidth ? pixelBytes : 0;
        const fx = sx - <f32>left;
        const p = first + <usize>top * rowBytes + <usize>left * pixelBytes;
        if (!backward) {
          blend(p, right, below, fx, fy, out, channels);
          continue;
        }
        spreadCorners(out, p, right, below, fx, fy, channels);
      }
    }
  }
}
