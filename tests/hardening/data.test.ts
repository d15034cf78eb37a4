// Hostile data: non-finite images or labels, labels out of range, mismatched or empty datasets and
// impossible batch sizes each give a typed ConvasError that says what to fix.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ShapeError, ValueError, init, tensor } from '../../src/index.js';
import { oneHot } from '../../src/data/dataset.js';
import { expectError } from '../data/expect-error.js';
import { denseModel, strokeData } from '../io/model-files.js';

async function compiledModel() {
  await init();
  const model = denseModel(1);
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  return model;
}

for (const bad of [NaN, Infinity, -Infinity]) {
  test(`an image holding ${bad} is a ValueError in fit, evaluate and predict`, async () => {
    const model = await compiledModel();
    const { x, y } = strokeData(4, 1);
    const pixels = x.dataSync();
    pixels[77] = bad;
    const hostile = tensor(pixels, [...x.shape]);
    await expectError(() => model.fit(hostile, y), ValueError, 'fit', /x holds a non-finite value .* at flat index 77/);
    await expectError(() => model.evaluate(hostile, y), ValueError, 'evaluate', /non-finite/);
    await expectError(() => model.predict(hostile), ValueError, 'predict', /non-finite/);
  });
}

test('labels that are not finite are a ValueError; out of range for oneHot too', async () => {
  const model = await compiledModel();
  const { x, y } = strokeData(4, 1);
  const labels = y.dataSync();
  labels[5] = NaN;
  await expectError(() => model.fit(x, tensor(labels, [...y.shape])), ValueError, 'fit', /y holds a non-finite value/);
  await expectError(() => oneHot(Uint8Array.from([0, 3, 10]), 10), ValueError, 'label 10', /out of range for 10 classes/);
});

test('x and y of different lengths, and an empty dataset, are ShapeErrors', async () => {
  const model = await compiledModel();
  const { x, y } = strokeData(4, 1);
  const { y: y3 } = strokeData(3, 1);
  await expectError(() => model.fit(x, y3), ShapeError, 'fit', /x has 4 examples but y has 3/);
  await expectError(() => model.evaluate(x, y3), ShapeError, 'evaluate', /same length/);
  await expectError(() => model.fit(tensor([], [0, 8, 8, 1]), tensor([], [0, 4])), ShapeError, 'shape', /positive integers/);
});

test('batchSize 0 is refused everywhere; fit refuses one larger than the data, predict and evaluate cap it', async () => {
  const model = await compiledModel();
  const { x, y } = strokeData(10, 1);
  for (const batchSize of [0, -1, 2.5, NaN]) {
    await expectError(() => model.fit(x, y, { batchSize }), ConfigError, 'fit', /batchSize must be a positive integer/);
    await expectError(() => model.predict(x, { batchSize }), ConfigError, 'predict', /batchSize/);
    await expectError(() => model.evaluate(x, y, { batchSize }), ConfigError, 'evaluate', /batchSize/);
  }
  await expectError(() => model.fit(x, y, { batchSize: 11 }), ConfigError, 'fit', /batchSize 11 is larger than the 10 examples/);
  // Left out, the batch size is 32 or all the examples if there are fewer: one step here.
  let steps = 0;
  await model.fit(x, y, { epochs: 1, onBatchEnd: () => { steps++; } });
  assert.is(steps, 1);
  assert.is(model.predict(x).shape[0], 10);
  assert.is(model.predict(x, { batchSize: 1000 }).shape[0], 10);
  assert.ok(Number.isFinite(model.evaluate(x, y, { batchSize: 1000 }).loss));
});

test.run();
