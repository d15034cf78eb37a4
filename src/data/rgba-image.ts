// An image as decoders hand it over: RGBA samples, 8 or 16 bits each, as a browser's ImageData.
/**
 * Decoded pixels, row by row, 4 samples a pixel (red, green, blue, alpha), as a browser's ImageData:
 * 8-bit (Uint8Array, Uint8ClampedArray: 0–255) or 16-bit (Uint16Array: 0–65535, from 16-bit PNGs).
 * A canvas's ImageData is one.
 */
export interface RgbaImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray | Uint16Array;
  /** True when the file stores grey only (grey PNG, one-component JPEG, PGM). */
  greyscale?: boolean;
}

/**
 * The image as EXIF `orientation` (1–8) says to show it: mirrored and/or turned by quarter turns.
 * (Browsers do this themselves when they decode; jpeg-js does not.)
 */
export function applyOrientation(image: RgbaImage, orientation: number): RgbaImage {
  if (orientation <= 1 || orientation > 8) return image;
  const { width: w, height: h, data } = image;
  const turned = orientation >= 5;
  const width = turned ? h : w, height = turned ? w : h;
  // For each shown pixel (x, y), the stored pixel it comes from.
  const source: (x: number, y: number) => number = [
    (x: number, y: number) => y * w + x,
    (x: number, y: number) => y * w + (w - 1 - x), // 2: mirrored left to right
    (x: number, y: number) => (h - 1 - y) * w + (w - 1 - x), // 3: half a turn
    (x: number, y: number) => (h - 1 - y) * w + x, // 4: mirrored top to bottom
    (x: number, y: number) => x * w + y, // 5: transposed
    (x: number, y: number) => (h - 1 - x) * w + y, // 6: a quarter turn clockwise
    (x: number, y: number) => (h - 1 - x) * w + (w - 1 - y), // 7: transverse
    (x: number, y: number) => x * w + (w - 1 - y), // 8: a quarter turn anticlockwise
  ][orientation - 1];
  const out = new (data.constructor as new (n: number) => RgbaImage['data'])(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) out.set(data.subarray(4 * source(x, y), 4 * source(x, y) + 4), 4 * (y * width + x));
  }
  return { ...image, width, height, data: out };
}
