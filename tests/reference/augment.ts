// Plain references for the augmentation kernels (assembly/augment.ts), from their contracts.

/** x + stddev·z, z by Box–Muller on the xorshift32 stream (13, 17, 5) from seed (0x6d2b79f5 for seed 0). */
export function gaussianNoise(x: Float32Array, stddev: number, seed: number): Float32Array {
  let state = seed >>> 0 || 0x6d2b79f5;
  const next = () => {
    state = (state ^ (state << 13)) >>> 0;
    state = (state ^ (state >>> 17)) >>> 0;
    state = (state ^ (state << 5)) >>> 0;
    return (state >>> 8) / 16777216;
  };
  const y = new Float32Array(x.length);
  for (let i = 0; i < x.length; i += 2) {
    const u1 = next() + 1 / 16777216;
    const angle = 2 * Math.PI * next();
    const r = Math.sqrt(-2 * Math.log(u1)) * Math.fround(stddev);
    y[i] = x[i] + Math.fround(r * Math.cos(angle));
    if (i + 1 < x.length) y[i + 1] = x[i + 1] + Math.fround(r * Math.sin(angle));
  }
  return y;
}

/** Images [batch, height, width, channels], each mirrored as flips[b] says: bit 0 the columns, bit 1 the rows. */
export function flipImages(x: Float32Array, flips: Int32Array, batch: number, height: number, width: number, channels: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        const sr = flips[b] & 2 ? height - 1 - r : r, sc = flips[b] & 1 ? width - 1 - c : c;
        for (let ch = 0; ch < channels; ch++) y[((b * height + r) * width + c) * channels + ch] = x[((b * height + sr) * width + sc) * channels + ch];
      }
    }
  }
  return y;
}
