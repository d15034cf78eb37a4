// predict runs the examples in chunks (batchSize, capped at INFERENCE_CHUNK per thread): how they are
// grouped must never change an example's result. evaluate scores what it runs, whatever ran before.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layers, sequential, tensor } from '../../src/index.js';
import { kernels, random } from '../helpers.js';

test('predict gives every example the same bits at any batchSize (1, 7, 32, 100) over 100 examples', async () => {
  await kernels();
  const model = sequential({
    inputShape: [9, 9, 2], seed: 5, layers: [
      layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPool2d({ poolSize: 2 }),
      layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  const x = tensor(random(2).array(100 * 9 * 9 * 2), [100, 9, 9, 2]);
  const [first, ...others] = [1, 7, 32, 100].map((batchSize) => model.predict(x, { batchSize }).dataSync());
  assert.ok(first.some((v) => v !== first[0]), 'the examples give different outputs');
  for (const other of others) assert.equal(Array.from(other), Array.from(first));
  model.dispose();
});

test('evaluate after fit at a smaller batch: the fused softmax cross-entropy reads the logits of this pass, not a buffer planned away', async () => {
  await kernels();
  const model = sequential({ inputShape: [6, 6, 1], seed: 3, layers: [
    layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  const n = 90, rng = random(8);
  const x = tensor(rng.array(n * 36), [n, 6, 6, 1]);
  const y = tensor(Array.from({ length: n * 4 }, (_, i) => (i % 4 === (Math.floor(i / 4) * 7) % 4 ? 1 : 0)), [n, 4]);
  await model.fit(x, y, { epochs: 2, batchSize: 5 }); // buffers planned for 5 examples: evaluate plans 32
  const evaluated = model.evaluate(x, y);
  const p = model.predict(x).dataSync(), t = y.dataSync();
  let crossEntropy = 0, right = 0;
  for (let i = 0; i < n; i++) {
    const row = Array.from(p.subarray(i * 4, i * 4 + 4)), label = Array.from(t.subarray(i * 4, i * 4 + 4)).indexOf(1);
    crossEntropy -= Math.log(row[label]);
    if (row.indexOf(Math.max(...row)) === label) right++;
  }
  for (const [batchSize, { loss, accuracy }] of [[32, evaluated], [90, model.evaluate(x, y, { batchSize: 90 })]] as const) {
    assert.ok(Math.abs(loss - crossEntropy / n) < 1e-5 * (crossEntropy / n), `batch ${batchSize}: loss ${loss}, from predict ${crossEntropy / n}`);
    assert.is(accuracy, right / n, `batch ${batchSize}: accuracy`);
  }
  model.dispose();
});

test.run();
