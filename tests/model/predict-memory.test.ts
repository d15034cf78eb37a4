// What a model holds when it only predicts: not the batch buffers (predict reads the examples in
// place); its layers' outputs in one block, those not live at once sharing bytes (output-arena.ts),
// so that a deeper net holds no more of them; no output for a conv2d that runs with its max pooling
// as one kernel; no batch statistics for a batch normalisation; nothing for the layers that pass
// their input through in inference (dropout, Gaussian noise, the random augmentations), which predict
// the same bits as the model without them and get their training buffers when the model first trains.
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

test('a conv2d that runs with its max pooling writes no output in predict; activations(), which plans every one, agrees', async () => {
  await init();
  const m = pooledNet('relu');
  const x = tensor(Float32Array.from({ length: 8 * 12 * 12 * 2 }, (_, i) => Math.sin(i)), [8, 12, 12, 2]);
  const predicted = m.predict(x);
  // The poolings' outputs and the head's, two of them live at once: less than the first convolution's output alone.
  assert.ok(predictingBytes(m, x) < 8 * m.layers[0].outputSize * 4, 'predict holds no convolution output');
  const activations = m.activations(x);
  assertSameBits(activations[activations.length - 1].dataSync(), predicted.dataSync(), 'activations() after predict');
  assertSameBits(m.predict(x).dataSync(), predicted.dataSync(), 'predict after activations()');
  [m, x, predicted, ...activations].forEach((t) => t.dispose());
});

/** `depth` 3×3 convolutions of 8 filters on 16×16×8 maps (the same output size each), a dense head. */
const deepNet = (depth: number) => sequential({ inputShape: [16, 16, 8], seed: 2, layers: [
  ...Array.from({ length: depth }, () => layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' })),
  layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
] });

test('a deeper net holds no more outputs while it predicts: each layer writes where one no longer needed wrote', async () => {
  await init();
  const x = tensor(Float32Array.from({ length: 16 * 16 * 16 * 8 }, (_, i) => Math.sin(i * 0.1)), [16, 16, 16, 8]);
  const output = 16 * 16 * 16 * 8 * 4;
  const [shallow, deep] = [deepNet(4), deepNet(16)];
  const [shallowBytes, deepBytes] = [predictingBytes(shallow, x), predictingBytes(deep, x)];
  // Twelve more layers add their weights' transforms and workspaces, not twelve outputs.
  assert.ok(deepBytes - shallowBytes < output, `4 layers: ${shallowBytes} bytes, 16: ${deepBytes}; an output is ${output}`);
  assert.ok(shallowBytes < 3 * output, `4 layers hold ${shallowBytes} bytes: about two outputs, not four`);
  // Trained, each output is its own again (backward reads them): predict still agrees with activations().
  deep.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  await deep.fit(x, zeros([16, 3]), { epochs: 1, batchSize: 8 });
  const [predicted, activations] = [deep.predict(x), deep.activations(x)];
  assertSameBits(predicted.dataSync(), activations[activations.length - 1].dataSync(), 'predict after fit');
  [shallow, deep, x, predicted, ...activations].forEach((t) => t.dispose());
});

/**
 * x → c0 → c1 → c2 → add(c2, c0) → c3 → dense: cut after c2, c2 may take c0's bytes (nothing reads c0
 * after c1 there); in the whole model, the add reads c0 after c2 is written.
 */
function residualNet(tag: string): { whole: Model; convs: Layer[] } {
  const convs = Array.from({ length: 4 }, (_, i) => layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', name: `${tag}${i}` }));
  const x = input({ shape: [8, 8, 8] });
  const c0 = convs[0].apply(x), c2 = convs[2].apply(convs[1].apply(c0));
  const y = layers.dense({ units: 3, activation: 'softmax' }).apply(layers.flatten().apply(convs[3].apply(layers.add().apply([c2, c0]))));
  return { whole: model({ inputs: x, outputs: y, seed: 1 }), convs };
}

test('a model and one cut from it, sharing layers, predict in turn and while the other trains: each its own results', async () => {
  await init();
  const x = tensor(Float32Array.from({ length: 6 * 8 * 8 * 8 }, (_, i) => Math.cos(i * 0.3)), [6, 8, 8, 8]);
  const y = tensor(Float32Array.from({ length: 18 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [6, 3]);
  const [reference, twin] = [residualNet('reference'), residualNet('twin')];
  twin.whole.setWeights(reference.whole.getWeights());
  const expected = reference.whole.predict(x).dataSync();
  const expectedCut = reference.whole.activations(x)[2].dataSync();
  const cut = cutModel(twin.whole, twin.convs[2].name, { trainable: true });
  for (let turn = 0; turn < 3; turn++) {
    assertSameBits(twin.whole.predict(x, { batchSize: 3 }).dataSync(), expected, `the whole model, turn ${turn}`);
    assertSameBits(cut.predict(x, { batchSize: 3 }).dataSync(), expectedCut, `the cut one, turn ${turn}`);
  }
  // The whole model trains, the cut one predicting one example after every step, and another cut one
  // made, predicting and freed: the same weights as without.
  for (const m of [reference.whole, twin.whole]) m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  await reference.whole.fit(x, y, { epochs: 2, batchSize: 3 });
  const one = tensor(x.dataSync().slice(0, 8 * 8 * 8), [1, 8, 8, 8]);
  await twin.whole.fit(x, y, { epochs: 2, batchSize: 3, onBatchEnd: () => {
    cut.predict(one).dispose();
    const another = cutModel(twin.whole, twin.convs[1].name, { trainable: true });
    another.predict(one).dispose();
    another.dispose();
  } });
  one.dispose();
  assertSameWeights(twin.whole, reference.whole, 'trained while a model cut from it predicted');
  assertSameBits(cut.predict(x).dataSync(), reference.whole.activations(x)[2].dataSync(), 'the cut one, after');
  [reference.whole, twin.whole, cut, x, y].forEach((t) => t.dispose());
});

test('a model nested in another and one cut from it predict in turn, and after the cut one is freed: each its own results', async () => {
  await init();
  const x = tensor(Float32Array.from({ length: 4 * 8 * 8 * 8 }, (_, i) => Math.sin(i * 0.7)), [4, 8, 8, 8]);
  const [reference, nested] = [residualNet('plain'), residualNet('nested')];
  nested.whole.setWeights(reference.whole.getWeights());
  const expected = reference.whole.predict(x).dataSync();
  const expectedCut = reference.whole.activations(x)[2].dataSync();
  const outerInput = input({ shape: [8, 8, 8] });
  const outer = model({ inputs: outerInput, outputs: nested.whole.apply(outerInput) as SymbolicTensor<Layer>, seed: 1 });
  const cut = cutModel(nested.whole, nested.convs[2].name);
  for (let turn = 0; turn < 2; turn++) {
    assertSameBits(outer.predict(x).dataSync(), expected, `the outer model, turn ${turn}`);
    assertSameBits(cut.predict(x).dataSync(), expectedCut, `the cut one, turn ${turn}`);
  }
  cut.dispose();
  assertSameBits(outer.predict(x).dataSync(), expected, 'the outer model, the cut one freed');
  [reference.whole, outer, x].forEach((t) => t.dispose());
});

test('a RandomCrop to the input\'s own size hands the input on in predict, as Keras\'s does', async () => {
  await init();
  const x = tensor(Float32Array.from({ length: 3 * 8 * 8 * 2 }, (_, i) => Math.sin(i)), [3, 8, 8, 2]);
  const head = () => [layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), layers.flatten(), layers.dense({ units: 2 })];
  const cropped = sequential({ inputShape: [8, 8, 2], seed: 1, layers: [layers.randomCrop({ height: 8, width: 8 }), ...head()] });
  const plain = sequential({ inputShape: [8, 8, 2], seed: 1, layers: head() });
  plain.setWeights(cropped.getWeights());
  assertSameBits(cropped.predict(x).dataSync(), plain.predict(x).dataSync(), 'cropped to its own size');
  [cropped, plain, x].forEach((t) => t.dispose());
});

test('a batch normalisation that only predicts holds the two per-channel factors inference uses', async () => {
  await init();
  const norm = layers.batchNormalization();
  const m = sequential({ inputShape: [6, 6, 12], seed: 1, layers: [norm, layers.flatten(), layers.dense({ units: 2 })] });
  const x = zeros([5, 6, 6, 12]);
  m.predict(x, { batchSize: 5 }).dispose();
  const aligned = (floats: number) => Math.ceil((floats * 4) / ALIGN_BYTES) * ALIGN_BYTES;
  const before = inUse();
  norm.unplan();
  assert.is(before - inUse(), 2 * aligned(12), '1/σ and γ/σ (its output lies with the graph\'s): no batch statistics, sums or backward terms');
  [m, x].forEach((t) => t.dispose());
});

test('a layer normalisation that only predicts holds ε: no per-row statistics, which backward alone reads', async () => {
  await init();
  const norm = layers.layerNormalization();
  const m = sequential({ inputShape: [6, 6, 12], seed: 1, layers: [norm, layers.flatten(), layers.dense({ units: 2 })] });
  const x = tensor(Float32Array.from({ length: 5 * 6 * 6 * 12 }, (_, i) => Math.sin(i)), [5, 6, 6, 12]);
  m.predict(x, { batchSize: 5 }).dispose();
  const aligned = (floats: number) => Math.ceil((floats * 4) / ALIGN_BYTES) * ALIGN_BYTES;
  const before = inUse();
  norm.unplan();
  assert.is(before - inUse(), aligned(1), 'ε (its output lies with the graph\'s)');
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
