// Naive references for resizing to any size, in f64: every output pixel as a weighted sum of input
// pixels, from ONNX Resize's formulas (coordinate_transformation_mode; linear, or nearest with
// round_prefer_ceil, floor for asymmetric as PyTorch exports it), backward as the transpose of the
// same weights. Source coordinates are rounded to f32 as the kernels (and PyTorch) compute them, so
// that a nearest pixel at an exact tie is the same one.
import type { ResizeCoordinates } from '../../src/backend/kernels.js';

export interface ResizeShape {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
}

const f = Math.fround;

/** ONNX's x_original of output o along an axis resized from inSize to outSize pixels. */
export function sourceCoordinate(mode: ResizeCoordinates, o: number, inSize: number, outSize: number): number {
  if (mode === 'align_corners') return outSize === 1 ? 0 : f(o * f(f(inSize - 1) / f(outSize - 1)));
  const scale = f(inSize / outSize);
  if (mode === 'asymmetric') return f(o * scale);
  if (mode === 'pytorch_half_pixel' && outSize === 1) return 0;
  return f(f((o + 0.5) * scale) - 0.5);
}

/** [input index along the axis, weight] pairs that output `o` reads. */
function axisWeights(mode: ResizeCoordinates, bilinear: boolean, o: number, inSize: number, outSize: number): Array<[number, number]> {
  const at = Math.min(Math.max(sourceCoordinate(mode, o, inSize, outSize), 0), inSize - 1);
  if (!bilinear) return [[Math.min(mode === 'asymmetric' ? Math.floor(at) : Math.floor(at + 0.5), inSize - 1), 1]];
  const low = Math.floor(at), fraction = at - low;
  return [[low, 1 - fraction], [Math.min(low + 1, inSize - 1), fraction]];
}

/** Calls visit(inputIndex, outputIndex, weight) for every input pixel an output pixel reads, channel by channel. */
function forEachWeight(s: ResizeShape, bilinear: boolean, mode: ResizeCoordinates, visit: (inIndex: number, outIndex: number, weight: number) => void) {
  for (let b = 0; b < s.batch; b++) {
    for (let oy = 0; oy < s.outHeight; oy++) {
      for (let ox = 0; ox < s.outWidth; ox++) {
        for (const [iy, wy] of axisWeights(mode, bilinear, oy, s.inHeight, s.outHeight)) {
          for (const [ix, wx] of axisWeights(mode, bilinear, ox, s.inWidth, s.outWidth)) {
            for (let c = 0; c < s.channels; c++) {
              visit(((b * s.inHeight + iy) * s.inWidth + ix) * s.channels + c, ((b * s.outHeight + oy) * s.outWidth + ox) * s.channels + c, wy * wx);
            }
          }
        }
      }
    }
  }
}

export function resizeForward(x: Float32Array, s: ResizeShape, bilinear: boolean, mode: ResizeCoordinates): Float32Array {
  const y = new Float64Array(s.batch * s.outHeight * s.outWidth * s.channels);
  forEachWeight(s, bilinear, mode, (i, o, w) => { y[o] += w * x[i]; });
  return Float32Array.from(y);
}

export function resizeBackward(dy: Float32Array, s: ResizeShape, bilinear: boolean, mode: ResizeCoordinates): Float32Array {
  const dx = new Float64Array(s.batch * s.inHeight * s.inWidth * s.channels);
  forEachWeight(s, bilinear, mode, (i, o, w) => { dx[i] += w * dy[o]; });
  return Float32Array.from(dx);
}
