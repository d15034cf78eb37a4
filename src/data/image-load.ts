// loadImage: an image file's pixels from wherever it is — a path or file: URL (Node), an http(s)
// URL (fetched), or a File or Blob (a browser's file picker, drag and drop, a camera capture).
import { FileFormatError, StorageError } from '../errors.js';
import { fetchUrl, readBody } from '../fetch-url.js';
import { joinBytes } from '../join-bytes.js';
import { importNodeBuiltin, runsInNode } from '../platform.js';
import { type DecodeImageOptions, decodeImage, maxPixelsOf } from './image.js';
import type { RgbaImage } from './rgba-image.js';

export type ImageLocation = string | URL | Blob;

export async function loadImage(location: ImageLocation, options: DecodeImageOptions = {}): Promise<RgbaImage> {
  const { bytes, name } = await readImageFile(location, largestFile(maxPixelsOf(options)));
  return decodeImage(bytes, { ...options, name: options.name ?? name });
}

/**
 * The most bytes read of an image file: an uncompressed 16-bit RGBA PNG of `maxPixels` (8 bytes a
 * pixel) and 16 MiB of metadata. Reading stops there: a server may send a body that never ends, a
 * path may name a device.
 */
const largestFile = (maxPixels: number) => maxPixels * 8 + 16 * 2 ** 20;

const tooLong = (name: string, bytes: number, maxBytes: number) => new FileFormatError(`${name}: holds ${bytes} bytes or more, ` +
  `more than the ${maxBytes} read of an image file (an uncompressed image of maxPixels pixels and its metadata); expected an image file, or a larger maxPixels`);

/**
 * A file's bytes, read until its end or past `maxBytes`: a pipe (/dev/stdin) or a device has no size
 * to check first, and a file may grow while it is read. `size` is what the file said it holds.
 */
async function readUpTo(file: import('node:fs/promises').FileHandle, size: number, maxBytes: number, path: string): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let length = 0;
  try {
    for (;;) {
      const chunk = new Uint8Array(Math.min(Math.max(size - length + 1, 2 ** 16), maxBytes - length + 1));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, null);
      if (bytesRead === 0) return joinBytes(chunks);
      chunks.push(chunk.subarray(0, bytesRead));
      length += bytesRead;
      if (length > maxBytes) throw tooLong(path, length, maxBytes);
    }
  } finally {
    await file.close();
  }
}

/** The bytes at `location` and the name errors give it; a download longer than `maxBytes` is refused. */
async function readImageFile(location: ImageLocation, maxBytes: number): Promise<{ bytes: Uint8Array; name: string }> {
  if (typeof Blob === 'function' && location instanceof Blob) {
    const name = (location as File).name || 'blob';
    if (location.size > maxBytes) throw tooLong(name, location.size, maxBytes);
    return { bytes: new Uint8Array(await location.arrayBuffer()), name };
  }
  const text = String(location);
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(text)?.[1]?.toLowerCase();
  const isPath = scheme === undefined || scheme.length === 1; // C:\… is a path too
  if (runsInNode && (isPath || scheme === 'file')) {
    const fs = await importNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
    const { fileURLToPath } = await importNodeBuiltin<typeof import('node:url')>('node:url');
    const path = scheme === 'file' ? fileURLToPath(text) : text;
    try {
      const file = await fs.stat(path);
      if (file.isDirectory()) throw new FileFormatError(`${path}: is a directory; expected an image file`);
      if (file.size > maxBytes) throw tooLong(path, file.size, maxBytes);
      return { bytes: await readUpTo(await fs.open(path), file.size, maxBytes, path), name: path };
    } catch (error) {
      if (error instanceof FileFormatError) throw error;
      const code = (error as { code?: string }).code;
      if (code === 'ENOENT') throw new FileFormatError(`${path}: file not found`);
      // Node's message names the path already ("EACCES: permission denied, open '…'"): it is said once.
      const message = String((error as Error).message).replace(/, \w+ '.*'$/s, '');
      throw new StorageError(`${path}: cannot be read (${message})`);
    }
  }
  // In a browser a path is relative to the page.
  const url = isPath && typeof globalThis.location === 'object' ? new URL(text, globalThis.location.href).href : text;
  const response = await fetchUrl(url);
  if (!response.ok) throw new FileFormatError(`${url}: HTTP ${response.status} ${response.statusText}`);
  const bytes = await readBody(response, maxBytes, url, (length) => tooLong(url, length, maxBytes));
  return { bytes, name: url };
}
