// Colour pictures of two textures for the transfer-learning tests (Node, command line, Chromium):
// stripes (any direction and width) against dots (any spacing and size), each at a random phase,
// in a dark ink of any hue on a light paper of any hue. Label 0 is stripes, 1 dots.
import jpeg from 'jpeg-js';
import { encodePng } from '../data/encoders.js';
import { random } from '../helpers.js';

export interface Picture {
  width: number;
  height: number;
  /** RGBA, 8 bits per sample. */
  data: Uint8Array;
  label: number;
}

export const TEXTURES = ['stripes', 'dots'] as const;

type Rng = ReturnType<typeof random>;

const colour = (rng: Rng, lo: number, hi: number) => [rng.int(lo, hi), rng.int(lo, hi), rng.int(lo, hi)];
const wrap = (v: number, m: number) => ((v % m) + m) % m;

/** One size×size picture of stripes (label 0) or dots (label 1). */
export function pattern(label: number, size: number, rng: Rng): Picture {
  const [ink, paper] = [colour(rng, 0, 70), colour(rng, 185, 255)];
  const angle = rng.next() * Math.PI;
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const period = size * (0.12 + 0.12 * rng.next());
  const radius = period * (0.2 + 0.15 * rng.next());
  const [phaseX, phaseY] = [rng.next() * period, rng.next() * period];
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const cx = wrap(x + phaseX, period) - period / 2, cy = wrap(y + phaseY, period) - period / 2;
      const on = label === 0 ? wrap(x * dx + y * dy + phaseX, period) < period / 2 : cx * cx + cy * cy < radius * radius;
      data.set([...(on ? ink : paper), 255], (y * size + x) * 4);
    }
  }
  return { width: size, height: size, data, label };
}

/** `perClass` pictures of each texture, alternating (labels 0, 1, 0, 1, …). */
export function stripesAndDots(perClass: number, size: number, seed: number): Picture[] {
  const rng = random(seed);
  return Array.from({ length: 2 * perClass }, (_, i) => pattern(i % 2, size, rng));
}

/** A picture as a file's bytes: PNG (RGB, lossless) or JPEG (quality 92). */
export function encodePicture(picture: Picture, format: 'png' | 'jpg'): Uint8Array {
  const { width, height, data } = picture;
  if (format === 'jpg') return new Uint8Array(jpeg.encode({ width, height, data }, 92).data);
  const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => data[Math.floor(i / 3) * 4 + (i % 3)]);
  return encodePng({ width, height, colourType: 2, samples: rgb, filters: [1, 4] });
}
