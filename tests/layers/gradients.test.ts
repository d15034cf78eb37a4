// Every layer's backward against central differences of its forward, on random shapes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { type Layer, layers } from '../../src/layers/index.js';
import { seededRandom } from '../../src/random.js';
import { sizeOf } from '../../src/shape.js';
import { checkGradient, weightedSum } from '../gradient-check.js';
import { kernels, random } from '../helpers.js';

/** Builds the layer, then checks d(Σ y·r)/dx and d(Σ y·r)/dθ for every parameter θ. */
function checkLayer(layer: Layer, inputShape: number[], batch: number, seed: number): void {
  const rng = random(seed);
  const memory = getBackend().memory;
  layer.build([inputShape], seededRandom(seed));
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
    const grads = layer.params.map((p) => memory.f32(p.grad, p.size).slice());
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

test('dense gradients, with each activation including softmax', async () => {
  await kernels();
  const rng = random(12);
  for (const activation of ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'] as const) {
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
  for (const layer of [layers.relu(), layers.tanh(), layers.sigmoid(), layers.softmax(), layers.flatten()]) {
    checkLayer(layer, [3, 2, 5], 2, 400);
  }
});

test('dropout: training output is x·mask with mask ∈ {0, 1/(1−rate)}, gradient is dy·mask, inference is identity', async () => {
  await kernels();
  const memory = getBackend().memory;
  const layer: Layer = layers.dropout({ rate: 0.25 });
  layer.build([[50]], seededRandom(1));
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

test('rescaling gradients: scalar and per-channel scale and offset', async () => {
  await kernels();
  checkLayer(layers.rescaling({ scale: 0.5, offset: -1 }), [3, 2, 5], 2, 430);
  checkLayer(layers.rescaling({ scale: [2, -0.5, 1.5, 0.25, 3], offset: [0.1, 0.2, -0.3, 0, 1] }), [3, 2, 5], 3, 431);
  checkLayer(layers.rescaling({ scale: [-1, 4, 0.5] }), [3], 2, 432);
});

test.run();
