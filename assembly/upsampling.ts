// Nearest up-sampling of NHWC images by whole factors (Keras's UpSampling2D), forward and backward:
// y[oy, ox] = x[oy / sizeHeight, ox / sizeWidth], each pixel repeated size² times; backward sums
// the size² gradients of a pixel's copies, in a fixed order, so any split of the batch gives the
// same bits. (Bilinear up-sampling is resizing with half-pixel centres: assembly/resize.ts.)
// Channels go four at a time in f32x4 lanes, the last (channels mod 4) one by one.

/** A pure copy: each input row becomes one output row, which is then repeated sizeHeight − 1 times. */
export function upSampling2dForward(x: usize, y: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32, sizeHeight: i32, sizeWidth: i32): void {
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
export function upSampling2dBackward(dy: usize, dx: usize, batch: i32, inHeight: i32, inWidth: i32, channels: i32, sizeHeight: i32, sizeWidth: i32): void {
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
