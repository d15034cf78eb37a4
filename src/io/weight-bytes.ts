// Weight arrays as little-endian f32 bytes, and the checks a manifest entry must pass before any of
// its values are read: sane shape, size within the real file, finite values.
import { getBackend } from '../backend/wasm.js';
import { firstNonFinite } from '../finite.js';
import type { Parameter } from '../layers/layer.js';
import { type Shape, formatShape } from '../shape.js';
import { fileError } from './json-fields.js';
import { littleEndianElements } from './little-endian.js';

/** Copies of the parameters' values, in their order, out of wasm memory. */
export function parameterValues(params: readonly Parameter[]): Float32Array[] {
  const memory = getBackend().memory;
  return params.map((p) => memory.f32(p.value, p.size).slice());
}

/** The arrays one after another, little-endian whatever the host. */
export function packFloats(arrays: Float32Array[]): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(arrays.reduce((n, a) => n + a.length * 4, 0));
  const view = new DataView(bytes.buffer);
  let offset = 0;
  for (const array of arrays) {
    for (let i = 0; i < array.length; i++, offset += 4) view.setFloat32(offset, array[i], true);
  }
  return bytes;
}

/**
 * A manifest shape checked for what the file can hold: each dimension a non-negative integer, and
 * the element count (computed without overflow) at most `maxValues`. Returns the element count.
 */
export function checkedShapeSize(shape: unknown, maxValues: number, file: string, what: string): number {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw fileError(file, `${what} has shape ${JSON.stringify(shape)}; expected an array of non-negative integers`);
  }
  let size = 1;
  for (const d of shape as number[]) {
    size *= d;
    if (size > maxValues) {
      throw fileError(file, `${what} has shape ${formatShape(shape)}, more values than the ${maxValues} the weights file holds`);
    }
  }
  return size;
}

export function checkShapeMatches(actual: Shape, expected: Shape, file: string, what: string): void {
  if (actual.length !== expected.length || actual.some((d, i) => d !== expected[i])) {
    throw fileError(file, `${what} has shape ${formatShape(actual)}, but the model's layers make it ${formatShape(expected)}`);
  }
}

/** `count` floats from `bytes` at `byteOffset` (which the caller checked lie inside it), a view where aligned; each must be finite. */
export function readFloats(bytes: Uint8Array, byteOffset: number, count: number, file: string, what: string): Float32Array {
  const values = littleEndianElements(Float32Array, bytes, byteOffset, count);
  const bad = firstNonFinite(values);
  if (bad >= 0) throw fileError(file, `${what} holds ${values[bad]} at index ${bad}; expected finite weights`);
  return values;
}
