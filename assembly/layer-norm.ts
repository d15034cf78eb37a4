// Layer normalisation over the channels of [rows, channels] data (NHWC: a row is one pixel of one
// example, or one flat example): each row is normalised by its own mean and variance (Keras's
// LayerNormalization over the last axis, PyTorch's nn.LayerNorm), then scaled by γ and shifted by β
// per channel:
//   forward:  layerNormForward, row by row: its mean, its variance about that mean, the normalisation
//   backward: layerNormBackward (dx row by row, in f64 from the row's own values; per slice of rows,
//             the sums dγ and dβ are made of)
//             → layerNormParameterGradients (those sums added in slice order, channel-sums.ts)
// A row's statistics and its gradient depend on that row alone, so the host may split the rows over
// threads any way without changing a bit; only dγ and dβ sum over rows, in a fixed order.
//
// Every pass takes a row's values from its first value x₀, and the mean as its offset from x₀:
// x − mean = (x − x₀) − (mean − x₀). Where the normalisation is ill-conditioned — values clustered
// far from zero, σ small beside |x| — x − x₀ is exact in f32 (values within a factor 2 of each
// other), so x̂ keeps the precision of σ rather than of |x|; and a constant row's mean is exactly x₀.
import { BLOCK_ROWS, addToF64, sliceSum, zeroF32, zeroF64 } from './channel-sums';
import { add } from './elementwise';
import { multiplyAdd } from './multiply-add';

/**
 * y[r, c] = x̂[r, c]·γ[c] + β[c] (γ = 0, β = 0: none), x̂ = (x − mean)·invStd[r], invStd[r] =
 * 1/√(variance + ε), the row's variance biased and taken about its mean in a second pass (f32 sums:
 * four lanes, then the tail, in a fixed order). For the backward pass, meanFromFirst[r] = the row's
 * mean − its first value, and invStd[r] are written, when meanFromFirst ≠ 0 (inference keeps none).
 * ε is the f32 at address `epsilon`, as a job passes integers only.
 */
export function layerNormForward(
  x: usize, gamma: usize, beta: usize, y: usize, meanFromFirst: usize, invStd: usize, rows: i32, channels: i32, epsilon: usize,
): void {
  const n = <f32>channels, eps = <f64>load<f32>(epsilon);
  const rowBytes = <usize>channels << 2;
  for (let r = 0; r < rows; r++) {
    const row = x + <usize>r * rowBytes, first = load<f32>(row);
    const offset = differencesSum(row, first, channels) / n;
    const inverse = <f32>(1 / Math.sqrt(<f64>(squaresAbout(row, first, offset, channels) / n) + eps));
    if (meanFromFirst) {
      store<f32>(meanFromFirst + (<usize>r << 2), offset);
      store<f32>(invStd + (<usize>r << 2), inverse);
    }
    normaliseRow(row, first, offset, inverse, gamma, beta, y + <usize>r * rowBytes, channels);
  }
}

/**
 * g = dy·γ (γ = 0: dy): dx[r, c] = σ⁻¹·(g − Σg/C − x̂·Σg·x̂/C), sums over the row's C channels, in f64
 * (rowInputGradient; when dx ≠ 0; ε is the f32 at address `epsilon`); and when sums ≠ 0, with
 * meanFromFirst and invStd as layerNormForward wrote them, x̂ = (x − mean)·invStd: sums[c] (f64) = Σ
 * over the rows of dy[r, c] (dβ) and sums[channels + c] = Σ dy[r, c]·x̂[r, c] (dγ), the 8·channels
 * bytes after them scratch.
 */
export function layerNormBackward(
  x: usize, dy: usize, gamma: usize, meanFromFirst: usize, invStd: usize, dx: usize, sums: usize, rows: i32, channels: i32, epsilon: usize,
): void {
  const rowBytes = <usize>channels << 2, eps = <f64>load<f32>(epsilon);
  // Each block's f32 sums of dy, then of dy·x̂: added to the f64 sums, laid out alike, in one call.
  const block = sums + (<usize>channels << 4);
  if (sums) zeroF64(sums, channels << 1);
  for (let start = 0; start < rows; start += BLOCK_ROWS) {
    const end = min(start + BLOCK_ROWS, rows);
    if (sums) zeroF32(block, channels << 1);
    for (let r = start; r < end; r++) {
      const at = <usize>r * rowBytes;
      if (dx) rowInputGradient(x + at, dy + at, gamma, eps, dx + at, channels);
      if (sums) {
        const first = load<f32>(x + at);
        const offset = load<f32>(meanFromFirst + (<usize>r << 2)), inverse = load<f32>(invStd + (<usize>r << 2));
        add(block, dy + at, block, channels);
        addNormalisedProducts(dy + at, x + at, first, offset, inverse, block + rowBytes, channels);
      }
    }
    if (sums) addToF64(sums, block, channels << 1);
  }
}

/** dβ[c] and dγ[c] (each written when its pointer ≠ 0) from the slices' sums of layerNormBackward, `stride` bytes apart, added in slice order. */
export function layerNormParameterGradients(partials: usize, slices: i32, stride: i32, channels: i32, dGamma: usize, dBeta: usize): void {
  for (let c = 0; c < channels; c++) {
    const at = <usize>c << 2;
    if (dBeta) store<f32>(dBeta + at, <f32>sliceSum(partials, slices, stride, c));
    if (dGamma) store<f32>(dGamma + at, <f32>sliceSum(partials, slices, stride, channels + c));
  }
}

// --- helpers: `first` is the row's first value, `offset` its mean less that value

/** The four lanes' sum, in a fixed order. */
// @ts-ignore: decorator
@inline function laneSum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** x − mean, four lanes from byte `at` of the row. */
// @ts-ignore: decorator
@inline function centred4(row: usize, at: usize, first: v128, offset: v128): v128 {
  return f32x4.sub(f32x4.sub(v128.load(row + at), first), offset);
}

/** x − mean, at byte `at` of the row. */
// @ts-ignore: decorator
@inline function centred(row: usize, at: usize, first: f32, offset: f32): f32 {
  return (load<f32>(row + at) - first) - offset;
}

/** Σ (row − first). */
function differencesSum(row: usize, first: f32, length: i32): f32 {
  const firsts = f32x4.splat(first), zero = f32x4.splat(0);
  let lanes = zero;
  let i = 0;
  for (; i + 4 <= length; i += 4) lanes = f32x4.add(lanes, centred4(row, <usize>i << 2, firsts, zero));
  let sum = laneSum(lanes);
  for (; i < length; i++) sum += centred(row, <usize>i << 2, first, 0);
  return sum;
}

/** Σ (row − mean)². */
function squaresAbout(row: usize, first: f32, offset: f32, length: i32): f32 {
  const firsts = f32x4.splat(first), offsets = f32x4.splat(offset);
  let lanes = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const c = centred4(row, <usize>i << 2, firsts, offsets);
    lanes = multiplyAdd(c, c, lanes);
  }
  let sum = laneSum(lanes);
  for (; i < length; i++) {
    const c = centred(row, <usize>i << 2, first, offset);
    sum += c * c;
  }
  return sum;
}

/** out = (row − mean)·inverse·γ + β. */
function normaliseRow(row: usize, first: f32, offset: f32, inverse: f32, gamma: usize, beta: usize, out: usize, length: i32): void {
  const firsts = f32x4.splat(first), offsets = f32x4.splat(offset), scale = f32x4.splat(inverse), zero = f32x4.splat(0);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const normalised = f32x4.mul(centred4(row, at, firsts, offsets), scale);
    const shift = beta ? v128.load(beta + at) : zero;
    v128.store(out + at, gamma ? multiplyAdd(normalised, v128.load(gamma + at), shift) : f32x4.add(normalised, shift));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    const normalised = centred(row, at, first, offset) * inverse;
    store<f32>(out + at, (gamma ? normalised * load<f32>(gamma + at) : normalised) + (beta ? load<f32>(beta + at) : 0));
  }
}

/** Two f32 from `at` as an f64 pair. */
// @ts-ignore: decorator
@inline function pair(at: usize): v128 {
  return f64x2.promote_low_f32x4(v128.load64_zero(at));
}

/** g = dy·γ (γ = 0: dy) as an f64 pair from byte `at`: the product is exact. */
// @ts-ignore: decorator
@inline function gradientPair(dy: usize, gamma: usize, at: usize): v128 {
  return gamma ? f64x2.mul(pair(dy + at), pair(gamma + at)) : pair(dy + at);
}

/** The pair's two lanes added. */
// @ts-ignore: decorator
@inline function pairSum(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/**
 * One row's dx = s·((g − ḡ) − c·s²·mean(g·c)), g = dy·γ (γ = 0: dy), c = x − mean, s = 1/√(variance + ε),
 * in f64 from the row itself (its mean and variance taken again, from its first value x₀: d = x − x₀,
 * mean = x₀ + Σd/C, variance = Σd²/C − (Σd/C)²). The two terms cancel to ε·s² of themselves where
 * the variance is large beside ε (with two channels always: g − ḡ lies along c), so an f32 rounding
 * of the mean, of s or of either term — each exact in the terms' scale — came out that much larger in
 * dx: half its size for two channels, ε 1e-3 and values ±2 apart.
 */
function rowInputGradient(x: usize, dy: usize, gamma: usize, epsilon: f64, dx: usize, length: i32): void {
  const first = f64x2.splat(<f64>load<f32>(x)), zero = f64x2.splat(0);
  let dLanes = zero, ddLanes = zero, gLanes = zero, gdLanes = zero;
  let i = 0;
  for (; i + 2 <= length; i += 2) {
    const at = <usize>i << 2;
    const d = f64x2.sub(pair(x + at), first), g = gradientPair(dy, gamma, at);
    dLanes = f64x2.add(dLanes, d);
    ddLanes = f64x2.add(ddLanes, f64x2.mul(d, d));
    gLanes = f64x2.add(gLanes, g);
    gdLanes = f64x2.add(gdLanes, f64x2.mul(g, d));
  }
  let sumD = pairSum(dLanes), sumDD = pairSum(ddLanes), sumG = pairSum(gLanes), sumGD = pairSum(gdLanes);
  if (i < length) {
    const at = <usize>i << 2;
    const d = <f64>load<f32>(x + at) - f64x2.extract_lane(first, 0), g = gamma ? <f64>load<f32>(dy + at) * <f64>load<f32>(gamma + at) : <f64>load<f32>(dy + at);
    sumD += d;
    sumDD += d * d;
    sumG += g;
    sumGD += g * d;
  }
  const n = <f64>length, offset = sumD / n;
  const inverse = 1 / Math.sqrt(sumDD / n - offset * offset + epsilon);
  // Σg·c = Σg·d − offset·Σg; k = s²·mean(g·c).
  const meanG = sumG / n, k = inverse * inverse * ((sumGD - offset * sumG) / n);
  const offsets = f64x2.splat(offset), meanGs = f64x2.splat(meanG), ks = f64x2.splat(k), scale = f64x2.splat(inverse);
  let j = 0;
  for (; j + 2 <= length; j += 2) {
    const at = <usize>j << 2;
    const c = f64x2.sub(f64x2.sub(pair(x + at), first), offsets);
    const out = f64x2.mul(f64x2.sub(f64x2.sub(gradientPair(dy, gamma, at), meanGs), f64x2.mul(c, ks)), scale);
    v128.store64_lane(dx + at, f32x4.demote_f64x2_zero(out), 0);
  }
  if (j < length) {
    const at = <usize>j << 2;
    const c = (<f64>load<f32>(x + at) - f64x2.extract_lane(first, 0)) - offset;
    const g = gamma ? <f64>load<f32>(dy + at) * <f64>load<f32>(gamma + at) : <f64>load<f32>(dy + at);
    store<f32>(dx + at, <f32>(((g - meanG) - c * k) * inverse));
  }
}

/** block += dy·x̂, x̂ = (x − mean)·inverse. */
function addNormalisedProducts(dy: usize, x: usize, first: f32, offset: f32, inverse: f32, block: usize, length: i32): void {
  const firsts = f32x4.splat(first), offsets = f32x4.splat(offset), scale = f32x4.splat(inverse);
  let i = 0;
  for (; i + 4 <= length; i += 4) {
    const at = <usize>i << 2;
    const normalised = f32x4.mul(centred4(x, at, firsts, offsets), scale);
    v128.store(block + at, multiplyAdd(v128.load(dy + at), normalised, v128.load(block + at)));
  }
  for (; i < length; i++) {
    const at = <usize>i << 2;
    store<f32>(block + at, load<f32>(block + at) + load<f32>(dy + at) * (centred(x, at, first, offset) * inverse));
  }
}
