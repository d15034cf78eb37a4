// Naive reference for turning an image into a model input: every output value is the weighted sum,
// over every source pixel of the crop, of the pixel's composited (and for grey, luma) value, with
// weights from the resampling kernels written as plain functions; then (v − mean) / std.
export interface ReferenceOptions {
  height: number;
  width: number;
  channels: 1 | 3;
  crop: 'center' | 'none';
  /** Per axis: [rows, columns]. */
  methods: ['area' | 'bilinear', 'area' | 'bilinear'];
  mean: number[];
  std: number[];
  /** 0–255. */
  background: [number, number, number];
}

/** Weight of source cell k in output cell i, resampling `from` cells to `to`. */
function weight(method: 'area' | 'bilinear', from: number, to: number, i: number, k: number): number {
  const scale = from / to;
  if (method === 'area') {
    const overlap = Math.min((i + 1) * scale, k + 1) - Math.max(i * scale, k);
    return Math.max(0, overlap) / scale;
  }
  const centre = Math.min(from - 1, Math.max(0, (i + 0.5) * scale - 0.5));
  return Math.max(0, 1 - Math.abs(centre - k));
}

export function referenceImageInput(
  image: { width: number; height: number; data: ArrayLike<number> }, o: ReferenceOptions,
): Float64Array {
  const full = image.data instanceof Uint16Array ? 65535 : 255;
  // Keras's crop_to_aspect_ratio: the largest centred box of the output's aspect ratio.
  let [x0, y0, cw, ch] = [0, 0, image.width, image.height];
  if (o.crop === 'center') {
    cw = Math.max(1, Math.min(image.width, Math.trunc((image.height * o.width) / o.height)));
    ch = Math.max(1, Math.min(image.height, Math.trunc((image.width * o.height) / o.width)));
    x0 = Math.trunc((image.width - cw) / 2);
    y0 = Math.trunc((image.height - ch) / 2);
  }
  const value = (x: number, y: number, c: number): number => {
    const at = 4 * ((y0 + y) * image.width + x0 + x);
    const alpha = image.data[at + 3] / full;
    const bg = o.background.map((b) => b / 255);
    if (o.channels === 3) return (image.data[at + c] / full) * alpha + bg[c] * (1 - alpha);
    const luma = (r: number, g: number, b: number) => 0.299 * r + 0.587 * g + 0.114 * b;
    return (luma(image.data[at], image.data[at + 1], image.data[at + 2]) / full) * alpha + luma(bg[0], bg[1], bg[2]) * (1 - alpha);
  };
  const out = new Float64Array(o.height * o.width * o.channels);
  for (let y = 0; y < o.height; y++) {
    for (let x = 0; x < o.width; x++) {
      for (let c = 0; c < o.channels; c++) {
        let sum = 0;
        for (let sy = 0; sy < ch; sy++) {
          const wy = weight(o.methods[0], ch, o.height, y, sy);
          if (wy === 0) continue;
          for (let sx = 0; sx < cw; sx++) sum += wy * weight(o.methods[1], cw, o.width, x, sx) * value(sx, sy, c);
        }
        out[(y * o.width + x) * o.channels + c] = (sum - o.mean[c]) / o.std[c];
      }
    }
  }
  return out;
}
