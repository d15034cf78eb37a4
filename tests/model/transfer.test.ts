// Transfer learning in Node: a MobileNetV2 saved by tfjs-layers (mobilenet-base.ts) cut at a named
// layer and frozen (cutModel), its features cached (embed), a head trained on them, the two stacked
// into one model that predicts exactly what the base then the head compute, saves and loads in
// both formats, and — on stripes against dots it never saw — reaches 90% on held-out pictures
// while the base's weights stay bit-identical.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import {
  ConfigError, type Model, type Parameter, ShapeError, type Tensor, cutModel, embed, imageToTensor, init, input, layers, loadModel, model, oneHot,
  sequential, tensor,
} from '../../src/index.js';
import { getBackend } from '../../src/backend/wasm.js';
import { inferenceBatchSize } from '../../src/model/transfer.js';
import { expectError } from '../data/expect-error.js';
import { assertClose, assertSameBits } from '../helpers.js';
import { temporaryDirectory } from '../io/model-files.js';
import { loadInTfjs } from '../io/tfjs-files.js';
import { FEATURE_LAYER, mobileNetBase } from './mobilenet-base.js';
import { type Picture, stripesAndDots } from './patterns.js';

const SIZE = 64;
let base: Model;
let baseDirectory: string;

const inputs = (pictures: Picture[]) => imageToTensor(pictures, { size: SIZE, normalize: '[-1,1]' });
const labelsOf = (pictures: Picture[]) => tensor(oneHot(Uint8Array.from(pictures, (p) => p.label), 2), [pictures.length, 2]);
const snapshot = (m: Model) => m.getWeights().map((w) => w.dataSync());

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
  baseDirectory = (await mobileNetBase(SIZE)).dir;
  base = await loadModel(baseDirectory);
});

test('cutModel: the base up to the named layer, sharing its weights, pooled as asked, frozen unless trainable', () => {
  const x = inputs(stripesAndDots(3, SIZE, 1));
  const byHand = model({ inputs: base.inputs, outputs: base.getLayer('block_3_expand_relu').output });
  const maps = byHand.predict(x).dataSync();
  const cut = cutModel(base, 'block_3_expand_relu');
  assert.equal(cut.outputShape, [16, 16, 48]);
  assertSameBits(cut.predict(x).dataSync(), maps, 'no pooling: the layer\'s output');
  assert.is(cut.params.length, byHand.params.length);
  assert.ok(cut.params.every((p, i) => p === byHand.params[i] && base.params.includes(p)), 'the base\'s own weights, shared');
  assert.is(cut.trainableWeights.length, 0, 'frozen');
  assert.is(base.getLayer('Conv1').trainable, false, 'the base\'s layers are the cut\'s: frozen with it');

  const [positions, channels] = [256, 48];
  const pooled = (reduce: (values: number[]) => number) => Array.from({ length: 6 * channels }, (_, i) => {
    const [n, c] = [Math.floor(i / channels), i % channels];
    return reduce(Array.from({ length: positions }, (_, p) => maps[(n * positions + p) * channels + c]));
  });
  const avg = cutModel(base, 'block_3_expand_relu', { pooling: 'avg' });
  assert.equal(avg.outputShape, [channels]);
  assertClose(avg.predict(x).dataSync(), pooled((v) => v.reduce((a, b) => a + b, 0) / positions), 1e-6, 'average pooling');
  assertSameBits(cutModel(base, 'block_3_expand_relu', { pooling: 'max' }).predict(x).dataSync(), Float32Array.from(pooled((v) => Math.max(...v))), 'max pooling');
  const flat = cutModel(base, 'block_3_expand_relu', { pooling: 'flatten' });
  assert.equal(flat.outputShape, [16 * 16 * 48]);
  assertSameBits(flat.predict(x).dataSync(), maps, 'flattened');

  const tuned = cutModel(base, 'block_3_expand_relu', { trainable: true });
  assert.is(tuned.trainableWeights.length, tuned.params.filter((p) => p.trainable).length, 'trainable: true keeps the layers training');
  assert.ok(tuned.trainableWeights.length > 0);
});

test('cutModel at a layer inside a nested model: what comes before it, then that model cut there; in inference mode if it was called so', async () => {
  const x = inputs(stripesAndDots(3, SIZE, 6));
  const expected = cutModel(base, 'block_5_add', { pooling: 'avg' }).predict(x).dataSync();
  const features = cutModel(base, 'out_relu', { pooling: 'avg', name: 'features' });
  const head = sequential({ inputShape: [1280], name: 'head', layers: [layers.dense({ units: 2, activation: 'softmax' })] });
  const stacked = sequential({ inputShape: [SIZE, SIZE, 3], name: 'stacked', layers: [features, head] });
  const cut = cutModel(stacked, 'block_5_add', { pooling: 'avg' });
  assertSameBits(cut.predict(x).dataSync(), expected, 'a Teachable-Machine-like stack, cut inside its base');
  assert.is(cut.trainableWeights.length, 0, 'frozen');

  // Keras's recipe: preprocessing, then the base called in inference mode, then a head; and the whole nested once more.
  const pictures = input({ shape: [SIZE, SIZE, 3], name: 'pictures' });
  const halved = layers.rescaling({ scale: 0.5, name: 'halve' }).apply(pictures);
  const recipe = model({ inputs: pictures, name: 'recipe',
    outputs: layers.dense({ units: 2, name: 'recipe_head' }).apply(cutModel(base, 'out_relu', { pooling: 'avg', name: 'base_features' })
      .apply(halved, { training: false })) });
  const outer = sequential({ inputShape: [SIZE, SIZE, 3], name: 'outer', layers: [recipe] });
  const halfX = tensor(x.dataSync().map((v) => v * 0.5), [...x.shape]);
  const deep = cutModel(outer, 'block_5_add', { pooling: 'avg' });
  assertSameBits(deep.predict(x).dataSync(), cutModel(base, 'block_5_add', { pooling: 'avg' }).predict(halfX).dataSync(),
    'rescaled, then the base cut there, two models deep');
  const inner = deep.layers.find((l) => l.name.endsWith('recipe')) as Model;
  assert.ok(inner.nodes.some((n) => n.inferenceMode), 'the base\'s call keeps its inference mode');
});

test('cutModel: a layer the base lacks, or that several nested models have, is a ConfigError saying what there is', async () => {
  await expectError(() => cutModel(base, 'out_relu2'), ConfigError, `${base.name} has no layer "out_relu2"`,
    /its 156 layers are input_1, Conv1, bn_Conv1, .*block_16_project_BN, Conv_1, Conv_1_bn, out_relu, global_average_pooling2d, predictions$/);
  const twin = (name: string) => sequential({ inputShape: [4], name, layers: [layers.dense({ units: 4, name: 'shared_name' })] });
  const twins = sequential({ inputShape: [4], name: 'twins', layers: [twin('left'), twin('right')] });
  await expectError(() => cutModel(twins, 'shared_name'), ConfigError, '"shared_name" is a layer of 2 nested models of twins (left, right)',
    /cut the one you mean instead$/);
  await expectError(() => cutModel(twins, 'missing'), ConfigError, 'twins has no layer "missing", nor has any model nested in it',
    /its 2 layers are left, right; inside it: left \(1 layers\), right \(1 layers\)$/);
  await expectError(() => cutModel(base, 'input_1'), ConfigError, 'input_1 is', /input layer/);
  await expectError(() => cutModel(base, 'out_relu', { pooling: 'mean' as 'avg' }), ConfigError, 'pooling "mean"', /'none', 'avg', 'max', 'flatten'/);
  await expectError(() => cutModel(base, 'predictions', { pooling: 'avg' }), ConfigError, "pooling 'avg' pools images", /predictions outputs \[10\]/);
  await expectError(() => cutModel(base, 'out_relu', { trainable: 'yes' as unknown as boolean }), ConfigError, 'trainable must be', /"yes"/);
});

test('embed: the cut base\'s outputs in batches, bit for bit, from a tensor or from values, with progress', async () => {
  const cut = cutModel(base, 'out_relu', { pooling: 'avg' });
  const x = inputs(stripesAndDots(9, SIZE, 2));
  const expected = cut.predict(x).dataSync();
  for (const batchSize of [1, 7, 32]) {
    const progress: number[] = [];
    const features = await embed(cut, x, { batchSize, onProgress: (done, total) => progress.push(done, total) });
    assert.equal(features.shape, [18, 1280]);
    assertSameBits(features.dataSync(), expected, `batch size ${batchSize}`);
    const batches = Math.ceil(18 / batchSize);
    assert.equal(progress, Array.from({ length: batches }, (_, b) => [Math.min((b + 1) * batchSize, 18), 18]).flat(), 'progress after each batch');
  }
  assertSameBits((await embed(cut, x.dataSync())).dataSync(), expected, 'from a Float32Array');
  await expectError(() => embed(cut, new Float32Array(SIZE * SIZE * 3 + 1)), ShapeError, `${SIZE * SIZE * 3 + 1} values`, /not whole examples of \[64, 64, 3\]/);
  await expectError(() => embed(cut, tensor(new Float32Array(2 * 16 * 16 * 3), [2, 16, 16, 3])), ShapeError, 'images of shape [2, 16, 16, 3]', /takes \[n, 64, 64, 3\]/);
  await expectError(() => embed(cut, x, { batchSize: 0 }), ConfigError, 'batchSize', /positive integer, got 0/);
});

/** A head of `units` ReLU units and two softmax outputs on the cut's features. */
const headFor = (cut: Model, units = 32) => sequential({ inputShape: cut.outputShape, seed: 3, name: 'head', layers: [
  layers.dense({ units, activation: 'relu' }), layers.dense({ units: 2, activation: 'softmax' }),
] });

test('stacked with its head, the base predicts exactly what the base then the head compute; saved in both formats, it loads and predicts alike', async () => {
  const cut = cutModel(base, 'out_relu', { pooling: 'avg', name: 'features' });
  const head = headFor(cut);
  const whole = sequential({ inputShape: [SIZE, SIZE, 3], name: 'classifier', layers: [cut, head] });
  const x = inputs(stripesAndDots(5, SIZE, 4));
  const expected = head.predict(await embed(cut, x)).dataSync();
  assertSameBits(whole.predict(x).dataSync(), expected, 'stacked vs base then head');
  assert.is(whole.parameterCount, cut.parameterCount + head.parameterCount);
  assert.is(whole.trainableWeights.length, 4, 'only the head trains');

  const dir = await temporaryDirectory();
  await whole.save(dir);
  assertSameBits((await loadModel(dir)).predict(x).dataSync(), expected, 'convas format');
  const tfjsDir = await temporaryDirectory();
  await whole.save(tfjsDir, { format: 'tfjs' });
  assertSameBits((await loadModel(tfjsDir)).predict(x).dataSync(), expected, 'TF.js format, loaded by convas');
  const inTfjs = await loadInTfjs(tfjsDir);
  assertClose((inTfjs.predict(tf.tensor(x.dataSync(), [10, SIZE, SIZE, 3])) as tf.Tensor).dataSync(), expected, 1e-4, 'TF.js format, loaded by TF.js');
});

test(`learns: a head on the cached features of the frozen base tells stripes from dots on held-out pictures (≥ 90%); the base stays bit-identical`, async () => {
  const before = snapshot(base);
  const train = stripesAndDots(40, SIZE, 10), heldOut = stripesAndDots(30, SIZE, 11);
  const cut = cutModel(base, FEATURE_LAYER, { pooling: 'avg' });
  const head = headFor(cut);
  head.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  const started = performance.now();
  const features = await embed(cut, inputs(train));
  await head.fit(features, labelsOf(train), { epochs: 100, batchSize: 16 });
  const seconds = (performance.now() - started) / 1000;
  const whole = sequential({ inputShape: [SIZE, SIZE, 3], layers: [cut, head] });
  whole.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const { accuracy } = whole.evaluate(inputs(heldOut), labelsOf(heldOut));
  console.log(`  stripes against dots: ${(accuracy * 100).toFixed(1)}% of ${heldOut.length} held-out pictures; embeddings and head in ${seconds.toFixed(1)} s`);
  assert.ok(accuracy >= 0.9, `held-out accuracy ${accuracy}`);
  snapshot(base).forEach((w, i) => assertSameBits(w, before[i], `base weight ${base.weights[i].name}`));

  // Training the stacked model end to end on the pictures moves the head only: the frozen base's
  // weights and batch-norm statistics stay as they were, bit for bit.
  const headBefore = snapshot(head);
  await whole.fit(inputs(train), labelsOf(train), { epochs: 1, batchSize: 16 });
  snapshot(base).forEach((w, i) => assertSameBits(w, before[i], `base weight ${base.weights[i].name}, after fit`));
  assert.ok(snapshot(head).some((w, i) => w.some((v, k) => v !== headBefore[i][k])), 'the head trained');
});

test('fine-tuning as Keras\'s guide does: the base called with training false, then unfrozen, trains its convolutions while its batch norms keep their statistics bit for bit', async () => {
  const own = await loadModel(baseDirectory);
  const features = cutModel(own, FEATURE_LAYER, { pooling: 'avg' });
  const pictures = input({ shape: [SIZE, SIZE, 3] });
  const classifier = model({ inputs: pictures, outputs: layers.dense({ units: 2, activation: 'softmax' }).apply(features.apply(pictures, { training: false })) });
  const train = stripesAndDots(16, SIZE, 12);
  classifier.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  await classifier.fit(inputs(train), labelsOf(train), { epochs: 2, batchSize: 8 });

  const batchNorms = features.params.filter((p) => !p.trainable);
  const kernels = features.params.filter((p) => p.name.endsWith('kernel'));
  const gammas = features.params.filter((p) => p.name.endsWith('gamma'));
  assert.ok(batchNorms.length >= 4 && kernels.length >= 2, 'the cut holds convolutions and batch normalisations');
  const valuesOf = (params: Parameter[]) => params.map((p) => getBackend().memory.f32(p.value, p.size).slice());
  const [statistics, kernelsBefore, gammasBefore] = [valuesOf(batchNorms), valuesOf(kernels), valuesOf(gammas)];
  features.trainable = true;
  classifier.compile({ optimizer: { type: 'adam', learningRate: 1e-3 }, loss: 'categoricalCrossentropy' });
  await classifier.fit(inputs(train), labelsOf(train), { epochs: 1, batchSize: 8 });
  valuesOf(batchNorms).forEach((v, i) => assertSameBits(v, statistics[i], `${batchNorms[i].name} after fine-tuning`));
  valuesOf(kernels).forEach((v, i) => assert.ok(v.some((k, j) => k !== kernelsBefore[i][j]), `${kernels[i].name} trained`));
  valuesOf(gammas).forEach((v, i) => assert.ok(v.some((k, j) => k !== gammasBefore[i][j]), `${gammas[i].name} trained`));
  classifier.dispose();
  own.dispose();
});

test('inferenceBatchSize: the batch given for small inputs, fewer for big ones (a 224×224 MobileNet keeps some 64 MB an image), at least 1', () => {
  assert.is(inferenceBatchSize([28, 28, 1], 128), 128);
  assert.is(inferenceBatchSize([64, 64, 3], 32), 32);
  assert.is(inferenceBatchSize([224, 224, 3], 32), 6);
  assert.is(inferenceBatchSize([2048, 2048, 3], 32), 1);
});

test.run();
