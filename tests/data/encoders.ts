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
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  colourType: number;
  /** 1, 2, 4 (grey, palette), 8, or 16 (not palette). Default 8. */
  bitDepth?: number;
  /** Unfiltered image rows as PNG stores them: samples packed high bit first below 8 bits, big-endian at 16. */
  samples: Uint8Array;
  /** Filter type for each row (of each interlace pass), cycled. */
  filters: number[];
  /** 1: Adam7 (8- and 16-bit depths). */
  interlace?: number;
  /** PLTE: r, g, b for each palette entry. */
  palette?: Uint8Array;
  /** tRNS as stored: an alpha per palette entry, or the transparent grey / RGB value (16-bit big-endian each). */
  transparency?: Uint8Array;
}

export const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Adam7's passes: first column and row, column and row steps. */
export const ADAM7 = [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]];

/** A valid PNG whose rows are filtered with the given filter types (each interlace pass's rows in turn). */
export function encodePng(spec: PngSpec): Uint8Array {
  const { width, height, colourType, bitDepth = 8, samples, filters, interlace = 0 } = spec;
  const bitsPerPixel = PNG_CHANNELS[colourType] * bitDepth;
  const rowBytes = Math.ceil((width * bitsPerPixel) / 8);
  let raw: Uint8Array;
  if (!interlace) {
    raw = filterRows(samples, height, rowBytes, Math.max(1, bitsPerPixel / 8), filters);
  } else {
    // Each pass: the sub-image of every step-th pixel, filtered as an image of its own.
    const pixelBytes = bitsPerPixel / 8;
    raw = concat(ADAM7.map(([x0, y0, dx, dy]) => {
      const w = Math.ceil((width - x0) / dx), h = Math.ceil((height - y0) / dy);
      if (w <= 0 || h <= 0) return new Uint8Array(0);
      const pass = new Uint8Array(w * h * pixelBytes);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const from = ((y0 + y * dy) * width + x0 + x * dx) * pixelBytes;
          pass.set(samples.subarray(from, from + pixelBytes), (y * w + x) * pixelBytes);
        }
      }
      return filterRows(pass, h, w * pixelBytes, pixelBytes, filters);
    }));
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
    ...(spec.palette ? [chunk('PLTE', spec.palette)] : []),
    ...(spec.transparency ? [chunk('tRNS', spec.transparency)] : []),
    // The compressed data in two IDAT chunks, as encoders that stream do.
    ...splitInTwo(deflateSync(raw)).map((part) => chunk('IDAT', part)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

const splitInTwo = (bytes: Uint8Array) => [bytes.subarray(0, bytes.length >> 1), bytes.subarray(bytes.length >> 1)];

/** Rows of `rowBytes` each, filtered (filter byte first); `bpp` is the bytes a pixel takes (at least 1). */
function filterRows(samples: Uint8Array, height: number, rowBytes: number, bpp: number, filters: number[]): Uint8Array {
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
  return filtered;
}

function paeth(left: number, up: number, upLeft: number): number {
  const p = left + up - upLeft;
  const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
  return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
}

/** A PNG chunk: length, type, data, CRC. */
export function chunk(type: string, data: Uint8Array): Uint8Array {
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

/**
 * EXIF's TIFF structure saying `orientation` (1–8): a header and one IFD with one entry, tag 0x0112,
 * SHORT, count 1; little-endian ('II'), big-endian ('MM'), or big-endian marked with a byte order
 * that is neither ('XX').
 */
const exifTiff = (orientation: number, byteOrder: 'II' | 'MM' | 'XX' = 'II') => {
  if (byteOrder === 'II') return [0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, orientation, 0, 0, 0, 0, 0, 0, 0];
  const mark = byteOrder.charCodeAt(0);
  return [mark, mark, 0, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
};

/** `jpeg` with an APP1 Exif segment saying EXIF `orientation` (1–8), right after the SOI marker. */
export function withExifOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  const payload = [...new TextEncoder().encode('Exif'), 0, 0, ...exifTiff(orientation)];
  const length = payload.length + 2;
  return concat([jpeg.subarray(0, 2), Uint8Array.from([0xff, 0xe1, length >> 8, length & 0xff, ...payload]), jpeg.subarray(2)]);
}

/** `png` with an eXIf chunk saying EXIF `orientation` (1–8), right after IHDR (before the image data and any other eXIf) or right before IEND (after it). */
export function withPngExifOrientation(
  png: Uint8Array, orientation: number, where: 'before data' | 'after data', byteOrder: 'II' | 'MM' | 'XX' = 'II',
): Uint8Array {
  const at = where === 'before data' ? 8 + 25 : png.length - 12; // past the signature and IHDR; or IEND
  return concat([png.subarray(0, at), chunk('eXIf', Uint8Array.from(exifTiff(orientation, byteOrder))), png.subarray(at)]);
}

/**
 * A jpeg-js JPEG (components Y, Cb, Cr, after a JFIF segment) marked as holding R, G, B as they are,
 * as `cjpeg -rgb` writes one: its JFIF segment dropped, then an Adobe segment with transform 0 added
 * ('Adobe segment') or its components named 'R', 'G', 'B' ('component ids'); or an Adobe segment with
 * transform 0 added after the JFIF one, which wins ('Adobe segment after JFIF': still YCbCr). With
 * 'Adobe segment after frame header' the JFIF segment is dropped and the Adobe one comes between the
 * frame header and the first scan, where libjpeg still reads it; 'short JFIF segment' keeps the
 * Adobe segment after a JFIF segment cut to 13 bytes, which libjpeg does not count as JFIF.
 */
export function markedRgbJpeg(
  jpeg: Uint8Array,
  how: 'Adobe segment' | 'component ids' | 'Adobe segment after JFIF' | 'Adobe segment after frame header' | 'short JFIF segment',
): Uint8Array {
  const adobe = Uint8Array.from([0xff, 0xee, 0, 14, ...new TextEncoder().encode('Adobe'), 0, 100, 0, 0, 0, 0, 0]);
  const parts: Uint8Array[] = [jpeg.subarray(0, 2)];
  if (how === 'Adobe segment') parts.push(adobe);
  let at = 2;
  for (;;) {
    const marker = jpeg[at + 1], length = (jpeg[at + 2] << 8) | jpeg[at + 3];
    const segment = jpeg.slice(at, at + 2 + length);
    if (how === 'component ids' && (marker === 0xc0 || marker === 0xda)) {
      // SOF0: three (id, sampling, table) after 6 bytes; SOS: three (id, tables) after 1.
      const [first, step] = marker === 0xc0 ? [10, 3] : [5, 2];
      [0x52, 0x47, 0x42].forEach((id, i) => (segment[first + step * i] = id));
    }
    if (marker === 0xda) {
      parts.push(segment, jpeg.subarray(at + 2 + length));
      return concat(parts);
    }
    if (marker !== 0xe0 || how === 'Adobe segment after JFIF') parts.push(segment);
    if (marker === 0xe0 && how === 'short JFIF segment') parts.push(Uint8Array.from([0xff, 0xe0, 0, 15, ...segment.subarray(4, 17)]));
    if (marker === 0xe0 && (how === 'Adobe segment after JFIF' || how === 'short JFIF segment')) parts.push(adobe);
    if (marker === 0xc0 && how === 'Adobe segment after frame header') parts.push(adobe);
    at += 2 + length;
  }
}

/** `jpeg` without its Adobe (APP14) segments, as some tools write CMYK. */
export function withoutAdobeSegment(jpeg: Uint8Array): Uint8Array {
  const parts: Uint8Array[] = [jpeg.subarray(0, 2)];
  for (let at = 2; ;) {
    const marker = jpeg[at + 1], length = (jpeg[at + 2] << 8) | jpeg[at + 3];
    if (marker === 0xda) return concat([...parts, jpeg.subarray(at)]);
    if (marker !== 0xee) parts.push(jpeg.subarray(at, at + 2 + length));
    at += 2 + length;
  }
}
