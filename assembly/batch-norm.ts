// Batch normalisation over the channels of [rows, channels] data (NHWC: a row is one pixel of one
// example, or one example of a flat input), in passes the host strings together:
//   training forward:  batchNormSums (Σ(x − x₀)) → batchNormMean → batchNormSums (Σ(x − mean)²)
//                      → batchNormTrainingStatistics → channelAffine
//   inference forward: batchNormInferenceStatistics → channelAffine (also the inference-mode gradient)
//   backward:          batchNormBackwardSums → batchNormBackwardStatistics → batchNormBackwardInput
// The sums run over a slice of the batch each and leave f64 partial sums, which the statistics
// kernels add in slice order (channel-sums.ts): so the host may split a batch over threads without
// changing a bit.
import { BLOCK_ROWS, addToF64, sliceSum, zeroF32, zeroF64 } from './channel-sums';
import { add } from './elementwise';
import { fusedActivation, fusedActivation4 } from './fused-activation';
import { multiplyAdd } from './multiply-add';

/**
 * y[r, c] = act((x[r, c] − centre[c])·scale[c] + shift[c]), centre = 0 or shift = 0 meaning none, act
 * the FUSED_ACTIVATION code `activation`: the normalisation itself (in training and at inference),
 * its inference-mode gradient, and a convolution's weights with a normalisation folded in. Centring
 * first, rather than adding a shift of −centre·scale, keeps x = centre exactly at the shift.
 */
export function channelAffine(x: usize, centre: usize, scale: usize, shift: usize, y: usize, rows: i32, channels: i32, activation: i32): void {
  const rowBytes = <usize>channels << 2;
  const zero = f32x4.splat(0);
  for (let r = 0; r < rows; r++) {
    const from = x + <usize>r * rowBytes, to = y + <usize>r * rowBytes;
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      const at = <usize>c << 2;
      const centred = centre ? f32x4.sub(v128.load(from + at), v128.load(centre + at)) : v128.load(from + at);
      const value = multiplyAdd(centred, v128.load(scale + at), shift ? v128.load(shift + at) : zero);
      v128.store(to + at, fusedActivation4(value, activation));
    }
    for (; c < channels; c++) {
      const at = <usize>c << 2;
      const centred = centre ? load<f32>(from + at) - load<f32>(centre + at) : load<f32>(from + at);
      const value = centred * load<f32>(scale + at) + (shift ? load<f32>(shift + at) : 0);
      store<f32>(to + at, fusedActivation(value, activation));
    }
  }
}

/**
 * sums[c] (f64) = Σ over the rows of x[r, c] − centre[c], or of its square when squares ≠ 0. The
 * first pass centres on one row of the batch (its first), which keeps the sums small and makes a
 * constant channel's mean exact; the second on the mean. The 4·channels bytes after sums are
 * scratch (each block's f32 sums).
 */
export function batchNormSums(x: usize, centre: usize, sums: usize, rows: i32, channels: i32, squares: i32): void {
  const block = sums + (<usize>channels << 3);
  const rowBytes = <usize>channels << 2;
  zeroF64(sums, channels);
  for (let first = 0; first < rows; first += BLOCK_ROWS) {
    const end = min(first + BLOCK_ROWS, rows);
    zeroF32(block, channels);
    for (let r = first; r < end; r++) {
      const row = x + <usize>r * rowBytes;
      if (squares) addSquaresAbout(row, centre, block, channels);
      else addDifferences(row, centre, block, channels);
    }
    addToF64(sums, block, channels);
  }
}

/**
 * sums[c] (f64) = Σ over the rows of dy[r, c], and sums[channels + c] = Σ dy[r, c]·(x[r, c] − mean[c]):
 * what the gradients of β, γ and the input are made of. The 8·channels bytes after them are scratch.
 */
export function batchNormBackwardSums(x: usize, dy: usize, mean: usize, sums: usize, rows: i32, channels: i32): void {
  const products = sums + (<usize>channels << 3);
  const blockDy = sums + (<usize>channels << 4);
  const blockProducts = blockDy + (<usize>channels << 2);
  const rowBytes = <usize>channels << 2;
  zeroF64(sums, channels << 1);
  for (let first = 0; first < rows; first += BLOCK_ROWS) {
    const end = min(first + BLOCK_ROWS, rows);
    zeroF32(blockDy, channels << 1);
    for (let r = first; r < end; r++) {
      const at = <usize>r * rowBytes;
      add(blockDy, dy + at, blockDy, channels);
      addProductsAbout(dy + at, x + at, mean, blockProducts, channels);
    }
    addToF64(sums, blockDy, channels);
    addToF64(products, blockProducts, channels);
  }
}

/** mean[c] = centre[c] + Σ over slices of the sums of x − centre (f64, `stride` bytes apart, added in slice order) ÷ count. */
export function batchNormMean(partials: usize, slices: i32, stride: i32, channels: i32, count: i32, centre: usize, mean: usize): void {
  for (let c = 0; c < channels; c++) {
    const at = <usize>c << 2;
    store<f32>(mean + at, <f32>(<f64>load<f32>(centre + at) + sliceSum(partials, slices, stride, c) / <f64>count));
  }
}

/**
 * From the slices' sums of squares about the batch mean: the batch variance (biased, as the
 * normalisation uses it), invStd = 1/√(variance + ε) and scale = γ·invStd (γ = 0: 1), so that
 * channelAffine(x, mean, scale, β) normalises. When movingMean ≠ 0 the moving statistics take a step
 * towards the batch's: m ← m·momentum + batch·(1 − momentum), the variance with Bessel's correction
 * count/(count − 1) when besselCorrection ≠ 0 (as Keras's fused kernel).
 */
export function batchNormTrainingStatistics(
  partials: usize, slices: i32, stride: i32, channels: i32, count: i32, mean: usize, gamma: usize,
  epsilon: f64, momentum: f64, besselCorrection: i32, movingMean: usize, movingVariance: usize, invStd: usize, scale: usize,
): void {
  const n = <f64>count;
  const bessel = besselCorrection && count > 1 ? n / (n - 1) : 1;
  for (let c = 0; c < channels; c++) {
    const at = <usize>c << 2;
    const average = <f64>load<f32>(mean + at);
    const variance = sliceSum(partials, slices, stride, c) / n;
    storeScale(at, variance, epsilon, gamma, invStd, scale);
    if (movingMean) {
      store<f32>(movingMean + at, <f32>(<f64>load<f32>(movingMean + at) * momentum + average * (1 - momentum)));
      store<f32>(movingVariance + at, <f32>(<f64>load<f32>(movingVariance + at) * momentum + variance * bessel * (1 - momentum)));
    }
  }
}

/** invStd and scale as in training, from the moving variance: channelAffine(x, movingMean, scale, β) normalises. */
export function batchNormInferenceStatistics(movingVariance: usize, gamma: usize, epsilon: f64, channels: i32, invStd: usize, scale: usize): void {
  for (let c = 0; c < channels; c++) {
    const at = <usize>c << 2;
    storeScale(at, <f64>load<f32>(movingVariance + at), epsilon, gamma, invStd, scale);
  }
}

/**
 * From the slices' backward sums: dBeta = Σdy and dGamma = Σdy·x̂ with x̂ = (x − mean)·invStd (each
 * written when its pointer ≠ 0), and the input gradient as batchNormBackwardInput takes it,
 * dx = dy·dyScale + (x − mean)·centredScale + dyShift. With batch statistics (the mean and
 * variance depend on x) that is γ·invStd·(dy − Σdy/n − x̂·Σdy·x̂/n); with fixed ones (inference
 * mode), γ·invStd·dy.
 */
export function batchNormBackwardStatistics(
  partials: usize, slices: i32, stride: i32, channels: i32, count: i32, invStd: usize, gamma: usize,
  batchStatistics: i32, dGamma: usize, dBeta: usize, dyScale: usize, centredScale: usize, dyShift: usize,
): void {
  const n = <f64>count;
  for (let c = 0; c < channels; c++) {
    const at = <usize>c << 2;
    const sumDy = sliceSum(partials, slices, stride, c);
    const sumDyCentred = sliceSum(partials, slices, stride, channels + c);
    const inverse = <f64>load<f32>(invStd + at);
    const k = (gamma ? <f64>load<f32>(gamma + at) : 1) * inverse;
    if (dBeta) store<f32>(dBeta + at, <f32>sumDy);
    if (dGamma) store<f32>(dGamma + at, <f32>(sumDyCentred * inverse));
    store<f32>(dyScale + at, <f32>k);
    store<f32>(centredScale + at, batchStatistics ? <f32>(-k * inverse * inverse * sumDyCentred / n) : 0);
    store<f32>(dyShift + at, batchStatistics ? <f32>(-k * sumDy / n) : 0);
  }
}

/** dx[r, c] = dy[r, c]·dyScale[c] + (x[r, c] − mean[c])·centredScale[c] + dyShift[c]. */
export function batchNormBackwardInput(
  dy: usize, x: usize, mean: usize, dyScale: usize, centredScale: usize, dyShift: usize, dx: usize, rows: i32, channels: i32,
): void {
  const rowBytes = <usize>channels << 2;
  for (let r = 0; r < rows; r++) {
    const row = <usize>r * rowBytes;
    let c = 0;
    for (; c + 4 <= channels; c += 4) {
      const at = <usize>c << 2;
      const centred = f32x4.sub(v128.load(x + row + at), v128.load(mean + at));
      const partial = multiplyAdd(centred, v128.load(centredScale + at), v128.load(dyShift + at));
      v128.store(dx + row + at, multiplyAdd(v128.load(dy + row + at), v128.load(dyScale + at), partial));
    }
    for (; c < channels; c++) {
      const at = <usize>c << 2;
      const centred = load<f32>(x + row + at) - load<f32>(mean + at);
      const partial = centred * load<f32>(centredScale + at) + load<f32>(dyShift + at);
      store<f32>(dx + row + at, load<f32>(dy + row + at) * load<f32>(dyScale + at) + partial);
    }
  }
}

// --- helpers

/** invStd = 1/√(variance + ε) and scale = γ·invStd for the channel at byte offset `at`. */
// @ts-ignore: decorator
@inline function storeScale(at: usize, variance: f64, epsilon: f64, gamma: usize, invStd: usize, scale: usize): void {
  const inverse = 1 / Math.sqrt(variance + epsilon);
  store<f32>(invStd + at, <f32>inverse);
  store<f32>(scale + at, <f32>((gamma ? <f64>load<f32>(gamma + at) : 1) * inverse));
}

/** block += row − centre. */
function addDifferences(row: usize, centre: usize, block: usize, length: i32): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    v128.store(block + at, f32x4.add(v128.load(block + at), f32x4.sub(v128.load(row + at), v128.load(centre + at))));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(block + at, load<f32>(block + at) + (load<f32>(row + at) - load<f32>(centre + at)));
  }
}

/** block += (row − mean)². */
function addSquaresAbout(row: usize, mean: usize, block: usize, length: i32): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const centred = f32x4.sub(v128.load(row + at), v128.load(mean + at));
    v128.store(block + at, multiplyAdd(centred, centred, v128.load(block + at)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const centred = load<f32>(row + at) - load<f32>(mean + at);
    store<f32>(block + at, load<f32>(block + at) + centred * centred);
  }
}

/** block += dy·(x − mean). */
function addProductsAbout(dy: usize, x: usize, mean: usize, block: usize, length: i32): void {
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const centred = f32x4.sub(v128.load(x + at), v128.load(mean + at));
    v128.store(block + at, multiplyAdd(v128.load(dy + at), centred, v128.load(block + at)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(block + at, load<f32>(block + at) + load<f32>(dy + at) * (load<f32>(x + at) - load<f32>(mean + at)));
  }
}
