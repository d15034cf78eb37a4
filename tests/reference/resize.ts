// Naive references for resizing to any size, in f64: every output pixel as a weighted sum of input
// pixels, from ONNX Resize's formulas (coordinate_transformation_mode, by the sizes' ratio or by
// ONNX's scales; linear, nearest with round_prefer_ceil — floor for asymmetric, as PyTorch exports
// it — or cubic: Keys' kernel with coefficient a, optionally excluding pixels beyond the edge and
// rounding the fraction to 1/1024 as TensorFlow's table does), backward as the transpose of the
// same weights. Source coordinates are rounded to f32 as the kernels (and ONNX Runtime, PyTorch)
// compute them, so that a nearest pixel at an exact tie is the same one.
import type { ResizeCoordinates } from '../../src/backend/kernels.js';

export interface ResizeShape {
  batch: number;
  inHeight: number;
  inWidth: number;
  channels: number;
  outHeight: number;
  outWidth: number;
}

/** How a Resizing layer resamples (its config's names; the cubic settings matter for bicubic only). */
export interface ResizeMethod {
  interpolation: 'nearest' | 'bilinear' | 'bicubic';
  coordinates: ResizeCoordinates;
  /** ONNX's [height, width] scales, or null: coordinates by the sizes' ratio. */
  scales?: [number, number] | null;
  cubicCoefficient?: number;
  cubicExcludeOutside?: boolean;
  cubicTable?: boolean;
}

const f = Math.fround;

/** ONNX's x_original of output o along an axis resized from inSize to outSize pixels, by the ratio (scale undefined) or by the scale. */
export function sourceCoordinate(mode: ResizeCoordinates, o: number, inSize: number, outSize: number, scale?: number): number {
  if (mode === 'align_corners') return outSize === 1 ? 0 : f(o * (inSize - 1) / (outSize - 1));
  if (mode === 'pytorch_half_pixel' && outSize === 1) return 0;
  if (scale) return mode === 'asymmetric' ? f(o / f(scale)) : f(f(f(o + 0.5) / f(scale)) - 0.5);
  const ratio = f(inSize / outSize);
  if (mode === 'asymmetric') return f(o * ratio);
  return f(f((o + 0.5) * ratio) - 0.5);
}

/** Keys' cubic convolution kernel with coefficient a, at distance d. */
export function keys(d: number, a: number): number {
  const x = Math.abs(d);
  if (x <= 1) return ((a + 2) * x - (a + 3)) * x * x + 1;
  if (x < 2) return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a;
  return 0;
}

/** v ≥ 0 rounded to the nearest integer, halves to even (C's lrintf, as TensorFlow's table is read). */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return v % 1 === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** [input index along the axis, weight] pairs that output `o` reads. */
function axisWeights(m: ResizeMethod, o: number, inSize: number, outSize: number, scale?: number): Array<[number, number]> {
  const s = sourceCoordinate(m.coordinates, o, inSize, outSize, scale);
  const clampIndex = (i: number) => Math.min(Math.max(i, 0), inSize - 1);
  if (m.interpolation === 'bicubic') {
    const floor = Math.floor(s);
    let t = s - floor;
    if (m.cubicTable ?? true) t = roundHalfEven(t * 1024) / 1024;
    const taps = [-1, 0, 1, 2].map((k): [number, number] => [floor + k, keys(k - t, m.cubicCoefficient ?? -0.5)]);
    const kept = (m.cubicExcludeOutside ?? true) ? taps.map(([i, w]): [number, number] => [i, i < 0 || i >= inSize ? 0 : w]) : taps;
    const sum = kept.reduce((total, [, w]) => total + w, 0);
    return kept.map(([i, w]) => [clampIndex(i), (m.cubicExcludeOutside ?? true) ? w / sum : w]);
  }
  const at = Math.min(Math.max(s, 0), inSize - 1);
  if (m.interpolation === 'nearest') return [[clampIndex(m.coordinates === 'asymmetric' ? Math.floor(at) : Math.floor(at + 0.5)), 1]];
  const low = Math.floor(at), fraction = at - low;
  return [[low, 1 - fraction], [clampIndex(low + 1), fraction]];
}

/** Calls visit(inputIndex, outputIndex, weight) for every input pixel an output pixel reads, channel by channel. */
function forEachWeight(s: ResizeShape, m: ResizeMethod, visit: (inIndex: number, outIndex: number, weight: number) => void) {
  for (let b = 0; b < s.batch; b++) {
    for (let oy = 0; oy < s.outHeight; oy++) {
      for (let ox = 0; ox < s.outWidth; ox++) {
        for (const [iy, wy] of axisWeights(m, oy, s.inHeight, s.outHeight, m.scales?.[0])) {
          for (const [ix, wx] of axisWeights(m, ox, s.inWidth, s.outWidth, m.scales?.[1])) {
            for (let c = 0; c < s.channels; c++) {
              visit(((b * s.inHeight + iy) * s.inWidth + ix) * s.channels + c, ((b * s.outHeight + oy) * s.outWidth + ox) * s.channels + c, wy * wx);
            }
          }
        }
      }
    }
  }
}

export function resizeForward(x: Float32Array, s: ResizeShape, m: ResizeMethod): Float32Array {
  const y = new Float64Array(s.batch * s.outHeight * s.outWidth * s.channels);
  forEachWeight(s, m, (i, o, w) => { y[o] += w * x[i]; });
  return Float32Array.from(y);
}

export function resizeBackward(dy: Float32Array, s: ResizeShape, m: ResizeMethod): Float32Array {
  const dx = new Float64Array(s.batch * s.inHeight * s.inWidth * s.channels);
  forEachWeight(s, m, (i, o, w) => { dx[i] += w * dy[o]; });
  return Float32Array.from(dx);
}
