// A layer and the max pooling that alone reads its output, run as pairs: backward takes a ReLU's
// derivative inside the pooling's (one pass less over the largest maps), and forward runs a conv2d
// and a 2×2 pooling at stride 2 as one kernel that never writes the convolution's output. The kernel
// tests hold both to the same bits as the separate passes (tests/kernels/pool.test.ts,
// tests/kernels/conv2d.test.ts); these check that a model pairs exactly where it may, by watching
// which kernels it runs, and that it trains and predicts as the same layers with pairing made impossible.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import type { ParallelKernels } from '../../src/backend/parallel-kernels.js';
import { usesWinograd } from '../../src/backend/conv2d-algorithm.js';
import { conv2dGeometry } from '../../src/window.js';
import { type Model, init, input, layers, model, sequential, tensor } from '../../src/index.js';
import { assertSameBits, random } from '../helpers.js';

interface Watched {
  reluBackwards: number;
  foldedPoolings: number;
  plainPoolings: number;
  pooledConvolutions: number;
  poolingForwards: number;
}

/** Runs `step` with the backend's calls that pairing changes counted. */
async function watch(step: () => unknown): Promise<Watched> {
  const { conv2d, elementwise, pool } = getBackend().parallel as ParallelKernels;
  const seen: Watched = { reluBackwards: 0, foldedPoolings: 0, plainPoolings: 0, pooledConvolutions: 0, poolingForwards: 0 };
  const undo = [
    spy(elementwise, 'map', (kernel) => {
      if (kernel === 'reluBackward') seen.reluBackwards++;
    }),
    spy(pool, 'maxBackward', (...args) => {
      if (args[3]) seen.foldedPoolings++;
      else seen.plainPoolings++;
    }),
    spy(conv2d, 'forwardMaxPool', () => seen.pooledConvolutions++),
    spy(pool, 'maxForward', () => seen.poolingForwards++),
  ];
  try {
    await step();
  } finally {
    undo.forEach((restore) => restore());
  }
  return seen;
}

/** Has the method `object[name]` tell `saw` its arguments before it runs; returns what undoes that. */
function spy<T extends object>(object: T, name: keyof T & string, saw: (...args: unknown[]) => void): () => void {
  const method = object[name] as (...args: unknown[]) => unknown;
  Object.defineProperty(object, name, {
    configurable: true,
    value: function (this: T, ...args: unknown[]) {
      saw(...args);
      return method.apply(this, args);
    },
  });
  return () => Reflect.deleteProperty(object, name);
}

const rng = random(31);
const x = () => tensor(rng.array(4 * 8 * 8 * 2), [4, 8, 8, 2]);
const y = () => tensor(Array.from({ length: 4 * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [4, 3]);

function compiled(m: Model): Model {
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  return m;
}

const trainStep = (m: Model) => m.fit(x(), y(), { epochs: 1, batchSize: 4, shuffle: false });

test('conv2d with ReLU before a 2×2 max pooling runs as one kernel and folds; a ReLU layer before one folds', async () => {
  await init();
  const net = compiled(sequential({ inputShape: [8, 8, 2], seed: 1, layers: [
    layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPool2d({ poolSize: 2 }),
    layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), layers.relu(), layers.maxPool2d({ poolSize: 2 }),
    layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
  ] }));
  assert.equal(await watch(() => trainStep(net)), { reluBackwards: 1, foldedPoolings: 2, plainPoolings: 0, pooledConvolutions: 1, poolingForwards: 1 },
    'the second conv2d\'s output is read by the ReLU layer, not by a pooling');
  assert.equal(await watch(() => net.predict(x())), { reluBackwards: 0, foldedPoolings: 0, plainPoolings: 0, pooledConvolutions: 1, poolingForwards: 1 });
});

test('ReLU6, 3×3 and average poolings are not paired in training; ReLU6 is in inference', async () => {
  await init();
  const net = compiled(sequential({ inputShape: [8, 8, 2], seed: 1, layers: [
    layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu6' }), layers.maxPool2d({ poolSize: 2 }),
    layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }), layers.maxPool2d({ poolSize: 3, strides: 1 }),
    layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }), layers.avgPool2d({ poolSize: 2 }),
    layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
  ] }));
  assert.equal(await watch(() => trainStep(net)), { reluBackwards: 1, foldedPoolings: 1, plainPoolings: 1, pooledConvolutions: 0, poolingForwards: 2 },
    'the 3×3 pooling folds the ReLU before it but takes no pooled convolution');
  assert.equal((await watch(() => net.predict(x()))).pooledConvolutions, 1, 'ReLU6 pooled in inference');
});

/**
 * conv2d → conv2d with ReLU (8 channels in: Winograd's kernel, conv2d-algorithm.ts) → max pooling
 * → dense, with a dropout of rate 0 between the second conv2d and the pooling or not.
 */
function net(dropout: boolean): Model {
  return compiled(sequential({ inputShape: [8, 8, 2], seed: 7, layers: [
    layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
    ...(dropout ? [layers.dropout({ rate: 0 })] : []),
    layers.maxPool2d({ poolSize: 2 }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
  ] }));
}

/** A strided direct conv2d without activation on an odd map (13×13 → 7×7: a row and a column no window takes), as net(). */
function stridedNet(dropout: boolean): Model {
  return compiled(sequential({ inputShape: [13, 13, 3], seed: 9, layers: [
    layers.conv2d({ filters: 12, kernelSize: 3, strides: 2, padding: 'same' }),
    ...(dropout ? [layers.dropout({ rate: 0 })] : []),
    layers.maxPool2d({ poolSize: 2 }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
  ] }));
}

test('paired and unpaired, a model trains to the same weights and predicts the same bits; activations() still has every output', async () => {
  await init();
  // A dropout of rate 0 passes values and gradients on as they are, but stands between the conv2d and the pooling.
  assert.ok(usesWinograd(conv2dGeometry([2, 8, 8, 8], [3, 3], 8, [1, 1], 'same', 'test'), 'forward'), 'the second conv2d runs on Winograd\'s kernel');
  const paired = net(false), unpaired = net(true);
  unpaired.setWeights(paired.getWeights()); // the dropout has none
  const images = x(), labels = y();
  const train = (m: Model) => m.fit(images, labels, { epochs: 3, batchSize: 2, shuffle: false });
  assert.equal(await watch(() => train(paired)), { reluBackwards: 6, foldedPoolings: 6, plainPoolings: 0, pooledConvolutions: 6, poolingForwards: 0 });
  assert.equal(await watch(() => train(unpaired)), { reluBackwards: 12, foldedPoolings: 0, plainPoolings: 6, pooledConvolutions: 0, poolingForwards: 6 });
  const [a, b] = [paired, unpaired].map((m) => m.getWeights().map((w) => w.dataSync() as Float32Array));
  a.forEach((w, i) => assertSameBits(w, b[i], `weight ${i}`));
  assertSameBits(paired.predict(images).dataSync() as Float32Array, unpaired.predict(images).dataSync() as Float32Array, 'predictions');
  // Every node's output, the convolution's too: [conv2d, conv2d, dropout, pooling, …] against [conv2d, conv2d, pooling, …].
  const [mapsPaired, mapsUnpaired] = [paired, unpaired].map((m) => m.activations(images).map((t) => t.dataSync() as Float32Array));
  assertSameBits(mapsPaired[1], mapsUnpaired[1], 'the second conv2d\'s output');
  assertSameBits(mapsPaired[2], mapsUnpaired[3], 'the pooling\'s output');
});

test('a strided direct conv2d on an odd map, paired and unpaired, trains to the same weights', async () => {
  await init();
  const paired = stridedNet(false), unpaired = stridedNet(true);
  unpaired.setWeights(paired.getWeights());
  const images = tensor(rng.array(5 * 13 * 13 * 3), [5, 13, 13, 3]), labels = tensor(Array.from({ length: 15 }, (_, i) => (i % 4 === 0 ? 1 : 0)), [5, 3]);
  const train = (m: Model) => m.fit(images, labels, { epochs: 2, batchSize: 5, shuffle: false });
  assert.equal((await watch(() => train(paired))).pooledConvolutions, 2);
  assert.equal((await watch(() => train(unpaired))).pooledConvolutions, 0);
  const [a, b] = [paired, unpaired].map((m) => m.getWeights().map((w) => w.dataSync() as Float32Array));
  a.forEach((w, i) => assertSameBits(w, b[i], `weight ${i}`));
  assertSameBits(paired.predict(images).dataSync() as Float32Array, unpaired.predict(images).dataSync() as Float32Array, 'predictions');
});

test('a conv2d shared by two models, paired with a 2×2 pooling in one and read by a 3×3 pooling in the other, keeps its output', async () => {
  await init();
  const image = input({ shape: [8, 8, 2] });
  const conv = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(image);
  const apart = model({ inputs: image, outputs: layers.maxPool2d({ poolSize: 3, strides: 2 }).apply(conv), seed: 1 });
  const paired = model({ inputs: image, outputs: layers.maxPool2d({ poolSize: 2 }).apply(conv), seed: 1 });
  const images = tensor(rng.array(2 * 8 * 8 * 2), [2, 8, 8, 2]);
  // The kernels' own data lies below the heap: a layer that planned no output would write there.
  const { memory, kernels } = getBackend();
  const below = () => memory.f32(0, kernels.heapBase() >> 2).slice();
  const before = below();
  const pooledApart = apart.predict(images).dataSync() as Float32Array;
  assertSameBits(below(), before, 'the memory below the heap');
  const maps = apart.activations(images).map((t) => t.dataSync() as Float32Array);
  assertSameBits(pooledApart, maps[maps.length - 1], 'the 3×3 pooling of the convolution\'s output');
  assert.ok(paired.predict(images).dataSync().every(Number.isFinite));
});

test.run();
