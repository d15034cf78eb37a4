// An ONNX file's bytes → its ModelProto, decoded by protobufjs from ONNX's own schema. Before
// decoding, the file's messages are counted with protobufjs's Reader (which only skips over them):
// decoded messages take far more memory than their bytes, so a file of millions of tiny nodes is
// refused before it could exhaust memory. Anything protobufjs cannot decode (truncated, mutated,
// not ONNX at all) is a FileFormatError naming the file.
import protobuf from 'protobufjs/minimal.js';
import { FileFormatError } from '../index.js';
import { onnx } from './proto/onnx.js';

/** Nodes in a graph: convas makes a layer or more of each; real CNNs have hundreds. */
const MAX_NODES = 50_000;
/** Messages of every kind in the file (nodes, attributes, tensors, value infos). */
const MAX_MESSAGES = 400_000;

/** The ONNX opsets convas reads (the default domain, ai.onnx). */
const OPSETS = { min: 9, max: 18 };

type Kind = 'model' | 'graph' | 'node' | 'attribute' | 'function' | 'training' | 'leaf';

/** The message-typed fields that can repeat or nest (field number → kind), per message kind; others are leaves. */
const NESTED: Partial<Record<Kind, Record<number, Kind>>> = {
  model: { 7: 'graph', 20: 'training', 25: 'function' },
  graph: { 1: 'node', 5: 'leaf', 11: 'leaf', 12: 'leaf', 13: 'leaf', 15: 'leaf', 14: 'leaf' },
  node: { 5: 'attribute' },
  attribute: { 5: 'leaf', 6: 'graph', 10: 'leaf', 11: 'graph', 22: 'leaf', 23: 'leaf' },
  function: { 7: 'node', 11: 'attribute' },
  training: { 1: 'graph', 2: 'graph', 3: 'leaf', 4: 'leaf' },
};

interface Counts {
  messages: number;
  /** Nodes of the main graph. */
  nodes: number;
}

/** Counts the messages in bytes [start, end) of a `kind` message, without decoding them; throws on malformed wire data. */
function count(reader: protobuf.Reader, end: number, kind: Kind, depth: number, counts: Counts, mainGraph: boolean): void {
  if (depth > protobuf.Reader.recursionLimit) throw new Error('messages nest deeper than protobuf allows');
  const nested = NESTED[kind] ?? {};
  while (reader.pos < end) {
    const tag = reader.tag();
    const field = tag >>> 3, wireType = tag & 7;
    const child = nested[field];
    if (child === undefined || wireType !== 2) {
      reader.skipType(wireType, 0, field);
      continue;
    }
    const length = reader.uint32();
    const childEnd = reader.pos + length;
    if (childEnd > end) throw new Error(`a field claims ${length} bytes, beyond the end of its message`);
    if (++counts.messages > MAX_MESSAGES) throw new FileFormatError(`holds more than ${MAX_MESSAGES} messages`);
    if (kind === 'graph' && field === 1 && mainGraph && ++counts.nodes > MAX_NODES) {
      throw new FileFormatError(`has more than ${MAX_NODES} nodes; convas builds models of at most ${MAX_NODES}`);
    }
    if (child === 'leaf') reader.skip(length);
    else count(reader, childEnd, child, depth + 1, counts, kind === 'model' && field === 7);
  }
  if (reader.pos !== end) throw new Error('a message ends inside a field');
}

export function decodeModel(bytes: Uint8Array, file: string): onnx.ModelProto {
  const fail = (detail: string) => new FileFormatError(`${file}: is not a readable ONNX model (${detail}); expected an .onnx file ` +
    'as torch.onnx.export writes it, whole');
  if (bytes.length === 0) throw fail('it is empty');
  try {
    count(protobuf.Reader.create(bytes), bytes.length, 'model', 0, { messages: 0, nodes: 0 }, false);
  } catch (error) {
    if (error instanceof FileFormatError) throw new FileFormatError(`${file}: ${error.message}`);
    throw fail(`protobuf: ${(error as Error).message}`);
  }
  let model: onnx.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw fail(`protobuf: ${(error as Error).message}`);
  }
  if (!model.graph) throw fail('no graph');
  return model;
}

/** A protobuf int64 (a number, or a Long where protobufjs has one) as a JS number. */
export function int64(value: number | { toNumber(): number } | null | undefined): number {
  if (value === null || value === undefined) return 0;
  return typeof value === 'number' ? value : value.toNumber();
}

/** The model's ai.onnx opset version, checked against the range convas reads. */
export function defaultOpset(model: onnx.ModelProto, file: string): number {
  const entry = model.opsetImport.find((o) => o.domain === '' || o.domain === 'ai.onnx');
  if (!entry) throw new FileFormatError(`${file}: imports no ai.onnx opset; expected opset ${OPSETS.min} to ${OPSETS.max}`);
  const version = int64(entry.version);
  if (version < OPSETS.min || version > OPSETS.max) {
    throw new FileFormatError(`${file}: uses opset ${version}; convas reads opsets ${OPSETS.min} to ${OPSETS.max} ` +
      `(export with torch.onnx.export(…, opset_version=13))`);
  }
  return version;
}
