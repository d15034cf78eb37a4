// A model from PyTorch, fine-tuned in convas and sent back: LeNet, MobileNetV2 and the narrowed
// ResNet-18 cut before their last layer, frozen, with a new head, trained a step (only the head
// moves); the ResNet-18 also trained whole a step (the loss goes down); PyTorch's MNIST example net
// trained as PyTorch trained it; each then saved as ONNX predicts the same in ONNX Runtime.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Model, type Tensor, init, layers, loadModel, model, tensor } from '../../src/index.js';
import '../../src/onnx/index.js';
import { assertClose } from '../helpers.js';
import { assertSameBits, temporaryDirectory } from '../io/model-files.js';
import { onnxModel } from './builder.js';
import { fixtureInput, fixturePath, floats, manifest } from './fixtures.js';
import { assertAgreesWithOrt } from './ort.js';
import { onnx } from '../../src/onnx/proto/onnx.js';
import { random } from '../helpers.js';

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

/** PyTorch-shaped input dims of a fixture. */
const inputDims = (name: string) => manifest.cases[name].input.shape;

for (const name of ['lenet', 'mobilenet_v2', 'resnet18_narrow']) {
  test(`${name}: cut before its last layer, frozen, a new softmax head; one step trains the head only; saved as ONNX it predicts the same in ONNX Runtime`, async () => {
    const net = await loadModel(fixturePath(name));
    const x = fixtureInput(name);
    const cut = net.layers[net.layers.length - 2];
    const base = model({ inputs: net.inputs, outputs: cut.output });
    base.trainable = false;
    const head = layers.dense({ units: 3, activation: 'softmax', name: 'head' }).apply(base.outputs[0]);
    const classifier = model({ inputs: base.inputs, outputs: head, seed: 5 });
    classifier.compile({ optimizer: { type: 'sgd', learningRate: 0.005 }, loss: 'categoricalCrossentropy' });
    const y = targets(2, 3);
    const baseBefore = bits(base), headWeights = classifier.getLayer('head').weights.length;
    const lossBefore = classifier.evaluate(x, y).loss;
    const weightsBefore = bits(classifier);
    await classifier.fit(x, y, { epochs: 1, batchSize: 2 });
    bits(base).forEach((w, i) => assertSameBits(w, baseBefore[i], `frozen base weight ${i}`));
    const changed = bits(classifier).filter((w, i) => w.some((v, k) => v !== weightsBefore[i][k])).length;
    assert.is(changed, headWeights, 'the head\'s kernel and bias moved, nothing else');
    assert.ok(classifier.evaluate(x, y).loss < lossBefore, `the step lowered the loss (${lossBefore} → ${classifier.evaluate(x, y).loss}, cut at ${cut.getConfig().className})`);
    await savedAgreesWithOrt(classifier, inputDims(name), name);
  });
}

test('ResNet-18 (narrowed) from PyTorch: a training step through residual adds and padded pooling lowers the loss; saved as ONNX it predicts the same in ONNX Runtime', async () => {
  const net = await loadModel(fixturePath('resnet18_narrow'));
  const x = fixtureInput('resnet18_narrow');
  net.compile({ optimizer: { type: 'sgd', learningRate: 0.01 }, loss: 'meanSquaredError' });
  const y = targets(2, 10);
  const before = net.evaluate(x, y).loss;
  await net.fit(x, y, { epochs: 1, batchSize: 2 });
  const after = net.evaluate(x, y).loss;
  assert.ok(Number.isFinite(after) && after < before, `loss ${before} → ${after}`);
  await savedAgreesWithOrt(net, inputDims('resnet18_narrow'), 'resnet18_narrow');
});

test('PyTorch\'s MNIST example net, ending in log_softmax: trained in convas with a sparse categorical cross-entropy as PyTorch trains it with nll_loss', async () => {
  const name = 'mnist_example_opset17', { training } = manifest.cases[name];
  const net = await loadModel(fixturePath(name));
  net.compile({ optimizer: { type: training!.optimizer, learningRate: training!.learningRate }, loss: 'sparseCategoricalCrossentropy' });
  const x = fixtureInput(name), y = tensor(Float32Array.from(training!.labels), [training!.labels.length]);
  const history = await net.fit(x, y, { epochs: training!.steps, batchSize: training!.labels.length, shuffle: false });
  assertClose(Float32Array.from(history.history.loss), Float32Array.from(training!.losses), 1e-5, 'each step\'s loss (before it)');
  assertClose(net.predict(x).dataSync(), floats(training!.outputAfter), 1e-4, 'the log-probabilities after training');
  await savedAgreesWithOrt(net, inputDims(name), name);
});

test('a grouped Conv stays grouped when trained: its kernel keeps its groups\' shape, and its file its group and weight dims', async () => {
  const rng = random(21);
  const bytes = onnxModel({
    inputs: [{ name: 'x', dims: ['N', 4, 6, 6] }], outputs: ['y'],
    nodes: [
      { op: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { group: 2, pads: [1, 1, 1, 1] } }, { op: 'Relu', inputs: ['c'], outputs: ['r'] },
      { op: 'Flatten', inputs: ['r'], outputs: ['f'] }, { op: 'Gemm', inputs: ['f', 'd'], outputs: ['z'], attributes: { transB: 1 } },
      { op: 'Softmax', inputs: ['z'], outputs: ['y'] },
    ],
    initializers: { w: { dims: [8, 2, 3, 3], data: rng.array(144) }, b: { dims: [8], data: rng.array(8) }, d: { dims: [3, 288], data: rng.array(864, -0.1, 0.1) } },
  });
  const net = await loadModel(bytes);
  net.compile({ optimizer: { type: 'sgd', learningRate: 0.05 }, loss: 'categoricalCrossentropy' });
  const x = tensor(rng.array(6 * 144), [6, 6, 6, 4]);
  await net.fit(x, targets(6, 3), { epochs: 3, batchSize: 3 });
  const conv = net.layers.find((l) => l.getConfig().className === 'Conv2D')!;
  assert.is(conv.getConfig().groups, 2);
  assert.equal(conv.weights[0].shape, [3, 3, 2, 8]);
  const dir = await temporaryDirectory();
  await net.save(join(dir, 'tuned.onnx'), { format: 'onnx' });
  const saved = new Uint8Array(await readFile(join(dir, 'tuned.onnx')));
  const graph = onnx.ModelProto.decode(saved).graph!;
  const node = graph.node!.find((n) => n.opType === 'Conv')!;
  assert.is(Number(node.attribute!.find((a) => a.name === 'group')!.i), 2);
  assert.equal(graph.initializer!.find((t) => t.name === node.input![1])!.dims!.map(Number), [8, 2, 3, 3]);
  await assertAgreesWithOrt(net, saved, [[2, 4, 6, 6]], 'trained grouped Conv');
});

test.run();
