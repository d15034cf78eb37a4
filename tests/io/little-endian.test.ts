// Little-endian elements in a file's bytes: viewed where they start on an element boundary, copied
// once where they do not (an ONNX tensor's raw_data may lie anywhere in the file), alike in value.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { littleEndianElements } from '../../src/io/little-endian.js';

type Write = (view: DataView, at: number, value: never) => void;
const TYPES = [
  { Type: Float32Array, values: [1.5, -2.25, 2 ** -140, 65504], write: (v: DataView, at: number, x: number) => v.setFloat32(at, x, true) },
  { Type: Float64Array, values: [0.1, -1e300, 5e-324], write: (v: DataView, at: number, x: number) => v.setFloat64(at, x, true) },
  { Type: BigInt64Array, values: [1n, -(2n ** 62n), 12345678901234n], write: (v: DataView, at: number, x: bigint) => v.setBigInt64(at, x, true) },
  { Type: Uint16Array, values: [0x3c00, 0xfbff, 1], write: (v: DataView, at: number, x: number) => v.setUint16(at, x, true) },
];

test('elements at every offset, in bytes that are themselves a view at any offset (a Node Buffer too): viewed exactly where aligned, each as written', () => {
  for (const [{ Type, values, write }, asBuffer] of TYPES.flatMap((t) => [[t, false], [t, true]] as const)) {
    const size = Type.BYTES_PER_ELEMENT;
    for (let start = 0; start < size; start++) {
      for (let at = 0; at < 2 * size; at++) {
        const file = new Uint8Array(start + at + values.length * size + 3).fill(0xee);
        const view = new DataView(file.buffer);
        values.forEach((x, i) => (write as Write)(view, start + at + i * size, x as never));
        // As protobuf hands out raw_data: a view of the file from an offset of its own.
        const field = asBuffer ? Buffer.from(file.buffer, start) : file.subarray(start);
        const read = littleEndianElements(Type as never, field, at, values.length) as ArrayLike<unknown> & { buffer: ArrayBufferLike };
        assert.equal(Array.from(read), values, `${Type.name} at ${start} + ${at}`);
        assert.is(read.buffer === file.buffer, (start + at) % size === 0, `${Type.name} at ${start} + ${at}: a view only where aligned`);
      }
    }
  }
});

test.run();
