// model.activations(x): each layer's output, the last one equal to predict's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layers, ops, sequential, tensor } from '../../src/index.js';
import { assertClose, kernels, random } from '../helpers.js';

test('activations: one tensor per layer with its output shape; conv then relu then pool chain up; the last is predict', async () => {
  await kernels();
  const model = sequential({
    inputShape: [6, 6, 1], seed: 3, layers: [
      layers.conv2d({ filters: 2, kernelSize: 3 }), layers.relu(), layers.maxPool2d({ poolSize: 2 }),
      layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
    ],
  });
  const x = tensor(random(1).array(2 * 36), [2, 6, 6, 1]);
  const outputs = model.activations(x);
  assert.equal(outputs.map((t) => t.shape), [[2, 4, 4, 2], [2, 4, 4, 2], [2, 2, 2, 2], [2, 8], [2, 3]]);
  const [conv, relu, pool, , probabilities] = outputs;
  assertClose(relu.dataSync(), ops.relu(conv).dataSync(), 0);
  assertClose(pool.dataSync(), ops.maxPool(relu).dataSync(), 0);
  assertClose(probabilities.dataSync(), model.predict(x).dataSync(), 0);
  model.dispose();
});

test.run();
