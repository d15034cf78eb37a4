// Quantized weights for TensorFlow.js files, written as tfjs-converter writes them
// (tensorflowjs/quantization.py and write_weights.py), so tf.loadLayersModel reads them:
//   uint8 / uint16: affine over the weight's own range, "nudged" (as TF Lite does) so that 0 is
//     exactly representable when the range covers it; q = round((clip(w) − min) / scale) with
//     ties to even (numpy's round), stored little-endian; the manifest entry gets
//     { dtype, min, scale, original_dtype: "float32" }. A constant weight is all zeros, scale 1.
//   float16: each weight rounded to the nearest half (ties to even), { dtype: "float16", original_dtype }.
import { ValueError } from '../errors.js';
import type { Quantization } from './tfjs-weights.js';

export interface QuantizedWeight {
  bytes: Uint8Array;
  quantization: { dtype: Quantization; min?: number; scale?: number; original_dtype: 'float32' };
}

export function quantizeWeight(values: Float32Array, dtype: Quantization, name: string): QuantizedWeight {
  if (dtype === 'float16') return { bytes: float16Bytes(values, name), quantization: { dtype, original_dtype: 'float32' } };
  const quantMax = dtype === 'uint8' ? 255 : 65535;
  let low = Infinity, high = -Infinity;
  for (const v of values) {
    low = Math.min(low, v);
    high = Math.max(high, v);
  }
  const q = dtype === 'uint8' ? new Uint8Array(values.length) : new Uint16Array(values.length);
  if (!(low < high)) {
    // A single value (or none): every q is 0 and min carries the value.
    return { bytes: littleEndianBytes(q), quantization: { dtype, min: values.length ? low : 0, scale: 1, original_dtype: 'float32' } };
  }
  const scale = (high - low) / quantMax;
  let min = low, max = high;
  if (low <= 0 && 0 <= high) {
    min = -roundHalfEven(-low / scale) * scale;
    max = quantMax * scale + min;
  }
  for (let i = 0; i < values.length; i++) {
    const clipped = Math.min(max, Math.max(min, values[i]));
    q[i] = Math.min(quantMax, roundHalfEven((clipped - min) / scale));
  }
  return { bytes: littleEndianBytes(q), quantization: { dtype, min, scale, original_dtype: 'float32' } };
}

/** numpy's round: to the nearest integer, halves to the even one. */
function roundHalfEven(x: number): number {
  const r = Math.round(x); // halves go up
  return r - x === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

function littleEndianBytes(q: Uint8Array | Uint16Array): Uint8Array {
  if (q instanceof Uint8Array) return q;
  const bytes = new Uint8Array(q.length * 2);
  const view = new DataView(bytes.buffer);
  q.forEach((v, i) => view.setUint16(2 * i, v, true));
  return bytes;
}

function float16Bytes(values: Float32Array, name: string): Uint8Array {
  const bytes = new Uint8Array(values.length * 2);
  const view = new DataView(bytes.buffer);
  values.forEach((v, i) => {
    const half = float16Bits(v);
    if ((half & 0x7c00) === 0x7c00) {
      throw new ValueError(`save (quantize 'float16'): weight ${name} holds ${v} at index ${i}, beyond float16's range (±65504); ` +
        `save it with quantize 'uint8' or 'uint16', or unquantized`);
    }
    view.setUint16(2 * i, half, true);
  });
  return bytes;
}

const f32 = new Float32Array(1);
const f32Bits = new Uint32Array(f32.buffer);

/** The bits of the IEEE half nearest to the f32 `value` (ties to even), as numpy's astype(float16). */
export function float16Bits(value: number): number {
  f32[0] = value;
  const bits = f32Bits[0];
  const sign = (bits >>> 16) & 0x8000;
  const exponent = ((bits >>> 23) & 0xff) - 127 + 15;
  const mantissa = bits & 0x7fffff;
  if (((bits >>> 23) & 0xff) === 0xff) return sign | 0x7c00 | (mantissa ? 0x200 : 0); // infinity, NaN
  if (exponent >= 31) return sign | 0x7c00; // overflows to infinity
  if (exponent <= 0) {
    // A subnormal half (or zero): the implicit 1 joins the mantissa, shifted right by 1 − exponent more.
    if (exponent < -10) return sign;
    const shift = 14 - exponent;
    const full = mantissa | 0x800000;
    return sign | roundShifted(full, shift);
  }
  // roundShifted may carry into the exponent, up to infinity: the right result in both cases.
  return sign | ((exponent << 10) + roundShifted(mantissa, 13));
}

/** `value` >> `shift`, rounded to nearest with ties to even. */
function roundShifted(value: number, shift: number): number {
  const kept = value >>> shift;
  const rest = value - kept * 2 ** shift;
  const half = 2 ** (shift - 1);
  return rest > half || (rest === half && (kept & 1) === 1) ? kept + 1 : kept;
}
