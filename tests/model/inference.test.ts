// predict runs the examples in chunks (batchSize, capped at INFERENCE_CHUNK per thread): how they are
// grouped must never change an example's result.
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

test.run();
