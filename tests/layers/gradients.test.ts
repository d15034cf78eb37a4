// Every layer's backward against central differences of its forward, on random shapes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FUSED_ACTIVATION } from '../../src/backend/kernels.js';
import { getBackend } from '../../src/backend/wasm.js';
import { type Layer, layers } from '../../src/layers/index.js';
import { seededRandom } from '../../src/random.js';
import { sizeOf } from '../../src/shape.js';
import { checkGradient, weightedSum } from '../gradient-check.js';
import { gradientOf, kernels, random } from '../helpers.js';

/** Builds the layer, then checks d(Σ y·r)/dx and d(Σ y·r)/dθ for every parameter θ. */
function checkLayer(layer: Layer, inputShape: number[], batch: number, seed: number): void {
  const rng = random(seed);
  const memory = getBackend().memory;
  layer.build([inputShape], seededRandom(seed));
  layer.planBackward(true);
  layer.plan(batch);
  // Random biases too: zero biases put ReLU exactly at its kink wherever the input is all padding.
  for (const p of layer.params) memory.f32(p.value, p.size).set(rng.array(p.size, -0.5, 0.5));
  const inSize = batch * sizeOf(inputShape), outSize = batch * sizeOf(layer.outputShape);
  const xPtr = memory.alloc(inSize * 4), rPtr = memory.alloc(outSize * 4);
  const x = rng.array(inSize), r = rng.array(outSize);
  const sync = () => memory.f32(xPtr, inSize).set(x);
  sync();
  memory.f32(rPtr, outSize).set(r);
  try {
    layer.forward([xPtr], batch, true);
    const [dxPtr] = layer.backward(rPtr, batch, true);
    const dx = memory.f32(dxPtr, inSize).slice();
    const grads = layer.params.map(gradientOf);
    const lossOfX = () => {
      sync();
      return weightedSum(layer.forward([xPtr], batch, true), r);
    };
    const what = `${layer.getConfig().className} ${JSON.stringify(layer.getConfig())} on [${batch}, ${inputShape}]`;
    checkGradient(`${what} input`, x, dx, lossOfX, rng.next);
    layer.params.forEach((p, i) => {
      const values = memory.f32(p.value, p.size).slice();
      const lossOfParam = () => {
        memory.f32(p.value, p.size).set(values);
        sync();
        return weightedSum(layer.forward([xPtr], batch, true), r);
      };
      checkGradient(`${what} ${p.name}`, values, grads[i], lossOfParam, rng.next);
      memory.f32(p.value, p.size).set(values);
    });
  } finally {
    memory.free(xPtr);
    memory.free(rPtr);
    layer.release();
  }
}

test('conv2d gradients: strides, every padding, activations, batch sizes', async () => {
  await kernels();
  const rng = random(11);
  const paddings = ['valid', 'same', 'full', 1, [0, 2, 1, 0]] as const;
  const activations = ['linear', 'relu', 'tanh', 'sigmoid'] as const;
  for (let i = 0; i < 20; i++) {
    const kernelSize: [number, number] = [rng.int(1, 3), rng.int(1, 3)];
    const inputShape = [rng.int(3, 7), rng.int(3, 7), rng.int(1, 4)];
    checkLayer(layers.conv2d({
      filters: rng.int(1, 5), kernelSize, strides: [rng.int(1, 3), rng.int(1, 2)],
      padding: rng.pick(paddings) as never, activation: rng.pick(activations), useBias: i % 5 !== 4,
    }), inputShape, rng.int(1, 3), 100 + i);
  }
});

test('grouped conv2d gradients: groups 2–3, strides, every padding, smooth activations, a 3×3 stride-1 window', async () => {
  await kernels();
  const rng = random(12);
  const paddings = ['valid', 'same', 'full', 1] as const;
  for (let i = 0; i < 10; i++) {
    const groups = rng.int(2, 3), square = i % 3 === 0;
    checkLayer(layers.conv2d({
      filters: groups * rng.int(1, 3), kernelSize: square ? 3 : [rng.int(1, 3), rng.int(1, 3)], strides: square ? 1 : [rng.int(1, 2), rng.int(1, 2)],
      padding: rng.pick(paddings) as never, activation: rng.pick(['linear', 'sigmoid', 'tanh'] as const), useBias: i % 4 !== 3, groups,
    }), [rng.int(4, 7), rng.int(4, 7), groups * rng.int(1, 2)], rng.int(1, 3), 120 + i);
  }
});

/** Strides or dilations (Keras takes one or the other above 1), every padding, each activation. */
function stridesOrDilation(rng: ReturnType<typeof random>): { strides: [number, number]; dilationRate: [number, number] } {
  return rng.next() < 0.5
    ? { strides: [rng.int(1, 3), rng.int(1, 2)], dilationRate: [1, 1] }
    : { strides: [1, 1], dilationRate: [rng.int(1, 3), rng.int(1, 3)] };
}

test('dilated conv2d gradients: dilations 1–3, every padding, activations', async () => {
  await kernels();
  const rng = random(14);
  const paddings = ['valid', 'same', 'full', 1, [0, 2, 1, 0]] as const;
  for (let i = 0; i < 12; i++) {
    checkLayer(layers.conv2d({
      filters: rng.int(1, 4), kernelSize: [rng.int(1, 3), rng.int(1, 3)], strides: 1, dilationRate: [rng.int(2, 3), rng.int(1, 3)],
      padding: rng.pick(paddings) as never, activation: rng.pick(['linear', 'relu', 'tanh'] as const), useBias: i % 4 !== 3,
    }), [rng.int(5, 9), rng.int(5, 9), rng.int(1, 3)], rng.int(1, 3), 150 + i);
  }
});

test('depthwiseConv2d gradients: depth multipliers 1–3, strides or dilations, every padding, activations', async () => {
  await kernels();
  const rng = random(15);
  const paddings = ['valid', 'same', 'full', 1, [0, 2, 1, 0]] as const;
  for (let i = 0; i < 20; i++) {
    checkLayer(layers.depthwiseConv2d({
      kernelSize: [rng.int(1, 3), rng.int(1, 3)], depthMultiplier: rng.pick([1, 1, 2, 3]), ...stridesOrDilation(rng),
      padding: rng.pick(paddings) as never, activation: rng.pick(['linear', 'relu', 'tanh', 'sigmoid'] as const), useBias: i % 5 !== 4,
    }), [rng.int(4, 8), rng.int(4, 8), rng.pick([1, 3, 4, 5, 9])], rng.int(1, 3), 500 + i);
  }
});

test('separableConv2d gradients: the depthwise kernel, the pointwise kernel and the bias', async () => {
  await kernels();
  const rng = random(16);
  for (let i = 0; i < 12; i++) {
    checkLayer(layers.separableConv2d({
      filters: rng.int(1, 5), kernelSize: rng.int(1, 3), depthMultiplier: rng.pick([1, 2]), ...stridesOrDilation(rng),
      padding: rng.pick(['valid', 'same', 'full'] as const), activation: rng.pick(['linear', 'relu', 'tanh'] as const), useBias: i % 4 !== 3,
    }), [rng.int(4, 8), rng.int(4, 8), rng.int(1, 6)], rng.int(1, 3), 600 + i);
  }
});

test('dense gradients, with each activation including softmax and logSoftmax', async () => {
  await kernels();
  const rng = random(12);
  for (const activation of ['linear', 'relu', 'tanh', 'sigmoid', 'softmax', 'logSoftmax'] as const) {
    for (let i = 0; i < 3; i++) {
      checkLayer(layers.dense({ units: rng.int(1, 9), activation }), [rng.int(1, 13)], rng.int(1, 4), 200 + i);
    }
  }
});

test('pooling gradients: max, average and sum; valid and same', async () => {
  await kernels();
  const rng = random(13);
  for (const make of [layers.maxPool2d, layers.avgPool2d, layers.sumPool2d]) {
    for (let i = 0; i < 6; i++) {
      checkLayer(make({ poolSize: [rng.int(1, 3), rng.int(1, 3)], strides: rng.int(1, 3), padding: rng.pick(['valid', 'same'] as const) }),
        [rng.int(3, 7), rng.int(3, 7), rng.int(1, 3)], rng.int(1, 2), 300 + i);
    }
  }
});

test('standalone activations and flatten', async () => {
  await kernels();
  for (const layer of [layers.relu(), layers.tanh(), layers.sigmoid(), layers.softmax(), layers.activation({ activation: 'logSoftmax' }), layers.flatten()]) {
    checkLayer(layer, [3, 2, 5], 2, 400);
  }
});

test('borderPadding2d gradients: reflect and edge, uneven sides, edge past the image\'s size', async () => {
  await kernels();
  const rng = random(15);
  for (let i = 0; i < 12; i++) {
    const mode = i % 2 ? 'edge' : 'reflect', shape = [rng.int(2, 6), rng.int(2, 6), rng.int(1, 3)];
    // Reflect reaches at most size − 1; edge any distance. Each border pixel adds its gradient where it was copied from, corners included.
    const side = (size: number) => rng.int(0, mode === 'reflect' ? size - 1 : size + 2);
    const padding: [[number, number], [number, number]] = [[side(shape[0]), side(shape[0])], [side(shape[1]), side(shape[1])]];
    checkLayer(layers.borderPadding2d({ padding, mode }), shape, rng.int(1, 3), 700 + i);
  }
});

test('conv2dTranspose gradients: strides, every padding, activations, batch sizes', async () => {
  await kernels();
  const rng = random(14);
  const paddings = ['valid', 'same', 'full', 1, [0, 2, 1, 0]] as const;
  for (let i = 0; i < 20; i++) {
    const kernelSize: [number, number] = [rng.int(2, 3), rng.int(1, 3)];
    checkLayer(layers.conv2dTranspose({
      filters: rng.int(1, 5), kernelSize, strides: [rng.int(1, 3), rng.int(1, 2)],
      padding: rng.pick(paddings) as never, activation: rng.pick(['linear', 'relu', 'tanh', 'sigmoid'] as const), useBias: i % 5 !== 4,
    }), [rng.int(3, 5), rng.int(3, 5), rng.int(1, 4)], rng.int(1, 3), 500 + i);
  }
});

test('upSampling2d gradients, nearest and bilinear', async () => {
  await kernels();
  const rng = random(15);
  for (const interpolation of ['nearest', 'bilinear'] as const) {
    for (let i = 0; i < 5; i++) {
      checkLayer(layers.upSampling2d({ size: [rng.int(1, 3), rng.int(1, 3)], interpolation }),
        [rng.int(1, 5), rng.int(1, 5), rng.int(1, 6)], rng.int(1, 3), 600 + i);
    }
  }
});

test('resizing gradients: nearest, bilinear and bicubic, every coordinate mode, by sizes and by ONNX scales, up and down', async () => {
  await kernels();
  const rng = random(19);
  for (const interpolation of ['nearest', 'bilinear', 'bicubic'] as const) {
    for (const coordinates of ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const) {
      for (let i = 0; i < 3; i++) {
        const inputShape = [rng.int(1, 5), rng.int(1, 5), rng.int(1, 6)], height = rng.int(1, 7), width = rng.int(1, 7);
        // Every other case maps coordinates by scales near the sizes' ratio (not whole); bicubic alternates Keras's and ONNX's settings.
        const scales: [number, number] | null = i === 1 ? [(height + 0.4) / inputShape[0], (width + 0.7) / inputShape[1]] : null;
        const cubic = i === 2 ? { cubicCoefficient: -0.75, cubicExcludeOutside: false, cubicTable: false } : {};
        checkLayer(layers.resizing({ height, width, interpolation, coordinates, scales, ...cubic }), inputShape, rng.int(1, 3), 650 + i);
      }
    }
  }
});

test('global average and max pooling, zero padding, cropping and reshape gradients', async () => {
  await kernels();
  const rng = random(16);
  for (let i = 0; i < 4; i++) {
    const shape = [rng.int(2, 6), rng.int(2, 6), rng.int(1, 7)], batch = rng.int(1, 3);
    for (const layer of [layers.globalAveragePooling2d(), layers.globalMaxPooling2d(), layers.globalAveragePooling2d({ keepdims: true }),
      layers.zeroPadding2d({ padding: [[rng.int(0, 2), rng.int(0, 2)], [rng.int(0, 2), rng.int(0, 2)]] }),
      layers.cropping2d({ cropping: [[rng.int(0, 1), rng.int(0, 1)], [rng.int(0, 1), rng.int(0, 1)]] }),
      layers.reshape({ targetShape: [shape[1], -1] })]) {
      checkLayer(layer, shape, batch, 700 + i);
    }
  }
});

test('batch normalisation gradients in training mode (through the batch statistics): input, gamma and beta', async () => {
  await kernels();
  const rng = random(14);
  for (let i = 0; i < 16; i++) {
    const image = i % 2 === 0;
    const channels = rng.pick([1, 3, 4, 5, 7]);
    const inputShape = image ? [rng.int(1, 4), rng.int(1, 4), channels] : [channels];
    const batch = image ? rng.int(1, 3) : rng.int(3, 6);
    checkLayer(layers.batchNormalization({ epsilon: rng.pick([1e-3, 0.01]), center: i % 5 !== 3, scale: i % 7 !== 5 }), inputShape, batch, 500 + i);
  }
});

test('layer normalisation gradients (through each position\'s own statistics): input, gamma and beta', async () => {
  await kernels();
  const rng = random(15);
  for (let i = 0; i < 16; i++) {
    const channels = rng.pick([1, 2, 3, 4, 5, 7, 9, 13]);
    const inputShape = [[channels], [rng.int(1, 5), channels], [rng.int(1, 4), rng.int(1, 4), channels]][i % 3];
    checkLayer(layers.layerNormalization({ epsilon: rng.pick([1e-3, 1e-5, 0.01]), center: i % 5 !== 3, scale: i % 7 !== 5 }), inputShape,
      rng.int(1, 4), 560 + i);
  }
});

test('group normalisation gradients (through each example\'s groups\' statistics): input, gamma and beta; groups 1, 2, a few, every channel', async () => {
  await kernels();
  const rng = random(16);
  for (let i = 0; i < 16; i++) {
    const channels = rng.pick([1, 2, 3, 4, 6, 8, 9]);
    const inputShape = [[channels], [rng.int(1, 5), channels], [rng.int(1, 4), rng.int(1, 4), channels]][i % 3];
    const groups = [1, -1, channels % 2 === 0 ? 2 : 1, channels % 3 === 0 ? 3 : channels][i % 4];
    checkLayer(layers.groupNormalization({ groups, epsilon: rng.pick([1e-3, 1e-5, 0.01]), center: i % 5 !== 3, scale: i % 7 !== 5 }), inputShape,
      rng.int(1, 4), 580 + i);
  }
});

test('unit normalisation gradients (through each position\'s own norm), rows under the floor included', async () => {
  await kernels();
  const rng = random(16);
  for (let i = 0; i < 16; i++) {
    const channels = rng.pick([1, 2, 3, 4, 5, 7, 9, 13]);
    const inputShape = [[channels], [rng.int(1, 5), channels], [rng.int(1, 4), rng.int(1, 4), channels]][i % 3];
    // A floor of 1.5 holds some rows of values in [−1, 1] (their divisor a constant), not all.
    checkLayer(layers.unitNormalization({ minNorm: rng.pick([1e-6, 1e-12, 0, 1.5]) }), inputShape, rng.int(1, 4), 600 + i);
  }
});

test('the activations Keras models use: on conv2d and dense, and as Activation layers', async () => {
  await kernels();
  const rng = random(14);
  const names = ['relu6', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'hardSigmoid', 'hardSwish', 'logSoftmax'] as const;
  for (const [i, activation] of names.entries()) {
    checkLayer(layers.conv2d({ filters: rng.int(1, 4), kernelSize: 2, padding: 'same', activation }), [4, 3, 2], 2, 500 + i);
    checkLayer(layers.dense({ units: rng.int(1, 7), activation }), [rng.int(1, 9)], rng.int(1, 3), 520 + i);
    checkLayer(layers.activation({ activation }), [3, 2, 5], 2, 540 + i);
  }
});

test('activation layers with options: ReLU, LeakyReLU, ELU, Softmax, Clip', async () => {
  await kernels();
  // Settings within the inputs' range [−1, 1], so that every piece of each function is crossed.
  const made = [
    layers.reLU(), layers.reLU({ maxValue: 6 }), layers.reLU({ maxValue: 0.5 }), layers.reLU({ negativeSlope: 0.2 }),
    layers.reLU({ maxValue: 0.6, negativeSlope: 0.1, threshold: 0.3 }), layers.reLU({ threshold: 0.4 }),
    layers.leakyReLU(), layers.leakyReLU({ alpha: -0.4 }), layers.elu(), layers.elu({ alpha: 0.4 }), layers.elu({ alpha: -1.5 }),
    layers.softmax(), layers.softmax({ axis: 3 }),
    layers.clip({ min: -0.5, max: 0.3 }), layers.clip({ min: 0.2 }), layers.clip({ max: -0.1 }),
  ];
  made.forEach((layer, i) => checkLayer(layer, [3, 2, 5], 3, 600 + i));
});

test('PReLU gradients with respect to the input and the slopes: one slope per channel, per element, per column', async () => {
  await kernels();
  checkLayer(layers.prelu({ sharedAxes: [1, 2] }), [4, 3, 5], 3, 700);
  checkLayer(layers.prelu(), [3, 2, 3], 2, 701);
  checkLayer(layers.prelu({ sharedAxes: 1 }), [4, 3, 2], 3, 702);
  checkLayer(layers.prelu({ alphaInitializer: 0.25 }), [7], 4, 703);
});

test('conv2d applies ReLU and ReLU6 in its own kernel (the derivative then comes from its output), other activations after it', async () => {
  await kernels();
  for (const [activation, code] of [['relu', FUSED_ACTIVATION.relu], ['relu6', FUSED_ACTIVATION.relu6], ['gelu', FUSED_ACTIVATION.none]] as const) {
    const conv = layers.conv2d({ filters: 2, kernelSize: 1, activation });
    assert.is(conv.activation.kernelCode, code, activation);
    assert.is(conv.activation.appliedByKernel, code !== FUSED_ACTIVATION.none, activation);
  }
  // Keras's ReLU layer, plain and capped at 6 (MobileNetV2's), runs the relu and relu6 kernels.
  assert.equal([layers.reLU(), layers.reLU({ maxValue: 6 }), layers.reLU({ maxValue: 5 })].map((l) => l.activation.name), ['relu', 'relu6', 'leakyRelu']);
});

test('dropout: training output is x·mask with mask ∈ {0, 1/(1−rate)}, gradient is dy·mask, inference is identity', async () => {
  await kernels();
  const memory = getBackend().memory;
  const layer: Layer = layers.dropout({ rate: 0.25 });
  layer.build([[50]], seededRandom(1));
  layer.planBackward(true);
  layer.plan(4);
  const x = random(5).array(200, 0.5, 1);
  const xPtr = memory.alloc(800), dyPtr = memory.alloc(800);
  memory.f32(xPtr, 200).set(x);
  memory.f32(dyPtr, 200).fill(3);
  const y = memory.f32(layer.forward([xPtr], 4, true), 200).slice();
  const dx = memory.f32(layer.backward(dyPtr, 4, true)[0], 200).slice();
  let dropped = 0;
  for (let i = 0; i < 200; i++) {
    const mask = y[i] / x[i];
    assert.ok(mask === 0 || Math.abs(mask - 1 / 0.75) < 1e-6, `mask ${mask} at ${i}`);
    assert.ok(Math.abs(dx[i] - 3 * mask) < 1e-5, `gradient at ${i}`);
    if (mask === 0) dropped++;
  }
  assert.ok(dropped > 25 && dropped < 80, `about a quarter dropped, got ${dropped}/200`);
  assert.is(layer.forward([xPtr], 4, false), xPtr, 'inference passes the input through');
  memory.free(xPtr);
  memory.free(dyPtr);
  layer.release();
});

test('pooling gradients with explicit padding [top, bottom, left, right], as ONNX models pool', async () => {
  await kernels();
  const rng = random(14);
  for (const make of [layers.maxPool2d, layers.avgPool2d, layers.sumPool2d]) {
    for (let i = 0; i < 6; i++) {
      const poolSize: [number, number] = [rng.int(2, 3), rng.int(2, 3)];
      const padding = [rng.int(0, poolSize[0] - 1), rng.int(0, poolSize[0] - 1), rng.int(0, poolSize[1] - 1), rng.int(0, poolSize[1] - 1)];
      checkLayer(make({ poolSize, strides: rng.int(1, 3), padding: padding as [number, number, number, number] }),
        [rng.int(3, 7), rng.int(3, 7), rng.int(1, 3)], rng.int(1, 2), 320 + i);
    }
  }
});

test('permute gradients: every order of rank 1 to 4', async () => {
  await kernels();
  const orders = [[1], [2, 1], [1, 2], [3, 1, 2], [2, 3, 1], [1, 3, 2], [3, 2, 1], [4, 2, 1, 3], [1, 2, 4, 3]];
  orders.forEach((dims, i) => checkLayer(layers.permute({ dims }), [2, 3, 4, 5].slice(0, dims.length), 2, 420 + i));
});

test('channel slice gradients: images, features and [A, B], odd sizes, one channel or all', async () => {
  await kernels();
  checkLayer(layers.channelSlice({ start: 1, end: 4 }), [3, 2, 5], 2, 440);
  checkLayer(layers.channelSlice({ start: 0, end: 7 }), [3, 7], 3, 441);
  checkLayer(layers.channelSlice({ start: 6, end: 7 }), [2, 3, 7], 1, 442);
  checkLayer(layers.channelSlice({ start: 2, end: 5 }), [9], 2, 443);
});

test('rescaling gradients: scalar and per-channel scale and offset', async () => {
  await kernels();
  checkLayer(layers.rescaling({ scale: 0.5, offset: -1 }), [3, 2, 5], 2, 430);
  checkLayer(layers.rescaling({ scale: [2, -0.5, 1.5, 0.25, 3], offset: [0.1, 0.2, -0.3, 0, 1] }), [3, 2, 5], 3, 431);
  checkLayer(layers.rescaling({ scale: [-1, 4, 0.5] }), [3], 2, 432);
});

test.run();
