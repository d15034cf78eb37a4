// The benchmark problem, the same in every peer: the LeNet-style net's hyper-parameters, the layer
// shapes timed alone, and a seeded synthetic dataset (speed does not depend on the pixel values).

export const NET = { height: 28, width: 28, channels: 1, classes: 10, trainBatch: 32, inferBatch: 256, learningRate: 0.01, momentum: 0.9 };

/** Examples in the training set: an "epoch" of the memory check is one pass over them. */
export const TRAIN_EXAMPLES = 1024;

/** mulberry32: uniform [0, 1) numbers, small, fast, and the same stream in every process. */
export function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** n images [n, 28, 28, 1] in [0, 1), and labels both as class indices and one-hot rows. */
export function dataset(n, seed = 1) {
  const next = random(seed);
  const pixels = NET.height * NET.width * NET.channels;
  const x = new Float32Array(n * pixels);
  for (let i = 0; i < x.length; i++) x[i] = next();
  const labels = new Uint8Array(n);
  const oneHot = new Float32Array(n * NET.classes);
  for (let i = 0; i < n; i++) {
    labels[i] = Math.floor(next() * NET.classes);
    oneHot[i * NET.classes + labels[i]] = 1;
  }
  return { x, labels, oneHot, n, pixels };
}

/** Uniform values in [-1, 1) for layer inputs and weights. */
export function randomArray(length, seed = 7) {
  const next = random(seed);
  const a = new Float32Array(length);
  for (let i = 0; i < length; i++) a[i] = next() * 2 - 1;
  return a;
}

/** Single layers timed in convas and tfjs-wasm ('same' padding, stride 1). */
export const CONVS = [
  { name: 'conv 32×28×28×16 ⋆ 3×3×16×32', batch: 32, height: 28, width: 28, inChannels: 16, kernel: 3, outChannels: 32 },
  { name: 'conv 8×56×56×64 ⋆ 3×3×64×64', batch: 8, height: 56, width: 56, inChannels: 64, kernel: 3, outChannels: 64 },
];
export const PASSES = ['forward', 'backward input', 'backward filter'];
export const MATMUL = { name: 'matMul 512³', m: 512, k: 512, n: 512 };

/** Depthwise 3×3 layers at MobileNet's shapes ('same' padding, depthMultiplier 1). */
export const DEPTHWISE = [
  { name: 'depthwise 8×56×56×128 3×3 stride 1', batch: 8, height: 56, width: 56, channels: 128, kernel: 3, stride: 1 },
  { name: 'depthwise 8×56×56×128 3×3 stride 2', batch: 8, height: 56, width: 56, channels: 128, kernel: 3, stride: 2 },
  { name: 'depthwise 8×14×14×512 3×3 stride 1', batch: 8, height: 14, width: 14, channels: 512, kernel: 3, stride: 1 },
  { name: 'depthwise 8×14×14×512 3×3 stride 2', batch: 8, height: 14, width: 14, channels: 512, kernel: 3, stride: 2 },
];

/** A depthwise case's 'same' geometry: output size and the zeros before each axis (TensorFlow puts the odd one after). */
export function depthwiseGeometry(d) {
  const outHeight = Math.ceil(d.height / d.stride), outWidth = Math.ceil(d.width / d.stride);
  const before = (size, out) => Math.floor(Math.max((out - 1) * d.stride + d.kernel - size, 0) / 2);
  return { outHeight, outWidth, padTop: before(d.height, outHeight), padLeft: before(d.width, outWidth) };
}

/**
 * Every single-layer case, with its FLOPs (2 per multiply-add; the three conv passes cost the same).
 * Each conv pass runs on the direct kernel, and again on Winograd's (the kernel a layer of that shape
 * runs; src/backend/conv2d-algorithm.ts), counted at the direct convolution's FLOPs: effective
 * GFLOP/s. Peers without a Winograd kernel time a Winograd row as the direct row it repeats (`of`).
 */
export const LAYER_CASES = [
  ...CONVS.flatMap((c, conv) => PASSES.flatMap((pass) => {
    const flops = 2 * c.batch * c.height * c.width * c.outChannels * c.kernel * c.kernel * c.inChannels;
    const direct = { id: `${conv}:${pass}`, conv, pass, label: `${c.name} ${pass}`, flops };
    return [direct, { ...direct, id: `${direct.id}:winograd`, label: `${direct.label}, Winograd`, winograd: true, of: direct.id }];
  })),
  { id: 'matmul', label: MATMUL.name, flops: 2 * MATMUL.m * MATMUL.k * MATMUL.n },
  ...DEPTHWISE.flatMap((d, depthwise) => PASSES.map((pass) => ({
    id: `dw${depthwise}:${pass}`, depthwise, pass, label: `${d.name} ${pass}`,
    flops: 2 * d.batch * depthwiseGeometry(d).outHeight * depthwiseGeometry(d).outWidth * d.channels * d.kernel * d.kernel,
  }))),
];

/** The depthwise forward cases: the target is about the slowest of them. */
export const DEPTHWISE_FORWARD = DEPTHWISE.map((_, i) => `dw${i}:forward`);

/**
 * Every convolution and matMul case (a Winograd row at its effective GFLOP/s) at this share of the
 * SIMD ceiling or more. Depthwise convolution does 9 multiply-adds per value it reads: memory, not
 * arithmetic, bounds it, and its target is against tfjs-wasm instead.
 */
export const LAYER_CEILING_TARGET = { min: 0.85, cases: LAYER_CASES.filter((c) => c.depthwise === undefined).map((c) => c.id) };

/** The large conv forward pass: the case the targets are about. */
export const LARGE_CONV_FORWARD = '1:forward';

/** The layers issue's whole-net case: Keras's MobileNetV2, alpha 0.35, 96×96×3, 10 classes, random weights. */
export const MOBILENET = { alpha: 0.35, inputShape: [96, 96, 3], classes: 10, inferBatches: [1, 32], trainBatch: 16, learningRate: 0.01, seed: 5 };

/**
 * Batch normalisation in training alone (batch statistics, the moving statistics' step, and the
 * gradients of x, γ and β): block_1_expand_BN of that MobileNetV2 at its training batch.
 */
export const BATCH_NORM = { label: 'batch norm 16×48×48×48, training forward and backward', shape: [16, 48, 48, 48], momentum: 0.999, epsilon: 1e-3 };

/** n random images for the MobileNet and one-hot labels, the same in every peer. */
export function mobileNetBatch(n, seed = MOBILENET.seed) {
  const pixels = MOBILENET.inputShape.reduce((a, b) => a * b, 1);
  const x = randomArray(n * pixels, seed);
  const oneHot = new Float32Array(n * MOBILENET.classes);
  for (let i = 0; i < n; i++) oneHot[i * MOBILENET.classes + (i % MOBILENET.classes)] = 1;
  return { x, oneHot, shape: [n, ...MOBILENET.inputShape], labelShape: [n, MOBILENET.classes] };
}
