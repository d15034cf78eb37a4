// Group normalisation over NHWC data [examples, positions, channels] (Keras's GroupNormalization,
// PyTorch's nn.GroupNorm; one channel a group is instance normalisation, one group normalises each
// example whole): the channels split into `groups` runs of equal width, and each example's group
// normalised by the mean and biased variance of its values at every position, then scaled by γ and
// shifted by β per channel.
//   forward:  groupNormForward, example by example: per-channel sums about the example's first
//             position → the groups' means → per-channel sums of squares about them → the groups'
//             variances → the normalisation (batch normalisation's passes, batch-norm.ts, run on one
//             example, the channels' sums then added per group)
//   backward: groupNormBackward (dx example by example; per slice of examples, the sums dγ and dβ
//             are made of) → layerNormParameterGradients (those sums added in slice order)
// The passes run across the channels, four at a time, so a group one channel wide vectorises as well
// as a wide one. An example's statistics and gradient depend on that example alone, and dγ and dβ
// are summed example by example within a slice, so a fixed split gives the same bits at any thread
// count.
import { batchNormBackwardInput, batchNormBackwardSums, batchNormSums, channelAffine } from './batch-norm';
import { zeroF64 } from './channel-sums';

/**
 * y = (x − mean)·invStd·γ + β per example and group (γ = 0, β = 0: absent), invStd = 1/√(variance + ε),
 * the variance biased, about the mean; mean and invStd (f32 [examples, groups]) written when mean ≠ 0
 * (inference keeps none). ε is the f32 at address `epsilon`, as a job passes integers only; the
 * workspace holds 56·channels bytes.
 */
export function groupNormForward(
  x: usize, gamma: usize, beta: usize, y: usize, mean: usize, invStd: usize,
  examples: i32, positions: i32, channels: i32, groups: i32, epsilon: usize, workspace: usize,
): void {
  const sums = channelSums(workspace, channels), centre = centres(workspace, channels), scale = centre + (<usize>channels << 2);
  const width = channels / groups, count = <f64>positions * <f64>width, eps = <f64>load<f32>(epsilon);
  const exampleBytes = (<usize>positions * <usize>channels) << 2;
  for (let e = 0; e < examples; e++) {
    const from = x + <usize>e * exampleBytes;
    batchNormSums(from, from, sums, positions, channels, 0);
    for (let g = 0; g < groups; g++) {
      // Σx over the group = Σ_c (positions·x₀[c] + Σ(x − x₀[c])): the small sums and the first values apart.
      let differences: f64 = 0, firsts: f64 = 0;
      for (let c = g * width; c < (g + 1) * width; c++) {
        differences += load<f64>(sums + (<usize>c << 3));
        firsts += <f64>load<f32>(from + (<usize>c << 2));
      }
      fill(centre, g * width, width, <f32>(firsts / <f64>width + differences / count));
    }
    batchNormSums(from, centre, sums, positions, channels, 1);
    for (let g = 0; g < groups; g++) {
      let squares: f64 = 0;
      for (let c = g * width; c < (g + 1) * width; c++) squares += load<f64>(sums + (<usize>c << 3));
      const inverse = 1 / Math.sqrt(squares / count + eps);
      for (let c = g * width; c < (g + 1) * width; c++) {
        const at = <usize>c << 2;
        store<f32>(scale + at, <f32>((gamma ? <f64>load<f32>(gamma + at) : 1) * inverse));
      }
      if (mean) {
        const at = <usize>(e * groups + g) << 2;
        store<f32>(mean + at, load<f32>(centre + (<usize>(g * width) << 2)));
        store<f32>(invStd + at, <f32>inverse);
      }
    }
    channelAffine(from, centre, scale, beta, y + <usize>e * exampleBytes, positions, channels, 0);
  }
}

/**
 * With mean and invStd as groupNormForward wrote them, x̂ = (x − mean)·invStd and g = dy·γ (γ = 0: dy):
 * dx = invStd·(g − Σg/n − x̂·Σg·x̂/n), the sums over the example's group of n values (when dx ≠ 0); and
 * when parameterSums ≠ 0, the workspace's first 16·channels bytes (f64) = Σ over the examples of the
 * positions' dy (dβ) and then of dy·x̂ (dγ), as layerNormParameterGradients adds them.
 */
export function groupNormBackward(
  x: usize, dy: usize, gamma: usize, mean: usize, invStd: usize, dx: usize,
  examples: i32, positions: i32, channels: i32, groups: i32, workspace: usize, parameterSums: i32,
): void {
  const sums = channelSums(workspace, channels), centre = centres(workspace, channels);
  const channelBytes = <usize>channels << 2;
  const dyScale = centre + channelBytes, centredScale = dyScale + channelBytes, dyShift = centredScale + channelBytes;
  const width = channels / groups, count = <f64>positions * <f64>width;
  const exampleBytes = (<usize>positions * <usize>channels) << 2;
  if (parameterSums) zeroF64(workspace, channels << 1);
  for (let e = 0; e < examples; e++) {
    const at = <usize>e * exampleBytes;
    for (let g = 0; g < groups; g++) fill(centre, g * width, width, load<f32>(mean + (<usize>(e * groups + g) << 2)));
    batchNormBackwardSums(x + at, dy + at, centre, sums, positions, channels);
    for (let g = 0; g < groups; g++) {
      const inverse = <f64>load<f32>(invStd + (<usize>(e * groups + g) << 2));
      let sumG: f64 = 0, sumGCentred: f64 = 0;
      for (let c = g * width; c < (g + 1) * width; c++) {
        const k = gamma ? <f64>load<f32>(gamma + (<usize>c << 2)) : 1;
        sumG += k * load<f64>(sums + (<usize>c << 3));
        sumGCentred += k * load<f64>(sums + (<usize>(channels + c) << 3));
      }
      for (let c = g * width; c < (g + 1) * width; c++) {
        const to = <usize>c << 2;
        store<f32>(dyScale + to, <f32>((gamma ? <f64>load<f32>(gamma + to) : 1) * inverse));
        store<f32>(centredScale + to, <f32>(-inverse * inverse * inverse * sumGCentred / count));
        store<f32>(dyShift + to, <f32>(-inverse * sumG / count));
        if (parameterSums) {
          addF64(workspace, c, load<f64>(sums + (<usize>c << 3)));
          addF64(workspace, channels + c, load<f64>(sums + (<usize>(channels + c) << 3)) * inverse);
        }
      }
    }
    if (!dx) continue;
    // A group of one value normalises to 0 whatever it holds: its gradient is exactly 0, which the
    // three terms below reach only to rounding (−7.6e-6 where every other value was under 0.01).
    if (count == 1) memory.fill(dx + at, 0, exampleBytes);
    else batchNormBackwardInput(dy + at, x + at, centre, dyScale, centredScale, dyShift, dx + at, positions, channels);
  }
}

// --- helpers: the workspace is [dβ, dγ sums: 16·channels][channel sums and scratch: 24·channels][centre][three f32 arrays]

// @ts-ignore: decorator
@inline function channelSums(workspace: usize, channels: i32): usize {
  return workspace + (<usize>channels << 4);
}

/** The f32 array holding each channel's group mean, the three arrays after it scratch per channel. */
// @ts-ignore: decorator
@inline function centres(workspace: usize, channels: i32): usize {
  return workspace + <usize>channels * 40;
}

/** array[first … first + length − 1] = value. */
function fill(array: usize, first: i32, length: i32, value: f32): void {
  for (let c = first; c < first + length; c++) store<f32>(array + (<usize>c << 2), value);
}

/** sums[index] (f64) += value. */
// @ts-ignore: decorator
@inline function addF64(sums: usize, index: i32, value: f64): void {
  const at = sums + (<usize>index << 3);
  store<f64>(at, load<f64>(at) + value);
}
