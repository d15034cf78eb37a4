// TensorProto → a constant convas can use: float32 from raw_data or float_data, float16 and float64
// (widened or narrowed to float32), integers and booleans (as numbers), and tensors whose data lies
// in an external file beside the model. Every size is checked against the bytes really present
// before anything of that size is allocated: a tensor that claims more than its data is refused.
import { FileFormatError, type ModelSource } from '../index.js';
import { littleEndianElements } from '../io/little-endian.js';
import { int64 } from './decode.js';
import type { onnx } from './proto/onnx.js';

/** A value known when the model loads: weights, constants, and shapes computed from them. */
export interface Constant {
  kind: 'constant';
  /** Float data is float32; integers and booleans are numbers (the batch size, in shapes, NaN). */
  type: 'float' | 'int';
  dims: number[];
  data: Float32Array | number[];
}

/** TensorProto.DataType codes convas reads, with their bytes per element. */
const TYPES: Record<number, { name: string; bytes: number; type: 'float' | 'int' }> = {
  1: { name: 'FLOAT', bytes: 4, type: 'float' },
  2: { name: 'UINT8', bytes: 1, type: 'int' },
  3: { name: 'INT8', bytes: 1, type: 'int' },
  6: { name: 'INT32', bytes: 4, type: 'int' },
  7: { name: 'INT64', bytes: 8, type: 'int' },
  9: { name: 'BOOL', bytes: 1, type: 'int' },
  10: { name: 'FLOAT16', bytes: 2, type: 'float' },
  11: { name: 'DOUBLE', bytes: 8, type: 'float' },
};

export const DATA_TYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 4: 'UINT16', 5: 'INT16', 8: 'STRING', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
  ...Object.fromEntries(Object.entries(TYPES).map(([code, t]) => [code, t.name])),
};

export const sizeOfDims = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/** The element count of `dims`, which must be non-negative integers. */
function elementCount(dims: number[], fail: (message: string) => Error): number {
  if (dims.some((d) => !Number.isSafeInteger(d) || d < 0)) throw fail(`has dims [${dims.join(', ')}]; expected non-negative integers`);
  return sizeOfDims(dims);
}

/** The element count of `dims`, which must be exactly the `stored` values present. */
function checkedCount(dims: number[], stored: number, fail: (message: string) => Error): number {
  const count = elementCount(dims, fail);
  if (count !== stored) throw fail(`has dims [${dims.join(', ')}] (${count} values), but holds ${stored}`);
  return count;
}

/** IEEE half-precision bits → number. */
function halfToNumber(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1, exponent = (bits >> 10) & 0x1f, fraction = bits & 0x3ff;
  if (exponent === 0) return sign * fraction * 2 ** -24;
  if (exponent === 0x1f) return fraction ? Number.NaN : sign * Infinity;
  return sign * (1 + fraction / 1024) * 2 ** (exponent - 15);
}

/** Little-endian elements of `code` from bytes, count of them (checked by the caller to fit): FLOAT viewed as it stands, where aligned. */
function readElements(bytes: Uint8Array, code: number, count: number): Float32Array | number[] {
  switch (code) {
    case 1: return littleEndianElements(Float32Array, bytes, 0, count);
    case 10: return Float32Array.from(littleEndianElements(Uint16Array, bytes, 0, count), halfToNumber);
    case 11: return new Float32Array(littleEndianElements(Float64Array, bytes, 0, count)); // each rounded to float32
    case 7: return Array.from(littleEndianElements(BigInt64Array, bytes, 0, count), Number);
    case 6: return Array.from(littleEndianElements(Int32Array, bytes, 0, count));
    case 3: return Array.from(new Int8Array(bytes.buffer, bytes.byteOffset, count));
    default: return Array.from(bytes.subarray(0, count)); // UINT8, BOOL
  }
}

/** The typed repeated field a tensor without raw_data keeps its values in. */
function fieldValues(tensor: onnx.TensorProto.$Properties, code: number): Array<number | { toNumber(): number }> {
  switch (code) {
    case 1: return tensor.floatData ?? [];
    case 11: return tensor.doubleData ?? [];
    case 7: return tensor.int64Data ?? [];
    default: return tensor.int32Data ?? []; // INT32, INT8, UINT8, BOOL, and FLOAT16 as its bits
  }
}

/** Reads external data files through the model's source, each once. */
export class ExternalFiles {
  private readonly files = new Map<string, Promise<Uint8Array>>();

  constructor(private readonly source: ModelSource) {}

  read(location: string): Promise<Uint8Array> {
    let file = this.files.get(location);
    if (!file) this.files.set(location, (file = this.source.read(location)));
    return file;
  }

  describe(location: string): string {
    return this.source.describe(location);
  }
}

/** Bytes [offset, offset + length) of the external file a tensor names, checked to lie inside it. */
async function externalBytes(tensor: onnx.TensorProto.$Properties, byteLength: number, files: ExternalFiles,
  fail: (message: string) => Error): Promise<Uint8Array> {
  const entries = new Map((tensor.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw fail('keeps its data in an external file but names none (external_data has no "location")');
  const number = (key: string, fallback: number) => {
    const text = entries.get(key);
    if (text === undefined) return fallback;
    const value = Number(text);
    if (!/^\d+$/.test(text) || !Number.isSafeInteger(value)) throw fail(`has external_data ${key} ${JSON.stringify(text)}; expected a byte count`);
    return value;
  };
  const offset = number('offset', 0), length = number('length', byteLength);
  if (length !== byteLength) throw fail(`has external_data length ${length}, but its dims need ${byteLength} bytes`);
  const file = await files.read(location);
  if (offset + length > file.length) {
    throw fail(`reads bytes ${offset} to ${offset + length} of ${files.describe(location)}, which holds ${file.length}`);
  }
  return file.subarray(offset, offset + length);
}

/**
 * The tensor's values. `what` names it in errors (e.g. 'initializer "conv1.weight"'); `file` is the
 * model's file; external data is read through `files` (absent for tensors inside attributes).
 */
export async function readTensor(tensor: onnx.TensorProto.$Properties, what: string, file: string, files?: ExternalFiles): Promise<Constant> {
  const fail = (message: string) => new FileFormatError(`${file}: ${what} ${message}`);
  const code = tensor.dataType ?? 0;
  const type = TYPES[code];
  if (!type) {
    throw fail(`is of type ${DATA_TYPE_NAMES[code] ?? code}; convas reads FLOAT, FLOAT16, DOUBLE, INT64, INT32, INT8, UINT8 and BOOL tensors`);
  }
  if (tensor.segment) throw fail('is a segment of a larger tensor, which convas does not read');
  const dims = (tensor.dims ?? []).map(int64);
  let data: Float32Array | number[];
  if (tensor.dataLocation === 1) {
    if (!files) throw fail('keeps its data in an external file, which is only allowed for initializers');
    const count = elementCount(dims, fail);
    if (count * type.bytes > 2 ** 31) throw fail(`has dims [${dims.join(', ')}], over 2 GB of data; expected a model convas can hold`);
    // Read (and allocated) only once the file is known to hold that many bytes.
    data = readElements(await externalBytes(tensor, count * type.bytes, files, fail), code, count);
  } else if (tensor.rawData && tensor.rawData.length > 0) {
    const raw = tensor.rawData;
    if (raw.length % type.bytes !== 0) throw fail(`has ${raw.length} bytes of raw_data, not a whole number of ${type.name} values`);
    const count = checkedCount(dims, raw.length / type.bytes, fail);
    data = readElements(raw, code, count);
  } else {
    const values = fieldValues(tensor, code);
    const count = checkedCount(dims, values.length, fail);
    data = type.type === 'float' ? new Float32Array(count) : new Array<number>(count);
    for (let i = 0; i < count; i++) data[i] = code === 10 ? halfToNumber(int64(values[i])) : int64(values[i]);
  }
  return { kind: 'constant', type: type.type, dims, data };
}
