// The gradient that scripts/make-image-fixtures.py drew into tests/fixtures/images/, and that the
// tests encode themselves: smooth, so a JPEG of it stays within a few levels of every pixel.
export const GRADIENT = { width: 24, height: 16 };

/** The gradient's [r, g, b] at (x, y), 0–255. */
export function gradientAt(x: number, y: number): [number, number, number] {
  const { width, height } = GRADIENT;
  return [Math.round((255 * x) / (width - 1)), Math.round((255 * y) / (height - 1)), Math.round((255 * (x + y)) / (width + height - 2))];
}

/** The whole gradient as RGBA bytes. */
export function gradientRgba(): Uint8Array {
  const { width, height } = GRADIENT;
  const data = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data.set([...gradientAt(x, y), 255], 4 * (y * width + x));
  return data;
}
