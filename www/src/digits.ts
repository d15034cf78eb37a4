// The bundled digits as the site build wrote them (scripts/www-build.mjs): every image's 28×28
// pixel bytes, then every label. The first 8000 are loadBundledDigits()'s training split and the
// last 2000 its test split, so the browser trains on exactly what Node trains on.
import type { Dataset } from '../../src/index.js';

export const SIDE = 28;
export const TRAIN_COUNT = 8000;

export interface Digits {
  train: Dataset;
  test: Dataset;
}

/**
 * How every page names test digit `i`: numbered from 1, as people count, so a number read on one
 * page finds the same digit on another; then its label, "an 8" as said aloud, "a" before the others.
 */
export const testDigitName = (test: Dataset, i: number) =>
  `Test digit ${i + 1} of ${test.count}, ${test.labels[i] === 8 ? 'an' : 'a'} ${test.labels[i]}`;

let loading: Promise<Digits> | undefined;

/** Fetches and decodes digits.bin once per page. */
export function loadDigits(): Promise<Digits> {
  const url = new URL('digits.bin', document.baseURI);
  loading ??= fetch(url).catch(() => {
    throw new Error('the digits could not be downloaded: no connection, or the site cannot be reached');
  }).then(async (response) => {
    if (!response.ok) throw new Error(`digits.bin: HTTP ${response.status}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const pixels = SIDE * SIDE;
    const count = bytes.length / (pixels + 1);
    const images = Float32Array.from(bytes.subarray(0, count * pixels), (v) => v / 255);
    const labels = bytes.slice(count * pixels);
    const part = (from: number, to: number): Dataset => ({
      images: images.slice(from * pixels, to * pixels), labels: labels.slice(from, to),
      count: to - from, height: SIDE, width: SIDE, channels: 1, classes: 10,
    });
    return { train: part(0, TRAIN_COUNT), test: part(TRAIN_COUNT, count) };
  });
  return loading;
}
