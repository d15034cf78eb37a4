declare module '*.wasm' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}

/** A gzip-compressed module (build/*.wasm.gz), inlined as bytes: decompress before compiling. */
declare module '*.wasm.gz' {
  const bytes: Uint8Array<ArrayBuffer>;
  export default bytes;
}
