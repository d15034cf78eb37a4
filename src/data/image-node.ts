// Reads a PNG or PGM file from disk as a greyscale image, with node:zlib doing PNG's inflate. Node only.
import { readFile } from 'node:fs/promises';
import { inflateSync } from 'node:zlib';
import { decodeImage, type GreyImage } from './image.js';

export async function readGreyImage(path: string): Promise<GreyImage> {
  // One byte past the expected length is enough to tell a wrong size, and a zip bomb stops there.
  return decodeImage(await readFile(path), path, (compressed, expectedLength) => inflateSync(compressed, { maxOutputLength: expectedLength + 1 }));
}
