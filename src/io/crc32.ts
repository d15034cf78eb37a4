// CRC-32 (IEEE 802.3, as zip and PNG use): the checksum of weights.bin, which a load runs over every
// byte of the file. Slicing-by-16: sixteen tables let one step take 16 bytes, read as four 32-bit
// words — about four times as fast as a byte a step in Node 20 and in Chromium. The words are read in
// the host's byte order, which convas already needs to be little-endian (see little-endian.ts).

/** TABLES[k·256 + b]: the CRC of byte b followed by k zero bytes. TABLES[b] is the classic table. */
const TABLES = (() => {
  const tables = new Uint32Array(16 * 256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    tables[b] = c;
  }
  for (let i = 256; i < tables.length; i++) {
    const previous = tables[i - 256];
    tables[i] = (previous >>> 8) ^ tables[previous & 0xff];
  }
  return tables;
})();

/** Folds bytes[from, to) into crc a byte at a time (the ends that do not fill a 16-byte step). */
function bytewise(crc: number, bytes: Uint8Array, from: number, to: number): number {
  for (let i = from; i < to; i++) crc = TABLES[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return crc;
}

export function crc32(bytes: Uint8Array): number {
  // Bytes one at a time up to a 4-byte boundary, so the words can be a view rather than a copy
  // (bytes shorter than that boundary have no step of 16, and no aligned place for an empty view).
  const head = Math.min(bytes.length, -bytes.byteOffset & 3);
  const steps = (bytes.length - head) >>> 4;
  const words = steps === 0 ? new Uint32Array(0) : new Uint32Array(bytes.buffer, bytes.byteOffset + head, steps * 4);
  const t = TABLES;
  let crc = bytewise(0xffffffff, bytes, 0, head);
  for (let i = 0; i < words.length; i += 4) {
    const a = crc ^ words[i], b = words[i + 1], c = words[i + 2], d = words[i + 3];
    crc = t[3840 + (a & 0xff)] ^ t[3584 + ((a >>> 8) & 0xff)] ^ t[3328 + ((a >>> 16) & 0xff)] ^ t[3072 + (a >>> 24)] ^
      t[2816 + (b & 0xff)] ^ t[2560 + ((b >>> 8) & 0xff)] ^ t[2304 + ((b >>> 16) & 0xff)] ^ t[2048 + (b >>> 24)] ^
      t[1792 + (c & 0xff)] ^ t[1536 + ((c >>> 8) & 0xff)] ^ t[1280 + ((c >>> 16) & 0xff)] ^ t[1024 + (c >>> 24)] ^
      t[768 + (d & 0xff)] ^ t[512 + ((d >>> 8) & 0xff)] ^ t[256 + ((d >>> 16) & 0xff)] ^ t[d >>> 24];
  }
  crc = bytewise(crc, bytes, head + words.length * 4, bytes.length);
  return (crc ^ 0xffffffff) >>> 0;
}

/** The checksum as 8 hex digits, the way model.json records it. */
export const crc32Hex = (bytes: Uint8Array): string => crc32(bytes).toString(16).padStart(8, '0');
