// Decoding image files to pixels: JPEG (baseline and progressive, colour or grey), PNG (every colour
// type and bit depth, palette, transparency, interlaced) and PGM; in browsers also GIF, WebP, BMP,
// AVIF and HEIC, where the browser decodes them. The header is read first (image-header.ts), so
// wrong, truncated and absurdly large files are refused before a decoder allocates anything.
// Browsers (and their workers) decode with the platform's own decoder; Node with jpeg-js and pngjs
// (image-decoders-node.ts), which browser bundles never include.
import { ConfigError, FileFormatError } from '../errors.js';
import { runsInNode } from '../platform.js';
import { decodeInBrowser } from './image-decoder-browser.js';
import { decodeInNode } from './image-decoders-node.js';
import { checkImageSize, formatName, readImageHeader } from './image-header.js';
import { decodePgm } from './pgm.js';
import type { RgbaImage } from './rgba-image.js';
import { withArticle } from '../article.js';

export type { RgbaImage } from './rgba-image.js';

export interface DecodeImageOptions {
  /** Names the image in error messages (a file name or URL). Default 'image'. */
  name?: string;
  /** Larger images are refused before decoding. Default 50 megapixels (about 200 MB of pixels). */
  maxPixels?: number;
}

const DEFAULT_MAX_PIXELS = 50e6;

/** The maxPixels option, checked: a number above 0 (Infinity allows any size). NaN would allow any size unseen. */
export function maxPixelsOf(options: DecodeImageOptions): number {
  const { maxPixels = DEFAULT_MAX_PIXELS } = options;
  if (typeof maxPixels !== 'number' || !(maxPixels > 0)) throw new ConfigError(`maxPixels is ${String(maxPixels)}; expected a number of pixels above 0`);
  return maxPixels;
}

/**
 * The pixels of a JPEG, PNG or PGM file's bytes, or in a browser of any GIF, WebP, BMP, AVIF or HEIC
 * file it decodes; a bad file is a FileFormatError naming it.
 */
export async function decodeImage(bytes: Uint8Array | ArrayBuffer, options: DecodeImageOptions = {}): Promise<RgbaImage> {
  const { name = 'image' } = options;
  const maxPixels = maxPixelsOf(options);
  const file = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  const header = readImageHeader(file, name);
  if (header.format === 'pgm') return decodePgm(file, name, maxPixels);
  checkImageSize(header.width, header.height, maxPixels, name, formatName(header));
  if (!runsInNode) return decodeInBrowser(file, header, name, maxPixels);
  if (header.format === 'png' || header.format === 'jpeg') return decodeInNode(file, header, name);
  throw new FileFormatError(`${name}: ${withArticle(formatName(header))} image, which convas decodes in browsers only (with the browser's own decoder); ` +
    'in Node it decodes JPEG, PNG and PGM: save it as one of those');
}
