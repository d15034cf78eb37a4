// The formats a browser decodes for convas and Node does not: GIF, WebP, BMP, and AVIF and HEIC (HEIF
// files; Safari shows HEIC, Chromium and Firefox AVIF). Each is known by its first bytes and its
// declared size is read, so that a file declaring more than maxPixels is refused before the browser
// decodes it, as PNG and JPEG are. Every read is checked against the file's length: a cut or hostile
// file is a FileFormatError, never a RangeError.
import { FileFormatError } from '../errors.js';

export type BrowserFormat = 'gif' | 'webp' | 'bmp' | 'avif' | 'heic';

export interface BrowserImageHeader {
  format: BrowserFormat;
  width: number;
  height: number;
}

export const BROWSER_FORMAT_NAMES: Record<BrowserFormat, string> = { gif: 'GIF', webp: 'WebP', bmp: 'BMP', avif: 'AVIF', heic: 'HEIC' };
export const BROWSER_FORMAT_TYPES: Record<BrowserFormat, string> = {
  gif: 'image/gif', webp: 'image/webp', bmp: 'image/bmp', avif: 'image/avif', heic: 'image/heic',
};

/** Reads little- or big-endian integers of `bytes`, refusing a read past its end as a truncated `format` file. */
function reader(bytes: Uint8Array, name: string, format: string) {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const need = (at: number, length: number) => {
    if (at + length > bytes.length) throw new FileFormatError(`${name}: truncated ${format}: the file ends after ${bytes.length} bytes, before its size is declared`);
  };
  return {
    u8: (at: number) => (need(at, 1), bytes[at]),
    u16le: (at: number) => (need(at, 2), view.getUint16(at, true)),
    u24le: (at: number) => (need(at, 3), view.getUint16(at, true) + (bytes[at + 2] << 16)),
    i32le: (at: number) => (need(at, 4), view.getInt32(at, true)),
    u32le: (at: number) => (need(at, 4), view.getUint32(at, true)),
    u32: (at: number) => (need(at, 4), view.getUint32(at)),
    text: (at: number, length: number) => (need(at, length), String.fromCharCode(...bytes.subarray(at, at + length))),
  };
}

const startsWith = (bytes: Uint8Array, text: string, at = 0) =>
  bytes.length >= at + text.length && [...text].every((c, i) => bytes[at + i] === c.charCodeAt(0));

/** The header of a GIF, WebP, BMP, AVIF or HEIC file, or undefined when `bytes` start as none of them. */
export function readBrowserImageHeader(bytes: Uint8Array, name: string): BrowserImageHeader | undefined {
  if (startsWith(bytes, 'GIF87a') || startsWith(bytes, 'GIF89a')) return { format: 'gif', ...gifSize(bytes, name) };
  if (startsWith(bytes, 'RIFF') && startsWith(bytes, 'WEBP', 8)) return { format: 'webp', ...webpSize(bytes, name) };
  if (startsWith(bytes, 'BM') && hasBmpInfoHeader(bytes)) return { format: 'bmp', ...bmpSize(bytes, name) };
  if (startsWith(bytes, 'ftyp', 4)) {
    const format = heifFormat(bytes, name);
    if (format) return { format, ...heifSize(bytes, name, BROWSER_FORMAT_NAMES[format]) };
  }
  return undefined;
}

/**
 * The logical screen's size, grown to hold the first frame where it reaches past it (as Chromium
 * grows it: to the frame's offset plus its size, so a 1×1 frame at 3000, 2000 on a 1×1 screen
 * decodes at 3001×2001): the first image descriptor follows the global colour table and any extension blocks.
 */
function gifSize(bytes: Uint8Array, name: string) {
  const { u8, u16le } = reader(bytes, name, 'GIF');
  let width = u16le(6), height = u16le(8);
  const flags = u8(10);
  let at = 13 + (flags & 0x80 ? 3 * 2 ** ((flags & 7) + 1) : 0);
  while (u8(at) === 0x21) { // an extension: its label, then data sub-blocks up to an empty one
    at += 2;
    for (let length = u8(at); length !== 0; length = u8(at)) at += length + 1;
    at += 1;
  }
  if (u8(at) !== 0x2c) throw new FileFormatError(`${name}: corrupt GIF: expected an image descriptor at byte ${at}, found ${bytes[at]}`);
  width = Math.max(width, u16le(at + 1) + u16le(at + 5));
  height = Math.max(height, u16le(at + 3) + u16le(at + 7));
  return { width, height };
}

/** The size a WebP's first chunk declares: a lossy frame (VP8), a lossless one (VP8L) or an extended file's canvas (VP8X). */
function webpSize(bytes: Uint8Array, name: string) {
  const { u16le, u24le, u32le, text } = reader(bytes, name, 'WebP');
  const chunk = text(12, 4);
  if (chunk === 'VP8 ') return { width: u16le(26) & 0x3fff, height: u16le(28) & 0x3fff };
  if (chunk === 'VP8L') { // after its signature byte, 14 bits of width − 1 and 14 of height − 1
    const bits = u32le(21);
    return { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X') return { width: u24le(24) + 1, height: u24le(27) + 1 };
  throw new FileFormatError(`${name}: corrupt WebP: its first chunk is ${JSON.stringify(chunk)}; expected VP8, VP8L or VP8X`);
}

/**
 * Whether the 4 bytes after a BMP's 14-byte file header give the length of an information (DIB)
 * header Chromium's decoder reads: 12 (OS/2 1.x), 40, 52, 56, 108, 124 (Windows), or 16 to 64 (OS/2
 * 2.x, a multiple of 4, or 42 or 46). Two letters "BM" alone start many files that are no image (a
 * text beginning "BMW…"): without such a length the file is not taken for a BMP.
 */
function hasBmpInfoHeader(bytes: Uint8Array): boolean {
  if (bytes.length < 18) return false;
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(14, true);
  return length === 12 || length === 108 || length === 124 || (length >= 16 && length <= 64 && (length % 4 === 0 || length === 42 || length === 46));
}

/** A BMP's size from its DIB header: 16-bit in the old OS/2 one (12 bytes), else 32-bit (a negative height: stored top down). */
function bmpSize(bytes: Uint8Array, name: string) {
  const { u16le, i32le, u32le } = reader(bytes, name, 'BMP');
  if (u32le(14) === 12) return { width: u16le(18), height: u16le(20) };
  return { width: Math.abs(i32le(18)), height: Math.abs(i32le(22)) };
}

const AVIF_BRANDS = ['avif', 'avis'];
const HEIC_BRANDS = ['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx'];

/** AVIF or HEIC by the ftyp box's major and compatible brands; undefined for other ISO media files (MP4, MOV). */
function heifFormat(bytes: Uint8Array, name: string): BrowserFormat | undefined {
  const { u32, text } = reader(bytes, name, 'ISO media file');
  const size = Math.min(u32(0), bytes.length);
  const brands = [text(8, 4)];
  for (let at = 16; at + 4 <= size; at += 4) brands.push(text(at, 4));
  if (brands.some((brand) => AVIF_BRANDS.includes(brand))) return 'avif';
  return brands.some((brand) => HEIC_BRANDS.includes(brand)) ? 'heic' : undefined;
}

/**
 * The largest image spatial extent ('ispe') among the item properties (meta → iprp → ipco): the
 * primary image's, or a grid's that its tiles make up, and never less than either; and in an image
 * sequence (an animated AVIF), the largest of its tracks' sizes too (moov → trak → tkhd), which is
 * what libavif decodes there, whatever the items declare.
 */
function heifSize(bytes: Uint8Array, name: string, format: string) {
  const { u8, u32, text } = reader(bytes, name, format);
  /** The boxes from `start` to `end`: each one's type and where its content starts and ends. */
  function* boxes(start: number, end: number) {
    for (let at = start; at + 8 <= end;) {
      let size = u32(at), content = at + 8;
      if (size === 1) { // a 64-bit size: a box past 4 GB is past any image file read
        if (u32(at + 8) !== 0) throw new FileFormatError(`${name}: corrupt ${format}: a box at byte ${at} declares more than 4 GB`);
        size = u32(at + 12);
        content = at + 16;
      } else if (size === 0) {
        size = end - at; // to the end of the file
      }
      if (size < content - at || at + size > end) {
        throw new FileFormatError(`${name}: corrupt or truncated ${format}: the box at byte ${at} declares ${size} bytes, where ${content - at} to ${end - at} fit`);
      }
      yield { type: text(at + 4, 4), content, end: at + size };
      at += size;
    }
  }
  const child = (parent: { content: number; end: number }, type: string, skip = 0) => {
    for (const box of boxes(parent.content + skip, parent.end)) if (box.type === type) return box;
    return undefined;
  };
  const file = { content: 0, end: bytes.length };
  const meta = child(file, 'meta');
  const iprp = meta && child(meta, 'iprp', 4); // meta is a full box: a version and flags first
  const ipco = iprp && child(iprp, 'ipco');
  const sizes = [...(ipco ? boxes(ipco.content, ipco.end) : [])].filter((box) => box.type === 'ispe').map((box) => {
    if (box.end - box.content < 12) throw new FileFormatError(`${name}: corrupt ${format}: its ispe property holds ${box.end - box.content} bytes; expected 12`);
    return { width: u32(box.content + 4), height: u32(box.content + 8) }; // after a version and flags
  });
  const moov = child(file, 'moov');
  for (const trak of moov ? boxes(moov.content, moov.end) : []) {
    const tkhd = trak.type === 'trak' ? child(trak, 'tkhd') : undefined;
    if (!tkhd) continue;
    // Its width and height (16.16 fixed point) follow the times, track id and duration (64-bit ones in
    // version 1), the layer, volume and matrix.
    const at = tkhd.content + (u8(tkhd.content) === 1 ? 88 : 76);
    if (at + 8 > tkhd.end) throw new FileFormatError(`${name}: corrupt ${format}: its track header (tkhd) holds ${tkhd.end - tkhd.content} bytes, too few for a size`);
    sizes.push({ width: u32(at) >>> 16, height: u32(at + 4) >>> 16 });
  }
  if (sizes.length === 0) throw new FileFormatError(`${name}: corrupt ${format}: it declares no image size (no ispe property in its meta box)`);
  return sizes.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
}
