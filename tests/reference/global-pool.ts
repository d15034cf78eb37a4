// Naive references for global pooling, in f64: x [batch, positions, channels] → y [batch, channels].

/** The mean of each channel over the positions. */
export function globalAvgPoolForward(x: Float32Array, batch: number, positions: number, channels: number): Float32Array {
  const y = new Float64Array(batch * channels);
  x.forEach((v, i) => { y[Math.floor(i / (positions * channels)) * channels + (i % channels)] += v / positions; });
  return Float32Array.from(y);
}

export function globalAvgPoolBackward(dy: Float32Array, batch: number, positions: number, channels: number): Float32Array {
  return Float32Array.from({ length: batch * positions * channels },
    (_, i) => dy[Math.floor(i / (positions * channels)) * channels + (i % channels)] / positions);
}

/** The largest of each channel, and the first position that holds it. */
export function globalMaxPoolForward(x: Float32Array, batch: number, positions: number, channels: number) {
  const y = new Float32Array(batch * channels), argmax = new Int32Array(batch * channels);
  for (let b = 0; b < batch; b++) {
    for (let c = 0; c < channels; c++) {
      const values = Array.from({ length: positions }, (_, p) => x[(b * positions + p) * channels + c]);
      const best = Math.max(...values);
      argmax[b * channels + c] = values.indexOf(best);
      y[b * channels + c] = best;
    }
  }
  return { y, argmax };
}

/** Each gradient to the position that won; nothing elsewhere. */
export function globalMaxPoolBackward(dy: Float32Array, argmax: Int32Array, batch: number, positions: number, channels: number): Float32Array {
  const dx = new Float32Array(batch * positions * channels);
  dy.forEach((g, i) => { dx[(Math.floor(i / channels) * positions + argmax[i]) * channels + (i % channels)] = g; });
  return dx;
}
