// The contract between the host and the wasm module: every kernel by name, with its arguments.
// Kernels know nothing of tensors or layers: they take byte offsets into linear memory (f32 unless
// said otherwise, NHWC, batch first), sizes and numbers, and always overwrite their outputs.
// A pointer argument of 0 means "absent" (the allocator never hands out address 0).

/** Activations a kernel applies to its results on their way out (assembly/fused-activation.ts). */
export const FUSED_ACTIVATION = { none: 0, relu: 1, relu6: 2 } as const;

/**
 * The losses outputLoss computes (assembly/output-loss.ts), each output scored on its own: summed
 * over a row, the categorical cross-entropy on probabilities clipped to [1e-7, 1 − 1e-7] and
 * convas's ½Σ(t − o)², Keras's KL divergence; averaged over a row, the mean absolute error, huber,
 * hinge and squared hinge (a batch of 0/1 targets read as −1/1), binary cross-entropy on clipped
 * probabilities and binary cross-entropy from a sigmoid's logits, and Keras's poisson, log cosh,
 * mean squared logarithmic error and mean absolute percentage error (with Keras's 1e-7 clips).
 */
export const OUTPUT_LOSS = {
  categoricalCrossentropy: 0, meanSquaredError: 1, meanAbsoluteError: 2, huber: 3, hinge: 4, squaredHinge: 5,
  binaryCrossentropy: 6, sigmoidCrossentropy: 7, logProbabilityCrossentropy: 8, kullbackLeiblerDivergence: 9, poisson: 10,
  logcosh: 11, meanSquaredLogarithmicError: 12, meanAbsolutePercentageError: 13,
} as const;

/** The passes of a convolution, as conv2dPassScratchBytes and conv2dWinogradPassScratchBytes number them. */
export const CONV2D_PASS = { forward: 0, backwardInput: 1, backwardFilter: 2 } as const;

/** A Conv2dGeometry (window.ts) as every conv2d kernel takes it: positional, in this order (conv2dArgs writes it). */
export type Conv2dArgs = [
  batch: number, inHeight: number, inWidth: number, inChannels: number,
  outHeight: number, outWidth: number, outChannels: number,
  kernelHeight: number, kernelWidth: number,
  strideHeight: number, strideWidth: number, padTop: number, padLeft: number,
];

/** A Pool2dGeometry (window.ts) as every pooling kernel takes it: positional, in this order (pool2dArgs writes it). */
export type Pool2dArgs = [
  batch: number, inHeight: number, inWidth: number, channels: number,
  outHeight: number, outWidth: number,
  poolHeight: number, poolWidth: number,
  strideHeight: number, strideWidth: number, padTop: number, padLeft: number,
];

/**
 * A depthwise Conv2dGeometry (outChannels = channels·depthMultiplier) as the depthwise kernels take it:
 * positional, in this order (depthwiseConv2dArgs writes it).
 */
export type DepthwiseConv2dArgs = [
  batch: number, inHeight: number, inWidth: number, channels: number,
  outHeight: number, outWidth: number, depthMultiplier: number,
  kernelHeight: number, kernelWidth: number,
  strideHeight: number, strideWidth: number, padTop: number, padLeft: number,
  dilationHeight: number, dilationWidth: number,
];

/** An image and its phases for spaceToBatch and batchToSpace (assembly/space-to-batch.ts), positional. */
export type PhaseArgs = [
  batch: number, height: number, width: number, channels: number,
  blockHeight: number, blockWidth: number, padTop: number, padLeft: number, phaseHeight: number, phaseWidth: number,
];

export interface Kernels {
  memory: WebAssembly.Memory;
  /** First byte after the module's static data: the host's allocator starts here. */
  heapBase(): number;

  // --- elementwise (assembly/elementwise.ts)
  reluForward(x: number, y: number, length: number): void;
  /** Derivatives are taken from the forward output y, so the input need not be kept. */
  reluBackward(y: number, dy: number, dx: number, length: number): void;
  tanhForward(x: number, y: number, length: number): void;
  tanhBackward(y: number, dy: number, dx: number, length: number): void;
  sigmoidForward(x: number, y: number, length: number): void;
  sigmoidBackward(y: number, dy: number, dx: number, length: number): void;
  /** y[r, c] += bias[c] for a [rows, cols] matrix. */
  addBias(y: number, bias: number, rows: number, cols: number): void;
  /** out[c] = Σ_r x[r, c], summed in row order (the bias gradient). */
  sumRows(x: number, rows: number, cols: number, out: number): void;
  /** out = a ⊙ b. */
  multiply(a: number, b: number, out: number, length: number): void;
  /** out = a + b. */
  add(a: number, b: number, out: number, length: number): void;
  fill(x: number, length: number, value: number): void;
  /**
   * Inverted dropout: mask[i] = 0 with probability rate, else 1/(1−rate); y = x ⊙ mask.
   * The mask comes from a xorshift stream started at seed, so a seed gives the same mask anywhere.
   */
  dropoutMask(mask: number, length: number, rate: number, seed: number): void;
  /** How many of the length values at x are NaN or ±Infinity. */
  countNonFinite(x: number, length: number): number;

  // --- merge layers (assembly/merge.ts)
  /** out = x · factor. */
  scale(x: number, out: number, length: number, factor: number): void;
  /** out = max(a, b) (a where they are equal). */
  maximum(a: number, b: number, out: number, length: number): void;
  /** One input's gradient of a maximum y: dy where x = y and `taken` is 0, which it then marks; else 0. */
  maximumBackward(x: number, y: number, dy: number, taken: number, dx: number, length: number): void;
  /** Copies `rows` runs of `width` floats, `srcStride` apart in src, to runs `dstStride` apart in dst. */
  copyRuns(src: number, srcStride: number, dst: number, dstStride: number, rows: number, width: number): void;
  /** Adds `rows` runs of `width` floats, `srcStride` apart in src, into runs `dstStride` apart in dst. */
  addRuns(src: number, srcStride: number, dst: number, dstStride: number, rows: number, width: number): void;
  /** Each of `batch` images [h, w, c] at (top, left) of its zero frame [frameH, frameW, c], only the margins zeroed (assembly/image-frame.ts). */
  frameImages(images: number, batch: number, h: number, w: number, c: number, frames: number, frameH: number, frameW: number, top: number, left: number): void;

  // --- matrix product (assembly/gemm.ts)
  /** Bytes of scratch matMul needs for op(B) of shape [k, n]. */
  matMulScratchBytes(k: number, n: number): number;
  /**
   * C[m, n] = op(A)·op(B) (+ C when accumulate ≠ 0), op(A) of shape [m, k], op(B) of shape [k, n].
   * A is stored [m, k], or [k, m] when transposeA ≠ 0; B is stored [k, n], or [n, k] when transposeB ≠ 0.
   */
  matMul(a: number, b: number, c: number, scratch: number, m: number, k: number, n: number,
    transposeA: number, transposeB: number, accumulate: number): void;

  // --- convolution (assembly/conv2d.ts); filters are [kernelHeight, kernelWidth, inChannels, outChannels]
  /** Bytes of scratch memory the three conv2d kernels need at most for this geometry. */
  conv2dScratchBytes(...geometry: Conv2dArgs): number;
  /** Bytes of scratch memory one pass's conv2d kernel needs (CONV2D_PASS). */
  conv2dPassScratchBytes(pass: number, ...geometry: Conv2dArgs): number;
  /**
   * y = act(x ⋆ filter (+ bias when bias ≠ 0)), act the FUSED_ACTIVATION code `activation`;
   * padding is implied by padTop/padLeft and the output size.
   */
  conv2dForward(x: number, filter: number, bias: number, y: number, scratch: number, activation: number,
    ...geometry: Conv2dArgs): void;
  /**
   * conv2dForward, then a 2×2 max pooling at stride 2 of its output (outChannels a multiple of 4),
   * without writing that output: y [batch, ⌊outHeight/2⌋, ⌊outWidth/2⌋, outChannels] and, when
   * argmax ≠ 0, argmax as maxPoolForward writes them, the same bits.
   */
  conv2dForwardMaxPool(x: number, filter: number, bias: number, y: number, argmax: number, scratch: number, activation: number,
    ...geometry: Conv2dArgs): void;
  conv2dBackwardInput(dy: number, filter: number, dx: number, scratch: number, ...geometry: Conv2dArgs): void;
  /** dFilter summed over the whole batch; dBias too when dBias ≠ 0. */
  conv2dBackwardFilter(x: number, dy: number, dFilter: number, dBias: number, scratch: number, ...geometry: Conv2dArgs): void;

  // --- pooling (assembly/pool.ts); windows are clipped to the input (padding never wins a max)
  /**
   * argmax (i32) holds, per output, the index into x of the element chosen (the first maximum in
   * window order); argmax = 0 (inference) skips it.
   */
  maxPoolForward(x: number, y: number, argmax: number, ...geometry: Pool2dArgs): void;
  /** dx = 0 but where an argmax points, which gets the sum of the dy that chose it. */
  /** positive ≠ 0: the pooling's output, gradients only to maxima > 0 (a ReLU before the pooling taken in). */
  maxPoolBackward(dy: number, argmax: number, dx: number, positive: number, ...geometry: Pool2dArgs): void;
  /** Sum pooling when average = 0; when 1, the sum divided by the number of input elements in the window. */
  avgPoolForward(x: number, y: number, average: number, ...geometry: Pool2dArgs): void;
  avgPoolBackward(dy: number, dx: number, average: number, ...geometry: Pool2dArgs): void;

  // --- softmax and losses (assembly/loss.ts); losses are averaged over rows (the batch), summed in f64
  softmaxForward(x: number, y: number, rows: number, cols: number): void;
  softmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  /** y = x − log Σ e^x per row (log softmax); its backward takes y, dx = dy − e^y·Σ dy. */
  logSoftmaxForward(x: number, y: number, rows: number, cols: number): void;
  logSoftmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  /**
   * Fused softmax + cross-entropy on logits: writes probs, and dLogits = (probs − targets)/rows when
   * dLogits ≠ 0; probs may be dLogits itself, or 0 when dLogits is 0. labelSmoothing ls > 0 smooths
   * each target to t·(1 − ls) + ls/cols first. With rowWeights ≠ 0 (one f32 per row: class
   * weights) each row's loss and gradient are multiplied by its weight.
   */
  softmaxCrossEntropy(logits: number, targets: number, probs: number, dLogits: number, rows: number, cols: number,
    labelSmoothing: number, rowWeights?: number): number;
  /** Turns `rows` class ids (f32) at the start of `labels` into the [rows, cols] one-hot matrix, in place. */
  expandClassIds(labels: number, rows: number, cols: number): void;

  // --- optimizer steps (assembly/optimizers.ts); weightDecay adds weightDecay·w to the gradient (L2)
  sgdUpdate(w: number, g: number, length: number, learningRate: number, weightDecay: number): void;
  /** accum = momentum·accum + g;  w −= lr·(nesterov ? g + momentum·accum : accum). */
  momentumUpdate(w: number, g: number, accum: number, length: number, learningRate: number,
    momentum: number, nesterov: number, weightDecay: number): void;
  /**
   * m, v moments; correction1 = 1 − β1^t and correction2 = 1 − β2^t are computed by the host.
   * decoupledWeightDecay λ (AdamW) also takes lr·λ·w off each weight, outside the moments.
   */
  adamUpdate(w: number, g: number, m: number, v: number, length: number, learningRate: number,
    beta1: number, beta2: number, epsilon: number, correction1: number, correction2: number, weightDecay: number,
    decoupledWeightDecay: number): void;

  // --- nearest up-sampling (assembly/upsampling.ts): x [batch, inHeight, inWidth, channels] →
  //     y [batch, inHeight·sizeHeight, inWidth·sizeWidth, channels]
  /** Repeats each pixel sizeHeight × sizeWidth times (bilinear up-sampling is resizeForward with half_pixel). */
  upSampling2dForward(x: number, y: number,
    batch: number, inHeight: number, inWidth: number, channels: number, sizeHeight: number, sizeWidth: number): void;
  /** dx from dy: each pixel's copies summed, rows then columns. */
  upSampling2dBackward(dy: number, dx: number,
    batch: number, inHeight: number, inWidth: number, channels: number, sizeHeight: number, sizeWidth: number): void;

  // --- global pooling (assembly/global-pool.ts): x [batch, positions, channels] → y [batch, channels]
  /** The mean over positions (their sum in position order, divided by positions). */
  globalAvgPoolForward(x: number, y: number, batch: number, positions: number, channels: number): void;
  /** dx = dy / positions at every position. */
  globalAvgPoolBackward(dy: number, dx: number, batch: number, positions: number, channels: number): void;
  /** The maximum over positions; argmax (i32 [batch, channels]) the first position holding it, skipped when argmax = 0. */
  globalMaxPoolForward(x: number, y: number, argmax: number, batch: number, positions: number, channels: number): void;
  /** dx = 0 but at each argmax position, which gets dy. */
  globalMaxPoolBackward(dy: number, argmax: number, dx: number, batch: number, positions: number, channels: number): void;

  // --- batch normalisation (assembly/batch-norm.ts) over the channels of [rows, channels] data. The
  // sums run on one slice of the batch each and write f64 partial sums (`stride` bytes apart for the
  // slices); the statistics kernels add them in slice order. Per-channel arrays are f32 [channels].
  /**
   * y[r, c] = act((x[r, c] − centre[c])·scale[c] + shift[c]) (centre = 0, shift = 0: none), act the
   * FUSED_ACTIVATION code `activation`: the normalisation, its inference-mode gradient, and folding.
   */
  channelAffine(x: number, centre: number, scale: number, shift: number, y: number, rows: number, channels: number, activation: number): void;
  /** sums[c] (f64) = Σ_r (x[r, c] − centre[c]), or Σ_r (x[r, c] − centre[c])² when squares ≠ 0; then 4·channels bytes of scratch. */
  batchNormSums(x: number, centre: number, sums: number, rows: number, channels: number, squares: number): void;
  /** sums[c] (f64) = Σ_r dy[r, c], sums[channels + c] = Σ_r dy[r, c]·(x[r, c] − mean[c]); then 8·channels bytes of scratch. */
  batchNormBackwardSums(x: number, dy: number, mean: number, sums: number, rows: number, channels: number): void;
  /** mean[c] = centre[c] + (Σ over slices of the Σ(x − centre) sums) ÷ count. */
  batchNormMean(partials: number, slices: number, stride: number, channels: number, count: number, centre: number, mean: number): void;
  /**
   * From the slices' Σ(x − mean)²: invStd = 1/√(variance + ε) and scale = γ·invStd (γ = 0: 1), the
   * variance biased; when movingMean ≠ 0, moving ← moving·momentum + batch·(1 − momentum), the
   * variance times count/(count − 1) when besselCorrection ≠ 0. channelAffine(x, mean, scale, β) then normalises.
   */
  batchNormTrainingStatistics(partials: number, slices: number, stride: number, channels: number, count: number,
    mean: number, gamma: number, epsilon: number, momentum: number, besselCorrection: number,
    movingMean: number, movingVariance: number, invStd: number, scale: number): void;
  /** invStd and scale as batchNormTrainingStatistics gives them, from the moving variance. */
  batchNormInferenceStatistics(movingVariance: number, gamma: number, epsilon: number, channels: number, invStd: number, scale: number): void;
  /**
   * From the slices' backward sums: dBeta = Σdy, dGamma = Σdy·(x − mean)·invStd (each when ≠ 0), and
   * the input gradient's factors for batchNormBackwardInput: through the batch statistics when
   * batchStatistics ≠ 0 (training), else through fixed ones (dx = γ·invStd·dy).
   */
  batchNormBackwardStatistics(partials: number, slices: number, stride: number, channels: number, count: number,
    invStd: number, gamma: number, batchStatistics: number, dGamma: number, dBeta: number,
    dyScale: number, centredScale: number, dyShift: number): void;
  /** dx[r, c] = dy[r, c]·dyScale[c] + (x[r, c] − mean[c])·centredScale[c] + dyShift[c]. */
  batchNormBackwardInput(dy: number, x: number, mean: number, dyScale: number, centredScale: number, dyShift: number,
    dx: number, rows: number, channels: number): void;

  // --- layer normalisation (assembly/layer-norm.ts): each row of [rows, channels] data normalised by
  // its own mean and variance; meanFromFirst (each row's mean less its first value) and invStd are
  // f32 [rows], γ and β f32 [channels] (0: absent).
  /**
   * y = (x − mean)·invStd·γ + β per row, meanFromFirst and invStd = 1/√(variance + ε) written when
   * meanFromFirst ≠ 0 (the variance biased, about the mean); `epsilon` is the address of ε (an f32).
   */
  layerNormForward(x: number, gamma: number, beta: number, y: number, meanFromFirst: number, invStd: number, rows: number,
    channels: number, epsilon: number): void;
  /**
   * dx (when ≠ 0) through each row's statistics, taken again in f64 (`epsilon` is the address of ε);
   * when sums ≠ 0, sums[c] (f64) = Σ_r dy[r, c] and sums[channels + c] = Σ_r dy[r, c]·x̂[r, c], then
   * 8·channels bytes of scratch.
   */
  layerNormBackward(x: number, dy: number, gamma: number, meanFromFirst: number, invStd: number, dx: number, sums: number,
    rows: number, channels: number, epsilon: number): void;
  /** dβ = Σ over slices of the Σdy sums, dγ of the Σdy·x̂ sums, in slice order (each when ≠ 0). */
  layerNormParameterGradients(partials: number, slices: number, stride: number, channels: number, dGamma: number, dBeta: number): void;

  // --- group normalisation (assembly/group-norm.ts) of [examples, positions, channels] data: each
  // example's run of channels / groups channels normalised over every position by its own mean and
  // variance; mean and invStd are f32 [examples, groups], γ and β f32 [channels] (0: absent), and the
  // workspace 56·channels bytes.
  /** y = (x − mean)·invStd·γ + β, mean and invStd written when mean ≠ 0; `epsilon` is the address of ε (an f32). */
  groupNormForward(x: number, gamma: number, beta: number, y: number, mean: number, invStd: number,
    examples: number, positions: number, channels: number, groups: number, epsilon: number, workspace: number): void;
  /**
   * dx (when ≠ 0) through each group's statistics; when parameterSums ≠ 0 the workspace starts with
   * Σdy (f64 [channels]) and Σdy·x̂, as layerNormParameterGradients adds them.
   */
  groupNormBackward(x: number, dy: number, gamma: number, mean: number, invStd: number, dx: number,
    examples: number, positions: number, channels: number, groups: number, workspace: number, parameterSums: number): void;

  // --- activations beyond relu, tanh and sigmoid (assembly/activations.ts). Forward kernels map x to y;
  // a backward kernel writes dx from dy and what the derivative needs: y, x, or both. `parameters`
  // is the address of the f32s a kernel takes, the same for the whole batch.
  /** min(max(x, 0), 6), as conv2dForward's FUSED_ACTIVATION.relu6 applies it. */
  relu6Forward(x: number, y: number, length: number): void;
  /** dx = dy where 0 < y < 6, else 0. */
  relu6Backward(y: number, dy: number, dx: number, length: number): void;
  /** ELU and SELU, parameters [sα, s]: y = x ≥ 0 ? s·x : sα·(exp(x) − 1) (ELU: s = 1, sα = α). */
  eluForward(x: number, y: number, length: number, parameters: number): void;
  /** dx = x ≥ 0 ? s·dy : (y + sα)·dy. */
  eluBackward(x: number, y: number, dy: number, dx: number, length: number, parameters: number): void;
  /** log(1 + exp(x)). */
  softplusForward(x: number, y: number, length: number): void;
  /** dx = sigmoid(x)·dy. */
  softplusBackward(x: number, dy: number, dx: number, length: number): void;
  /** x/(1 + |x|). */
  softsignForward(x: number, y: number, length: number): void;
  /** dx = dy/(1 + |x|)². */
  softsignBackward(x: number, dy: number, dx: number, length: number): void;
  /** Swish (SiLU): x·sigmoid(x). */
  swishForward(x: number, y: number, length: number): void;
  /** dx = dy·σ(x)·(1 + x·(1 − σ(x))). */
  swishBackward(x: number, dy: number, dx: number, length: number): void;
  /** Exact GELU: x·Φ(x), Φ the standard normal CDF (erf, not the tanh approximation). */
  geluForward(x: number, y: number, length: number): void;
  /** dx = dy·(Φ(x) + x·φ(x)). */
  geluBackward(x: number, dy: number, dx: number, length: number): void;
  /** Keras 2's hard sigmoid: clip(0.2·x + 0.5, 0, 1). */
  hardSigmoidForward(x: number, y: number, length: number): void;
  /** dx = 0.2·dy where 0 < y < 1, else 0. */
  hardSigmoidBackward(y: number, dy: number, dx: number, length: number): void;
  /** x·min(max(x + 3, 0), 6)/6. */
  hardSwishForward(x: number, y: number, length: number): void;
  /** dx = dy·(x < −3 ? 0 : x > 3 ? 1 : x/3 + 1/2). */
  hardSwishBackward(x: number, dy: number, dx: number, length: number): void;
  /** torch.clamp and ONNX's Clip, parameters [low, high]: y = min(max(x, low), high). */
  clipForward(x: number, y: number, length: number, parameters: number): void;
  /** dx = low ≤ x ≤ high ? dy : 0. */
  clipBackward(x: number, dy: number, dx: number, length: number, parameters: number): void;
  /** Keras's relu with its options, parameters [max, a, t]: y = x > t ? min(x, max) : a·(x − t). */
  leakyReluForward(x: number, y: number, length: number, parameters: number): void;
  /** dx = t < x ≤ max ? dy : x ≤ t ? a·dy : 0. */
  leakyReluBackward(x: number, dy: number, dx: number, length: number, parameters: number): void;

  // --- PReLU (assembly/prelu.ts): slopes alpha repeat every alphaLength elements; length is a multiple of it
  /** y = x > 0 ? x : alpha·x. */
  preluForward(x: number, alpha: number, y: number, length: number, alphaLength: number): void;
  /**
   * dx = x > 0 ? dy : x < 0 ? alpha·dy : 0 (Keras's; when dx ≠ 0); dAlpha = Σ over the rows of alphaLength, in order, of
   * (x < 0 ? x·dy : 0) (when dAlpha ≠ 0; overwritten).
   */
  preluBackward(x: number, alpha: number, dy: number, dx: number, dAlpha: number, length: number, alphaLength: number): void;

  // --- depthwise convolution (assembly/depthwise-conv2d.ts); filters are [kernelHeight, kernelWidth,
  // channels, depthMultiplier], output channel c·depthMultiplier + m reads input channel c
  /** y = act(x ⋆ filter (+ bias when bias ≠ 0)), act the FUSED_ACTIVATION code `activation`. */
  depthwiseConv2dForward(x: number, filter: number, bias: number, y: number, activation: number, ...geometry: DepthwiseConv2dArgs): void;
  /** scratch: kernelHeight·kernelWidth·channels floats. */
  depthwiseConv2dBackwardInput(dy: number, filter: number, dx: number, scratch: number, ...geometry: DepthwiseConv2dArgs): void;
  /** dFilter summed over the whole batch; dBias too when dBias ≠ 0. */
  depthwiseConv2dBackwardFilter(x: number, dy: number, dFilter: number, dBias: number, ...geometry: DepthwiseConv2dArgs): void;

  // --- phases of images (assembly/space-to-batch.ts), for convolutions dilated by the block size
  /** phases [batch, blockHeight, blockWidth, phaseHeight, phaseWidth, channels] of x padded by padTop, padLeft (0 outside x). */
  spaceToBatch(x: number, phases: number, ...geometry: PhaseArgs): void;
  /** x from its phases (the inverse of spaceToBatch; 0 where x lies past the phases). */
  batchToSpace(phases: number, x: number, ...geometry: PhaseArgs): void;

  // --- losses scored output by output (assembly/output-loss.ts), and the categorical hinge
  // (assembly/loss.ts); averaged over rows, summed in f64; gradients written when their pointer ≠ 0
  /**
   * Loss `kind` (an OUTPUT_LOSS code) of each output against its target, summed or averaged over a
   * row's cols outputs; dOutputs = slope/rows (summed) or slope/(rows·cols). `setting`: huber's
   * delta, the cross-entropies' label smoothing. For sigmoidCrossentropy `logits` holds the sigmoid's
   * logits and `outputs` its output (or 0: the kernel computes it), and dOutputs is the gradient
   * with respect to the logits; otherwise logits = 0. rowWeights as for softmaxCrossEntropy.
   */
  outputLoss(kind: number, outputs: number, logits: number, targets: number, dOutputs: number, rows: number, cols: number,
    setting: number, rowWeights?: number): number;
  /** max(max_c (1 − t)·o − Σ t·o + 1, 0) per row; rowWeights as for softmaxCrossEntropy. */
  categoricalHinge(outputs: number, targets: number, dOutputs: number, rows: number, cols: number, rowWeights?: number): number;
  /** −Σ t·o/(max(‖t‖, 1e-7)·max(‖o‖, 1e-7)) per row (Keras's cosine similarity loss); rowWeights as for softmaxCrossEntropy. */
  cosineSimilarity(outputs: number, targets: number, dOutputs: number, rows: number, cols: number, rowWeights?: number): number;

  // --- more optimizer steps (assembly/optimizers.ts, rmsprop.ts, adagrad.ts), formulas beside each kernel
  /** u = max(β2·u, |g|); correction1 = 1 − β1^t from the host. */
  adamaxUpdate(w: number, g: number, m: number, u: number, length: number, learningRate: number,
    beta1: number, beta2: number, epsilon: number, correction1: number): void;
  /** mom = 0 without momentum, mg = 0 unless centered. */
  rmspropUpdate(w: number, g: number, ms: number, mom: number, mg: number, length: number, learningRate: number,
    rho: number, momentum: number, epsilon: number): void;
  adagradUpdate(w: number, g: number, accum: number, length: number, learningRate: number, epsilon: number): void;
  adadeltaUpdate(w: number, g: number, accumGrad: number, accumUpdate: number, length: number, learningRate: number,
    rho: number, epsilon: number): void;

  // --- gradient clipping (assembly/gradient-clipping.ts), in place
  /** Σ x² in f64, in a fixed order. */
  sumOfSquares(x: number, length: number): number;
  /** g ← g·clipNorm/√squaredNorm when √squaredNorm > clipNorm; else g is untouched. */
  clipToNorm(g: number, length: number, squaredNorm: number, clipNorm: number): void;
  clipByValue(g: number, length: number, limit: number): void;

  // --- learning-rate schedules (assembly/schedule-math.ts): the same bits on every engine
  mathCos(x: number): number;
  mathPow(base: number, exponent: number): number;

  // --- axis permutation (assembly/permute.ts)
  /**
   * y[b, i0, i1, i2, i3] = x[b·size + i0·s0 + i1·s1 + i2·s2 + i3·s3], output dimensions d0…d3 (size =
   * their product, per example; leading ones may be 1): the Permute layer forward, and with the
   * inverse strides its gradient.
   */
  permute(x: number, y: number, batch: number, d0: number, d1: number, d2: number, d3: number,
    s0: number, s1: number, s2: number, s3: number): void;

  // --- Winograd convolution F(4×4, r×r) (assembly/winograd.ts): stride 1, square kernels, r = 3 or 5;
  //     the same geometry and layouts as the direct conv2d kernels. conv2d-algorithm.ts decides where it runs.
  /** Bytes of a filter transformed for a convolution of inChannels to outChannels. */
  winogradFilterBytes(kernelSize: number, inChannels: number, outChannels: number): number;
  /** Bytes of scratch winogradFilterTransform needs. */
  winogradFilterScratchBytes(kernelSize: number): number;
  /**
   * transformed = G·g·Gᵀ of the [r, r, inChannels, outChannels] filter, packed for the kernels below;
   * turned = 1 transforms the backward-input pass's filter instead (turned 180°, channel axes swapped,
   * winogradFilterBytes(r, outChannels, inChannels) bytes).
   */
  winogradFilterTransform(filter: number, transformed: number, scratch: number, kernelSize: number,
    inChannels: number, outChannels: number, turned: number): void;
  /**
   * winogradFilterTransform for the transformed convolution's input channels first … first + count − 1
   * alone (of its input channels rounded up to 4; those of the turned filter are the filter's outputs).
   */
  winogradFilterTransformInputs(filter: number, transformed: number, scratch: number, kernelSize: number,
    inChannels: number, outChannels: number, turned: number, first: number, count: number): void;
  /** Bytes of scratch memory the three conv2dWinograd kernels need at most for this geometry. */
  conv2dWinogradScratchBytes(...geometry: Conv2dArgs): number;
  /** Bytes of scratch memory one pass's conv2dWinograd kernel needs (CONV2D_PASS). */
  conv2dWinogradPassScratchBytes(pass: number, ...geometry: Conv2dArgs): number;
  /** As conv2dForward, the filter transformed with turned = 0. */
  conv2dWinogradForward(x: number, transformed: number, bias: number, y: number, scratch: number, activation: number,
    ...geometry: Conv2dArgs): void;
  /** As conv2dForwardMaxPool, the filter transformed with turned = 0. */
  conv2dWinogradForwardMaxPool(x: number, transformed: number, bias: number, y: number, argmax: number, scratch: number,
    activation: number, ...geometry: Conv2dArgs): void;
  /** As conv2dBackwardInput, the filter transformed with turned = 1. */
  conv2dWinogradBackwardInput(dy: number, transformed: number, dx: number, scratch: number, ...geometry: Conv2dArgs): void;
  /** As conv2dBackwardFilter: dFilter summed over the whole batch; dBias too when dBias ≠ 0. */
  conv2dWinogradBackwardFilter(x: number, dy: number, dFilter: number, dBias: number, scratch: number, ...geometry: Conv2dArgs): void;

  // --- Augmentation (assembly/augment.ts): the training-only layers RandomFlip and GaussianNoise.
  /**
   * y = x + stddev·z, z standard normal by Box–Muller on a xorshift32 stream from seed (the contract
   * in full beside the kernel); a pure function of (x, length, stddev, seed). x and y may be one buffer.
   */
  gaussianNoise(x: number, y: number, length: number, stddev: number, seed: number): void;
  /**
   * Images [batch, height, width, channels] mirrored per example: flips[b] (i32) bit 0 mirrors the
   * columns, bit 1 the rows. Its own inverse (the gradient is the same call on dy); x ≠ y.
   */
  flipImages(x: number, y: number, flips: number, batch: number, height: number, width: number, channels: number): void;
  // --- resizing to any size (assembly/resize.ts): x [batch, inHeight, inWidth, channels] →
  //     y [batch, outHeight, outWidth, channels]
  /**
   * Nearest (interpolation 0), bilinear (1) or bicubic (2, plus RESIZE_CUBIC's option bits) at the
   * source coordinate of each output by the coordinate mode (RESIZE_COORDINATES): ONNX's Resize, and
   * Keras's Resizing with half_pixel. params: the address of 3 f32s — the height's and width's ONNX
   * scale (0: coordinates by the sizes' ratio) and bicubic's coefficient a — or 0 for none (no
   * scales, not bicubic). The formulas in full beside the kernel (assembly/resize.ts).
   */
  resizeForward(x: number, y: number, interpolation: number, coordinates: number, params: number,
    batch: number, inHeight: number, inWidth: number, channels: number, outHeight: number, outWidth: number): void;
  /** dx from dy: the transpose of the forward pass, summed in output order within each example. */
  resizeBackward(dy: number, dx: number, interpolation: number, coordinates: number, params: number,
    batch: number, inHeight: number, inWidth: number, channels: number, outHeight: number, outWidth: number): void;

  // --- Affine image sampling (assembly/affine-images.ts): RandomTranslation, RandomRotation, RandomZoom.
  /**
   * y[b] [outHeight, outWidth, channels] = x[b] [height, width, channels] sampled through transforms[b], 6 f32s a0 a1 a2 b0 b1 b2: output column c and
   * row r read input column a0·c + a1·r + a2, row b0·c + b1·r + b2, folded in by fillMode (0 constant:
   * the f32 at address fill, 1 nearest, 2 reflect, 3 wrap, as TensorFlow's ImageProjectiveTransformV3) and read by
   * interpolation (0 nearest, 1 bilinear). x ≠ y.
   */
  affineTransformImages(x: number, y: number, transforms: number, batch: number, height: number, width: number, channels: number,
    outHeight: number, outWidth: number, fillMode: number, interpolation: number, fill: number): void;
  /** The gradient of affineTransformImages: dy scattered back onto each output pixel's taps; dx overwritten. */
  affineTransformImagesBackward(dy: number, dx: number, transforms: number, batch: number, height: number, width: number, channels: number,
    outHeight: number, outWidth: number, fillMode: number, interpolation: number): void;

  // --- Colour adjustments (assembly/scale-shift-clip.ts): RandomBrightness, RandomContrast.
  /** y[b, p, c] = clip(x[b, p, c]·scales[b] + offsets[b·channels + c], low, high), images [batch, pixels, channels]; x and y may be one buffer. */
  scaleShiftClip(x: number, y: number, scales: number, offsets: number, batch: number, pixels: number, channels: number, low: number, high: number): void;
  /** dx = dy where low ≤ x·scales[b] + offsets[b·channels + c] ≤ high (as scaleShiftClip computed it), else 0; the scale is not applied. */
  scaleShiftClipGradient(x: number, dy: number, dx: number, scales: number, offsets: number, batch: number, pixels: number, channels: number,
    low: number, high: number): void;
}

/** The coordinate modes of the resize kernels, by number (ONNX's coordinate_transformation_mode names). */
export const RESIZE_COORDINATES = { half_pixel: 0, pytorch_half_pixel: 1, align_corners: 2, asymmetric: 3 } as const;
export type ResizeCoordinates = keyof typeof RESIZE_COORDINATES;
/** The resize kernels' `interpolation`, by number. */
export const RESIZE_INTERPOLATION = { nearest: 0, bilinear: 1, bicubic: 2 } as const;
/**
 * Bits added to bicubic's `interpolation`: pixels beyond the edge weigh 0, the others renormalised
 * (ONNX's exclude_outside, TensorFlow's); the fraction rounded to 1/1024 first (TensorFlow's table).
 */
export const RESIZE_CUBIC = { excludeOutside: 4, table: 8 } as const;
