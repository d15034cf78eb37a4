// LayerNormalization in models: its settings refused when impossible, its weights (γ and β, both
// trainable, absent when scale or center is false), predict against the naive reference on every
// rank, training (the loss falls, the same seed gives the same bits), a frozen layer, and the convas
// format's round trip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, type LayerNormalizationOptions, type Model, layers, loadModel, sequential, tensor } from '../../src/index.js';
import { newModelLocation } from '../io/tfjs-files.js';
import { assertClose, assertSameBits, kernels, random } from '../helpers.js';
import { strokes } from '../model/synthetic.js';
import * as ref from '../reference/layer-norm.js';
import { throwsWith } from '../throws-with.js';

const valuesOf = (m: Model) => m.getWeights().map((w) => w.dataSync());

test.before(async () => {
  await kernels();
});

test('impossible settings are ConfigErrors naming the setting: an axis not the last, ε ≤ 0, center or scale not booleans, unknown settings', () => {
  const build = (inputShape: number[], options: Record<string, unknown>) => () =>
    sequential({ inputShape, layers: [layers.layerNormalization({ name: 'ln', ...options } as LayerNormalizationOptions)] });
  for (const axis of [0, 1, 2, -2, 4]) throwsWith(build([4, 4, 3], { axis }), ConfigError, `ln: axis ${axis} is not the last axis of its input [4, 4, 3]`);
  throwsWith(build([5], { axis: 2 }), ConfigError, 'ln: axis 2 is not the last axis of its input [5] per example (batch included, axis 1, or -1)');
  throwsWith(build([4, 4, 3], { axis: [1, 2, 3] }), ConfigError, 'ln: axis must be an integer (the last axis, -1), got [1,2,3]');
  throwsWith(build([4, 4, 3], { axis: 1.5 }), ConfigError, 'ln: axis must be an integer');
  for (const epsilon of [0, -1e-3, NaN, Infinity, '0.1']) throwsWith(build([5], { epsilon }), ConfigError, 'ln: epsilon must be a positive number');
  throwsWith(build([5], { center: 'yes' }), ConfigError, 'ln: center must be true or false, got "yes"');
  throwsWith(build([5], { scale: 1 }), ConfigError, 'ln: scale must be true or false, got 1');
  throwsWith(() => layers.layerNormalization({ momentum: 0.9 } as never), ConfigError, 'unknown setting momentum');
  // The last axis, every way it can be written, is accepted.
  for (const axis of [-1, 3, [3], [-1]]) sequential({ inputShape: [4, 4, 3], layers: [layers.layerNormalization({ axis } as LayerNormalizationOptions)] }).dispose();
  sequential({ inputShape: [2, 5], layers: [layers.layerNormalization({ axis: 2, epsilon: 1e-9 })] }).dispose();
});

test('weights: γ (starts at 1) and β (at 0), one per channel, both trainable; absent when scale or center is false', () => {
  const make = (options: LayerNormalizationOptions = {}) => sequential({ inputShape: [4, 4, 2], layers: [
    layers.conv2d({ filters: 3, kernelSize: 3, name: 'c' }), layers.layerNormalization({ name: 'ln', ...options }),
    layers.flatten(), layers.dense({ units: 2, name: 'd' }),
  ] });
  const m = make();
  assert.equal(m.weights.map((p) => p.name), ['c/kernel', 'c/bias', 'ln/gamma', 'ln/beta', 'd/kernel', 'd/bias']);
  assert.equal(m.nonTrainableWeights, []);
  assert.equal(valuesOf(m).slice(2, 4).map((w) => [...w]), [[1, 1, 1], [0, 0, 0]]);
  assert.is(m.parameterCount, 2 * 9 * 3 + 3 + 2 * 3 + 12 * 2 + 2);
  assert.equal(make({ center: false }).weights.map((p) => p.name).filter((n) => n.startsWith('ln')), ['ln/gamma']);
  assert.equal(make({ scale: false }).weights.map((p) => p.name).filter((n) => n.startsWith('ln')), ['ln/beta']);
  assert.equal(make({ scale: false, center: false }).weights.map((p) => p.name).filter((n) => n.startsWith('ln')), []);
});

test('predict normalises each position of each example by its own statistics, on ranks 1 to 3, with every center/scale setting', () => {
  const rng = random(4);
  for (const inputShape of [[7], [3, 6], [3, 4, 5], [2, 2, 1], [5, 3, 33]]) {
    for (const [center, scale] of [[true, true], [false, true], [true, false], [false, false]]) {
      const m = sequential({ inputShape, layers: [layers.layerNormalization({ epsilon: 0.01, center, scale })] });
      m.setWeights(m.weights.map((p) => rng.array(p.size, -2, 2)));
      const [gamma, beta] = [scale ? valuesOf(m)[0] : undefined, center ? valuesOf(m)[scale ? 1 : 0] : undefined];
      const x = rng.array(6 * m.inputSize, -3, 3), channels = inputShape[inputShape.length - 1];
      const expected = ref.layerNormForward(x, x.length / channels, channels, { gamma, beta }, 0.01).y;
      const y = m.predict(tensor(x, [6, ...inputShape]));
      assert.equal(y.shape, [6, ...inputShape]);
      assertClose(y.dataSync(), expected, 1e-5, `[${inputShape}], center ${center}, scale ${scale}`);
      m.dispose();
    }
  }
});

/** conv → layer norm → ReLU → pool → dense softmax, trained on the strokes. */
async function trainStrokes(seed: number) {
  const { images, labels } = strokes(96, 8, 3);
  const m = sequential({ inputShape: [8, 8, 1], seed, layers: [
    layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same' }), layers.layerNormalization({ name: 'ln' }), layers.relu(),
    layers.maxPool2d({ poolSize: 2 }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  const history = await m.fit(tensor(images, [96, 8, 8, 1]), tensor(labels, [96, 4]), { epochs: 8, batchSize: 16 });
  return { m, loss: history.history.loss as number[] };
}

test('a model with layer normalisation trains: the loss falls; the same seed gives the same weights bit for bit', async () => {
  const first = await trainStrokes(5), again = await trainStrokes(5);
  assert.ok(first.loss[first.loss.length - 1] < 0.5 * first.loss[0], `loss ${first.loss.map((l) => l.toFixed(3)).join(' → ')}`);
  valuesOf(first.m).forEach((w, i) => assertSameBits(valuesOf(again.m)[i], w, first.m.weights[i].name));
  const gamma = first.m.getLayer('ln').params[0];
  assert.not.equal([...valuesOf(first.m)[first.m.weights.indexOf(gamma)]], [1, 1, 1, 1, 1, 1], 'γ trained');
});

test('a frozen LayerNormalization keeps γ and β while the layers before it train through it', async () => {
  const rng = random(6);
  const m = sequential({ inputShape: [6], seed: 2, layers: [
    layers.dense({ units: 5, name: 'first' }), layers.layerNormalization({ name: 'ln' }), layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  m.getLayer('ln').trainable = false;
  assert.equal(m.nonTrainableWeights.map((p) => p.name), ['ln/gamma', 'ln/beta']);
  const before = valuesOf(m);
  const labels = new Float32Array(30);
  for (let i = 0; i < 10; i++) labels[i * 3 + rng.int(0, 2)] = 1;
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  await m.fit(tensor(rng.array(60, -2, 2), [10, 6]), tensor(labels, [10, 3]), { epochs: 2, batchSize: 5 });
  const after = valuesOf(m);
  m.weights.forEach((p, i) => {
    if (p.name.startsWith('ln/')) assertSameBits(after[i], before[i], `frozen ${p.name}`);
    else assert.not.equal([...after[i]], [...before[i]], `${p.name} trained`);
  });
});

test('saved and loaded in the convas format: the same settings and predictions', async () => {
  const m = sequential({ inputShape: [3, 4, 5], seed: 3, layers: [layers.layerNormalization({ name: 'ln', epsilon: 1e-5, center: false, axis: 3 })] });
  m.setWeights([random(7).array(5, -1, 1)]);
  const location = await newModelLocation();
  await m.save(location);
  const back = await loadModel(location);
  assert.equal(back.getLayer('ln').getConfig(), { className: 'LayerNormalization', name: 'ln', axis: 3, epsilon: 1e-5, center: false, scale: true });
  const x = tensor(random(8).array(2 * 60), [2, 3, 4, 5]);
  assertSameBits(back.predict(x).dataSync(), m.predict(x).dataSync(), 'predictions after loading');
});

test.run();
