// Greyscale images for prediction: PGM and PNG decoding, and conversion to a model's input
// (resize, optional inversion). Pure: PNG's inflate step is passed in, so browsers can use this too.
import { FileFormatError } from '../errors.js';

/** Row-major grey pixels, 0 = black, 1 = white. */
export interface GreyImage {
  pixels: Float32Array;
  height: number;
  width: number;
}

/** zlib-wrapped deflate data → its uncompressed bytes (node:zlib's inflateSync, for instance). */
/** zlib inflate; it may stop (throw) once the output passes `expectedLength`, which a valid image never does. */
export type Inflate = (compressed: Uint8Array, expectedLength: number) => Uint8Array;

/** Larger images are refused before they are inflated: a predict input is a small picture. */
const MAX_IMAGE_BYTES = 256 * 2 ** 20;

const PNG_SIGNATURE = [137, 80, 78, 71, 13, 10, 26, 10];

/** Decodes a PNG or a PGM (P2 or P5), told apart by their first bytes. */
export function decodeImage(bytes: Uint8Array, fileName: string, inflate: Inflate): GreyImage {
  if (PNG_SIGNATURE.every((b, i) => bytes[i] === b)) return decodePng(bytes, fileName, inflate);
  if (bytes[0] === 0x50 && (bytes[1] === 0x32 || bytes[1] === 0x35)) return decodePgm(bytes, fileName);
  throw new FileFormatError(`${fileName}: not a PNG or PGM (P2/P5) image`);
}

/** PGM: "P2" (ASCII) or "P5" (binary), width, height, maxval, then the samples; '#' starts a comment. */
export function decodePgm(bytes: Uint8Array, fileName: string): GreyImage {
  const fail = (what: string) => new FileFormatError(`${fileName}: ${what}`);
  let at = 2;
  const isSpace = (b: number) => b === 0x20 || (b >= 0x09 && b <= 0x0d);
  const readNumber = (what: string): number => {
    while (at < bytes.length && (isSpace(bytes[at]) || bytes[at] === 0x23)) {
      if (bytes[at] === 0x23) while (at < bytes.length && bytes[at] !== 0x0a) at++;
      else at++;
    }
    const start = at;
    while (at < bytes.length && bytes[at] >= 0x30 && bytes[at] <= 0x39) at++;
    if (at === start) throw fail(`expected the ${what} as a decimal number at byte ${start}`);
    return Number(new TextDecoder().decode(bytes.subarray(start, at)));
  };
  const binary = bytes[1] === 0x35;
  const width = readNumber('width'), height = readNumber('height'), maxValue = readNumber('maximum value');
  if (width === 0 || height === 0) throw fail(`image is ${width}×${height} pixels; expected at least 1×1`);
  if (maxValue === 0 || maxValue > 65535) throw fail(`maximum value ${maxValue}; expected 1..65535`);
  // The header's claim is checked against the bytes that follow before anything is allocated:
  // a binary sample takes 1 or 2 bytes, a text sample at least one digit.
  if (binary) at++; // exactly one whitespace byte separates the header from binary samples
  const sampleBytes = binary && maxValue > 255 ? 2 : 1;
  const expected = width * height * sampleBytes;
  if (bytes.length - at < expected) throw fail(`truncated: ${width}×${height} pixels need ${binary ? '' : 'at least '}${expected} bytes, but ${bytes.length - at} follow the header`);
  const pixels = new Float32Array(width * height);
  if (binary) {
    for (let i = 0; i < pixels.length; i++) {
      const sample = sampleBytes === 2 ? (bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1] : bytes[at + i];
      pixels[i] = sample / maxValue;
    }
  } else {
    for (let i = 0; i < pixels.length; i++) pixels[i] = readNumber(`pixel ${i} of ${pixels.length}`) / maxValue;
  }
  if (pixels.some((v) => v > 1)) throw fail(`a pixel exceeds the maximum value ${maxValue}`);
  return { pixels, height, width };
}

/**
 * PNG, non-interlaced, greyscale / RGB / grey+alpha / RGBA at 8 or 16 bits per sample. Colour becomes
 * luma (Rec. 601); transparency is composited over white, as image viewers show it.
 */
export function decodePng(bytes: Uint8Array, fileName: string, inflate: Inflate): GreyImage {
  const fail = (what: string) => new FileFormatError(`${fileName}: ${what}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const idat: Uint8Array[] = [];
  let header: { width: number; height: number; bitDepth: number; colourType: number; interlace: number } | undefined;
  let at = PNG_SIGNATURE.length;
  for (;;) {
    if (at + 8 > bytes.length) throw fail('truncated: the image data ends before the IEND chunk');
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (data.length !== length) throw fail(`truncated: chunk ${type} declares ${length} bytes, but ${data.length} follow`);
    at += 12 + length; // length, type, data, CRC
    if (type === 'IHDR') {
      const chunk = new DataView(data.buffer, data.byteOffset, data.byteLength);
      header = { width: chunk.getUint32(0), height: chunk.getUint32(4), bitDepth: data[8], colourType: data[9], interlace: data[12] };
    } else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') break;
  }
  if (!header) throw fail('no IHDR chunk; expected one right after the PNG signature');
  const { width, height, bitDepth, colourType, interlace } = header;
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[colourType];
  if (channels === undefined) {
    throw fail(`colour type ${colourType}${colourType === 3 ? ' (palette)' : ''}; expected 0 (grey), 2 (RGB), 4 (grey+alpha) or 6 (RGBA)`);
  }
  if (bitDepth !== 8 && bitDepth !== 16) throw fail(`bit depth ${bitDepth}; expected 8 or 16`);
  if (interlace !== 0) throw fail('interlaced (Adam7) PNGs are not supported; save it non-interlaced');
  if (width === 0 || height === 0) throw fail(`image is ${width}×${height} pixels; expected at least 1×1`);

  const pixelBytes = (channels * bitDepth) / 8;
  const rowBytes = width * pixelBytes;
  const expected = height * (rowBytes + 1);
  if (expected > MAX_IMAGE_BYTES) throw fail(`image is ${width}×${height} pixels, too large to decode; expected at most ${MAX_IMAGE_BYTES >> 20} MB of pixels`);
  let raw: Uint8Array;
  try {
    raw = inflate(concat(idat), expected);
  } catch (error) {
    throw fail(`corrupt compressed image data (${(error as Error).message})`);
  }
  if (raw.length !== expected) {
    throw fail(`image data is ${raw.length} bytes once inflated; ${width}×${height} pixels need ${height * (rowBytes + 1)}`);
  }
  const samples = unfilter(raw, height, rowBytes, pixelBytes, fail);

  const maxSample = bitDepth === 16 ? 65535 : 255;
  const sample = bitDepth === 16 ? (i: number) => (samples[2 * i] << 8) | samples[2 * i + 1] : (i: number) => samples[i];
  const pixels = new Float32Array(width * height);
  for (let p = 0; p < pixels.length; p++) {
    const s = p * channels;
    const grey = channels >= 3 ? 0.299 * sample(s) + 0.587 * sample(s + 1) + 0.114 * sample(s + 2) : sample(s);
    const alpha = channels === 2 || channels === 4 ? sample(s + channels - 1) / maxSample : 1;
    pixels[p] = (grey / maxSample) * alpha + (1 - alpha);
  }
  return { pixels, height, width };
}

/** Undoes PNG's per-row filters (None, Sub, Up, Average, Paeth); returns the rows without filter bytes. */
function unfilter(
  raw: Uint8Array, height: number, rowBytes: number, pixelBytes: number, fail: (what: string) => Error,
): Uint8Array {
  const out = new Uint8Array(height * rowBytes);
  const bpp = Math.max(1, pixelBytes);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)];
    const src = raw.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    const row = out.subarray(y * rowBytes, (y + 1) * rowBytes);
    const above = y > 0 ? out.subarray((y - 1) * rowBytes, y * rowBytes) : new Uint8Array(rowBytes);
    for (let x = 0; x < rowBytes; x++) {
      const left = x >= bpp ? row[x - bpp] : 0;
      const up = above[x];
      const upLeft = x >= bpp ? above[x - bpp] : 0;
      let predictor: number;
      switch (filter) {
        case 0: predictor = 0; break;
        case 1: predictor = left; break;
        case 2: predictor = up; break;
        case 3: predictor = (left + up) >> 1; break;
        case 4: predictor = paeth(left, up, upLeft); break;
        default: throw fail(`row ${y} has filter type ${filter}; expected 0..4`);
      }
      row[x] = (src[x] + predictor) & 0xff;
    }
  }
  return out;
}

function paeth(left: number, up: number, upLeft: number): number {
  const p = left + up - upLeft;
  const pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
  return pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft;
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

/** True when the mean of the outermost pixels is above mid-grey: a dark digit on a light page. */
export function hasLightBackground(image: GreyImage): boolean {
  const { pixels, height, width } = image;
  let sum = 0, count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y === 0 || y === height - 1 || x === 0 || x === width - 1) {
        sum += pixels[y * width + x];
        count++;
      }
    }
  }
  return sum / count > 0.5;
}

/**
 * Resamples by area averaging: each output pixel is the mean of the source area it covers, weighted
 * by overlap. Shrinking a large drawing this way keeps thin strokes that point sampling would drop.
 * The aspect ratio is not kept.
 */
export function resizeGrey(image: GreyImage, height: number, width: number): GreyImage {
  const columns = areaWeights(image.width, width);
  const rows = areaWeights(image.height, height);
  const horizontal = new Float32Array(image.height * width);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (const [from, weight] of columns[x]) sum += weight * image.pixels[y * image.width + from];
      horizontal[y * width + x] = sum;
    }
  }
  const pixels = new Float32Array(height * width);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let sum = 0;
      for (const [from, weight] of rows[y]) sum += weight * horizontal[from * width + x];
      pixels[y * width + x] = sum;
    }
  }
  return { pixels, height, width };
}

/** For each of `to` output cells along one axis: the source cells it overlaps and weights summing to 1. */
function areaWeights(from: number, to: number): [number, number][][] {
  const scale = from / to;
  return Array.from({ length: to }, (_, i) => {
    const start = i * scale, end = (i + 1) * scale;
    const weights: [number, number][] = [];
    for (let s = Math.floor(start); s < Math.min(from, Math.ceil(end)); s++) {
      const overlap = Math.min(end, s + 1) - Math.max(start, s);
      if (overlap > 0) weights.push([s, overlap / scale]);
    }
    return weights;
  });
}

export interface ModelInputOptions {
  height: number;
  width: number;
  /** Make light-on-dark as MNIST is: true, false, or 'auto' (invert when the border is light). Default 'auto'. */
  invert?: boolean | 'auto';
}

/** An image as one model input [height, width, 1] with 0..1 values, and whether it was inverted. */
export function toModelInput(image: GreyImage, options: ModelInputOptions): { input: Float32Array; inverted: boolean } {
  const { height, width, invert = 'auto' } = options;
  const inverted = invert === 'auto' ? hasLightBackground(image) : invert;
  const { pixels } = resizeGrey(image, height, width);
  if (inverted) for (let i = 0; i < pixels.length; i++) pixels[i] = 1 - pixels[i];
  return { input: pixels, inverted };
}
