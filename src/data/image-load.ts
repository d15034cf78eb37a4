// loadImage: an image file's pixels from wherever it is — a path or file: URL (Node), an http(s)
// URL (fetched), or a File or Blob (a browser's file picker, drag and drop, a camera capture).
import { FileFormatError, StorageError } from '../errors.js';
import { fetchUrl, readBody } from '../fetch-url.js';
import { importNodeBuiltin, runsInNode } from '../platform.js';
import { DEFAULT_MAX_PIXELS, type DecodeImageOptions, decodeImage } from './image.js';
import type { RgbaImage } from './rgba-image.js';

export type ImageLocation = string | URL | Blob;

export async function loadImage(location: ImageLocation, options: DecodeImageOptions = {}): Promise<RgbaImage> {
  const { bytes, name } = await readImageFile(location, largestFile(options.maxPixels ?? DEFAULT_MAX_PIXELS));
  return decodeImage(bytes, { ...options, name: options.name ?? name });
}

/**
 * The most bytes an image of `maxPixels` takes: 8 a pixel (16-bit RGBA, stored uncompressed) and room
 * for its metadata. A download stops there: a server may send a body that never ends.
 */
const largestFile = (maxPixels: number) => maxPixels * 8 + 16 * 2 ** 20;

/** The bytes at `location` and the name errors give it; a download longer than `maxBytes` is refused. */
async function readImageFile(location: ImageLocation, maxBytes: number): Promise<{ bytes: Uint8Array; name: string }> {
  if (typeof Blob === 'function' && location instanceof Blob) {
    return { bytes: new Uint8Array(await location.arrayBuffer()), name: (location as File).name || 'blob' };
  }
  const text = String(location);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  const isPath = scheme === undefined || scheme.length === 1; // C:\… is a path too
  if (runsInNode && (isPath || scheme === 'file')) {
    const fs = await importNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
    const { fileURLToPath } = await importNodeBuiltin<typeof import('node:url')>('node:url');
    const path = scheme === 'file' ? fileURLToPath(text) : text;
    try {
      return { bytes: new Uint8Array(await fs.readFile(path)), name: path };
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT') throw new FileFormatError(`${path}: file not found`);
      if (code === 'EISDIR') throw new FileFormatError(`${path}: is a directory; expected an image file`);
      // Node's message names the path already ("EACCES: permission denied, open '…'"): it is said once.
      const message = String((error as Error).message).replace(/, \w+ '.*'$/s, '');
      throw new StorageError(`${path}: cannot be read (${message})`);
    }
  }
  // In a browser a path is relative to the page.
  const url = isPath && typeof globalThis.location === 'object' ? new URL(text, globalThis.location.href).href : text;
  const response = await fetchUrl(url);
  if (!response.ok) throw new FileFormatError(`${url}: HTTP ${response.status} ${response.statusText}`);
  const bytes = await readBody(response, maxBytes, url, (length) => new FileFormatError(
    `${url}: holds ${length} bytes or more, more than an image of the allowed megapixels takes (the maxPixels option); expected an image file`));
  return { bytes, name: url };
}
