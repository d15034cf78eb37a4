// Decoding in Node, with two well-kept pure-JavaScript decoders (runtime dependencies of the
// package, imported only here and only when Node decodes, so browser bundles never carry them):
//   jpeg-js — baseline and progressive JPEG, grey, YCbCr and Adobe CMYK;
//   pngjs   — every PNG colour type and bit depth (1–16), palettes, tRNS transparency, Adam7
//             interlacing, CRC checks; its output is RGBA at 8 bits, or at 16 for 16-bit files.
// Their own errors are plain Errors with terse messages; each becomes a FileFormatError naming the file.
import { FileFormatError } from '../errors.js';
import { importNodeBuiltin, importNodePackage } from '../platform.js';
import { type RgbaImage, applyOrientation } from './rgba-image.js';
import { type JpegHeader, type PngHeader, isGreyscale } from './image-header.js';

type JpegJs = typeof import('jpeg-js');
type PngJs = typeof import('pngjs');

export async function decodeInNode(bytes: Uint8Array, header: PngHeader | JpegHeader, name: string): Promise<RgbaImage> {
  const corrupt = (error: unknown) =>
    new FileFormatError(`${name}: corrupt or truncated ${header.format.toUpperCase()} (the decoder says: ${(error as Error).message})`);
  if (header.format === 'jpeg') {
    if (header.coding !== 'huffman') {
      throw new FileFormatError(`${name}: ${header.coding} JPEG is not supported in Node; baseline and progressive (Huffman-coded) JPEGs are: ` +
        'save it again as one, or as PNG');
    }
    const { decode } = await importNodePackage<JpegJs>('jpeg-js');
    let image;
    try {
      // The header passed checkImageSize: jpeg-js's own limits only need to let that through.
      // jpeg-js converts three components from YCbCr unless told (an Adobe segment saying YCbCr or YCCK overrides it).
      // It decodes four only after an Adobe segment it recognises ('Adobe\0'): where there is none, one is put in.
      image = decode(header.components === 4 && !header.adobe ? withAdobeSegment(bytes) : bytes, {
        useTArray: true, formatAsRGBA: true, maxResolutionInMP: 1e3, maxMemoryUsageInMB: 4096, colorTransform: header.colourTransform,
      });
    } catch (error) {
      throw corrupt(error);
    }
    return applyOrientation({ width: image.width, height: image.height, data: image.data, greyscale: isGreyscale(header) }, header.orientation);
  }
  await checkInflatedSize(header, name);
  const { PNG } = await importNodePackage<PngJs>('pngjs');
  let png;
  try {
    // 16-bit samples stay 16-bit; lower depths (1, 2, 4 bits, palettes) come scaled to 8.
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), { skipRescale: header.bitDepth === 16 });
  } catch (error) {
    throw corrupt(error);
  }
  const data = png.data as unknown as Uint8Array | Uint16Array;
  return applyOrientation({ width: png.width, height: png.height, data, greyscale: isGreyscale(header) }, header.orientation);
}

/**
 * A four-component JPEG with an Adobe segment saying CMYK (transform 0) after its SOI marker: jpeg-js
 * decodes four components only after one, and libjpeg (so browsers) reads CMYK without one as such.
 */
function withAdobeSegment(bytes: Uint8Array): Uint8Array {
  const segment = [0xff, 0xee, 0, 14, ...Array.from('Adobe', (c) => c.charCodeAt(0)), 0, 100, 0, 0, 0, 0, 0];
  const file = new Uint8Array(bytes.length + segment.length);
  file.set(bytes.subarray(0, 2));
  file.set(segment, 2);
  file.set(bytes.subarray(2), 2 + segment.length);
  return file;
}

/**
 * A few kilobytes of compressed data can inflate to gigabytes while the header declares a small
 * image. pngjs stops plain PNGs at their size (with a cryptic error) but inflates interlaced ones
 * whole; so the data is inflated once here first (natively, quickly), stopping at the size the
 * header allows, and a bomb is refused by name.
 */
async function checkInflatedSize(header: PngHeader, name: string): Promise<void> {
  const channels = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[header.colourType] ?? 4;
  const bitsPerPixel = channels * header.bitDepth;
  // Rows led by a filter byte; interlaced, Adam7's seven passes, each a sub-image of every 8th/4th/2nd pixel.
  const passes = header.interlaced ? [[0, 0, 8, 8], [4, 0, 8, 8], [0, 4, 4, 8], [2, 0, 4, 4], [0, 2, 2, 4], [1, 0, 2, 2], [0, 1, 1, 2]] : [[0, 0, 1, 1]];
  let expected = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const w = Math.ceil((header.width - x0) / dx), h = Math.ceil((header.height - y0) / dy);
    if (w > 0 && h > 0) expected += h * (1 + Math.ceil((w * bitsPerPixel) / 8));
  }
  const { inflateSync } = await importNodeBuiltin<typeof import('node:zlib')>('node:zlib');
  try {
    inflateSync(Buffer.concat(header.idat), { maxOutputLength: expected });
  } catch (error) {
    if ((error as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new FileFormatError(`${name}: the PNG's compressed data inflates to more than the ${expected} bytes its ${header.width}×${header.height} pixels take (a decompression bomb?)`);
    }
    throw new FileFormatError(`${name}: corrupt or truncated PNG (its compressed data: ${(error as Error).message})`);
  }
}
