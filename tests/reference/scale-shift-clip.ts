// Plain references for the colour-adjustment kernels (assembly/scale-shift-clip.ts), from their contracts.

export function scaleShiftClip(x: Float32Array, scales: Float32Array, offsets: Float32Array, batch: number, pixels: number, channels: number,
  low: number, high: number): Float32Array {
  return x.map((v, i) => {
    const b = Math.floor(i / (pixels * channels));
    return Math.min(Math.max(v * scales[b] + offsets[b * channels + (i % channels)], low), high);
  });
}

export function scaleShiftClipGradient(x: Float32Array, dy: Float32Array, scales: Float32Array, offsets: Float32Array, batch: number, pixels: number,
  channels: number, low: number, high: number): Float32Array {
  return dy.map((g, i) => {
    const b = Math.floor(i / (pixels * channels));
    const v = Math.fround(Math.fround(x[i] * scales[b]) + offsets[b * channels + (i % channels)]);
    return v >= Math.fround(low) && v <= Math.fround(high) ? g : 0;
  });
}
