// Naive reference of layer normalisation over the last axis of [rows, channels] data, in f64: each
// row normalised by its own mean and biased variance, then γ and β per channel. The input gradient
// goes through the full Jacobian of the normalisation, nothing shared with the kernels' closed form.

export interface LayerNormWeights {
  /** Absent when scale is false (γ = 1) or center is false (β = 0). */
  gamma?: Float32Array;
  beta?: Float32Array;
}

/** Each row's mean and biased variance. */
export function rowMoments(x: Float32Array, rows: number, channels: number) {
  const mean = new Float64Array(rows), variance = new Float64Array(rows);
  for (let r = 0; r < rows; r++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += x[r * channels + c];
    mean[r] = sum / channels;
    let squares = 0;
    for (let c = 0; c < channels; c++) squares += (x[r * channels + c] - mean[r]) ** 2;
    variance[r] = squares / channels;
  }
  return { mean, variance };
}

/** y = γ·(x − mean)/√(variance + ε) + β, and each row's mean and 1/√(variance + ε). */
export function layerNormForward(x: Float32Array, rows: number, channels: number, w: LayerNormWeights, epsilon: number) {
  const { mean, variance } = rowMoments(x, rows, channels);
  const invStd = variance.map((v) => 1 / Math.sqrt(v + epsilon));
  const y = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const i = r * channels + c;
      y[i] = (w.gamma ? w.gamma[c] : 1) * (x[i] - mean[r]) * invStd[r] + (w.beta ? w.beta[c] : 0);
    }
  }
  return { y, mean, invStd };
}

/**
 * dβ = Σdy and dγ = Σdy·x̂ over the rows; dx[j] = Σ_i dy[i]·γ[i]·∂x̂[i]/∂x[j] within each row, where
 * ∂x̂[i]/∂x[j] = ((i = j) − 1/C)/σ − x̂[i]·x̂[j]/(C·σ), σ = √(variance + ε).
 */
export function layerNormBackward(x: Float32Array, dy: Float32Array, rows: number, channels: number, w: LayerNormWeights, epsilon: number) {
  const { mean, invStd } = layerNormForward(x, rows, channels, w, epsilon);
  const dx = new Float32Array(x.length), dGamma = new Float64Array(channels), dBeta = new Float64Array(channels);
  for (let r = 0; r < rows; r++) {
    const xHat = Array.from({ length: channels }, (_, c) => (x[r * channels + c] - mean[r]) * invStd[r]);
    const g = Array.from({ length: channels }, (_, c) => dy[r * channels + c] * (w.gamma ? w.gamma[c] : 1));
    for (let j = 0; j < channels; j++) {
      let sum = 0;
      for (let i = 0; i < channels; i++) sum += g[i] * (((i === j ? 1 : 0) - 1 / channels) * invStd[r] - (xHat[i] * xHat[j] * invStd[r]) / channels);
      dx[r * channels + j] = sum;
      dBeta[j] += dy[r * channels + j];
      dGamma[j] += dy[r * channels + j] * xHat[j];
    }
  }
  return { dx, dGamma: Float32Array.from(dGamma), dBeta: Float32Array.from(dBeta) };
}
