// A fit that diverges stops at once with a DivergenceError naming where, and keeps the weights from
// before the step that failed: the model still predicts, saves and loads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DivergenceError, type OptimizerConfig, type Tensor, init, layers, loadModel, sequential } from '../../src/index.js';
import { assertSameBits, assertSameWeights, strokeData, temporaryDirectory } from '../io/model-files.js';

/** A linear output under squared error: nothing saturates, so a learning rate far too high blows up. */
const regression = () => sequential({ inputShape: [8, 8, 1], seed: 4, layers: [
  layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }), layers.flatten(), layers.dense({ units: 4 }),
] });

const weightsOf = (ws: Tensor[]) => ws.map((w) => w.dataSync());

async function divergingFit(optimizer: OptimizerConfig, scaleWeights = 1) {
  await init();
  const { x, y } = strokeData(64, 3);
  const model = regression();
  model.compile({ optimizer, loss: 'meanSquaredError' });
  model.setWeights(model.getWeights().map((w) => w.dataSync().map((v) => v * scaleWeights)));
  let lastGood = weightsOf(model.getWeights());
  let error: unknown;
  try {
    await model.fit(x, y, { epochs: 20, batchSize: 8, onBatchEnd: () => { lastGood = weightsOf(model.getWeights()); } });
  } catch (e) {
    error = e;
  }
  assert.instance(error, DivergenceError, `expected a DivergenceError, got ${error}`);
  const message = (error as Error).message;
  assert.match(message, /at epoch \d+, batch \d+/);
  assert.match(message, /lower learningRate/);
  weightsOf(model.getWeights()).forEach((w, i) => assertSameBits(w, lastGood[i], `weight ${i} after the failed step`));
  const dir = await temporaryDirectory();
  await model.save(dir);
  const loaded = await loadModel(dir);
  assertSameWeights(loaded, model, 'saved after divergence');
  const prediction = model.predict(x).dataSync();
  assertSameBits(loaded.predict(x).dataSync(), prediction, 'loaded predictions');
  return { message, prediction };
}

test('learningRate 1e3: fit stops with the weights from before the failing step; they predict and save', async () => {
  const { prediction } = await divergingFit({ type: 'sgd', learningRate: 1e3 });
  assert.ok(prediction.every(Number.isFinite), 'predictions from the kept weights are finite');
});

test('a step whose update overflows the weights is undone (weights and optimizer state)', async () => {
  const { message, prediction } = await divergingFit({ type: 'momentum', learningRate: 1e38 });
  assert.ok(prediction.every(Number.isFinite), 'predictions from the kept weights are finite');
  assert.match(message, /the step made .* NaN or infinite \(it was undone\)/);
});

test('an infinite loss stops fit before the step', async () => {
  const { message } = await divergingFit({ type: 'sgd', learningRate: 0.01 }, 1e30);
  assert.match(message, /the loss became (Infinity|NaN) at epoch 1, batch 1/);
});

test('an infinite gradient under a finite loss stops fit before the step', async () => {
  // Outputs near 1e33 stay finite in f32, and so does their squared error summed in f64, but the
  // dense kernel's gradient (inputs near 1e16 times output errors near 1e33) overflows.
  const { message } = await divergingFit({ type: 'sgd', learningRate: 0.01 }, 1e16);
  assert.match(message, /the gradient of .* became NaN or infinite at epoch 1, batch 1/);
});

test.run();
