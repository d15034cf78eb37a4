// Whole models: gradients against central differences, learning, the tutorial example, determinism.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layers, sequential, tensor } from '../../src/index.js';
import { checkModelGradients } from '../gradient-check.js';
import { kernels, random } from '../helpers.js';
import { smallCnn, strokes } from './synthetic.js';

test('a whole model: every parameter gradient matches central differences, for both losses (cross-entropy fused with softmax and on its own)', async () => {
  await kernels();
  const { images, labels } = strokes(6, 8, 3);
  const x = tensor(images, [6, 8, 8, 1]), y = tensor(labels, [6, 4]);
  const cases = [['categoricalCrossentropy', 'softmax'], ['meanSquaredError', 'softmax'], ['categoricalCrossentropy', 'sigmoid']] as const;
  for (const [loss, activation] of cases) {
    const model = smallCnn(5, activation);
    model.compile({ optimizer: 'sgd', loss });
    checkModelGradients(model, x, y, `${loss} after ${activation}`, random(9).next);
    model.dispose();
  }
});

test('a small CNN learns synthetic strokes to above 95% training accuracy', async () => {
  await kernels();
  const { images, labels } = strokes(200, 8, 1);
  const x = tensor(images, [200, 8, 8, 1]), y = tensor(labels, [200, 4]);
  const model = smallCnn(1);
  model.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  const before = model.evaluate(x, y).accuracy;
  const history = await model.fit(x, y, { epochs: 30, batchSize: 16 });
  const after = model.evaluate(x, y);
  assert.ok(before < 0.6, `starts near chance (${before})`);
  assert.ok(after.accuracy > 0.95, `training accuracy ${after.accuracy}`);
  assert.ok(history.history.loss[29] < history.history.loss[0] / 4, `loss falls: ${history.history.loss[0]} → ${history.history.loss[29]}`);
});

test('the tutorial example: ½Σ(t − o)² moves the trained image from about uniform to its class', async () => {
  await kernels();
  // Four 6×6 images (dog, cat, boat, bird in the tutorial), one per class.
  const { images, labels } = strokes(4, 6, 2);
  const x = tensor(images, [4, 6, 6, 1]), y = tensor(labels, [4, 4]);
  const model = sequential({ inputShape: [6, 6, 1], seed: 3, layers: [
    layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }),
    layers.maxPool2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: { type: 'sgd', learningRate: 0.5 }, loss: 'meanSquaredError' });
  const boat = tensor(images.slice(2 * 36, 3 * 36), [1, 6, 6, 1]);
  const before = model.predict(boat).dataSync();
  assert.ok(Math.max(...before) < 0.6, `untrained output about uniform: ${before}`);
  await model.fit(x, y, { epochs: 300, batchSize: 4 });
  const after = model.predict(boat).dataSync();
  assert.ok(after[2] > 0.7, `trained output on the right class: ${after}`);
  assert.ok(after[2] > before[2] + 0.3, `moved toward the target: ${before[2]} → ${after[2]}`);
});

test('the same seed trains to the same weights bit for bit; another seed does not', async () => {
  await kernels();
  const { images, labels } = strokes(40, 8, 4);
  const x = tensor(images, [40, 8, 8, 1]), y = tensor(labels, [40, 4]);
  const train = async (seed: number) => {
    const model = sequential({ inputShape: [8, 8, 1], seed, layers: [
      layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), layers.dropout({ rate: 0.2 }),
      layers.avgPool2d({ poolSize: 2 }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
    ] });
    model.compile({ optimizer: { type: 'momentum', learningRate: 0.05, useNesterov: true }, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 3, batchSize: 8 });
    const weights = model.getWeights().map((w) => w.dataSync());
    model.dispose();
    return weights;
  };
  const bits = (ws: Float32Array[]) => ws.map((w) => Array.from(new Uint32Array(w.buffer)).join(',')).join('|');
  const a = await train(42), b = await train(42), c = await train(43);
  assert.is(bits(a), bits(b));
  assert.is.not(bits(a), bits(c));
});

test.run();
