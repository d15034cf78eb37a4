// model.activations(x): each layer's output, the last one equal to predict's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Tensor, layers, ops, sequential, tensor } from '../../src/index.js';
import { getBackend } from '../../src/backend/wasm.js';
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

test('activations of more examples than a pass takes: run in chunks, each example as alone, and the model keeps buffers for a chunk only', async () => {
  await kernels();
  const memory = getBackend().memory;
  const net = () => sequential({ inputShape: [5, 5, 2], seed: 4, layers: [layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }),
    layers.flatten(), layers.dense({ units: 2 })] });
  const n = 75;
  const values = random(2).array(n * 50);
  const x = tensor(values, [n, 5, 5, 2]);
  /** What the model keeps after activations of `examples` examples, its outputs disposed. */
  const keptAfter = (model: ReturnType<typeof net>, examples: Tensor) => {
    const before = memory.bytesInUse;
    const outputs = model.activations(examples);
    outputs.forEach((t) => t.dispose());
    return memory.bytesInUse - before;
  };
  const model = net();
  const all = model.activations(x);
  for (const i of [0, 31, 32, 74]) {
    model.activations(tensor(values.slice(i * 50, (i + 1) * 50), [1, 5, 5, 2])).forEach((t, k) => {
      assertClose(all[k].dataSync().subarray(i * t.size, (i + 1) * t.size), t.dataSync(), 0);
    });
  }
  const [many, chunk] = [net(), net()];
  assert.is(keptAfter(many, x), keptAfter(chunk, tensor(values.slice(0, 32 * 50), [32, 5, 5, 2])), 'buffers for 32 examples, not 75');
  for (const m of [model, many, chunk]) m.dispose();
});

test.run();
