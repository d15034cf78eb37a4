// Plain reference for affineTransformImages (assembly/affine-images.ts), written from TensorFlow's
// ImageProjectiveTransformV3 as Keras calls it: each output value read on its own, f32 throughout.

const f = Math.fround;

/** Fill modes and interpolations, numbered as the kernel takes them. */
export const FILL_MODES = ['constant', 'nearest', 'reflect', 'wrap'] as const;
export const INTERPOLATIONS = ['nearest', 'bilinear'] as const;

/** TensorFlow's MapCoordinate. */
function mapCoordinate(at: number, length: number, mode: number): number {
  if (mode === 0) return at;
  if (mode === 2) {
    const twice = 2 * length;
    if (at < 0) {
      if (length <= 1) return 0;
      at = f(twice * Math.trunc(f(-at / twice)) + at);
      at = at < -length ? f(at + twice) : f(-at - 1);
    } else if (at > length - 1) {
      if (length <= 1) return 0;
      at = f(at - twice * Math.trunc(f(at / twice)));
      if (at >= length) at = f(twice - at - 1);
    }
  } else if (mode === 3) {
    const span = length - 1;
    if (at < 0) {
      if (length <= 1) return 0;
      at = f(at + length * (Math.trunc(f(-at / span)) + 1));
    } else if (at > length - 1) {
      if (length <= 1) return 0;
      at = f(at - length * Math.trunc(f(at / span)));
    }
  }
  return Math.min(Math.max(at, 0), length - 1);
}

/** C's round: half away from zero. */
const round = (v: number) => Math.sign(v) * Math.floor(Math.abs(v) + 0.5);

export function affineTransformImages(
  x: Float32Array, transforms: Float32Array, batch: number, height: number, width: number, channels: number,
  fillMode: number, interpolation: number, fillValue: number, outHeight = height, outWidth = width,
): Float32Array {
  const y = new Float32Array(batch * outHeight * outWidth * channels);
  for (let b = 0; b < batch; b++) {
    const [a0, a1, a2, b0, b1, b2] = transforms.subarray(b * 6, b * 6 + 6);
    const read = (row: number, column: number, ch: number) =>
      row >= 0 && row < height && column >= 0 && column < width ? x[((b * height + row) * width + column) * channels + ch] : f(fillValue);
    for (let r = 0; r < outHeight; r++) {
      for (let c = 0; c < outWidth; c++) {
        const inX = mapCoordinate(f(f(f(a0 * c) + f(a1 * r)) + a2), width, fillMode);
        const inY = mapCoordinate(f(f(f(b0 * c) + f(b1 * r)) + b2), height, fillMode);
        for (let ch = 0; ch < channels; ch++) {
          let v: number;
          if (interpolation === 0) v = read(round(inY), round(inX), ch);
          else {
            const yFloor = Math.floor(inY), xFloor = Math.floor(inX);
            const top = (xFloor + 1 - inX) * read(yFloor, xFloor, ch) + (inX - xFloor) * read(yFloor, xFloor + 1, ch);
            const bottom = (xFloor + 1 - inX) * read(yFloor + 1, xFloor, ch) + (inX - xFloor) * read(yFloor + 1, xFloor + 1, ch);
            v = (yFloor + 1 - inY) * top + (inY - yFloor) * bottom;
          }
          y[((b * outHeight + r) * outWidth + c) * channels + ch] = v;
        }
      }
    }
  }
  return y;
}
