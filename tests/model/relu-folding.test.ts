// A ReLU followed by a max pooling that alone reads its output: training takes the ReLU's derivative
// inside the pooling's backward (one pass less over the largest maps). The kernel test holds the
// folded pass to the same bits as the two passes (tests/kernels/pool.test.ts); this one checks that a
// training step folds exactly where it may, by watching which kernels it runs, and that the model
// trains to the same weights as the same layers with the fold made impossible.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import type { ParallelKernels } from '../../src/backend/parallel-kernels.js';
import { type Model, init, layers, sequential, tensor } from '../../src/index.js';
import { assertSameBits, random } from '../helpers.js';

interface Watched {
  reluBackwards: number;
  foldedPoolings: number;
  plainPoolings: number;
}

/** Runs `step` with the backend's elementwise and maxPoolBackward calls counted. */
async function watch(step: () => Promise<unknown>): Promise<Watched> {
  const parallel = getBackend().parallel as ParallelKernels & Record<string, unknown>;
  const seen: Watched = { reluBackwards: 0, foldedPoolings: 0, plainPoolings: 0 };
  const { elementwise, maxPoolBackward } = parallel;
  parallel.elementwise = function (this: ParallelKernels, kernel: string, ...rest: number[]) {
    if (kernel === 'reluBackward') seen.reluBackwards++;
    return (elementwise as (...a: unknown[]) => void).call(this, kernel, ...rest);
  } as typeof elementwise;
  parallel.maxPoolBackward = function (this: ParallelKernels, dy: number, argmax: number, dx: number, positive: number, g: never) {
    if (positive) seen.foldedPoolings++;
    else seen.plainPoolings++;
    return maxPoolBackward.call(this, dy, argmax, dx, positive, g);
  };
  try {
    await step();
  } finally {
    Reflect.deleteProperty(parallel, 'elementwise');
    Reflect.deleteProperty(parallel, 'maxPoolBackward');
  }
  return seen;
}

const rng = random(31);
const x = () => tensor(rng.array(4 * 8 * 8 * 2), [4, 8, 8, 2]);
const y = () => tensor(Array.from({ length: 4 * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [4, 3]);

function compiled(m: Model): Model {
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  return m;
}

const trainStep = (m: Model) => m.fit(x(), y(), { epochs: 1, batchSize: 4, shuffle: false });

test('conv2d with ReLU, or a ReLU layer, before a max pooling: the pooling takes the ReLU in', async () => {
  await init();
  const convThenPool = compiled(sequential({ inputShape: [8, 8, 2], seed: 1, layers: [
    layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPool2d({ poolSize: 2 }),
    layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), layers.activation({ activation: 'relu' }), layers.maxPool2d({ poolSize: 2 }),
    layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
  ] }));
  assert.equal(await watch(() => trainStep(convThenPool)), { reluBackwards: 1, foldedPoolings: 2, plainPoolings: 0 },
    'the second conv2d\'s ReLU is read by the ReLU layer, not by a pooling');
  const averagePool = compiled(sequential({ inputShape: [8, 8, 2], seed: 1, layers: [
    layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu6' }), layers.maxPool2d({ poolSize: 2 }),
    layers.conv2d({ filters: 4, kernelSize: 1, activation: 'relu' }), layers.avgPool2d({ poolSize: 3 }),
    layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
  ] }));
  assert.equal(await watch(() => trainStep(averagePool)), { reluBackwards: 1, foldedPoolings: 0, plainPoolings: 1 },
    'ReLU6 and average pooling are not folded');
});

/** conv2d → ReLU → max pooling → dense, with a dropout of rate 0 between the ReLU and the pooling or not. */
function net(dropout: boolean): Model {
  return compiled(sequential({ inputShape: [8, 8, 2], seed: 7, layers: [
    layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'conv' }), layers.relu(),
    ...(dropout ? [layers.dropout({ rate: 0 })] : []),
    layers.maxPool2d({ poolSize: 2 }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax', name: 'scores' }),
  ] }));
}

test('a ReLU read by another layer first keeps its own backward, and training gives the same weights either way', async () => {
  await init();
  // A dropout of rate 0 passes values and gradients on as they are, but stands between the ReLU and the pooling.
  const folded = net(false), unfolded = net(true);
  unfolded.setWeights(folded.getWeights()); // the dropout has none
  const images = x(), labels = y();
  const train = (m: Model) => m.fit(images, labels, { epochs: 3, batchSize: 2, shuffle: false });
  assert.equal(await watch(() => train(folded)), { reluBackwards: 0, foldedPoolings: 6, plainPoolings: 0 });
  assert.equal(await watch(() => train(unfolded)), { reluBackwards: 6, foldedPoolings: 0, plainPoolings: 6 });
  const [a, b] = [folded, unfolded].map((m) => m.getWeights().map((w) => w.dataSync() as Float32Array));
  a.forEach((w, i) => assertSameBits(w, b[i], `weight ${i}`));
});

test.run();
