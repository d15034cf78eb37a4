// Naive reference of unit normalisation over the last axis of [rows, channels] data, in f64, in
// Keras's form: y = x·rsqrt(max(Σx², minNorm²)). The input gradient is the full Jacobian of that
// map, J[i][j] = (δij − [not floored]·x_i·x_j/s)/√s with s = max(Σx², minNorm²), applied to dy.

/** y for each row, and each row's s = max(Σx², minNorm²). */
export function unitNormForward(x: Float32Array, channels: number, minNorm: number) {
  const rows = x.length / channels, y = new Float32Array(x.length), s = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let squares = 0;
    for (let c = 0; c < channels; c++) squares += x[r * channels + c] ** 2;
    s[r] = Math.max(squares, minNorm ** 2);
    for (let c = 0; c < channels; c++) y[r * channels + c] = x[r * channels + c] * (1 / Math.sqrt(s[r]));
  }
  return { y, s };
}

/** dx = Jᵀ·dy row by row; where Σx² is below minNorm² the divisor is a constant. */
export function unitNormBackward(x: Float32Array, dy: Float32Array, channels: number, minNorm: number): Float32Array {
  const { s } = unitNormForward(x, channels, minNorm), dx = new Float32Array(x.length);
  for (let r = 0; r < s.length; r++) {
    let squares = 0;
    for (let c = 0; c < channels; c++) squares += x[r * channels + c] ** 2;
    const floored = squares < minNorm ** 2;
    for (let j = 0; j < channels; j++) {
      let sum = 0;
      for (let i = 0; i < channels; i++) {
        const xi = x[r * channels + i], xj = x[r * channels + j];
        sum += dy[r * channels + i] * ((i === j ? 1 : 0) - (floored ? 0 : (xi * xj) / s[r])) / Math.sqrt(s[r]);
      }
      dx[r * channels + j] = sum;
    }
  }
  return dx;
}
