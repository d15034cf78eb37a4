// ONNX models written by hand for the tests: a graph of nodes with attributes, initializers and
// typed inputs and outputs, encoded with the same generated protobuf messages convas reads with.
import { onnx } from '../../src/onnx/proto/onnx.js';

export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] } | { tensor: Initializer };

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  name?: string;
  attributes?: Record<string, AttributeValue>;
}

export interface Initializer {
  dims: number[];
  /** Float32Array: FLOAT; number[]: INT64 (unless `type` says otherwise). */
  data: Float32Array | number[];
  type?: 'float' | 'int64' | 'float16' | 'double' | 'int32' | 'bool';
  /** Store in the typed field (float_data, int64_data…) instead of raw_data. */
  typedField?: boolean;
}

export interface ModelSpec {
  opset?: number;
  inputs: Array<{ name: string; dims: Array<number | string> }>;
  outputs: string[];
  nodes: NodeSpec[];
  initializers?: Record<string, Initializer>;
}

const TYPE_CODES = { float: 1, int64: 7, float16: 10, double: 11, int32: 6, bool: 9 } as const;

/** float → IEEE half bits (round to nearest even, no subnormal subtleties needed for test weights). */
export function toHalfBits(value: number): number {
  const f32 = new Float32Array([value]), bits = new Uint32Array(f32.buffer)[0];
  const sign = (bits >>> 16) & 0x8000, exponent = ((bits >>> 23) & 0xff) - 127 + 15, mantissa = bits & 0x7fffff;
  if (exponent <= 0) return sign;
  if (exponent >= 0x1f) return sign | 0x7c00;
  return sign | (exponent << 10) | Math.round(mantissa / 0x2000);
}

export function tensorProto(name: string, init: Initializer): onnx.TensorProto.$Properties {
  const type = init.type ?? (init.data instanceof Float32Array ? 'float' : 'int64');
  const values = Array.from(init.data);
  const proto: onnx.TensorProto.$Properties = { name, dims: init.dims, dataType: TYPE_CODES[type] };
  if (init.typedField) {
    if (type === 'float') proto.floatData = values;
    else if (type === 'double') proto.doubleData = values;
    else if (type === 'int64') proto.int64Data = values;
    else proto.int32Data = type === 'float16' ? values.map(toHalfBits) : values;
    return proto;
  }
  const size = { float: 4, double: 8, int64: 8, int32: 4, float16: 2, bool: 1 }[type];
  const raw = new Uint8Array(values.length * size), view = new DataView(raw.buffer);
  values.forEach((v, i) => {
    switch (type) {
      case 'float': view.setFloat32(4 * i, v, true); break;
      case 'double': view.setFloat64(8 * i, v, true); break;
      case 'int64': view.setBigInt64(8 * i, BigInt(v), true); break;
      case 'int32': view.setInt32(4 * i, v, true); break;
      case 'float16': view.setUint16(2 * i, toHalfBits(v), true); break;
      default: view.setUint8(i, v);
    }
  });
  proto.rawData = raw;
  return proto;
}

function attribute(name: string, value: AttributeValue): onnx.AttributeProto.$Properties {
  if (typeof value === 'string') return { name, type: 3, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: 7, ints: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { name, type: 2, i: value } : { name, type: 1, f: value };
  if ('float' in value) return { name, type: 1, f: value.float };
  if ('floats' in value) return { name, type: 6, floats: value.floats };
  return { name, type: 4, t: tensorProto('', value.tensor) };
}

/** A float tensor's value info; without dims, of unknown shape (as outputs may be). */
const valueInfo = (name: string, dims?: Array<number | string>) => ({
  name, type: { tensorType: { elemType: 1, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) } } : {}) } },
});

export function modelProto(spec: ModelSpec): onnx.ModelProto.$Properties {
  return {
    irVersion: 7, producerName: 'convas tests', opsetImport: [{ domain: '', version: spec.opset ?? 13 }],
    graph: {
      name: 'test',
      node: spec.nodes.map((n, i) => ({
        opType: n.op, name: n.name ?? `${n.op}_${i}`, input: n.inputs, output: n.outputs,
        attribute: Object.entries(n.attributes ?? {}).map(([k, v]) => attribute(k, v)),
      })),
      initializer: Object.entries(spec.initializers ?? {}).map(([name, init]) => tensorProto(name, init)),
      input: spec.inputs.map((i) => valueInfo(i.name, i.dims)),
      output: spec.outputs.map((name) => valueInfo(name)),
    },
  };
}

export const encode = (proto: onnx.ModelProto.$Properties) => onnx.ModelProto.encode(proto).finish();

export const onnxModel = (spec: ModelSpec) => encode(modelProto(spec));
