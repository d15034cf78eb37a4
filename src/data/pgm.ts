// PGM ("P2" text or "P5" binary greyscale, as netpbm writes): width, height, maximum value, then
// the samples; '#' starts a comment. Decoded here (no library needed) to an image like the others.
import { FileFormatError } from '../errors.js';
import type { RgbaImage } from './rgba-image.js';

export function decodePgm(bytes: Uint8Array, fileName: string, maxPixels: number): RgbaImage {
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
  if (width * height > maxPixels) throw fail(`image is ${width}×${height} pixels, more than the ${maxPixels / 1e6} megapixels allowed`);
  // Samples become 8-bit (maximum value up to 255) or 16-bit, scaled to the full range.
  const data = maxValue > 255 ? new Uint16Array(width * height * 4) : new Uint8Array(width * height * 4);
  const full = maxValue > 255 ? 65535 : 255;
  for (let i = 0; i < width * height; i++) {
    const sample = !binary ? readNumber(`pixel ${i} of ${width * height}`)
      : sampleBytes === 2 ? (bytes[at + 2 * i] << 8) | bytes[at + 2 * i + 1] : bytes[at + i];
    if (sample > maxValue) throw fail(`pixel ${i} is ${sample}, above the maximum value ${maxValue}`);
    data.fill(Math.round((sample * full) / maxValue), 4 * i, 4 * i + 3);
    data[4 * i + 3] = full;
  }
  return { width, height, data, greyscale: true };
}
