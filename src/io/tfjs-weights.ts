// One entry of a TensorFlow.js weights manifest: its dtype and quantization checked, the bytes it
// takes in its group, and its values as f32, decoded exactly as tfjs-core 4.22's decodeWeights does
// (io/io_utils.js):
//   { dtype: "float32" }                                          4 bytes a value, little-endian
//   { dtype: "float32", quantization: { dtype: "uint8" | "uint16", scale, min, original_dtype? } }
//       1 or 2 bytes a value q; value = q·scale + min, computed in double and rounded once to f32
//   { dtype: "float32", quantization: { dtype: "float16", original_dtype? } }
//       2 bytes a value, IEEE half precision (every half is exactly an f32)
// tfjs-converter writes original_dtype ("float32": only float32 weights are quantized), which
// TF.js ignores, as convas does. TF.js refuses uint8/uint16 without both scale and min, as convas
// does; convas also refuses parameters that are not finite, and decoded values that are not.
import { field, fileError, objectValue } from './json-fields.js';
import { checkedShapeSize, readFloats } from './weight-bytes.js';

export const QUANTIZATIONS = ['uint8', 'uint16', 'float16'] as const;
export type Quantization = (typeof QUANTIZATIONS)[number];

const BYTES_PER_VALUE: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2 };

export interface ManifestWeight {
  name: string;
  shape: number[];
  /** Values in the tensor. */
  size: number;
  /** Bytes it takes in its group's shards. */
  byteLength: number;
  /** Its values from `bytes` at `byteOffset` (which the caller checked hold byteLength bytes); `file` names them in errors. */
  decode(bytes: Uint8Array, byteOffset: number, file: string): Float32Array;
}

/**
 * The manifest entry `spec` (at `where` in `file`), checked: `dtypes` are the unquantized dtypes
 * allowed, and its shape may claim no more values than `availableBytes` can hold, so an absurd
 * shape is refused before anything of its size is allocated.
 */
export function readManifestWeight(
  spec: Record<string, unknown>, dtypes: readonly string[], availableBytes: number, file: string, where: string,
): ManifestWeight {
  const name = field(spec, 'name', 'string', file, where);
  const what = `${where} (${name})`;
  if (!dtypes.includes(spec.dtype as string)) {
    throw fileError(file, `${what} has dtype ${JSON.stringify(spec.dtype)}; expected ${dtypes.join(' or ')}`);
  }
  const quantization = spec.quantization === undefined ? undefined : objectValue(spec.quantization, file, `${what}.quantization`);
  const stored = quantization ? quantization.dtype : spec.dtype;
  if (quantization && !(QUANTIZATIONS as readonly unknown[]).includes(stored)) {
    throw fileError(file, `${what} is quantized to ${JSON.stringify(stored)}; expected ${QUANTIZATIONS.join(', ')}`);
  }
  const bytesPerValue = BYTES_PER_VALUE[stored as string];
  const size = checkedShapeSize(spec.shape, Math.floor(availableBytes / bytesPerValue), file, what);
  const shape = spec.shape as number[];
  const byteLength = size * bytesPerValue;
  // float32 values are the bytes as they stand (viewed, where aligned); the others are decoded one by one.
  if (stored === 'float32') return { name, shape, size, byteLength, decode: (bytes, at, bytesFile) => readFloats(bytes, at, size, bytesFile, name) };
  const valueAt = decoder(stored as string, quantization, spec.dtype as string, file, what);
  return { name, shape, size, byteLength, decode: (bytes, at, bytesFile) => decodeChecked(valueAt, bytes, at, size, bytesFile, name) };
}

type ValueAt = (view: DataView, index: number) => number;

function decoder(stored: string, quantization: Record<string, unknown> | undefined, dtype: string, file: string, what: string): ValueAt {
  if (stored === 'int32') return (view, i) => view.getInt32(4 * i, true);
  if (stored === 'float16') {
    if (dtype !== 'float32') throw fileError(file, `${what} is float16-quantized ${dtype}; float16 holds float32 weights only`);
    return (view, i) => float16ToNumber(view.getUint16(2 * i, true));
  }
  const parameter = (key: 'scale' | 'min'): number => {
    const value = quantization![key];
    if (value === undefined) throw fileError(file, `${what} is ${stored}-quantized without "${key}"; expected both scale and min (value = q·scale + min)`);
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw fileError(file, `${what} has quantization ${key} ${typeof value === 'number' ? value : JSON.stringify(value)}; expected a finite number`);
    }
    return value;
  };
  const scale = parameter('scale'), min = parameter('min');
  return stored === 'uint8' ? (view, i) => view.getUint8(i) * scale + min : (view, i) => view.getUint16(2 * i, true) * scale + min;
}

function decodeChecked(valueAt: ValueAt, bytes: Uint8Array, byteOffset: number, size: number, file: string, name: string): Float32Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset + byteOffset);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    values[i] = valueAt(view, i); // the one rounding to f32, as TF.js's Float32Array store
    if (!Number.isFinite(values[i])) throw fileError(file, `${name} holds ${values[i]} at index ${i}; expected finite weights`);
  }
  return values;
}

/** An IEEE 754 half (its 16 bits) as a number: exact, and exactly an f32. */
export function float16ToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exponent = (bits >> 10) & 0x1f;
  const fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24; // zero and subnormals
  if (exponent === 0x1f) return fraction ? NaN : sign * Infinity;
  return sign * (1024 + fraction) * 2 ** (exponent - 25);
}
