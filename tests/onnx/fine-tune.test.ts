// A model from PyTorch, fine-tuned in convas and sent back: the LeNet cut before its last layer,
// frozen, with a new head, trained a step (only the head moves); the narrowed ResNet-18 trained
// whole a step (the loss goes down); each then saved as ONNX predicts the same in ONNX Runtime.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Model, type Tensor, init, layers, loadModel, model, tensor } from '../../src/index.js';
import '../../src/onnx/index.js';
import { assertClose } from '../helpers.js';
import { assertSameBits, temporaryDirectory } from '../io/model-files.js';
import { fixtureInput, fixturePath } from './fixtures.js';
import { assertAgreesWithOrt } from './ort.js';

const bits = (m: Model) => m.getWeights().map((w) => w.dataSync().slice());

/** One-hot targets [n, classes], example i of class i mod classes. */
const targets = (n: number, classes: number): Tensor =>
  tensor(Float32Array.from({ length: n * classes }, (_, k) => (k % classes === Math.floor(k / classes) % classes ? 1 : 0)), [n, classes]);

/** Saves as ONNX and checks ONNX Runtime on the file against convas's own predictions. */
async function savedAgreesWithOrt(m: Model, inputDims: number[], what: string) {
  const dir = await temporaryDirectory();
  await m.save(join(dir, 'tuned.onnx'), { format: 'onnx' });
  const bytes = new Uint8Array(await readFile(join(dir, 'tuned.onnx')));
  await assertAgreesWithOrt(m, bytes, [inputDims], what);
  const again = await loadModel(join(dir, 'tuned.onnx'));
  const x = fixtureInput(what);
  assertClose(again.predict(x).dataSync(), m.predict(x).dataSync(), 1e-5, `${what} loaded back from its ONNX file`);
}

test.before(async () => {
  await init();
});

test('LeNet: cut before the last layer, frozen, a new softmax head; one step trains the head only; saved as ONNX it predicts the same in ONNX Runtime', async () => {
  const net = await loadModel(fixturePath('lenet'));
  const x = fixtureInput('lenet');
  const cut = net.layers[net.layers.length - 2]; // fc2 with its ReLU
  assert.is(cut.getConfig().className, 'Dense');
  const base = model({ inputs: net.inputs, outputs: cut.output });
  base.trainable = false;
  const head = layers.dense({ units: 3, activation: 'softmax', name: 'head' }).apply(base.outputs[0]);
  const classifier = model({ inputs: base.inputs, outputs: head, seed: 5 });
  classifier.compile({ optimizer: { type: 'sgd', learningRate: 0.5 }, loss: 'categoricalCrossentropy' });
  const y = targets(2, 3);
  const baseBefore = bits(base), headBefore = classifier.getLayer('head').weights.length;
  const lossBefore = classifier.evaluate(x, y).loss;
  const weightsBefore = bits(classifier);
  await classifier.fit(x, y, { epochs: 1, batchSize: 2 });
  bits(base).forEach((w, i) => assertSameBits(w, baseBefore[i], `frozen base weight ${i}`));
  const changed = bits(classifier).filter((w, i) => w.some((v, k) => v !== weightsBefore[i][k])).length;
  assert.is(changed, headBefore, 'the head\'s kernel and bias moved, nothing else');
  assert.ok(classifier.evaluate(x, y).loss < lossBefore, 'the step lowered the loss');
  await savedAgreesWithOrt(classifier, [2, 1, 28, 28], 'lenet');
});

test('ResNet-18 (narrowed) from PyTorch: a training step through residual adds and padded pooling lowers the loss; saved as ONNX it predicts the same in ONNX Runtime', async () => {
  const net = await loadModel(fixturePath('resnet18_narrow'));
  const x = fixtureInput('resnet18_narrow');
  net.compile({ optimizer: { type: 'sgd', learningRate: 0.01 }, loss: 'meanSquaredError' });
  const y = targets(2, 10);
  const before = net.evaluate(x, y).loss;
  await net.fit(x, y, { epochs: 1, batchSize: 2 });
  const after = net.evaluate(x, y).loss;
  assert.ok(Number.isFinite(after) && after < before, `loss ${before} → ${after}`);
  await savedAgreesWithOrt(net, [2, 3, 64, 64], 'resnet18_narrow');
});

test.run();
