// Naive reference of group normalisation of [examples, positions, channels] data, in f64: each
// example's group of channels normalised by the mean and biased variance of its values at every
// position, then γ and β per channel. The input gradient goes through the full Jacobian of the
// normalisation, nothing shared with the kernels' closed form.
import type { LayerNormWeights } from './layer-norm.js';

/** The indices of example e's group g, and the mean and 1/√(variance + ε) of its values. */
function groupOf(x: Float32Array, e: number, g: number, positions: number, channels: number, groups: number, epsilon: number) {
  const width = channels / groups, indices: number[] = [];
  for (let p = 0; p < positions; p++) for (let c = g * width; c < (g + 1) * width; c++) indices.push((e * positions + p) * channels + c);
  const mean = indices.reduce((sum, i) => sum + x[i], 0) / indices.length;
  const variance = indices.reduce((sum, i) => sum + (x[i] - mean) ** 2, 0) / indices.length;
  return { indices, mean, invStd: 1 / Math.sqrt(variance + epsilon) };
}

const channelOf = (i: number, channels: number) => i % channels;

/** y = γ·(x − mean)/√(variance + ε) + β per example and group. */
export function groupNormForward(x: Float32Array, examples: number, positions: number, channels: number, groups: number, w: LayerNormWeights,
  epsilon: number): Float32Array {
  const y = new Float32Array(x.length);
  for (let e = 0; e < examples; e++) {
    for (let g = 0; g < groups; g++) {
      const { indices, mean, invStd } = groupOf(x, e, g, positions, channels, groups, epsilon);
      for (const i of indices) {
        const c = channelOf(i, channels);
        y[i] = (w.gamma ? w.gamma[c] : 1) * (x[i] - mean) * invStd + (w.beta ? w.beta[c] : 0);
      }
    }
  }
  return y;
}

/**
 * dβ = Σdy and dγ = Σdy·x̂ over examples and positions; dx[j] = Σ_i dy[i]·γ[i]·∂x̂[i]/∂x[j] within each
 * example's group of n values, ∂x̂[i]/∂x[j] = ((i = j) − 1/n)/σ − x̂[i]·x̂[j]/(n·σ), σ = √(variance + ε).
 */
export function groupNormBackward(x: Float32Array, dy: Float32Array, examples: number, positions: number, channels: number, groups: number,
  w: LayerNormWeights, epsilon: number) {
  const dx = new Float32Array(x.length), dGamma = new Float64Array(channels), dBeta = new Float64Array(channels);
  for (let e = 0; e < examples; e++) {
    for (let g = 0; g < groups; g++) {
      const { indices, mean, invStd } = groupOf(x, e, g, positions, channels, groups, epsilon);
      const n = indices.length;
      const xHat = indices.map((i) => (x[i] - mean) * invStd);
      const grad = indices.map((i) => dy[i] * (w.gamma ? w.gamma[channelOf(i, channels)] : 1));
      indices.forEach((j, b) => {
        let sum = 0;
        for (let a = 0; a < n; a++) sum += grad[a] * (((a === b ? 1 : 0) - 1 / n) * invStd - (xHat[a] * xHat[b] * invStd) / n);
        dx[j] = sum;
        dBeta[channelOf(j, channels)] += dy[j];
        dGamma[channelOf(j, channels)] += dy[j] * xHat[b];
      });
    }
  }
  return { dx, dGamma: Float32Array.from(dGamma), dBeta: Float32Array.from(dBeta) };
}
