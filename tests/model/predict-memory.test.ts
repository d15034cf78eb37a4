// What a model holds when it only predicts: not the batch buffers (predict reads the examples in
// place); no output for a conv2d that runs with its max pooling as one kernel; no batch statistics
// for a batch normalisation; nothing for the layers that pass their input through in inference
// (dropout, Gaussian noise, the random augmentations), which predict the same bits as the model
// without them and get their training buffers when the model first trains.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { ALIGN_BYTES } from '../../src/backend/alignment.js';
import { type Model, type SymbolicTensor, type Tensor, cutModel, init, input, layers, model, sequential, tensor, zeros } from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { assertSameBits } from '../helpers.js';
import { assertSameWeights } from '../io/model-files.js';
import { strokes } from './synthetic.js';

/** What models hold themselves: the scratch all layers share (its size that of the largest need alive) aside. */
const inUse = () => getBackend().memory.bytesInUse - getBackend().parallel.scratch.bytes;
/** The kernels' own data, below the heap: where a missing buffer's null address would be written. */
const lowMemory = () => getBackend().memory.f32(0, getBackend().kernels.heapBase() >> 2).slice();

/**
 * Augmentations on the input, a convolution whose output goes through a dropout read by two
 * convolutions and by a residual add, and a dense head with dropout; `passThrough` false leaves out
 * every layer that passes its input through in inference.
 */
function net(passThrough: boolean, seed = 5): Model {
  const maybe = (make: () => Layer, t: SymbolicTensor<Layer>) => (passThrough ? make().apply(t) : t);
  const x = input({ shape: [8, 8, 1] });
  let h = maybe(() => layers.randomFlip(), x);
  h = maybe(() => layers.randomTranslation({ heightFactor: 0.2, widthFactor: 0.2 }), h);
  h = maybe(() => layers.randomRotation({ factor: 0.1 }), h);
  h = maybe(() => layers.randomZoom({ heightFactor: 0.2 }), h);
  h = maybe(() => layers.randomBrightness({ factor: 0.1, valueRange: [0, 1] }), h);
  h = maybe(() => layers.randomContrast({ factor: 0.2, valueRange: [0, 1] }), h);
  h = maybe(() => layers.gaussianNoise({ stddev: 0.1 }), h);
  const conv = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(h);
  const dropped = maybe(() => layers.dropout({ rate: 0.3 }), conv);
  const a = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(dropped);
  const b = layers.conv2d({ filters: 4, kernelSize: 1 }).apply(dropped);
  const sum = layers.add().apply([a, b, dropped]);
  const flat = layers.flatten().apply(layers.maxPool2d().apply(sum));
  const hidden = maybe(() => layers.dropout({ rate: 0.5 }), layers.dense({ units: 16, activation: 'relu' }).apply(flat));
  return model({ inputs: x, outputs: layers.dense({ units: 4, activation: 'softmax' }).apply(hidden), seed });
}

/** Bytes the model holds beyond its weights once it predicted x (the result aside). */
function predictingBytes(m: Model, x: Tensor): number {
  const before = inUse();
  const y = m.predict(x, { batchSize: x.shape[0] });
  const used = inUse() - before - y.size * 4;
  y.dispose();
  return used;
}

test('predict and evaluate read the examples where they lie: no batch buffers for them, and targets for evaluate alone', async () => {
  await init();
  // Large examples, small layers: a copy of a batch of inputs would outweigh everything else.
  const m = sequential({ inputShape: [64, 64, 3], seed: 1, layers: [layers.globalAveragePooling2d(), layers.dense({ units: 2 })] });
  const x = zeros([32, 64, 64, 3]);
  const used = predictingBytes(m, x);
  assert.ok(used < x.size * 4 / 16, `predicting ${x.shape[0]} examples of ${x.size * 4} bytes held ${used} bytes`);
  // evaluate reads them in place too: it adds the targets alone.
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const y = zeros([32, 2]);
  const before = inUse();
  m.evaluate(x, y, { batchSize: 32 });
  assert.is(inUse() - before, Math.ceil((y.size * 4) / ALIGN_BYTES) * ALIGN_BYTES, 'evaluate: the targets besides');
  [m, x, y].forEach((t) => t.dispose());
});

/** conv2d → 2×2 max pooling (paired: one kernel) twice, then a dense head; `activation` the convolutions'. */
const pooledNet = (activation: 'relu' | 'relu6', seed = 3) => sequential({ inputShape: [12, 12, 2], seed, layers: [
  layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation, name: 'first_conv' }), layers.maxPool2d(),
  layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation }), layers.maxPool2d(),
  layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
] });

test('a conv2d that runs with its max pooling holds no output of its own until activations() asks for it', async () => {
  await init();
  const m = pooledNet('relu');
  const x = tensor(Float32Array.from({ length: 8 * 12 * 12 * 2 }, (_, i) => Math.sin(i)), [8, 12, 12, 2]);
  predictingBytes(m, x);
  const before = inUse();
  const activations = m.activations(x);
  const outputs = activations.reduce((n, t) => n + t.size * 4, 0);
  const convolutions = [0, 2].reduce((n, i) => n + Math.ceil((8 * m.layers[i].outputSize * 4) / ALIGN_BYTES) * ALIGN_BYTES, 0);
  assert.is(inUse() - before - outputs, convolutions, 'activations() planned the two convolutions\' outputs, which predict had not');
  assertSameBits(m.predict(x).dataSync(), activations[activations.length - 1].dataSync(), 'predict after activations()');
  [m, x, ...activations].forEach((t) => t.dispose());
});

test('a model cut at a paired conv2d reads its output, though the whole model predicted first without it', async () => {
  await init();
  const base = pooledNet('relu');
  const x = tensor(Float32Array.from({ length: 4 * 12 * 12 * 2 }, (_, i) => Math.cos(i)), [4, 12, 12, 2]);
  base.predict(x).dispose();
  const cut = cutModel(base, 'first_conv');
  const low = lowMemory();
  const features = cut.predict(x);
  assertSameBits(lowMemory(), low, 'memory at address 0');
  const expected = base.activations(x)[0];
  assertSameBits(features.dataSync(), expected.dataSync(), 'the cut model\'s output');
  [features, expected, cut, base, x].forEach((t) => t.dispose());
});

test('ReLU6 runs with its pooling in inference only: predicted first, the model trains as one that did not', async () => {
  await init();
  const rng = Float32Array.from({ length: 16 * 12 * 12 * 2 }, (_, i) => Math.sin(i * 0.37));
  const x = tensor(rng, [16, 12, 12, 2]), y = tensor(Float32Array.from({ length: 64 }, (_, i) => (i % 4 === (i >> 2) % 4 ? 1 : 0)), [16, 4]);
  const [predictedFirst, trainedAtOnce] = [pooledNet('relu6'), pooledNet('relu6')];
  predictedFirst.predict(x).dispose();
  const low = lowMemory();
  for (const m of [predictedFirst, trainedAtOnce]) {
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
  }
  assertSameBits(lowMemory(), low, 'memory at address 0');
  assertSameWeights(predictedFirst, trainedAtOnce, 'ReLU6, predicted first');
  [predictedFirst, trainedAtOnce, x, y].forEach((t) => t.dispose());
});

test('a batch normalisation that only predicts holds its output and the two per-channel factors inference uses', async () => {
  await init();
  const norm = layers.batchNormalization();
  const m = sequential({ inputShape: [6, 6, 12], seed: 1, layers: [norm, layers.flatten(), layers.dense({ units: 2 })] });
  const x = zeros([5, 6, 6, 12]);
  m.predict(x, { batchSize: 5 }).dispose();
  const aligned = (floats: number) => Math.ceil((floats * 4) / ALIGN_BYTES) * ALIGN_BYTES;
  const before = inUse();
  norm.unplan();
  assert.is(before - inUse(), aligned(5 * 6 * 6 * 12) + 2 * aligned(12), 'its output, 1/σ and γ/σ: no batch statistics, sums or backward terms');
  [m, x].forEach((t) => t.dispose());
});

test('a layer normalisation that only predicts holds its output and ε: no per-row statistics, which backward alone reads', async () => {
  await init();
  const norm = layers.layerNormalization();
  const m = sequential({ inputShape: [6, 6, 12], seed: 1, layers: [norm, layers.flatten(), layers.dense({ units: 2 })] });
  const x = tensor(Float32Array.from({ length: 5 * 6 * 6 * 12 }, (_, i) => Math.sin(i)), [5, 6, 6, 12]);
  m.predict(x, { batchSize: 5 }).dispose();
  const aligned = (floats: number) => Math.ceil((floats * 4) / ALIGN_BYTES) * ALIGN_BYTES;
  const before = inUse();
  norm.unplan();
  assert.is(before - inUse(), aligned(5 * 6 * 6 * 12) + aligned(1), 'its output and ε');
  [m, x].forEach((t) => t.dispose());
});

test('layers that pass their input through in inference hold no buffers in a model that only predicts, and change no bit', async () => {
  await init();
  const { images } = strokes(24, 8, 1);
  const x = tensor(images, [24, 8, 8, 1]);
  const [withThem, without] = [net(true), net(false)];
  without.setWeights(withThem.getWeights());
  assert.is(predictingBytes(withThem, x), predictingBytes(without, x), 'the same bytes for predicting as without those layers');
  assert.equal(withThem.predict(x, { batchSize: 7 }).dataSync(), without.predict(x, { batchSize: 7 }).dataSync(), 'the same bits');
  const activations = withThem.activations(x);
  assert.equal(activations[activations.length - 1].dataSync(), without.predict(x).dataSync(), 'activations(): the same bits');
  [withThem, without, x, ...activations].forEach((t) => t.dispose());
});

test('a model that predicted first trains as one that did not: the augmentations backward never reaches get their buffers too', async () => {
  await init();
  const { images, labels } = strokes(32, 8, 2);
  const x = tensor(images, [32, 8, 8, 1]), y = tensor(labels, [32, 4]);
  const [predictedFirst, trainedAtOnce] = [net(true), net(true)];
  predictedFirst.predict(x, { batchSize: 32 }).dispose();
  for (const m of [predictedFirst, trainedAtOnce]) {
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
  }
  assertSameWeights(predictedFirst, trainedAtOnce, 'predicted first');
  assert.equal(predictedFirst.predict(x).dataSync(), trainedAtOnce.predict(x).dataSync(), 'and they predict alike');
  [predictedFirst, trainedAtOnce, x, y].forEach((t) => t.dispose());
});

test.run();
