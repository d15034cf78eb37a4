// A call fixed in inference mode (apply(x, { training: false }), Keras's training=False): in fit,
// a batch normalisation called so normalises with its moving statistics, which stay as they are,
// while γ, β and the layers before it train through it (checked against central differences); a
// model called so runs its dropouts and augmentations as at inference, but only in that call.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { ConfigError, type Model, input, layers, model, sequential, tensor } from '../../src/index.js';
import { checkModelGradients } from '../gradient-check.js';
import { assertClose, assertSameBits, kernels, random } from '../helpers.js';
import { throwsWith } from '../throws-with.js';

test.before(async () => {
  await kernels();
});

const valuesOf = (m: Model, suffix: string) => m.params.filter((p) => p.name.endsWith(suffix))
  .map((p) => getBackend().memory.f32(p.value, p.size).slice());

test('a BatchNormalization called with training false: fit normalises with its moving statistics and keeps them; γ, β and the conv before it train, gradients as central differences give', async () => {
  const rng = random(3);
  const inp = input({ shape: [5, 5, 3] });
  const normalised = layers.batchNormalization({ name: 'bn' }).apply(layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(inp), { training: false });
  const m = model({ inputs: inp, outputs: layers.dense({ units: 2 }).apply(layers.flatten().apply(normalised)), seed: 1 });
  // Statistics far from any batch's, and γ, β away from 1, 0: each mode gives other outputs and gradients.
  const [gamma, beta, mean, variance] = m.getLayer('bn').params;
  const memory = getBackend().memory;
  memory.f32(gamma.value, 4).set(rng.array(4, 0.5, 1.5));
  memory.f32(beta.value, 4).set(rng.array(4, -0.5, 0.5));
  memory.f32(mean.value, 4).set(rng.array(4, -1, 1));
  memory.f32(variance.value, 4).set(rng.array(4, 0.5, 2));
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'meanSquaredError' });
  const x = tensor(rng.array(6 * 75), [6, 5, 5, 3]), y = tensor(rng.array(12), [6, 2]);
  const statistics = [...valuesOf(m, 'moving_mean'), ...valuesOf(m, 'moving_variance')];

  assertClose(new Float32Array([m.lossAndGradients(x, y)]), new Float32Array([m.evaluate(x, y).loss]), 1e-6,
    'a training pass computes what inference does');
  checkModelGradients(m, x, y, 'conv → BatchNormalization(training false) → dense', rng.next);
  assert.equal(m.trainableWeights.map((p) => p.name.split('/')[1]), ['kernel', 'bias', 'gamma', 'beta', 'kernel', 'bias']);
  const gammaBefore = valuesOf(m, 'gamma')[0];
  await m.fit(x, y, { epochs: 2, batchSize: 3 });
  [...valuesOf(m, 'moving_mean'), ...valuesOf(m, 'moving_variance')].forEach((v, i) => assertSameBits(v, statistics[i], 'moving statistics after fit'));
  assert.ok(valuesOf(m, 'gamma')[0].some((v, i) => v !== gammaBefore[i]), 'γ trained');
});

test('a model called with training false runs its dropout and augmentations (a random crop: the centre) as at inference in fit, gradients flowing through; on its own it trains as usual', () => {
  const rng = random(5);
  const nested = sequential({ inputShape: [6, 6, 2], name: 'nested', layers: [
    layers.randomFlip(), layers.randomRotation({ factor: 0.2 }), layers.randomContrast({ factor: 0.5 }), layers.gaussianNoise({ stddev: 1 }),
    layers.randomCrop({ height: 5, width: 5 }), layers.conv2d({ filters: 3, kernelSize: 3 }), layers.dropout({ rate: 0.5 }),
    layers.flatten(), layers.dense({ units: 3 })] });
  const inp = input({ shape: [6, 6, 2] });
  const outer = model({ inputs: inp, outputs: layers.dense({ units: 2 }).apply(nested.apply(inp, { training: false })), seed: 2 });
  outer.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = tensor(rng.array(4 * 72), [4, 6, 6, 2]), y = tensor(rng.array(8), [4, 2]);
  assertClose(new Float32Array([outer.lossAndGradients(x, y)]), new Float32Array([outer.evaluate(x, y).loss]), 1e-6,
    'a training pass through the call computes what inference does');
  checkModelGradients(outer, x, y, 'through a model called in inference mode', rng.next);

  // The mode is the call's: the nested model trained on its own drops, flips and adds noise.
  nested.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const ys = tensor(rng.array(12), [4, 3]);
  assert.not.equal(nested.lossAndGradients(x, ys), nested.evaluate(x, ys).loss, 'on its own, fit\'s passes act as in training');
});

test('apply takes { training: false } only: true, other values and other options are refused by name', () => {
  const inp = input({ shape: [3] });
  throwsWith(() => layers.dense({ units: 1, name: 'd1' }).apply(inp, { training: true } as never), ConfigError, 'd1', 'takes false', 'got true');
  throwsWith(() => layers.dense({ units: 1, name: 'd2' }).apply(inp, { training: 0 } as never), ConfigError, 'd2', 'got 0');
  throwsWith(() => layers.dense({ units: 1, name: 'd3' }).apply(inp, { trainng: false } as never), ConfigError, 'd3', '{ training: false }', 'trainng');
  assert.is(layers.dense({ units: 1 }).apply(inp, {}).node.inferenceMode, false, 'no training: the call follows the run');
  assert.is(layers.dense({ units: 1 }).apply(inp, { training: false }).node.inferenceMode, true);
});

test.run();
