// Little-endian arrays inside a file's bytes as typed arrays. A typed array reads in the host's byte
// order, and convas already needs a little-endian host (it reads wasm memory, little-endian, through
// Float32Arrays), so the bytes are the elements as they stand: viewed where they start on an element
// boundary, else copied once and the copy viewed. Imports nothing: the ONNX bundle carries its own copy.

interface ElementArrayType<T> {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** `count` elements of `Type` at `byteOffset` in `bytes` (the caller checked they lie inside it); a view of them where aligned. */
export function littleEndianElements<T>(Type: ElementArrayType<T>, bytes: Uint8Array, byteOffset: number, count: number): T {
  const start = bytes.byteOffset + byteOffset;
  if (start % Type.BYTES_PER_ELEMENT === 0) return new Type(bytes.buffer, start, count);
  // Copied with set: `bytes` may be a Node Buffer, whose slice() is a view.
  const copy = new Uint8Array(count * Type.BYTES_PER_ELEMENT);
  copy.set(bytes.subarray(byteOffset, byteOffset + copy.length));
  return new Type(copy.buffer, 0, count);
}
