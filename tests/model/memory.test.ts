// Memory: a model holds its weights once until it trains, training allocates nothing per step, and
// every tensor or model gives its memory back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ALIGN_BYTES } from '../../src/backend/alignment.js';
import { getBackend } from '../../src/backend/wasm.js';
import { type Model, type Tensor, init, input, layers, model, sequential, tensor, zeros } from '../../src/index.js';
import { strokes } from './synthetic.js';
import { assertSameWeights, shapeLayersModel } from '../io/model-files.js';
import type { Layer } from '../../src/layers/layer.js';
import { smallMobileNetTransfer } from './small-mobilenet.js';

const inUse = () => getBackend().memory.bytesInUse;

/** What the model's weights take in wasm memory: each array once, on whole cache lines as the allocator hands them out. */
const weightBytes = (m: Model) => m.params.reduce((n, p) => n + Math.ceil((p.size * 4) / ALIGN_BYTES) * ALIGN_BYTES, 0);

/** A graph with fan-out, add, concatenate, a nested model and a frozen layer: the executor's own buffers included. */
function graphModel(): Model {
  const x = input({ shape: [8, 8, 1] });
  const conv = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
  const side = layers.conv2d({ filters: 4, kernelSize: 1 });
  side.trainable = false;
  const sum = layers.add().apply([conv, side.apply(conv)]);
  const joined = layers.concatenate().apply([sum, x]);
  const head = sequential({ inputShape: [8, 8, 5], layers: [layers.maxPool2d(), layers.dropout({ rate: 0.1 }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' })] });
  return model({ inputs: x, outputs: head.apply(joined), seed: 2 });
}

const chainModel = () => sequential({ inputShape: [8, 8, 1], seed: 2, layers: [
  layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPool2d(),
  layers.dropout({ rate: 0.1 }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
] });

/** The layers whose workspaces and partial sums depend on whether backward runs: dilated, Winograd's, depthwise, separable, transposed. */
const convolutionsModel = () => sequential({ inputShape: [8, 8, 1], seed: 2, layers: [
  layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', dilationRate: 2, activation: 'relu' }),
  layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }), layers.batchNormalization(), layers.prelu({ sharedAxes: [1, 2] }),
  layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' }),
  layers.separableConv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
  layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
  layers.globalAveragePooling2d(), layers.dense({ units: 4, activation: 'softmax' }),
] });

const models = [
  ['a chain', chainModel], ['a graph', graphModel], ['a graph of the shape layers', () => shapeLayersModel(2)], ['a chain of convolutions', convolutionsModel],
] as const;

for (const [kind, make] of models) {
  test(`${kind}: wasm memory after 1 epoch equals wasm memory after 4, and dispose() gives all of it back`, async () => {
    await init();
    const before = inUse();
    const { images, labels } = strokes(64, 8, 1);
    const x = tensor(images, [64, 8, 8, 1]), y = tensor(labels, [64, 4]);
    const m = make();
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, batchSize: 16 });
    const afterOne = { used: inUse(), reserved: getBackend().memory.bytesReserved };
    await m.fit(x, y, { epochs: 3, batchSize: 16 });
    assert.equal({ used: inUse(), reserved: getBackend().memory.bytesReserved }, afterOne);
    m.dispose();
    x.dispose();
    y.dispose();
    assert.is(inUse(), before);
  });
}

test('a segmentation net scored per pixel (sparse ids [n, h, w], its metrics per pixel): wasm memory after 1 epoch equals wasm memory after 4', async () => {
  await init();
  const before = inUse();
  const { images } = strokes(32, 8, 1);
  const x = tensor(images, [32, 8, 8, 1]);
  const y = tensor(Float32Array.from(images, (v) => (v > 0.5 ? 2 : v > 0.1 ? 1 : 0)), [32, 8, 8]);
  const m = sequential({ inputShape: [8, 8, 1], seed: 2, layers: [
    layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.conv2d({ filters: 3, kernelSize: 1, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['perClassRecall', 'confusionMatrix'] });
  await m.fit(x, y, { epochs: 1, batchSize: 8, validationSplit: 0.25 });
  const afterOne = { used: inUse(), reserved: getBackend().memory.bytesReserved };
  await m.fit(x, y, { epochs: 3, batchSize: 8, validationSplit: 0.25 });
  assert.equal({ used: inUse(), reserved: getBackend().memory.bytesReserved }, afterOne);
  [m, x, y].forEach((t) => t.dispose());
  assert.is(inUse(), before);
});

test('a model holds its weights once until it trains: the first training step gives the trained weights their gradients', async () => {
  await init();
  const before = inUse();
  const m = graphModel();
  assert.is(inUse() - before, weightBytes(m), 'built: the weights alone');
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  assert.is(inUse() - before, weightBytes(m), 'compiled: the optimizer holds no state before the first step');
  const { images, labels } = strokes(16, 8, 1);
  const x = tensor(images, [16, 8, 8, 1]), y = tensor(labels, [16, 4]);
  m.predict(x).dispose();
  m.evaluate(x, y);
  assert.ok(m.params.every((p) => p.grad === 0), 'predict and evaluate make no gradients');
  await m.fit(x, y, { epochs: 1, batchSize: 8 });
  assert.ok(m.trainableWeights.every((p) => p.grad !== 0), 'every trained weight has its gradient');
  assert.ok(m.nonTrainableWeights.every((p) => p.grad === 0), 'a frozen layer and layer state have none');
  m.dispose();
  x.dispose();
  y.dispose();
  assert.is(inUse(), before);
});

test('the optimizer keeps state for the weights fit trains only: none for a frozen base, until a fit trains it', async () => {
  await init();
  const base = layers.dense({ units: 512, activation: 'relu' });
  base.trainable = false;
  const m = sequential({ inputShape: [512], seed: 1, layers: [base, layers.dense({ units: 4, activation: 'softmax' })] });
  const frozenBytes = base.params.reduce((n, p) => n + aligned(p.size), 0);
  const x = tensor(Float32Array.from({ length: 8 * 512 }, (_, i) => Math.sin(i)), [8, 512]);
  const y = tensor(Array.from({ length: 32 }, (_, i) => (i % 5 === 0 ? 1 : 0)), [8, 4]);
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  let before = inUse();
  await m.fit(x, y, { epochs: 1, batchSize: 8 });
  // Adam's two slots for the frozen weights alone would be twice their size.
  assert.ok(inUse() - before < frozenBytes / 2, `the first fit held ${inUse() - before} bytes more, beside ${frozenBytes} bytes of frozen weights`);
  // Unfrozen without compiling again: the next fit trains it, with its gradients and state.
  base.trainable = true;
  const kernel = base.params[0], kernelBefore = getBackend().memory.f32(kernel.value, kernel.size).slice();
  before = inUse();
  await m.fit(x, y, { epochs: 1, batchSize: 8 });
  assert.ok(inUse() - before >= 3 * frozenBytes, 'its gradients and two slots');
  assert.not.equal(getBackend().memory.f32(kernel.value, kernel.size), kernelBefore, 'it trained');
  [m, x, y].forEach((t) => t.dispose());
});

/** Bytes in use for the model (x aside) once it predicted x in one batch. */
function predictingBytes(m: Model, x: Tensor): number {
  const before = inUse();
  m.predict(x, { batchSize: x.shape[0] }).dispose();
  return inUse() - before + weightBytes(m);
}

test('a model that only predicts holds its weights and what forward needs: no gradients, partial sums, backward scratch or input gradients', async () => {
  await init();
  // Weights first: a dense layer's partial weight gradients alone were 7 times its weights.
  const dense = sequential({ inputShape: [1024], layers: [layers.dense({ units: 1024 })] });
  const rows = zeros([8, 1024]);
  const weights = weightBytes(dense), used = predictingBytes(dense, rows);
  assert.ok(used - weights < weights / 8, `a dense layer predicts in ${used} bytes for ${weights} bytes of weights`);
  // Activations first: each layer's output, not its input gradient, derivative, argmax or sums besides.
  const convolutions = sequential({ inputShape: [32, 32, 8], layers: [
    layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPool2d(),
    layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPool2d(),
    layers.flatten(), layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  const images = zeros([32, 32, 32, 8]);
  const activations = images.size * 4 + 32 * 4 * convolutions.layers.reduce((n, l) => n + l.outputSize, 0);
  const beyondWeights = predictingBytes(convolutions, images) - weightBytes(convolutions);
  assert.ok(beyondWeights < 1.5 * activations, `a convolutional net predicts in ${beyondWeights} bytes besides its weights for ${activations} bytes of activations`);
  [dense, rows, convolutions, images].forEach((t) => t.dispose());
});

/** Bytes a trained layer adds when it is asked for its input gradients after all: 0 where it holds them already. */
function inputGradientBytes(layer: Layer, weightGradients: boolean): number {
  const before = inUse();
  layer.planBackward(weightGradients, true);
  return inUse() - before;
}

const aligned = (floats: number) => Math.ceil((floats * 4) / ALIGN_BYTES) * ALIGN_BYTES;

test('a layer that nothing trained lies before holds no input gradient: the one reading the input, the first after a frozen base', async () => {
  await init();
  const { images, labels } = strokes(16, 8, 1);
  const x = tensor(images, [16, 64]), y = tensor(labels, [16, 4]);
  const first = layers.dense({ units: 8, activation: 'relu' });
  const chain = sequential({ inputShape: [64], seed: 1, layers: [first, layers.dense({ units: 4, activation: 'softmax' })] });
  chain.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  await chain.fit(x, y, { epochs: 1, batchSize: 8 });
  assert.is(inputGradientBytes(first, true), aligned(8 * 64), 'the first dense layer held no [batch, 64] input gradient');
  assert.is(inputGradientBytes(chain.layers[1], true), 0, 'the second held one');

  // A frozen nested base between trained layers, or before the trained head: its layers need input
  // gradients only where something trained lies before them.
  const pictures = tensor(Float32Array.from({ length: 16 * 16 * 16 * 3 }, (_, i) => Math.sin(i * 0.1)), [16, 16, 16, 3]);
  for (const tuned of ['head', 'around'] as const) {
    const m = smallMobileNetTransfer(16, 4, tuned);
    m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
    await m.fit(pictures, y, { epochs: 1, batchSize: 8 });
    const base = m.getLayer('base') as Model, headConv = m.getLayer('head_conv'), stem = base.getLayer('stem');
    if (tuned === 'head') {
      assert.ok(inputGradientBytes(headConv, true) >= aligned(8 * headConv.inputSize), 'the head\'s first convolution held no input gradient');
      assert.ok(inputGradientBytes(stem, false) >= aligned(8 * stem.inputSize), 'the frozen base, which backward does not reach, held none');
    } else {
      assert.ok(inputGradientBytes(m.getLayer('first_conv'), true) >= aligned(8 * 16 * 16 * 3), 'the convolution on the input held none');
      assert.is(inputGradientBytes(stem, false), 0, 'the frozen base\'s first convolution, behind a trained one, held its input gradient');
      assert.is(inputGradientBytes(headConv, true), 0, 'and so did the head\'s');
    }
    m.dispose();
  }
  [chain, x, y, pictures].forEach((t) => t.dispose());
});

/** A nested model M (convolution, batch normalisation, softmax head) and its parent: a trained convolution, then M. */
function nestedPair() {
  const nested = sequential({ inputShape: [8, 8, 4], seed: 7, layers: [
    layers.conv2d({ filters: 6, kernelSize: 3, activation: 'relu' }), layers.batchNormalization(), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  const parent = sequential({ inputShape: [8, 8, 1], seed: 8, layers: [layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }), nested] });
  for (const m of [nested, parent]) m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  return { nested, parent };
}

test('a nested model trained on its own before and between its parent\'s fits (no input gradient asked there) trains in the parent as if it had not been', async () => {
  await init();
  const { images, labels } = strokes(16, 8, 4);
  const x = tensor(images, [16, 8, 8, 1]), y = tensor(labels, [16, 4]);
  const features = tensor(Float32Array.from({ length: 16 * 8 * 8 * 4 }, (_, i) => Math.sin(i * 0.3)), [16, 8, 8, 4]);
  const inTurns = nestedPair(), copied = nestedPair();
  // The nested model trains on its own first (planned without input gradients), then in its parent, twice.
  for (let round = 0; round < 2; round++) {
    await inTurns.nested.fit(features, y, { epochs: 1, batchSize: 8 });
    const weights = inTurns.nested.getWeights();
    copied.nested.setWeights(weights);
    weights.forEach((w) => w.dispose());
    for (const { parent } of [inTurns, copied]) await parent.fit(x, y, { epochs: 1, batchSize: 8 });
  }
  assertSameWeights(inTurns.parent, copied.parent, 'trained in turns');
  assert.ok(inTurns.parent.layers[0].trainableWeights.every((p) => p.grad !== 0), 'the parent\'s first convolution got its gradients through the nested model');
  [inTurns.parent, copied.parent, x, y, features].forEach((t) => t.dispose());
});

for (const [kind, make] of models) {
  test(`${kind}: predict, then fit: the same weights, bit for bit, as fit from the start`, async () => {
    await init();
    const { images, labels } = strokes(40, 8, 3);
    const x = tensor(images, [40, 8, 8, 1]), y = tensor(labels, [40, 4]);
    const [predictedFirst, trainedAtOnce] = [make(), make()];
    predictedFirst.predict(x, { batchSize: 40 }).dispose();
    for (const m of [predictedFirst, trainedAtOnce]) {
      m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      await m.fit(x, y, { epochs: 2, batchSize: 8 });
    }
    assertSameWeights(predictedFirst, trainedAtOnce, kind);
    [predictedFirst, trainedAtOnce, x, y].forEach((t) => t.dispose());
  });
}

test('dispose() frees a tensor at once; a forgotten tensor is freed by the garbage collector', async () => {
  await init();
  const before = inUse();
  const t = tensor(new Float32Array(1000), [10, 100]);
  assert.ok(inUse() >= before + 4000);
  t.dispose();
  assert.is(inUse(), before);
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, 'tests run with --expose-gc');
  (() => {
    for (let i = 0; i < 1000; i++) tensor(new Float32Array(256), [256]);
  })();
  assert.ok(inUse() >= before + 1000 * 1024, 'the tensors hold memory until collected');
  for (let i = 0; i < 20 && inUse() > before; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.is(inUse(), before);
});

/** Runs the collector until memory in use is back to `bytes` (or it gives up after 20 rounds), letting finalizers run between. */
async function collectDownTo(bytes: number): Promise<void> {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, 'tests run with --expose-gc');
  for (let i = 0; i < 20 && inUse() > bytes; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

test('a model dropped without dispose() is freed by the garbage collector: weights, buffers, optimizer state, shared scratch', async () => {
  await init();
  const before = inUse();
  const x = tensor(Array.from({ length: 8 * 16 * 16 * 3 }, (_, i) => (i % 7) / 7), [8, 16, 16, 3]);
  const y = tensor(Array.from({ length: 8 * 4 }, (_, i) => (i % 4 === i >> 3 % 4 ? 1 : 0)), [8, 4]);
  const held = inUse();
  // Each round's models are dropped undisposed: trained (Adam state, gradients, the step checkpoint),
  // predicting (the graph's arena, a folded normalisation), with a Winograd convolution whose
  // transformed filter lies in the shared scratch — a block that grows with the largest need alive.
  const rounds = async (count: number) => {
    for (let i = 0; i < count; i++) {
      const z = zeros([2, 8, 8, 1]);
      graphModel().predict(z).dispose();
      z.dispose();
      const net = sequential({ inputShape: [16, 16, 3], seed: i, layers: [
        layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same' }), layers.batchNormalization(), layers.reLU(),
        layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu' }),
        layers.globalAveragePooling2d(), layers.dense({ units: 4, activation: 'softmax' }),
      ] });
      net.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
      await net.fit(x, y, { epochs: 1, batchSize: 4 });
      net.predict(x, { foldBatchNorm: true }).dispose();
    }
  };
  await rounds(3);
  assert.ok(inUse() > held + 3 * 100_000, 'the dropped models hold memory until collected');
  await collectDownTo(held);
  assert.is(inUse(), held, 'every dropped model freed');
  await rounds(1);
  await collectDownTo(held);
  assert.is(inUse(), held);
  x.dispose();
  y.dispose();
  assert.is(inUse(), before);
});

test.run();
