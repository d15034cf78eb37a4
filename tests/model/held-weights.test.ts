// predict and evaluate run their chunks with the weights held (Conv2dJobs.holdWeights): a filter
// transformed for Winograd by the first chunk serves the rest of the call. These check that it is
// transformed once per layer and call, never taken for another layer's, and never kept past the
// call in which it was made (setWeights, or a training step, between two predicts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { usesWinograd } from '../../src/backend/conv2d-algorithm.js';
import { conv2dGeometry } from '../../src/window.js';
import { type Model, type Tensor, init, layers, sequential, tensor } from '../../src/index.js';
import { assertSameBits, random } from '../helpers.js';

const rng = random(41);

/** Two conv2d layers of one geometry, both on Winograd's kernels (8 channels in, 3×3, 'same'). */
function twin(seed: number): Model {
  const m = sequential({ inputShape: [8, 8, 8], seed, layers: [
    layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same' }),
    layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  return m;
}

/** Runs `run` counting the filter transforms: the jobs of the job writer all kernel families share that run one. */
function countTransforms(run: () => unknown): number {
  const jobs = (getBackend().parallel as unknown as { jobs: { run: (kernel: string, ...rest: number[]) => void } }).jobs;
  const runJob = jobs.run;
  let count = 0;
  jobs.run = function (kernel: string, ...rest: number[]) {
    if (kernel === 'winogradFilterTransformInputs') count++;
    return runJob.call(this, kernel, ...rest);
  };
  try {
    run();
  } finally {
    delete (jobs as { run?: unknown }).run;
  }
  return count;
}

const bits = (t: Tensor) => t.dataSync() as Float32Array;

test('predict over many chunks transforms each layer\'s filter once, and gives what every layer run alone gives', async () => {
  await init();
  assert.ok(usesWinograd(conv2dGeometry([1, 8, 8, 8], [3, 3], 8, [1, 1], 'same', 'test'), 'forward'), 'the layers run on Winograd\'s kernels');
  const m = twin(1), x = tensor(rng.array(100 * 8 * 8 * 8), [100, 8, 8, 8]);
  let predicted!: Tensor;
  assert.is(countTransforms(() => (predicted = m.predict(x, { batchSize: 100 }))), 2, 'once per layer, not per chunk of 32');
  // activations() runs each layer once over the whole input, outside any hold.
  assertSameBits(bits(predicted), bits(m.activations(x).at(-1)!), 'predictions');
});

test('weights changed between calls are used: setWeights, and a training step', async () => {
  await init();
  const m = twin(1), x = tensor(rng.array(40 * 8 * 8 * 8), [40, 8, 8, 8]);
  m.predict(x);
  const other = twin(2);
  m.setWeights(other.getWeights());
  assertSameBits(bits(m.predict(x)), bits(other.predict(x)), 'after setWeights');
  const y = tensor(Array.from({ length: 40 * 3 }, (_, i) => (i % 3 === 0 ? 1 : 0)), [40, 3]);
  await m.fit(x, y, { epochs: 1, batchSize: 40 });
  other.setWeights(m.getWeights());
  const fresh = twin(3);
  fresh.setWeights(m.getWeights());
  assertSameBits(bits(m.predict(x)), bits(fresh.predict(x)), 'after a training step');
});

test.run();
