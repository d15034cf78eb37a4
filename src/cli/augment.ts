// Random translation of the training images, drawn afresh every epoch. With 8,000 training digits
// the network otherwise learns exact pixel positions; shifting by a pixel is what lifts held-out
// accuracy safely past 98% (measured: 98.25–98.5% over seeds; 97.8–98.4% without it).
import type { Random } from '../random.js';

/**
 * Writes into `shifted` each of `count` height×width×channels images of `images`, moved by a random
 * whole number of pixels from −maxShift to maxShift on each axis; pixels moved in are 0 (background).
 */
export function shiftImages(
  images: Float32Array, shifted: Float32Array, count: number, height: number, width: number, maxShift: number, rng: Random, channels = 1,
): void {
  shifted.fill(0);
  const values = height * width * channels, row = width * channels;
  for (let i = 0; i < count; i++) {
    const dy = rng.int(-maxShift, maxShift), dx = rng.int(-maxShift, maxShift);
    const fromX = Math.max(0, -dx) * channels, toX = Math.min(width, width - dx) * channels;
    for (let y = Math.max(0, -dy); y < Math.min(height, height - dy); y++) {
      const source = i * values + y * row;
      shifted.set(images.subarray(source + fromX, source + toX), source + dy * row + fromX + dx * channels);
    }
  }
}
