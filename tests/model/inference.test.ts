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

test('evaluate scores the pass it runs: after fit planned a smaller batch, its loss and accuracy are those of predict', async () => {
  await kernels();
  const model = sequential({ inputShape: [6], seed: 2, layers: [layers.dense({ units: 8, activation: 'tanh' }), layers.dense({ units: 3, activation: 'softmax' })] });
  model.compile({ optimizer: { type: 'adam', learningRate: 0.05 }, loss: 'categoricalCrossentropy' });
  const n = 40;
  const x = tensor(random(3).array(n * 6), [n, 6]);
  const classes = Array.from({ length: n }, (_, i) => (i * 7) % 3);
  const y = tensor(classes.flatMap((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0))), [n, 3]);
  await model.fit(x, y, { epochs: 3, batchSize: 4 }); // buffers planned for 4 examples: evaluate plans for 32
  const p = model.predict(x, { batchSize: 4 }).dataSync();
  const row = (i: number) => Array.from(p.subarray(3 * i, 3 * i + 3));
  const loss = classes.reduce((sum, c, i) => sum - Math.log(row(i)[c]), 0) / n;
  const accuracy = classes.filter((c, i) => row(i).indexOf(Math.max(...row(i))) === c).length / n;
  const scored = model.evaluate(x, y, { batchSize: 32 });
  assert.ok(Math.abs(scored.loss - loss) < 1e-5, `loss ${scored.loss}, from predict ${loss}`);
  assert.is(scored.accuracy, accuracy);
  model.dispose();
});

test.run();
