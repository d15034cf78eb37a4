// The two MobileNets users bring, built in tfjs-layers with the Keras applications' names and
// structure (bench/mobilenet-keras.mjs), random weights and moving statistics, saved by TF.js:
// each loads in convas and predicts alike, takes one SGD step alike (batch statistics, moving
// statistics and all), fine-tunes cut and frozen with a new head, and saves back to a TF.js file
// that TF.js loads and predicts alike.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Model, init, layers, loadModel, model, tensor } from '../../src/index.js';
import { mobileNetV1, mobileNetV2, randomizeBatchNorm } from '../../bench/mobilenet-keras.mjs';
import { assertClose, random } from '../helpers.js';
import { temporaryDirectory } from './model-files.js';
import { loadInTfjs, saveTfjs } from './tfjs-files.js';

const TOLERANCE = 1e-4;

interface Case { name: string; build: () => tfl.LayersModel; cut: string; classes: number }

// V1 at 64×64 keeps the test quick; V2 at the bench's 96×96.
const CASES: Case[] = [
  { name: 'MobileNetV1 0.25', build: () => mobileNetV1(tfl, { alpha: 0.25, inputShape: [64, 64, 3], classes: 7 }), cut: 'conv_pw_13_relu', classes: 7 },
  { name: 'MobileNetV2 0.35', build: () => mobileNetV2(tfl, { alpha: 0.35, inputShape: [96, 96, 3], classes: 10 }), cut: 'out_relu', classes: 10 },
];

function images(shape: number[], n: number, seed: number) {
  const values = random(seed).array(n * shape.reduce((a, b) => a * b, 1), -1, 1);
  return { convas: tensor(values, [n, ...shape]), tfjs: tf.tensor(values, [n, ...shape]) };
}

function assertSamePredictions(convas: Model, tfjsModel: tfl.LayersModel, what: string): void {
  const shape = tfjsModel.inputs[0].shape.slice(1) as number[];
  const x = images(shape, 3, 11);
  const expected = (tfjsModel.predict(x.tfjs) as tf.Tensor).dataSync() as Float32Array;
  assertClose(convas.predict(x.convas).dataSync(), expected, TOLERANCE, what);
}

async function saved(tfjsModel: tfl.LayersModel): Promise<string> {
  const dir = await temporaryDirectory();
  await saveTfjs(tfjsModel, dir);
  return dir;
}

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

for (const c of CASES) {
  test(`${c.name}: saved by TF.js, loads in convas with the Keras names and predicts alike`, async () => {
    const tfjsModel = c.build();
    randomizeBatchNorm(tf, tfjsModel, random(1).next);
    const loaded = await loadModel(await saved(tfjsModel));
    assert.equal(loaded.layers.map((l) => l.name), tfjsModel.layers.map((l) => l.name));
    assert.is(loaded.parameterCount, tfjsModel.countParams());
    assertSamePredictions(loaded, tfjsModel, c.name);
  });

  test(`${c.name}: one SGD step moves every weight as TF.js does, moving statistics included`, async () => {
    const tfjsModel = c.build();
    randomizeBatchNorm(tf, tfjsModel, random(2).next);
    const loaded = await loadModel(await saved(tfjsModel));
    const n = 4;
    const x = images(tfjsModel.inputs[0].shape.slice(1) as number[], n, 12);
    const hot = new Float32Array(n * c.classes).map((_, i) => (i % c.classes === (Math.floor(i / c.classes) * 3) % c.classes ? 1 : 0));
    // Dropout is off in both: TF.js's rate and ours would draw different masks.
    tfjsModel.layers.filter((l) => l.getClassName() === 'Dropout').forEach((l) => { (l as unknown as { rate: number }).rate = 0; });
    loaded.layers.filter((l) => l.className === 'Dropout').forEach((l) => { (l as unknown as { rate: number }).rate = 0; });
    tfjsModel.compile({ optimizer: tf.train.sgd(0.05), loss: 'categoricalCrossentropy' });
    await tfjsModel.fit(x.tfjs, tf.tensor(hot, [n, c.classes]), { epochs: 1, batchSize: n, shuffle: false });
    loaded.compile({ optimizer: { type: 'sgd', learningRate: 0.05 }, loss: 'categoricalCrossentropy' });
    await loaded.fit(x.convas, tensor(hot, [n, c.classes]), { epochs: 1, batchSize: n, shuffle: false });
    const expected = new Map(tfjsModel.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
    const actual = loaded.getWeights();
    loaded.weights.forEach((p, i) => assertClose(actual[i].dataSync(), expected.get(p.name)!, TOLERANCE, `${c.name}: ${p.name}`));
  });

  test(`${c.name}: cut at ${c.cut}, frozen, a new head learns, the base stays bit-identical; saved as TF.js it loads in TF.js`, async () => {
    const tfjsModel = c.build();
    randomizeBatchNorm(tf, tfjsModel, random(3).next);
    const base = await loadModel(await saved(tfjsModel));
    base.trainable = false;
    const features = layers.globalAveragePooling2d().apply(base.getLayer(c.cut).output);
    const head = layers.dense({ units: 2, activation: 'softmax', name: 'new_head' }).apply(features);
    const tuned = model({ inputs: base.inputs, outputs: head });
    const baseWeights = base.getWeights().map((w) => [...w.dataSync()]);

    // Two classes a frozen random net tells apart: bright images against dark ones.
    const n = 16;
    const shape = tfjsModel.inputs[0].shape.slice(1) as number[];
    const size = shape.reduce((a, b) => a * b, 1);
    const rng = random(4);
    const xs = new Float32Array(n * size);
    const ys = new Float32Array(n * 2);
    for (let i = 0; i < n; i++) {
      const bright = i % 2;
      for (let j = 0; j < size; j++) xs[i * size + j] = (bright ? 0.5 : -0.5) + 0.3 * (rng.next() - 0.5);
      ys[i * 2 + bright] = 1;
    }
    tuned.compile({ optimizer: { type: 'adam', learningRate: 0.05 }, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const history = await tuned.fit(tensor(xs, [n, ...shape]), tensor(ys, [n, 2]), { epochs: 15, batchSize: 8, shuffle: false });
    const accuracy = history.history.acc;
    assert.ok(accuracy[accuracy.length - 1] === 1, `${c.name}: the head learned (accuracy ${accuracy.join(', ')})`);
    base.getWeights().forEach((w, i) => assert.equal([...w.dataSync()], baseWeights[i], `${c.name}: frozen ${base.weights[i].name} moved`));

    const dir = await temporaryDirectory();
    await tuned.save(dir, { format: 'tfjs' });
    assertSamePredictions(tuned, await loadInTfjs(dir), `${c.name} fine-tuned, in TF.js`);
  });
}

test.run();
