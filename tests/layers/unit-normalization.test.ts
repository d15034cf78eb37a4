// UnitNormalization: its settings refused when impossible, forward and backward against the naive
// reference (Keras's x·rsqrt(max(Σx², minNorm²))) on many shapes, rows under the floor with every
// floor, the default floor (Keras 3's) and Keras 2's, training, and the convas format's round trip.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, type Model, type UnitNormalizationOptions, layers, loadModel, sequential, tensor } from '../../src/index.js';
import { newModelLocation } from '../io/tfjs-files.js';
import { assertClose, assertSameBits, kernels, random } from '../helpers.js';
import * as ref from '../reference/unit-norm.js';
import { runLayer } from '../run-layer.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

test.before(async () => {
  await kernels();
});

test('impossible settings are ConfigErrors naming the setting and what it takes', () => {
  const build = (inputShape: number[], options: Record<string, unknown>) => () =>
    sequential({ inputShape, layers: [layers.unitNormalization({ name: 'un', ...options } as UnitNormalizationOptions)] });
  for (const axis of [0, 1, 2, -2, 4]) throwsWith(build([4, 4, 3], { axis }), ConfigError, `un: axis ${axis} is not the last axis of its input [4, 4, 3]`);
  throwsWith(build([5], { axis: 2 }), ConfigError, 'un: axis 2 is not the last axis of its input [5] per example (batch included, axis 1, or -1)');
  throwsWith(build([4, 4, 3], { axis: [2, 3] }), ConfigError, 'un: axis must be an integer (the last axis, -1), got [2,3]');
  throwsWith(build([4, 4, 3], { axis: '-1' }), ConfigError, 'un: axis must be an integer');
  for (const minNorm of [-1e-6, NaN, Infinity, '0.1', true]) {
    throwsWith(build([5], { minNorm }), ConfigError, 'un: minNorm must be a finite number ≥ 0 (the smallest norm divided by; 0 for none), got');
  }
  throwsWith(() => layers.unitNormalization({ epsilon: 1e-12 } as never), ConfigError, 'unknown setting epsilon');
  for (const axis of [-1, 3, [3], [-1]]) sequential({ inputShape: [4, 4, 3], layers: [layers.unitNormalization({ axis } as UnitNormalizationOptions)] }).dispose();
});

/** Input values with some rows scaled far down: under Keras's floor (1e-6), under PyTorch's, or all zeros. */
function valuesWithSmallRows(rng: ReturnType<typeof random>, length: number, channels: number): Float32Array {
  const x = rng.array(length, -2, 2);
  for (let start = 0; start < length; start += channels) {
    const scale = rng.pick([1, 1, 1, 1, 1e-3, 1e-7, 1e-9, 0]);
    for (let c = start; c < start + channels; c++) x[c] *= scale;
  }
  return x;
}

test('forward and backward match the reference on rank 1 to 3 examples of odd sizes, with every floor, rows under it included', () => {
  const rng = random(11);
  for (let i = 0; i < 40; i++) {
    const channels = rng.pick([1, 2, 3, 5, 7, 16, 33]);
    const inputShape = [[channels], [rng.int(1, 5), channels], [rng.int(1, 6), rng.int(1, 6), channels]][i % 3];
    const minNorm = rng.pick([1e-6, 1e-12, 0, 0.5, 3]), batch = rng.int(1, 5);
    const size = batch * inputShape.reduce((a, b) => a * b, 1);
    const x = valuesWithSmallRows(rng, size, channels);
    const run = runLayer(layers.unitNormalization({ minNorm }), inputShape, batch, x, (n) => rng.array(n));
    const what = `[${batch}, ${inputShape}] minNorm ${minNorm}`;
    assert.equal(run.outputShape, inputShape);
    assertClose(run.y, ref.unitNormForward(x, channels, minNorm).y, 1e-6, `${what} y`);
    assertClose(run.dx, ref.unitNormBackward(x, run.dy, channels, minNorm), 1e-5, `${what} dx`);
  }
});

test("the default floor is Keras 3's and PyTorch's (1e-12): a row of norm 1e-8 is made a unit vector; Keras 2's (minNorm 1e-6) multiplies it by 1e6; zeros stay 0, or NaN with no floor", () => {
  const m = (minNorm?: number) => sequential({ inputShape: [2], layers: [layers.unitNormalization({ minNorm })] });
  const x = tensor([6e-9, -8e-9, 0, 0, 3, 4], [3, 2]);
  // Keras 3 (from 3.6) divides by max(‖x‖, 1e-12), as ops.normalize(x, order=2, epsilon=1e-12): F.normalize's default.
  assertClose(m().predict(x).dataSync(), [0.6, -0.8, 0, 0, 0.6, 0.8], 1e-6, 'Keras 3, F.normalize');
  assertClose(m(1e-6).predict(x).dataSync(), [6e-3, -8e-3, 0, 0, 0.6, 0.8], 1e-6, 'Keras 2');
  const none = m(0).predict(x).dataSync();
  assertClose(none, [0.6, -0.8, NaN, NaN, 0.6, 0.8], 1e-6, 'x / x.norm()');
});

/** dense → unit normalisation → dense softmax, trained on separable random points. */
async function train(seed: number) {
  const rng = random(3), n = 64, x = rng.array(n * 6), y = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) y[i * 3 + (x[i * 6] > 0 ? (x[i * 6 + 1] > 0 ? 0 : 1) : 2)] = 1;
  const m = sequential({ inputShape: [6], seed, layers: [
    layers.dense({ units: 8 }), layers.unitNormalization({ name: 'un' }), layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: { type: 'adam', learningRate: 0.05 }, loss: 'categoricalCrossentropy' });
  const history = await m.fit(tensor(x, [n, 6]), tensor(y, [n, 3]), { epochs: 15, batchSize: 16 });
  return { m, loss: history.history.loss as number[] };
}

const valuesOf = (m: Model) => m.getWeights().map((w) => w.dataSync());

test('a model with unit normalisation trains through it: the loss falls; the same seed gives the same bits', async () => {
  const first = await train(4), again = await train(4);
  assert.ok(first.loss[first.loss.length - 1] < 0.6 * first.loss[0], `loss ${first.loss.map((l) => l.toFixed(3)).join(' → ')}`);
  valuesOf(first.m).forEach((w, i) => assertSameBits(valuesOf(again.m)[i], w, first.m.weights[i].name));
});

test('saved and loaded in the convas format: the same settings and predictions; a TF.js file is refused', async () => {
  const m = sequential({ inputShape: [3, 4, 5], seed: 3, layers: [layers.unitNormalization({ name: 'un', minNorm: 1e-6, axis: 3 })] });
  const location = await newModelLocation();
  await m.save(location);
  const back = await loadModel(location);
  assert.equal(back.getLayer('un').getConfig(), { className: 'UnitNormalization', name: 'un', axis: 3, minNorm: 1e-6 });
  const x = tensor(random(8).array(2 * 60), [2, 3, 4, 5]);
  assertSameBits(back.predict(x).dataSync(), m.predict(x).dataSync(), 'predictions after loading');
  const elsewhere = await newModelLocation();
  await rejectsWith(() => m.save(elsewhere, { format: 'tfjs' }), ConfigError, 'layer un is a UnitNormalization, which TensorFlow.js does not have');
});

test.run();
