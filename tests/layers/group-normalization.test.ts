// GroupNormalization in models: its settings refused when impossible, its weights, predict against
// the naive reference on many random shapes (odd sizes, groups 1, 2, a few and every channel),
// training (the loss falls, the same seed gives the same bits), a frozen layer, and the convas
// format's round trip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, type GroupNormalizationOptions, type Model, layers, loadModel, sequential, tensor } from '../../src/index.js';
import { newModelLocation } from '../io/tfjs-files.js';
import { assertClose, assertSameBits, kernels, random, withBuffers } from '../helpers.js';
import { init } from '../../src/backend/wasm.js';
import { strokes } from '../model/synthetic.js';
import { groupNormForward } from '../reference/group-norm.js';
import { throwsWith } from '../throws-with.js';

const valuesOf = (m: Model) => m.getWeights().map((w) => w.dataSync());

test.before(async () => {
  await kernels();
});

test('impossible settings are ConfigErrors naming the setting and what was expected', () => {
  const build = (inputShape: number[], options: Record<string, unknown>) => () =>
    sequential({ inputShape, layers: [layers.groupNormalization({ name: 'gn', ...options } as GroupNormalizationOptions)] });
  throwsWith(build([4, 4, 6], { groups: 4 }), ConfigError, 'gn: groups 4 does not divide the 6 channels of its input [4, 4, 6]; expected a divisor of 6 or -1');
  throwsWith(build([4, 4, 6], {}), ConfigError, 'gn: groups 32 does not divide the 6 channels');
  throwsWith(build([4, 4, 6], { groups: 12 }), ConfigError, 'gn: groups 12 does not divide the 6 channels');
  for (const groups of [0, -2, 1.5, '2']) {
    throwsWith(build([4, 4, 6], { groups }), ConfigError, 'gn: groups must be a positive integer dividing the channels, or -1 (one group per channel), got');
  }
  for (const axis of [1, 2, -2]) throwsWith(build([4, 4, 6], { groups: 2, axis }), ConfigError, `gn: axis ${axis} is not the last axis of its input [4, 4, 6]`);
  throwsWith(build([4, 4, 6], { groups: 2, axis: [1, 2] }), ConfigError, 'gn: axis must be an integer (the channel axis, -1), got [1,2]');
  for (const epsilon of [0, -1e-3, NaN, '0.1']) throwsWith(build([6], { groups: 2, epsilon }), ConfigError, 'gn: epsilon must be a positive number');
  throwsWith(build([6], { groups: 2, center: 'yes' }), ConfigError, 'gn: center must be true or false, got "yes"');
  throwsWith(build([6], { groups: 2, scale: 1 }), ConfigError, 'gn: scale must be true or false, got 1');
  throwsWith(() => layers.groupNormalization({ momentum: 0.9 } as never), ConfigError, 'unknown setting momentum');
  for (const axis of [-1, 3, [3]]) sequential({ inputShape: [4, 4, 6], layers: [layers.groupNormalization({ groups: 3, axis } as GroupNormalizationOptions)] }).dispose();
});

test('weights: γ (starts at 1) and β (at 0), one per channel, both trainable; absent when scale or center is false', () => {
  const make = (options: GroupNormalizationOptions = {}) => sequential({ inputShape: [4, 4, 4], layers: [
    layers.groupNormalization({ name: 'gn', groups: 2, ...options }), layers.flatten(), layers.dense({ units: 2, name: 'd' }),
  ] });
  const m = make();
  assert.equal(m.weights.map((p) => p.name), ['gn/gamma', 'gn/beta', 'd/kernel', 'd/bias']);
  assert.equal(valuesOf(m).slice(0, 2).map((w) => [...w]), [[1, 1, 1, 1], [0, 0, 0, 0]]);
  assert.equal(make({ center: false }).weights.map((p) => p.name).filter((n) => n.startsWith('gn')), ['gn/gamma']);
  assert.equal(make({ scale: false }).weights.map((p) => p.name).filter((n) => n.startsWith('gn')), ['gn/beta']);
  assert.equal(make({ scale: false, center: false }).weights.map((p) => p.name).filter((n) => n.startsWith('gn')), []);
});

test('predict normalises each example\'s groups by their own statistics: random shapes, groups 1, 2, a few, every channel (-1 too)', () => {
  const rng = random(41);
  for (let trial = 0; trial < 60; trial++) {
    const channels = rng.pick([1, 2, 3, 4, 5, 6, 8, 9, 12, 15, 16, 33]);
    const inputShape = [[channels], [rng.int(1, 9), channels], [rng.int(1, 7), rng.int(1, 7), channels]][trial % 3];
    const divisors = Array.from({ length: channels }, (_, i) => i + 1).filter((g) => channels % g === 0);
    const groups = [1, 2, -1, channels, rng.pick(divisors)][trial % 5];
    if (groups === 2 && channels % 2 !== 0) continue;
    const [center, scale] = [trial % 4 !== 1, trial % 7 !== 3];
    const epsilon = rng.pick([1e-3, 1e-5, 0.1]);
    const m = sequential({ inputShape, layers: [layers.groupNormalization({ groups, epsilon, center, scale })] });
    m.setWeights(m.weights.map((p) => rng.array(p.size, -2, 2)));
    const [gamma, beta] = [scale ? valuesOf(m)[0] : undefined, center ? valuesOf(m)[scale ? 1 : 0] : undefined];
    const batch = rng.int(1, 5), positions = inputShape.slice(0, -1).reduce((a, b) => a * b, 1);
    // Examples and groups of their own offsets and spreads, so that no two share statistics.
    const offset = rng.next() * 40 - 20, x = rng.array(batch * m.inputSize, -3, 3).map((v, i) => offset + v * (1 + (i % 7)));
    const expected = groupNormForward(x, batch, positions, channels, groups === -1 ? channels : groups, { gamma, beta }, epsilon);
    const y = m.predict(tensor(x, [batch, ...inputShape]));
    assertClose(y.dataSync(), expected, 2e-5, `[${batch}, ${inputShape}], groups ${groups}, center ${center}, scale ${scale}, ε ${epsilon}`);
    m.dispose();
  }
});

test('a constant group normalises to β exactly, beside a group that varies', () => {
  const m = sequential({ inputShape: [5, 3, 4], layers: [layers.groupNormalization({ groups: 2, epsilon: 1e-6 })] });
  const gamma = Float32Array.of(2, 2, 3, 3), beta = Float32Array.of(0.5, 0.5, -1, -1);
  m.setWeights([gamma, beta]);
  const x = random(42).array(2 * 60).map((v, i) => (i % 4 < 2 ? 7.25 : 10 + v));
  const y = m.predict(tensor(x, [2, 5, 3, 4])).dataSync();
  for (let i = 0; i < y.length; i += 4) assert.equal([y[i], y[i + 1]], [0.5, 0.5], 'the constant group is β');
  assertClose(y, groupNormForward(x, 2, 15, 4, 2, { gamma, beta }, 1e-6), 2e-5, 'the group that varies');
});

/** conv → group norm → ReLU → pool → dense softmax, trained on the strokes. */
async function trainStrokes(seed: number) {
  const { images, labels } = strokes(96, 8, 3);
  const m = sequential({ inputShape: [8, 8, 1], seed, layers: [
    layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same' }), layers.groupNormalization({ name: 'gn', groups: 3 }), layers.relu(),
    layers.maxPool2d({ poolSize: 2 }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  const history = await m.fit(tensor(images, [96, 8, 8, 1]), tensor(labels, [96, 4]), { epochs: 8, batchSize: 16 });
  return { m, loss: history.history.loss as number[] };
}

test('a group of one value (one channel a group, one position) normalises to β and passes back a gradient of exactly 0', async () => {
  await kernels();
  const { parallel } = await init();
  const rng = random(41);
  for (const [batch, channels] of [[2, 3], [1, 1], [5, 8]]) {
    const n = batch * channels, x = rng.array(n, 0, 100), dy = rng.array(n, -10, 10), gamma = rng.array(channels, 0.5, 2), beta = rng.array(channels);
    const [y, , , dx] = withBuffers([x, gamma, beta, Float32Array.of(0.01), dy],
      [n, batch * channels, batch * channels, n, channels, channels, parallel.normalization.groupNormWorkspaceFloats(channels)],
      ([px, pg, pb, pe, pdy], [py, pm, ps, pdx, pdg, pdb, workspace]) => {
        parallel.normalization.groupNormForward(px, pg, pb, py, pm, ps, pe, workspace, batch, 1, channels, channels);
        parallel.normalization.groupNormBackward(px, pdy, pg, pm, ps, pdx, pdg, pdb, workspace, batch, 1, channels, channels);
      });
    assert.equal([...y], Array.from({ length: n }, (_, i) => beta[i % channels]), `${batch}×${channels}: y = β`);
    // Before: the three terms of the gradient cancelled only to rounding (−7.6e-6 beside values under 0.01).
    assert.ok(dx.every((v) => v === 0), `${batch}×${channels}: dx ${[...dx]}`);
  }
});

test('a model with group normalisation trains: the loss falls; the same seed gives the same weights bit for bit', async () => {
  const first = await trainStrokes(5), again = await trainStrokes(5);
  assert.ok(first.loss[first.loss.length - 1] < 0.5 * first.loss[0], `loss ${first.loss.map((l) => l.toFixed(3)).join(' → ')}`);
  valuesOf(first.m).forEach((w, i) => assertSameBits(valuesOf(again.m)[i], w, first.m.weights[i].name));
  const gamma = first.m.getLayer('gn').params[0];
  assert.not.equal([...valuesOf(first.m)[first.m.weights.indexOf(gamma)]], [1, 1, 1, 1, 1, 1], 'γ trained');
});

test('a frozen GroupNormalization keeps γ and β while the layers before it train through it', async () => {
  const rng = random(6);
  const m = sequential({ inputShape: [6], seed: 2, layers: [
    layers.dense({ units: 4, name: 'first' }), layers.groupNormalization({ name: 'gn', groups: 2 }), layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  m.getLayer('gn').trainable = false;
  assert.equal(m.nonTrainableWeights.map((p) => p.name), ['gn/gamma', 'gn/beta']);
  const before = valuesOf(m);
  const labels = new Float32Array(30);
  for (let i = 0; i < 10; i++) labels[i * 3 + rng.int(0, 2)] = 1;
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  await m.fit(tensor(rng.array(60, -2, 2), [10, 6]), tensor(labels, [10, 3]), { epochs: 2, batchSize: 5 });
  const after = valuesOf(m);
  m.weights.forEach((p, i) => {
    if (p.name.startsWith('gn/')) assertSameBits(after[i], before[i], `frozen ${p.name}`);
    else assert.not.equal([...after[i]], [...before[i]], `${p.name} trained`);
  });
});

test('saved and loaded in the convas format: the same settings (Keras\'s names) and predictions', async () => {
  const m = sequential({ inputShape: [3, 4, 6], seed: 3, layers: [
    layers.groupNormalization({ name: 'gn', groups: -1, epsilon: 1e-5, center: false, axis: 3 }),
    layers.groupNormalization({ name: 'gn2', groups: 2 }),
  ] });
  m.setWeights([random(7).array(6, -1, 1), random(9).array(6, -1, 1), random(10).array(6, -1, 1)]);
  const location = await newModelLocation();
  await m.save(location);
  const back = await loadModel(location);
  assert.equal(back.getLayer('gn').getConfig(), { className: 'GroupNormalization', name: 'gn', groups: -1, axis: 3, epsilon: 1e-5, center: false, scale: true });
  assert.equal(back.getLayer('gn2').getConfig(), { className: 'GroupNormalization', name: 'gn2', groups: 2, axis: -1, epsilon: 1e-3, center: true, scale: true });
  const x = tensor(random(8).array(2 * 72), [2, 3, 4, 6]);
  assertSameBits(back.predict(x).dataSync(), m.predict(x).dataSync(), 'predictions after loading');
});

test.run();
