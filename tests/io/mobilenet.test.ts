// The two MobileNets users bring, built in tfjs-layers with the Keras applications' names and
// structure (bench/mobilenet-keras.mjs), random weights and moving statistics, saved by TF.js:
// each loads in convas and predicts alike, takes one SGD step alike (batch statistics, moving
// statistics and all, Keras's Bessel correction accounted for), fine-tunes cut and frozen with a
// new head, and saves back to a TF.js file that TF.js loads and predicts alike.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Model, type PredictOptions, type Tensor, init, layers, loadModel, model, tensor } from '../../src/index.js';
import { mobileNetV1, mobileNetV2, randomizeBatchNorm } from '../../bench/mobilenet-keras.mjs';
import { assertClose, random } from '../helpers.js';
import { loadInTfjs, newModelLocation, saveTfjs } from './tfjs-files.js';

const TOLERANCE = 1e-4;
const SEED = 1;
type Size = [number, number, number];

interface Case {
  name: string;
  build: (inputShape: Size, options?: { dropout?: number }) => tfl.LayersModel;
  /** Where transfer learning cuts the net: its last feature map. */
  cut: string;
  classes: number;
  /** The predicting and fine-tuning size (the SGD step runs at 64×64). */
  inputShape: Size;
}

const CASES: Case[] = [
  {
    name: 'MobileNetV1 0.25', cut: 'conv_pw_13_relu', classes: 7, inputShape: [64, 64, 3],
    build: (inputShape, options) => mobileNetV1(tfl, { alpha: 0.25, inputShape, classes: 7, seed: SEED, ...options }),
  },
  {
    name: 'MobileNetV2 0.35', cut: 'out_relu', classes: 10, inputShape: [96, 96, 3], // the bench's net
    build: (inputShape) => mobileNetV2(tfl, { alpha: 0.35, inputShape, classes: 10, seed: SEED }),
  },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

function images(shape: Size, n: number, seed: number) {
  const values = random(seed).array(n * size(shape), -1, 1);
  return { convas: tensor(values, [n, ...shape]), tfjs: tf.tensor(values, [n, ...shape]) };
}

/** The net built in TF.js with random weights and moving statistics, and what convas loads from its files. */
async function bothNets(c: Case, inputShape: Size, seed: number, options?: { dropout?: number }) {
  const tfjsModel = c.build(inputShape, options);
  randomizeBatchNorm(tf, tfjsModel, random(seed).next);
  const where = await newModelLocation();
  await saveTfjs(tfjsModel, where);
  return { tfjsModel, loaded: await loadModel(where) };
}

/**
 * The outputs, and the features at the cut (ReLU6 outputs in [0, 6], a stricter comparison than
 * probabilities); with `options` as predict takes them (foldBatchNorm).
 */
function assertSamePredictions(convas: Model, tfjsModel: tfl.LayersModel, c: Case, what: string, options: PredictOptions = {}): void {
  const x = images(c.inputShape, 3, 11);
  const expected = (tfjsModel.predict(x.tfjs) as tf.Tensor).dataSync() as Float32Array;
  const actual = convas.predict(x.convas, options).dataSync();
  assertClose(actual, expected, TOLERANCE, what);
  // Not the same answer for every image: the signal reaches the classifier.
  const classes = expected.length / 3;
  assert.ok(expected.slice(classes).some((v, i) => Math.abs(v - expected[i % classes]) > 1e-2), `${what}: the predictions depend on the image`);
  const features = (m: Model) => model({ inputs: m.inputs, outputs: m.getLayer(c.cut).output });
  const tfjsFeatures = tfl.model({ inputs: tfjsModel.inputs, outputs: tfjsModel.getLayer(c.cut).output as tfl.SymbolicTensor });
  // A random net amplifies rounding: a change of one ulp in every input moves TF.js's own
  // features at out_relu by up to 1.4e-4, so they are held to 1e-3 (the outputs, smaller, to 1e-4).
  assertClose(features(convas).predict(x.convas, options).dataSync(), (tfjsFeatures.predict(x.tfjs) as tf.Tensor).dataSync() as Float32Array,
    1e-3, `${what}, features at ${c.cut}`);
}

const values = (t: Tensor | tf.Tensor) => Float32Array.from(t.dataSync() as Float32Array);

/**
 * Whether a weight moved from `before` to `actual` as it did to `expected`, to 1e-3 of the largest
 * move (plus the rounding of the values themselves): stricter than comparing the weights where the
 * moves are small, as the moving statistics' are (a thousandth of a statistic at momentum 0.999).
 */
function sameMove(actual: Float32Array, expected: Float32Array, before: Float32Array): boolean {
  const largest = expected.reduce((m, e, i) => Math.max(m, Math.abs(e - before[i])), 0);
  return actual.every((a, i) => Math.abs((a - before[i]) - (expected[i] - before[i])) <= 1e-3 * largest + 1e-6 * Math.max(1, Math.abs(expected[i])));
}

function assertSameMove(actual: Float32Array, expected: Float32Array, before: Float32Array, what: string): void {
  assert.ok(sameMove(actual, expected, before), `${what}: ${actual.slice(0, 4).map((a, i) => a - before[i])} against ${expected.slice(0, 4).map((e, i) => e - before[i])}…`);
}

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

for (const c of CASES) {
  test(`${c.name}: saved by TF.js, loads in convas with the Keras names, weights and statistics, and predicts alike`, async () => {
    const { tfjsModel, loaded } = await bothNets(c, c.inputShape, 1);
    assert.equal(loaded.layers.map((l) => l.name), tfjsModel.layers.map((l) => l.name));
    assert.is(loaded.parameterCount, tfjsModel.countParams());
    assert.equal(loaded.weights.map((p) => p.name), tfjsModel.weights.map((w) => w.originalName), 'weights in TF.js\'s order');
    const tfjsWeights = tfjsModel.getWeights();
    loaded.getWeights().forEach((w, i) => assert.equal(values(w), values(tfjsWeights[i]), loaded.weights[i].name));
    // The moving statistics are neither the 0 and 1 they start as nor one value per layer.
    for (const layer of tfjsModel.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
      const [mean, variance] = layer.getWeights().slice(-2).map(values);
      assert.ok(mean.some((v) => v !== mean[0]) && variance.some((v) => v !== variance[0] && v !== 1), `${layer.name}: random moving statistics`);
    }
    assertSamePredictions(loaded, tfjsModel, c, c.name);
    // Folded for inference (each normalisation into its convolution, each ReLU6 after one into the
    // convolution's kernel), it predicts as TF.js does all the same; how far folding moves the outputs:
    assertSamePredictions(loaded, tfjsModel, c, `${c.name}, batch normalisation folded`, { foldBatchNorm: true });
    const x = images(c.inputShape, 8, 14).convas;
    const plain = loaded.predict(x).dataSync(), folded = loaded.predict(x, { foldBatchNorm: true }).dataSync();
    const moved = plain.reduce((d, v, i) => Math.max(d, Math.abs(folded[i] - v)), 0);
    console.log(`${c.name}: folding moves the probabilities by at most ${moved.toExponential(2)}`);
    assert.ok(moved > 0, 'folding ran');
  });

  test(`${c.name}: one SGD step moves every weight as TF.js does, moving statistics included (Keras's n/(n − 1) accounted for)`, async () => {
    const inputShape: Size = [64, 64, 3];
    // Dropout off (Keras's dropout setting of V1): the two libraries would draw different masks.
    const { tfjsModel, loaded } = await bothNets(c, inputShape, 2, { dropout: 0 });
    const n = 4;
    const x = images(inputShape, n, 12);
    const hot = new Float32Array(n * c.classes).map((_, i) => (i % c.classes === (Math.floor(i / c.classes) * 3) % c.classes ? 1 : 0));
    const before = new Map(tfjsModel.weights.map((w) => [w.originalName, values(w.read())]));
    tfjsModel.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
    await tfjsModel.fit(x.tfjs, tf.tensor(hot, [n, c.classes]), { epochs: 1, batchSize: n, shuffle: false });
    loaded.compile({ optimizer: { type: 'sgd', learningRate: 0.05 }, loss: 'categoricalCrossentropy' });
    await loaded.fit(x.convas, tensor(hot, [n, c.classes]), { epochs: 1, batchSize: n, shuffle: false });

    // TF.js moves moving_variance to m·v + (1 − m)·σ² with the biased batch variance σ²; Keras's fused
    // kernel (which convas follows for image batches) takes n/(n − 1)·σ², n the values per channel,
    // which adds (1 − m)·σ²/(n − 1) = (after − m·before)/(n − 1), read from TF.js's own step.
    const tfjsAfter = new Map(tfjsModel.weights.map((w) => [w.originalName, values(w.read())]));
    const expected = new Map(tfjsAfter);
    for (const layer of loaded.layers.filter((l) => l.className === 'BatchNormalization')) {
      const momentum = layer.getConfig().momentum as number;
      const count = n * size(layer.inputShape.slice(0, -1));
      const name = `${layer.name}/moving_variance`, after = tfjsAfter.get(name)!, was = before.get(name)!;
      expected.set(name, after.map((v, ch) => v + (v - momentum * was[ch]) / (count - 1)));
    }
    const actual = new Map(loaded.weights.map((p, i) => [p.name, values(loaded.getWeights()[i])]));
    for (const [name, now] of actual) {
      assertClose(now, expected.get(name)!, TOLERANCE, `${c.name}: ${name}`);
      assertSameMove(now, expected.get(name)!, before.get(name)!, `${c.name}: ${name}, its move`);
      // A β whose normalisation feeds only further normalisations through linear layers (the projections
      // in blocks) has a gradient of exactly 0 in both libraries; every kernel and γ moves.
      if (/kernel|gamma|moving/.test(name)) assert.not.equal(now, before.get(name), `${c.name}: ${name} moved`);
    }
    // Without the correction, the moves of the moving variances would not agree.
    assert.ok([...expected].some(([name, e]) => /moving_variance/.test(name) && !sameMove(tfjsAfter.get(name)!, e, before.get(name)!)),
      'the correction shows');
  });

  test(`${c.name}: cut at ${c.cut}, frozen, a new head learns while the base stays bit-identical; saved as TF.js it loads in TF.js`, async () => {
    const { loaded: base } = await bothNets(c, c.inputShape, 3);
    base.trainable = false;
    const features = layers.globalAveragePooling2d({ name: 'new_pooling' }).apply(base.getLayer(c.cut).output);
    const tuned = model({ inputs: base.inputs, outputs: layers.dense({ units: 2, activation: 'softmax', name: 'new_head' }).apply(features) });
    assert.equal(tuned.trainableWeights.map((p) => p.name), ['new_head/kernel', 'new_head/bias'], 'only the head trains');
    const frozen = tuned.weights.filter((p) => !p.name.startsWith('new_head/'));
    const frozenBefore = tuned.getWeights().filter((_, i) => !tuned.weights[i].name.startsWith('new_head/')).map(values);

    // Two classes a frozen random net tells apart: bright images against dark ones.
    const n = 16, pixels = size(c.inputShape), rng = random(4);
    const xs = new Float32Array(n * pixels), ys = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const bright = i % 2;
      for (let j = 0; j < pixels; j++) xs[i * pixels + j] = (bright ? 0.4 : -0.4) + 0.6 * (rng.next() - 0.5);
      ys[i * 2 + bright] = 1;
    }
    const x = tensor(xs, [n, ...c.inputShape]), y = tensor(ys, [n, 2]);
    tuned.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
    const start = tuned.evaluate(x, y);
    await tuned.fit(x, y, { epochs: 20, batchSize: 8, shuffle: false });
    const end = tuned.evaluate(x, y);
    assert.ok(end.loss < start.loss / 2 && end.accuracy === 1, `${c.name}: the head learned (loss ${start.loss} → ${end.loss}, accuracy ${start.accuracy} → ${end.accuracy})`);
    tuned.getWeights().filter((_, i) => !tuned.weights[i].name.startsWith('new_head/'))
      .forEach((w, i) => assert.equal(values(w), frozenBefore[i], `${c.name}: frozen ${frozen[i].name} moved`));

    const where = await newModelLocation();
    await tuned.save(where, { format: 'tfjs' });
    const inTfjs = await loadInTfjs(where);
    const probe = images(c.inputShape, 3, 13);
    assertClose(tuned.predict(probe.convas).dataSync(), (inTfjs.predict(probe.tfjs) as tf.Tensor).dataSync() as Float32Array,
      TOLERANCE, `${c.name} fine-tuned, in TF.js`);
  });
}

test.run();
