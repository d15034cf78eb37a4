// What may run while fit awaits, and what may not: evaluate and evaluateDataset in a callback (or
// anything else that runs between batches) leave training as it was, since the batch reaches the
// model's buffers only right before its step; a second fit on a model, or on one sharing a layer,
// is refused until the first has finished, and so is lossAndGradients; predict, evaluate and embed refuse misspelt options.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConfigError, type Model, StateError, ValueError, type Tensor, cutModel, data, embed, init, input, layers, model as graphModel, sequential, tensor,
} from '../../src/index.js';
import { random } from '../helpers.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

const FEATURES = 5;
const CLASSES = 3;
const N = 24;

test.before(async () => {
  await init();
});

function examples(seed: number, n = N) {
  const rng = random(seed);
  const x = rng.array(n * FEATURES);
  const ids = Float32Array.from({ length: n }, (_, i) => (i * 7 + seed) % CLASSES);
  const oneHot = new Float32Array(n * CLASSES);
  ids.forEach((c, i) => (oneHot[i * CLASSES + c] = 1));
  return { x, ids, oneHot };
}

function net(loss: 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy' = 'categoricalCrossentropy') {
  const m = sequential({ inputShape: [FEATURES], seed: 3, layers: [layers.dense({ units: 6, activation: 'relu' }), layers.dense({ units: CLASSES, activation: 'softmax' })] });
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.5 }, loss });
  return m;
}

const weightsOf = (m: Model) => m.getWeights().map((w) => Array.from(w.dataSync()));

/** Other examples with other labels, each batch size different from training's: what a callback evaluates. */
function otherData() {
  const other = examples(99, 40);
  return { x: tensor(other.x, [40, FEATURES]), y: tensor(other.oneHot.map((_, i) => (i % CLASSES === 2 ? 1 : 0)), [40, CLASSES]) };
}

test('evaluate and evaluateDataset in onBatchBegin leave fit training on its own batches', async () => {
  const train = examples(1);
  const x = tensor(train.x, [N, FEATURES]), y = tensor(train.oneHot, [N, CLASSES]);
  const plain = net();
  const plainHistory = await plain.fit(x, y, { epochs: 2, batchSize: 4 });
  const other = otherData();
  for (const evaluateIn of ['evaluate', 'evaluateDataset'] as const) {
    const m = net();
    const history = await m.fit(x, y, {
      epochs: 2, batchSize: 4,
      callbacks: {
        onBatchBegin: async () => {
          if (evaluateIn === 'evaluate') m.evaluate(other.x, other.y, { batchSize: 32 });
          else await m.evaluateDataset(data.fromArrays(other.x, other.y).batch(7));
        },
      },
    });
    assert.equal(weightsOf(m), weightsOf(plain), evaluateIn);
    assert.equal(history.history.loss, plainHistory.history.loss, evaluateIn);
  }
});

test('evaluate in onBatchBegin leaves fitDataset training on its own batches', async () => {
  const train = examples(2);
  const stream = () => data.fromArrays(tensor(train.x, [N, FEATURES]), tensor(train.oneHot, [N, CLASSES])).batch(5);
  const plain = net();
  await plain.fitDataset(stream(), { epochs: 2 });
  const other = otherData();
  const m = net();
  await m.fitDataset(stream(), { epochs: 2, callbacks: { onBatchBegin: () => void m.evaluate(other.x, other.y, { batchSize: 40 }) } });
  assert.equal(weightsOf(m), weightsOf(plain));
});

test('a batch read but not trained on is let go when a callback stops fitDataset', async () => {
  const train = examples(3);
  const yielded: Tensor[] = [];
  const batches = {
    * [Symbol.iterator]() {
      for (let i = 0; i < 3; i++) {
        const batch = { xs: tensor(train.x.slice(i * 8 * FEATURES, (i + 1) * 8 * FEATURES), [8, FEATURES]), ys: tensor(train.oneHot.slice(i * 8 * CLASSES, (i + 1) * 8 * CLASSES), [8, CLASSES]) };
        yielded.push(batch.xs, batch.ys);
        yield batch;
      }
    },
  };
  const m = net();
  await rejectsWith(() => m.fitDataset(batches, {
    callbacks: { onBatchBegin: (b: number) => { if (b === 1) throw new ConfigError('stop here'); } },
  }), ConfigError, 'stop here');
  assert.is(yielded.length, 4);
  assert.ok(yielded.every((t) => t.isDisposed), 'every batch fitDataset read is disposed, trained on or not');
});

test('a batch refused on its way into the buffers (a NaN) is let go too', async () => {
  const xs = tensor([NaN, 1, 2, 3, 4, 5, 6, 7, 8, 9], [2, FEATURES]), ys = tensor([1, 0, 0, 0, 1, 0], [2, CLASSES]);
  await rejectsWith(() => net().fitDataset([{ xs, ys }]), ValueError, 'NaN');
  assert.ok(xs.isDisposed && ys.isDisposed);
});

test('a second fit on a model that is training is refused, and the first trains as if alone', async () => {
  const train = examples(4);
  const x = tensor(train.x, [N, FEATURES]), y = tensor(train.oneHot, [N, CLASSES]);
  const plain = net();
  await plain.fit(x, y, { epochs: 3, batchSize: 4 });
  const m = net();
  const first = m.fit(x, y, { epochs: 3, batchSize: 4 });
  await rejectsWith(() => m.fit(x, y, { batchSize: 8 }), StateError, 'fit', 'training already');
  await rejectsWith(() => m.fitDataset(data.fromArrays(x, y).batch(8)), StateError, 'fitDataset', 'training already');
  await first;
  assert.equal(weightsOf(m), weightsOf(plain));
  await m.fit(x, y, { batchSize: 8 }); // once the first has finished
});

/**
 * Each way a model shares a layer with one that trains — nested in it, holding it, cut from it, a
 * new head on that cut: `act` on the sharer is refused while the other trains, and works after.
 */
async function refusedWhileSharing(seed: number, act: (m: Model, x: Tensor, y: Tensor) => unknown): Promise<void> {
  const train = examples(seed);
  const x = tensor(train.x, [N, FEATURES]), y = tensor(train.oneHot, [N, CLASSES]);
  const hiddenTargets = tensor(new Float32Array(N * 6), [N, 6]);
  const refused = (m: Model, targets: Tensor, ...parts: string[]) => rejectsWith(async () => act(m, x, targets), StateError, ...parts);
  const inner = sequential({ inputShape: [FEATURES], seed: 2, layers: [layers.dense({ units: 6, activation: 'relu', name: 'hidden' })] });
  const start = input({ shape: [FEATURES] });
  const outer = graphModel({ inputs: start, outputs: layers.dense({ units: CLASSES, activation: 'softmax' }).apply(inner.apply(start)) });
  outer.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  inner.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const running = outer.fit(x, y, { epochs: 2, batchSize: 4 });
  await refused(inner, hiddenTargets, `model ${outer.name}, which holds ${inner.name}`);
  await running;
  const running2 = inner.fit(x, hiddenTargets, { epochs: 2 });
  await refused(outer, y, `model ${inner.name}, which ${outer.name} holds, is training`);
  await running2;
  // A model cut from one that trains, and a new head on that cut (transfer learning's model).
  const full = net();
  const cut = cutModel(full, full.layers[0].name);
  cut.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const reuse = graphModel({ inputs: cut.inputs, outputs: layers.dense({ units: CLASSES, activation: 'softmax' }).apply(cut.outputs[0]) });
  reuse.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const running3 = full.fit(x, y, { epochs: 2, batchSize: 4 });
  await refused(cut, hiddenTargets, `model ${full.name} is training layer ${full.layers[0].name}, which ${cut.name} shares`);
  await refused(reuse, y, `model ${full.name} is training layer ${full.layers[0].name}, which ${reuse.name} shares`);
  await running3;
  await act(reuse, x, y); // once it has finished
}

test('a fit on a model sharing a layer with one that is training is refused, nested or cut', () => refusedWhileSharing(5, (m, x, y) => m.fit(x, y)));

test('lossAndGradients from a callback during fit is refused, and the run steps as if alone, a layer frozen meanwhile too', async () => {
  const train = examples(7);
  const x = tensor(train.x, [N, FEATURES]), y = tensor(train.oneHot, [N, CLASSES]);
  // The freeze waits for the next fit; a step of lossAndGradients would fix it (and the gradients) under the running one.
  const freezeAt = (m: Model) => (b: number) => { if (b === 2) m.layers[0].trainable = false; };
  const plain = net();
  await plain.fit(x, y, { epochs: 2, batchSize: 4, onBatchEnd: freezeAt(plain) });
  const m = net();
  await m.fit(x, y, { epochs: 2, batchSize: 4, onBatchEnd: (b) => {
    freezeAt(m)(b);
    throwsWith(() => m.lossAndGradients(x, y), StateError, 'lossAndGradients', `model ${m.name} is training`);
  } });
  assert.equal(weightsOf(m), weightsOf(plain));
  m.lossAndGradients(x, y); // once the run has finished
});

test('lossAndGradients on a model sharing a layer with one that is training is refused, nested or cut', () =>
  refusedWhileSharing(8, (m, x, y) => m.lossAndGradients(x, y)));

test('predict, evaluate, evaluateDataset and embed refuse misspelt options', async () => {
  const train = examples(6);
  const m = net();
  const x = tensor(train.x, [N, FEATURES]), y = tensor(train.oneHot, [N, CLASSES]);
  throwsWith(() => m.predict(x, { batch_size: 2 } as never), ConfigError, 'predict', 'batch_size', 'batchSize');
  throwsWith(() => m.evaluate(x, y, { steps: 2 } as never), ConfigError, 'evaluate', 'steps');
  throwsWith(() => m.predict(x, null as never), ConfigError, 'predict', 'options must be an object');
  await rejectsWith(() => m.evaluateDataset(data.fromArrays(x, y).batch(4), { batchSize: 4 } as never), ConfigError, 'evaluateDataset', 'batchSize');
  await rejectsWith(() => embed(m, x, { onprogress: () => {} } as never), ConfigError, 'embed', 'onprogress');
  assert.is(m.predict(x, { batchSize: 5, foldBatchNorm: false }).shape[0], N);
});

test('batch() stacks number labels into class ids [n], as tf.data does', async () => {
  const train = examples(7);
  const perExample = (label: (c: number) => unknown) => data.generator(function* () {
    for (let i = 0; i < N; i++) yield { xs: Array.from(train.x.subarray(i * FEATURES, (i + 1) * FEATURES)), ys: label(train.ids[i]) };
  }).batch(6);
  const numbers = net('sparseCategoricalCrossentropy');
  await numbers.fitDataset(perExample((c) => c), { epochs: 2 });
  const lists = net('sparseCategoricalCrossentropy');
  await lists.fitDataset(perExample((c) => [c]), { epochs: 2 });
  assert.equal(weightsOf(numbers), weightsOf(lists));
  const [first] = await data.generator(function* () { yield { xs: [1, 2], ys: 4 }; yield { xs: [3, 4], ys: 5 }; }).batch(2).toArray();
  assert.equal(first.ys.shape, [2]);
  assert.equal(Array.from(first.ys.values), [4, 5]);
});

test.run();
