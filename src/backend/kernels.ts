// The contract between the host and the wasm module: every kernel by name, with its arguments.
// Kernels know nothing of tensors or layers: they take byte offsets into linear memory (f32 unless
// said otherwise, NHWC, batch first), sizes and numbers, and always overwrite their outputs.
// A pointer argument of 0 means "absent" (the allocator never hands out address 0).

/** Activations a kernel applies to its results on their way out (assembly/fused-activation.ts). */
export const FUSED_ACTIVATION = { none: 0, relu: 1, relu6: 2 } as const;

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
  /**
   * y = act(x ⋆ filter (+ bias when bias ≠ 0)), act the FUSED_ACTIVATION code `activation`;
   * padding is implied by padTop/padLeft and the output size.
   */
  conv2dForward(x: number, filter: number, bias: number, y: number, scratch: number, activation: number,
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
  maxPoolBackward(dy: number, argmax: number, dx: number, ...geometry: Pool2dArgs): void;
  /** Sum pooling when average = 0; when 1, the sum divided by the number of input elements in the window. */
  avgPoolForward(x: number, y: number, average: number, ...geometry: Pool2dArgs): void;
  avgPoolBackward(dy: number, dx: number, average: number, ...geometry: Pool2dArgs): void;

  // --- softmax and losses (assembly/loss.ts); losses are averaged over rows (the batch), summed in f64
  softmaxForward(x: number, y: number, rows: number, cols: number): void;
  softmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  /** Fused softmax + cross-entropy on logits: writes probs, and dLogits = (probs − targets)/rows when dLogits ≠ 0. */
  softmaxCrossEntropy(logits: number, targets: number, probs: number, dLogits: number, rows: number, cols: number): number;
  /** −Σ t·log(max(o, 1e-7)) / rows, on outputs that are already probabilities. */
  crossEntropy(outputs: number, targets: number, dOutputs: number, rows: number, cols: number): number;
  /** ½Σ(t − o)² / rows; dOutputs = (o − t)/rows when dOutputs ≠ 0. */
  meanSquaredError(outputs: number, targets: number, dOutputs: number, rows: number, cols: number): number;

  // --- optimizer steps (assembly/optimizers.ts); weightDecay adds weightDecay·w to the gradient (L2)
  sgdUpdate(w: number, g: number, length: number, learningRate: number, weightDecay: number): void;
  /** accum = momentum·accum + g;  w −= lr·(nesterov ? g + momentum·accum : accum). */
  momentumUpdate(w: number, g: number, accum: number, length: number, learningRate: number,
    momentum: number, nesterov: number, weightDecay: number): void;
  /** m, v moments; correction1 = 1 − β1^t and correction2 = 1 − β2^t are computed by the host. */
  adamUpdate(w: number, g: number, m: number, v: number, length: number, learningRate: number,
    beta1: number, beta2: number, epsilon: number, correction1: number, correction2: number, weightDecay: number): void;

  // --- up-sampling (assembly/upsampling.ts): x [batch, inHeight, inWidth, channels] →
  //     y [batch, inHeight·sizeHeight, inWidth·sizeWidth, channels]
  /**
   * Nearest (bilinear = 0) repeats each pixel; bilinear (1) interpolates as tf.image.resize with
   * half-pixel centres, which is what Keras's UpSampling2D computes.
   */
  upSampling2dForward(x: number, y: number, bilinear: number,
    batch: number, inHeight: number, inWidth: number, channels: number, sizeHeight: number, sizeWidth: number): void;
  /** dx from dy: the transpose of the forward pass, summed in output order within each example. */
  upSampling2dBackward(dy: number, dx: number, bilinear: number,
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
  /** Bytes of scratch memory the three conv2dWinograd kernels need at most for this geometry. */
  conv2dWinogradScratchBytes(...geometry: Conv2dArgs): number;
  /** As conv2dForward, the filter transformed with turned = 0. */
  conv2dWinogradForward(x: number, transformed: number, bias: number, y: number, scratch: number, activation: number,
    ...geometry: Conv2dArgs): void;
  /** As conv2dBackwardInput, the filter transformed with turned = 1. */
  conv2dWinogradBackwardInput(dy: number, transformed: number, dx: number, scratch: number, ...geometry: Conv2dArgs): void;
  /** As conv2dBackwardFilter: dFilter summed over the whole batch; dBias too when dBias ≠ 0. */
  conv2dWinogradBackwardFilter(x: number, dy: number, dFilter: number, dBias: number, scratch: number, ...geometry: Conv2dArgs): void;
}
