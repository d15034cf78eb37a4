// The contract between the host and the wasm module: every kernel by name, with its arguments.
// Kernels know nothing of tensors or layers: they take byte offsets into linear memory (f32 unless
// said otherwise, NHWC, batch first), sizes and numbers, and always overwrite their outputs.
// A pointer argument of 0 means "absent" (the allocator never hands out address 0).

/** Activations a kernel applies to its results on their way out (assembly/fused-activation.ts). */
export const FUSED_ACTIVATION = { none: 0, relu: 1, relu6: 2 } as const;

/**
 * The losses outputLoss computes (assembly/output-loss.ts), each output scored on its own: summed
 * over a row, the categorical cross-entropy on probabilities clipped to [1e-7, 1 − 1e-7] and
 * convas's ½Σ(t − o)²; averaged over a row, the mean absolute error, huber, hinge and squared hinge
 * (a batch of 0/1 targets read as −1/1), binary cross-entropy on clipped probabilities and binary
 * cross-entropy from a sigmoid's logits.
 */
export const OUTPUT_LOSS = {
  categoricalCrossentropy: 0, meanSquaredError: 1, meanAbsoluteError: 2, huber: 3, hinge: 4, squaredHinge: 5,
  binaryCrossentropy: 6, sigmoidCrossentropy: 7,
} as const;

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
  /**
   * C[m, n] = op(A)·op(B) (+ C when accumulate ≠ 0), op(A) of shape [m, k], op(B) of shape [k, n].
   * A is stored [m, k], or [k, m] when transposeA ≠ 0; B is stored [k, n], or [n, k] when transposeB ≠ 0.
   */
  matMul(a: number, b: number, c: number, m: number, k: number, n: number,
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
  maxPoolBackward(dy: number, argmax: number, dx: number, outLength: number, inLength: number): void;
  /** Sum pooling when average = 0; when 1, the sum divided by the number of input elements in the window. */
  avgPoolForward(x: number, y: number, average: number, ...geometry: Pool2dArgs): void;
  avgPoolBackward(dy: number, dx: number, average: number, ...geometry: Pool2dArgs): void;

  // --- softmax and losses (assembly/loss.ts); losses are averaged over rows (the batch), summed in f64
  softmaxForward(x: number, y: number, rows: number, cols: number): void;
  softmaxBackward(y: number, dy: number, dx: number, rows: number, cols: number): void;
  /**
   * Fused softmax + cross-entropy on logits: writes probs, and dLogits = (probs − targets)/rows when
   * dLogits ≠ 0. labelSmoothing ls > 0 smooths each target to t·(1 − ls) + ls/cols first.
   */
  softmaxCrossEntropy(logits: number, targets: number, probs: number, dLogits: number, rows: number, cols: number,
    labelSmoothing: number): number;
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

  // --- losses scored output by output (assembly/output-loss.ts), and the categorical hinge
  // (assembly/loss.ts); averaged over rows, summed in f64; gradients written when their pointer ≠ 0
  /**
   * Loss `kind` (an OUTPUT_LOSS code) of each output against its target, summed or averaged over a
   * row's cols outputs; dOutputs = slope/rows (summed) or slope/(rows·cols). `setting`: huber's
   * delta, the cross-entropies' label smoothing. For sigmoidCrossentropy `logits` holds the sigmoid's
   * logits and `outputs` its output, and dOutputs is the gradient with respect to the logits;
   * otherwise logits = 0.
   */
  outputLoss(kind: number, outputs: number, logits: number, targets: number, dOutputs: number, rows: number, cols: number,
    setting: number): number;
  /** max(max_c (1 − t)·o − Σ t·o + 1, 0) per row. */
  categoricalHinge(outputs: number, targets: number, dOutputs: number, rows: number, cols: number): number;

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
}
