// Writers for the file formats the data loaders read, so tests can make tiny files of known content.
import { crc32, deflateSync } from 'node:zlib';

/** An IDX file: 0x00 0x00, data type, dimension count, big-endian dimensions, then `values`. */
export function encodeIdx(dims: number[], values: Uint8Array, dataType = 0x08): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, dataType);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d));
  const bytes = new Uint8Array(header.byteLength + values.length);
  bytes.set(new Uint8Array(header.buffer));
  bytes.set(values, header.byteLength);
  return bytes;
}

/** A binary (P5) or ASCII (P2) PGM of 8-bit samples. */
export function encodePgm(format: 'P2' | 'P5', width: number, height: number, samples: Uint8Array, maxValue = 255): Uint8Array {
  const header = `${format}\n# made by a test\n${width} ${height}\n${maxValue}\n`;
  if (format === 'P2') return new TextEncoder().encode(header + Array.from(samples).join(' ') + '\n');
  const bytes = new TextEncoder().encode(header);
  const file = new Uint8Array(bytes.length + samples.length);
  file.set(bytes);
  file.set(samples, bytes.length);
  return file;
}

export interface PngSpec {
  width: number;
  height: number;
  /** 0 grey, 2 RGB, 4 grey+alpha, 6 RGBA. */
  colourType: number;
  bitDepth?: 8 | 16;
  /** Unfiltered samples, row by row (16-bit samples big-endian). */
  samples: Uint8Array;
  /** Filter type for each row, cycled. */
  filters: number[];
  interlace?: number;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 4: 2, 6: 4 };

/** A valid PNG whose rows are filtered with the given filter types. */
export function encodePng(spec: PngSpec): Uint8Array {
  const { width, height, colourType, bitDepth = 8, samples, filters, interlace = 0 } = spec;
  const bpp = (CHANNELS[colourType] * bitDepth) / 8;
  const rowBytes = width * bpp;
  const filtered = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) {
    const filter = filters[y % filters.length];
    filtered[y * (rowBytes + 1)] = filter;
    for (let x = 0; x < rowBytes; x++) {
      const at = (dx: number, dy: number) => (x - dx >= 0 && y - dy >= 0 ? samples[(y - dy) * rowBytes + x - dx] : 0);
      const left = at(bpp, 0), up = at(0, 1), upLeft = at(bpp, 1);
      const predictor = [0, left, up, (left + up) >> 1, paeth(left, up, upLeft)][filter];
      filtered[y * (rowBytes + 1) + 1 + x] = (samples[y * rowBytes + x] - predictor) & 0xff;
    }
  }
  const ihdr = new DataView(new ArrayBuffer(13));
  ihdr.setUint32(0, width);
  ihdr.setUint32(4, height);
  ihdr.setUint8(8, bitDepth);
  ihdr.setUint8(9, colourType);
  ihdr.setUint8(12, interlace);
  return concat([
    new Uint8Array([137, 80, 78, 71, 13, 10, 26, 10]),
    chunk('IHDR', new Uint8Array(ihdr.buffer)),
    chunk('IDAT', deflateSync(filtered)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

function paeth(left: number, up: number, upLeft: number): number {
  const p = left + up - upLeft;
  const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
  return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typeAndData = concat([new TextEncoder().encode(type), data]);
  const framed = new DataView(new ArrayBuffer(12 + data.length));
  framed.setUint32(0, data.length);
  new Uint8Array(framed.buffer).set(typeAndData, 4);
  framed.setUint32(8 + data.length, crc32(typeAndData));
  return new Uint8Array(framed.buffer);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const joined = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}
