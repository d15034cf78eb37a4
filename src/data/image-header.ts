// What an image file claims before it is decoded: its format (by its first bytes, not its name),
// its size, and for PNG whether every chunk is there. Read without allocating anything of the
// claimed size, so a decompression bomb or a truncated file is refused before a decoder runs.
import { FileFormatError } from '../errors.js';
import { BROWSER_FORMAT_NAMES, type BrowserImageHeader, readBrowserImageHeader } from './image-header-browser.js';

export interface PngHeader {
  format: 'png';
  width: number;
  height: number;
  bitDepth: number;
  colourType: number;
  interlaced: boolean;
  /** The IDAT chunks' data, in order (views of the file). */
  idat: Uint8Array[];
  /** EXIF orientation 1–8 from an eXIf chunk before the pixels, where browsers read it (1: as stored). */
  orientation: number;
}

export interface JpegHeader {
  format: 'jpeg';
  width: number;
  height: number;
  /** 1 for greyscale, 3 for YCbCr (or RGB), 4 for CMYK. */
  components: number;
  progressive: boolean;
  /** The frame's coding: Huffman (baseline, extended or progressive), or one few decoders have. */
  coding: 'huffman' | 'lossless' | 'hierarchical' | 'arithmetic';
  /** EXIF orientation 1–8 (1: as stored). */
  orientation: number;
  /**
   * Whether three components are YCbCr (else RGB), four YCCK (else CMYK): decided as libjpeg (and so
   * browsers) decide, from a JFIF segment, an Adobe segment's transform, or the component ids 'R', 'G', 'B'.
   */
  colourTransform: boolean;
  /**
   * Whether an Adobe segment that jpeg-js recognises (one starting 'Adobe\0') came before the first scan
   * (SOS). libjpeg reads any starting 'Adobe' (a version other than 0.x too); jpeg-js refuses four
   * components without one it recognises.
   */
  adobe: boolean;
}

export interface PgmHeader {
  format: 'pgm';
}

export type ImageHeader = PngHeader | JpegHeader | PgmHeader | BrowserImageHeader;

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** The format's name in messages: JPEG, PNG, GIF, WebP… */
export const formatName = (header: Exclude<ImageHeader, PgmHeader>) =>
  header.format === 'png' || header.format === 'jpeg' ? header.format.toUpperCase() : BROWSER_FORMAT_NAMES[header.format];

/** Whether the file stores grey only; a format only browsers decode counts as colour (what it stores is not read here). */
export const isGreyscale = (header: PngHeader | JpegHeader | BrowserImageHeader) =>
  header.format === 'png' ? header.colourType === 0 || header.colourType === 4 : header.format === 'jpeg' && header.components === 1;

/**
 * The header of a PNG, JPEG or PGM (P2, P5) in `bytes`, or of a format only browsers decode (GIF,
 * WebP, BMP, AVIF, HEIC); anything else is a FileFormatError naming `name`.
 */
export function readImageHeader(bytes: Uint8Array, name: string): ImageHeader {
  if (bytes.length === 0) throw new FileFormatError(`${name}: the file is empty; expected a JPEG or PNG image`);
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return readPngHeader(bytes, name);
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return readJpegHeader(bytes, name);
  if (bytes[0] === 0x50 && (bytes[1] === 0x32 || bytes[1] === 0x35)) return { format: 'pgm' };
  const header = readBrowserImageHeader(bytes, name);
  if (header) return header;
  const start = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new FileFormatError(`${name}: not an image convas reads (it starts with bytes ${start}); expected a JPEG, PNG or PGM file, ` +
    'or in a browser a GIF, WebP, BMP, AVIF or HEIC one that the browser decodes');
}

/**
 * Checks `width`×`height` against `maxPixels` (a decompression bomb declares a huge size in a small
 * file); `claim` says where the size comes from: what the header declares, or what a decoder gave.
 */
export function checkImageSize(width: number, height: number, maxPixels: number, name: string, format: string, claim = 'declares'): void {
  if (width === 0 || height === 0) throw new FileFormatError(`${name}: the ${format} is ${width}×${height} pixels; expected at least 1×1`);
  if (width * height > maxPixels) {
    throw new FileFormatError(`${name}: the ${format} ${claim} ${width}×${height} pixels (${(width * height / 1e6).toFixed(1)} megapixels), ` +
      `more than the ${maxPixels / 1e6} megapixels allowed (the maxPixels option)`);
  }
}

function readPngHeader(bytes: Uint8Array, name: string): PngHeader {
  const fail = (what: string) => new FileFormatError(`${name}: ${what}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  const idat: Uint8Array[] = [];
  let exif = false;
  for (let at = PNG_SIGNATURE.length; ;) {
    if (at + 8 > bytes.length) throw fail(`truncated PNG: the file ends after ${bytes.length} bytes, before its IEND chunk`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (at + 12 + length > bytes.length) {
      throw fail(`truncated PNG: chunk ${type} at byte ${at} declares ${length} bytes of data, but the file ends ${bytes.length - at - 8} bytes after its start`);
    }
    if (!header && type !== 'IHDR') throw fail(`the PNG's first chunk is ${JSON.stringify(type)}; expected IHDR`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (type === 'IHDR') {
      if (length !== 13) throw fail(`the PNG's IHDR chunk has ${length} bytes; expected 13`);
      header = {
        format: 'png', width: view.getUint32(at + 8), height: view.getUint32(at + 12), bitDepth: data[8], colourType: data[9],
        interlaced: data[12] === 1, idat, orientation: 1,
      };
    } else if (type === 'eXIf' && idat.length === 0 && !exif) {
      // Chromium turns a PNG by an eXIf chunk that comes before the image data, and ignores one after
      // it; libpng keeps the first eXIf chunk and ignores a second, so Chromium does too.
      exif = true;
      header!.orientation = tiffOrientation(data) ?? header!.orientation;
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  if (idat.length === 0) throw fail('the PNG has no IDAT chunk: it holds no pixels');
  return header!;
}

// JPEG markers: SOF0–SOF15 (frame headers) except DHT (C4), JPG (C8) and DAC (CC); SOF2, 6, 10, 14 are progressive.
const isFrameMarker = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
const isProgressive = (m: number) => m === 0xc2 || m === 0xc6 || m === 0xca || m === 0xce;
/** SOF0–2 are Huffman-coded (baseline, extended, progressive); SOF3 lossless; 5–7 hierarchical; 9 on arithmetic-coded. */
const codingOf = (m: number): JpegHeader['coding'] => (m <= 0xc2 ? 'huffman' : m === 0xc3 ? 'lossless' : m <= 0xc7 ? 'hierarchical' : 'arithmetic');

function readJpegHeader(bytes: Uint8Array, name: string): JpegHeader {
  const fail = (what: string) => new FileFormatError(`${name}: ${what}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let orientation = 1, jfif = false, adobeTransform: number | undefined, adobe = false;
  let frame: { marker: number; at: number; length: number } | undefined;
  // libjpeg decides the colour space at the first scan (SOS), so APPn segments between the frame header
  // and it count too: the markers are read up to the first SOS (or, after a frame header, to wherever they stop making sense).
  for (let at = 2; ;) {
    while (at < bytes.length && bytes[at] === 0xff && bytes[at + 1] === 0xff) at++; // fill bytes
    if (frame && (at + 4 > bytes.length || bytes[at] !== 0xff || bytes[at + 1] === 0xda || bytes[at + 1] === 0xd9)) break;
    if (at + 4 > bytes.length) throw fail('truncated JPEG: the file ends before its frame header (SOF)');
    if (bytes[at] !== 0xff) throw fail(`corrupt JPEG: expected a marker at byte ${at}, found ${bytes[at]}`);
    const marker = bytes[at + 1];
    if (marker === 0xd9 || marker === 0xda) throw fail('corrupt JPEG: image data starts before any frame header (SOF)');
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) { // markers without a length
      at += 2;
      continue;
    }
    const length = view.getUint16(at + 2);
    if (length < 2 || at + 2 + length > bytes.length) {
      if (frame) break;
      throw fail(`truncated JPEG: segment ${marker.toString(16)} at byte ${at} runs past the end of the file`);
    }
    const segment = bytes.subarray(at + 4, at + 2 + length);
    if (marker === 0xe1) orientation = exifOrientation(segment) ?? orientation;
    // libjpeg (examine_app0, examine_app14) counts a JFIF segment of at least 14 bytes, an Adobe one of at least 12.
    if (marker === 0xe0 && startsWith(segment, 'JFIF\0') && segment.length >= 14) jfif = true;
    if (marker === 0xee && startsWith(segment, 'Adobe') && segment.length >= 12) adobeTransform = segment[11];
    if (marker === 0xee && startsWith(segment, 'Adobe\0')) adobe = true;
    if (isFrameMarker(marker) && !frame) {
      if (length < 8) throw fail(`corrupt JPEG: its frame header has ${length} bytes`);
      frame = { marker, at, length };
    }
    at += 2 + length;
  }
  const { marker, at, length } = frame!;
  const components = bytes[at + 9];
  const ids = length >= 8 + 3 * components ? Array.from({ length: components }, (_, i) => bytes[at + 10 + 3 * i]) : [];
  return {
    format: 'jpeg', height: view.getUint16(at + 5), width: view.getUint16(at + 7), components,
    progressive: isProgressive(marker), coding: codingOf(marker), orientation,
    colourTransform: colourTransform(components, jfif, adobeTransform, ids), adobe,
  };
}

const startsWith = (segment: Uint8Array, text: string) => String.fromCharCode(...segment.subarray(0, text.length)) === text;

/**
 * libjpeg's rule (jdapimin.c, applied at the first scan): three components are YCbCr after a JFIF segment; else an Adobe
 * segment's transform says (0: RGB); else they are RGB only when their ids are 'R', 'G', 'B'. Four
 * are YCCK where an Adobe segment's transform is not 0, else CMYK.
 */
function colourTransform(components: number, jfif: boolean, adobeTransform: number | undefined, ids: number[]): boolean {
  if (components === 3) {
    if (jfif) return true;
    if (adobeTransform !== undefined) return adobeTransform !== 0;
    return String.fromCharCode(...ids) !== 'RGB';
  }
  return components === 4 && adobeTransform !== undefined && adobeTransform !== 0;
}

/** The orientation of an APP1 "Exif" segment (the EXIF TIFF structure after "Exif\0\0"), if it has a valid one. */
function exifOrientation(segment: Uint8Array): number | undefined {
  return startsWith(segment, 'Exif\0\0') ? tiffOrientation(segment.subarray(6)) : undefined;
}

/** The orientation tag (0x0112) of an EXIF TIFF structure's first IFD, if it has a valid one. */
function tiffOrientation(bytes: Uint8Array): number | undefined {
  if (bytes.length < 8) return undefined;
  const tiff = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const order = tiff.getUint16(0); // "II": Intel byte order; "MM": Motorola; anything else is not TIFF
  if (order !== 0x4949 && order !== 0x4d4d) return undefined;
  const little = order === 0x4949;
  const ifd = tiff.getUint32(4, little);
  if (ifd + 2 > tiff.byteLength) return undefined;
  const entries = tiff.getUint16(ifd, little);
  for (let i = 0; i < entries; i++) {
    const entry = ifd + 2 + 12 * i;
    if (entry + 12 > tiff.byteLength) return undefined;
    if (tiff.getUint16(entry, little) === 0x0112) {
      const value = tiff.getUint16(entry + 8, little);
      return value >= 1 && value <= 8 ? value : undefined;
    }
  }
  return undefined;
}
