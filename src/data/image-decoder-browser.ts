// Decoding in browsers and their workers, with the platform's own decoder: createImageBitmap, then
// a canvas (OffscreenCanvas where it exists, as in workers) to read the pixels back. The browser
// applies EXIF orientation itself; 16-bit PNGs come back at 8 bits, as a canvas holds them. It
// decodes GIF, WebP, BMP, AVIF and HEIC too, where it can (a GIF's first frame).
import { ConfigError, FileFormatError } from '../errors.js';
import { BROWSER_FORMAT_TYPES, type BrowserImageHeader } from './image-header-browser.js';
import { type JpegHeader, type PngHeader, checkImageSize, formatName, isGreyscale } from './image-header.js';
import type { RgbaImage } from './rgba-image.js';

/**
 * `bytes` decoded by the browser. The header's size passed `maxPixels`; the bitmap's is checked too
 * before a canvas of it is made, since what the browser decodes is its own reading of the file, which
 * a hostile file can make larger than the one the header gave.
 */
export async function decodeInBrowser(bytes: Uint8Array, header: PngHeader | JpegHeader | BrowserImageHeader, name: string, maxPixels: number): Promise<RgbaImage> {
  if (typeof createImageBitmap !== 'function') {
    throw new ConfigError(`cannot decode ${name}: this environment has neither Node nor createImageBitmap`);
  }
  let bitmap: ImageBitmap;
  try {
    const type = header.format === 'png' || header.format === 'jpeg' ? `image/${header.format}` : BROWSER_FORMAT_TYPES[header.format];
    // No colour-space conversion and no premultiplied alpha: the samples as the file holds them, as in Node.
    bitmap = await createImageBitmap(new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), { colorSpaceConversion: 'none', premultiplyAlpha: 'none' });
  } catch (error) {
    // Browsers decode PNG and JPEG alike; the other formats, not all of them (Chromium no HEIC, older Safari no AVIF).
    const what = header.format === 'png' || header.format === 'jpeg' ? '' : ', or one this browser does not decode';
    throw new FileFormatError(`${name}: corrupt or truncated ${formatName(header)}${what} (the browser says: ${(error as Error).message})`);
  }
  try {
    checkImageSize(bitmap.width, bitmap.height, maxPixels, name, formatName(header), 'decodes to');
    return { ...canvasPixels(bitmap, bitmap.width, bitmap.height), greyscale: isGreyscale(header) };
  } finally {
    bitmap.close();
  }
}

/** Anything a canvas can draw (an ImageBitmap, an <img>, a <video> frame, a canvas) as RGBA pixels at `width`×`height`. */
export function canvasPixels(source: CanvasImageSource, width: number, height: number): RgbaImage {
  const canvas = typeof OffscreenCanvas === 'function'
    ? new OffscreenCanvas(width, height)
    : Object.assign(document.createElement('canvas'), { width, height });
  const context = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw new ConfigError('cannot read pixels: this browser gives no 2D canvas context');
  context.drawImage(source, 0, 0, width, height);
  try {
    return { width, height, data: context.getImageData(0, 0, width, height).data };
  } catch (error) {
    if ((error as Error).name !== 'SecurityError') throw error;
    throw new ConfigError('cannot read the pixels of a picture from another origin (the browser says: ' + (error as Error).message + '); ' +
      "expected one the page may read: one from the page's own origin, or one loaded with crossOrigin = 'anonymous' from a server that allows it (CORS)");
  }
}
