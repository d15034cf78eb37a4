// Naive reference of batch normalisation over the last axis of [rows, channels] data, in f64:
// straight from the formulas, channel by channel, with nothing shared with the kernels' passes.

export interface BatchNormWeights {
  /** Absent when scale is false (γ = 1) or center is false (β = 0). */
  gamma?: Float32Array;
  beta?: Float32Array;
  movingMean: Float32Array;
  movingVariance: Float32Array;
}

export interface BatchNormSettings {
  epsilon: number;
  momentum: number;
  /** Keras's fused kernel (4-D inputs) moves moving_variance towards the unbiased batch variance. */
  besselCorrection: boolean;
}

const gammaOf = (w: BatchNormWeights, c: number) => (w.gamma ? w.gamma[c] : 1);
const betaOf = (w: BatchNormWeights, c: number) => (w.beta ? w.beta[c] : 0);

/** Per channel: the batch mean and the biased batch variance. */
export function moments(x: Float32Array, rows: number, channels: number) {
  const mean = new Float64Array(channels), variance = new Float64Array(channels);
  for (let c = 0; c < channels; c++) {
    let sum = 0;
    for (let r = 0; r < rows; r++) sum += x[r * channels + c];
    mean[c] = sum / rows;
    let squares = 0;
    for (let r = 0; r < rows; r++) squares += (x[r * channels + c] - mean[c]) ** 2;
    variance[c] = squares / rows;
  }
  return { mean, variance };
}

function normalise(x: Float32Array, rows: number, channels: number, mean: ArrayLike<number>, variance: ArrayLike<number>,
  w: BatchNormWeights, epsilon: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < channels; c++) {
      const i = r * channels + c;
      y[i] = gammaOf(w, c) * (x[i] - mean[c]) / Math.sqrt(variance[c] + epsilon) + betaOf(w, c);
    }
  }
  return y;
}

/** Inference: γ·(x − moving mean)/√(moving variance + ε) + β. */
export function batchNormInference(x: Float32Array, rows: number, channels: number, w: BatchNormWeights, epsilon: number): Float32Array {
  return normalise(x, rows, channels, w.movingMean, w.movingVariance, w, epsilon);
}

/** Training: normalised with the batch's statistics; the moving statistics after Keras's update. */
export function batchNormTraining(x: Float32Array, rows: number, channels: number, w: BatchNormWeights, s: BatchNormSettings) {
  const { mean, variance } = moments(x, rows, channels);
  const correction = s.besselCorrection && rows > 1 ? rows / (rows - 1) : 1;
  const movingMean = w.movingMean.map((m, c) => m * s.momentum + mean[c] * (1 - s.momentum));
  const movingVariance = w.movingVariance.map((v, c) => v * s.momentum + variance[c] * correction * (1 - s.momentum));
  return { y: normalise(x, rows, channels, mean, variance, w, s.epsilon), mean, variance, movingMean, movingVariance };
}

/**
 * Backward of the training forward, through the batch statistics: with x̂ = (x − μ)/σ,
 * dβ = Σdy, dγ = Σdy·x̂, dx = γ/σ·(dy − Σdy/n − x̂·Σdy·x̂/n), n the rows.
 * With `fixed` (inference mode), μ and σ are the moving statistics and dx = γ/σ·dy.
 */
export function batchNormBackward(x: Float32Array, dy: Float32Array, rows: number, channels: number, w: BatchNormWeights,
  epsilon: number, fixed = false) {
  const { mean, variance } = fixed ? { mean: w.movingMean, variance: w.movingVariance } : moments(x, rows, channels);
  const dx = new Float32Array(x.length), dGamma = new Float32Array(channels), dBeta = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    const sigma = Math.sqrt(variance[c] + epsilon);
    const xHat = (r: number) => (x[r * channels + c] - mean[c]) / sigma;
    let sumDy = 0, sumDyXHat = 0;
    for (let r = 0; r < rows; r++) {
      sumDy += dy[r * channels + c];
      sumDyXHat += dy[r * channels + c] * xHat(r);
    }
    dBeta[c] = sumDy;
    dGamma[c] = sumDyXHat;
    for (let r = 0; r < rows; r++) {
      const g = dy[r * channels + c];
      dx[r * channels + c] = (gammaOf(w, c) / sigma) * (fixed ? g : g - sumDy / rows - xHat(r) * sumDyXHat / rows);
    }
  }
  return { dx, dGamma, dBeta };
}
