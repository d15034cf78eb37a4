// fitDataset: fed the same batches in the same order it trains to the same bits as fit (every
// form a dataset may take), batches of any size reuse one set of buffers, memory stays flat while
// more bytes stream through than wasm memory could ever hold, validation on tensors or a dataset,
// batchesPerEpoch, and errors that name the batch.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import {
  type Batch, ConfigError, type Model, ShapeError, StateError, type Tensor, ValueError, callbacks, data, init, layers, sequential, tensor,
} from '../../src/index.js';
import { assertSameBits, random } from '../helpers.js';
import { rejectsWith } from '../throws-with.js';

await init();

const IMAGE = [6, 6, 1];
const PIXELS = 36;
const CLASSES = 3;
const N = 30;

/** A CNN whose training draws on every stream and state there is: dropout masks, batch statistics. */
function cnn(): Model {
  const net = sequential({ inputShape: IMAGE, seed: 4, layers: [
    layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.batchNormalization(),
    layers.maxPool2d({ poolSize: 2 }),
    layers.flatten(),
    layers.dropout({ rate: 0.3 }),
    layers.dense({ units: CLASSES, activation: 'softmax' }),
  ] });
  net.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  return net;
}

const rng = random(17);
const xs = rng.array(N * PIXELS);
const ys = Float32Array.from({ length: N * CLASSES }, (_, i) => (Math.floor(i / CLASSES) % CLASSES === i % CLASSES ? 1 : 0));

/** Batches of `size` (the last one smaller) in order, as plain arrays. */
function arrays(size: number, from = 0, to = N): Array<{ xs: Float32Array; ys: Float32Array }> {
  const out = [];
  for (let i = from; i < to; i += size) {
    const end = Math.min(i + size, to);
    out.push({ xs: xs.slice(i * PIXELS, end * PIXELS), ys: ys.slice(i * CLASSES, end * CLASSES) });
  }
  return out;
}

/** A run fails with the user's own error (a generator's, a callback's), passed on as it is. */
async function rejectsOwn(run: () => Promise<unknown>, message: string): Promise<void> {
  const error = await run().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof Error && error.message === message, `expected the error "${message}", got ${String(error)}`);
}

const weightsOf = (m: Model) => m.getWeights().map((w) => w.dataSync());
function assertSameWeights(actual: Model, expected: Float32Array[], what: string) {
  weightsOf(actual).forEach((w, i) => assertSameBits(w, expected[i], `${what}: weight ${i}`));
}

test('the same batches in the same order give fit\'s weights bit for bit, whatever form the dataset takes', async () => {
  const reference = cnn();
  const fitted = await reference.fit(tensor(xs, [N, ...IMAGE]), tensor(ys, [N, CLASSES]), { epochs: 3, batchSize: 7, shuffle: false });
  const expected = weightsOf(reference);
  const forms: Array<[string, () => unknown]> = [
    ['an array of flat Float32Arrays', () => arrays(7)],
    ['a Stream from data.fromArrays(…).batch(7)', () => data.fromArrays({ values: xs, shape: [N, ...IMAGE] }, { values: ys, shape: [N, CLASSES] }).batch(7)],
    ['a generator of fresh Tensors, each disposed once read', () => data.generator(function* () {
      for (const b of arrays(7)) yield { xs: tensor(b.xs, [b.xs.length / PIXELS, ...IMAGE]), ys: tensor(b.ys, [b.ys.length / CLASSES, CLASSES]) };
    })],
    ['tf.data\'s iterator() with async next()', () => ({
      iterator: async () => {
        const batches = arrays(7).map((b) => ({ xs: { values: b.xs, shape: [b.xs.length / PIXELS, ...IMAGE] }, ys: Array.from(b.ys) }));
        return { next: async () => (batches.length ? { value: batches.shift()!, done: false } : { value: undefined, done: true }) };
      },
    })],
    ['a prefetched async generator', () => data.generator(async function* () {
      for (const b of arrays(7)) yield b;
    }).prefetch(2)],
  ];
  for (const [what, dataset] of forms) {
    const net = cnn();
    const history = await net.fitDataset(dataset() as never, { epochs: 3 });
    assertSameWeights(net, expected, what);
    assert.equal(history.history.loss, fitted.history.loss, `${what}: the epochs' losses`);
  }
});

test('classWeight and callbacks work in fitDataset as in fit: the same weights, the same stopping epoch', async () => {
  const classWeight = { 0: 0.25, 2: 4 };
  const stop = () => callbacks.earlyStopping({ monitor: 'loss', patience: 1, minDelta: 10 }); // stops at epoch 1
  const reference = cnn();
  const fitted = await reference.fit(tensor(xs, [N, ...IMAGE]), tensor(ys, [N, CLASSES]),
    { epochs: 5, batchSize: 6, shuffle: false, classWeight, callbacks: [stop()] });
  const net = cnn();
  const streamed = await net.fitDataset(arrays(6), { epochs: 5, classWeight, callbacks: [stop()] });
  assert.equal(streamed.epoch, [0, 1]);
  assert.equal(streamed.history, fitted.history);
  assertSameWeights(net, weightsOf(reference), 'classWeight');
  const unweighted = cnn();
  await unweighted.fitDataset(arrays(6), { epochs: 2 });
  assert.not.equal([...weightsOf(unweighted)[0]], [...weightsOf(net)[0]], 'the class weights change training');
});

test('tensors a dataset yields are disposed once read, as TF.js does; reusing one is a StateError', async () => {
  const made: Tensor[] = [];
  const net = cnn();
  await net.fitDataset(data.generator(function* () {
    for (const b of arrays(10)) {
      const t = tensor(b.xs, [b.xs.length / PIXELS, ...IMAGE]);
      made.push(t);
      yield { xs: t, ys: b.ys };
    }
  }), { epochs: 1 });
  assert.is(made.length, 3);
  assert.ok(made.every((t) => t.isDisposed));
  const once = arrays(10).map((b) => ({ xs: tensor(b.xs, [b.xs.length / PIXELS, ...IMAGE]), ys: b.ys }));
  await rejectsWith(() => cnn().fitDataset(once, { epochs: 2 }), StateError, 'batch 1 of epoch 2', 'xs is a tensor already disposed', 'new tensors on each pass');
});

test('tensors read ahead by prefetch and never trained on are disposed when the run ends', async () => {
  const made: Tensor[] = [];
  const endless = data.generator(function* () {
    for (;;) {
      for (const b of arrays(10)) {
        const t = tensor(b.xs, [b.xs.length / PIXELS, ...IMAGE]);
        made.push(t);
        yield { xs: t, ys: b.ys };
      }
    }
  }).prefetch(3);
  await cnn().fitDataset(endless, { epochs: 1, batchesPerEpoch: 2 });
  await new Promise((resolve) => setTimeout(resolve, 20));
  assert.ok(made.length > 2, `prefetch read ahead (${made.length} made)`);
  assert.ok(made.every((t) => t.isDisposed), `${made.filter((t) => !t.isDisposed).length} of ${made.length} left`);
});

/** Closing a pass is not waited for: a moment for a generator's finally to have run. */
const closed = () => new Promise((resolve) => setTimeout(resolve, 10));

test('a pass the run leaves early is closed: a generator\'s finally runs (batchesPerEpoch, a stop, an error, evaluateDataset\'s batches)', async () => {
  let open = 0;
  const counted = data.generator(function* () {
    open++;
    try {
      yield* arrays(5);
    } finally {
      open--;
    }
  });
  await cnn().fitDataset(counted, { epochs: 2, batchesPerEpoch: 2 });
  await closed();
  assert.is(open, 0, 'after batchesPerEpoch');
  const stopped = cnn();
  await stopped.fitDataset(counted, { epochs: 3, onBatchEnd: (batch) => { if (batch === 1) stopped.stopTraining = true; } });
  await closed();
  assert.is(open, 0, 'after a callback stopped the run');
  await rejectsOwn(() => cnn().fitDataset(counted, { epochs: 1, onBatchEnd: () => { throw new Error('callback failed'); } }), 'callback failed');
  await closed();
  assert.is(open, 0, 'after a callback threw');
  await cnn().evaluateDataset(counted, { batches: 2 });
  await closed();
  assert.is(open, 0, 'after evaluateDataset read its batches');
  await counted.take(1).toArray();
  assert.is(open, 0, 'after take');
  await cnn().fitDataset(counted.prefetch(2), { epochs: 1, batchesPerEpoch: 1 });
  await closed();
  assert.is(open, 0, 'after prefetch');
});

test('a generator object is the user\'s: runs with batchesPerEpoch and evaluateDataset\'s batches read on through it, call after call', async () => {
  let made = 0;
  const endless = (function* () {
    for (;;) yield arrays(5)[made++ % 6];
  })();
  const net = cnn();
  for (let call = 0; call < 3; call++) await net.fitDataset(endless, { epochs: 1, batchesPerEpoch: 2 });
  assert.is(made, 6, 'three runs of two batches');
  await net.evaluateDataset(endless, { batches: 2 });
  await net.evaluateDataset(endless, { batches: 2 });
  assert.is(made, 10);
});

test('onEpochBegin comes before the epoch reads its data (a curriculum a callback sets applies to that epoch)', async () => {
  let level = -1;
  const seen: number[] = [];
  const graded = data.generator(function* () {
    for (const b of arrays(15)) {
      seen.push(level);
      yield b;
    }
  });
  await cnn().fitDataset(graded, { epochs: 3, callbacks: [{ onEpochBegin: (epoch: number) => void (level = epoch) }] });
  assert.equal(seen, [0, 0, 1, 1, 2, 2]);
});

test('a source that fails or never ends while closing does not fail or hold the run: a warning says so', async () => {
  const closingWith = (end: () => Promise<void>) => data.generator(async function* () {
    try {
      yield* arrays(5);
    } finally {
      await end();
    }
  });
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (message: string) => void warnings.push(message);
  try {
    const failing = await cnn().fitDataset(closingWith(async () => { throw new Error('the file was gone'); }), { epochs: 2, batchesPerEpoch: 1 });
    assert.equal(failing.epoch, [0, 1]);
    const hanging = await cnn().fitDataset(closingWith(() => new Promise(() => {})), { epochs: 1, batchesPerEpoch: 1 });
    assert.equal(hanging.epoch, [0]);
    await closed();
  } finally {
    console.warn = warn;
  }
  assert.equal(warnings, ["fitDataset: closing the dataset's pass failed: the file was gone"]);
});

test('a source that fails ahead of the consumer (prefetch) is the run\'s error when reached, and nobody\'s when never reached', async () => {
  const unhandled: unknown[] = [];
  const record = (reason: unknown) => void unhandled.push(reason);
  process.on('unhandledRejection', record);
  try {
    const failing = () => data.generator(function* () {
      yield* arrays(10);
      throw new Error('the disk went away');
    }).prefetch(2);
    await cnn().fitDataset(failing(), { epochs: 1, batchesPerEpoch: 2 }); // the failure is read ahead, never reached
    await rejectsOwn(() => cnn().fitDataset(failing(), { epochs: 1, onBatchEnd: () => new Promise((r) => setTimeout(r, 5)) }), 'the disk went away');
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.off('unhandledRejection', record);
  }
  assert.equal(unhandled, []);
});

test('targets of the output\'s size in another shape ([n] for one unit) train as in fit', async () => {
  const binary = () => {
    const net = sequential({ inputShape: [PIXELS], seed: 2, layers: [layers.dense({ units: 1, activation: 'sigmoid' })] });
    net.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
    return net;
  };
  const labels = Float32Array.from({ length: N }, (_, i) => i % 2);
  const fitted = binary();
  await fitted.fit(tensor(xs, [N, PIXELS]), tensor(labels, [N]), { epochs: 1, batchSize: 10, shuffle: false });
  const streamed = binary();
  await streamed.fitDataset(data.from(arrays(10).map((b, i) => ({ xs: b.xs, ys: { values: labels.slice(i * 10, i * 10 + 10), shape: [10] } }))), { epochs: 1 });
  assertSameWeights(streamed, weightsOf(fitted), 'ys of shape [n]');
});

test('batches of any size: buffers grow to the largest and are reused; the result is fit\'s, batch by batch', async () => {
  const sizes = [3, 8, 2, 8, 5, 4];
  const batches: Array<{ xs: Float32Array; ys: Float32Array }> = [];
  let at = 0;
  for (const size of sizes) {
    batches.push(...arrays(size, at, at + size));
    at += size;
  }
  const stepwise = cnn();
  for (const b of batches) {
    const n = b.xs.length / PIXELS;
    await stepwise.fit(tensor(b.xs, [n, ...IMAGE]), tensor(b.ys, [n, CLASSES]), { batchSize: n, shuffle: false });
  }
  const net = cnn();
  const memory = getBackend().memory;
  let afterLargest = 0;
  await net.fitDataset(batches, {
    epochs: 1,
    onBatchEnd: (b) => {
      if (b === 1) afterLargest = memory.bytesInUse;
      // ≤, not =: tensors earlier tests forgot may be freed by their finalizers at any time.
      else if (b > 1) assert.ok(memory.bytesInUse <= afterLargest, `batch ${b}: nothing more held once the largest batch was planned`);
    },
  });
  assertSameWeights(net, weightsOf(stepwise), 'batch by batch');
});

test('memory stays flat while more bytes than wasm memory can hold (4 GiB) stream through', async () => {
  // 1,040 batches of 16,384 examples × 64 values: 4 MiB each, 4.06 GiB in all. The batches are
  // cheap (one array, a value changed per batch); the model small, so this takes seconds.
  const FEATURES = 64, EXAMPLES = 16384, BATCHES = 1040;
  const net = sequential({ inputShape: [FEATURES], seed: 1, layers: [layers.dense({ units: 2, activation: 'softmax' })] });
  net.compile({ optimizer: { type: 'sgd', learningRate: 0.01 }, loss: 'sparseCategoricalCrossentropy' });
  const values = random(3).array(EXAMPLES * FEATURES);
  const labels = Float32Array.from({ length: EXAMPLES }, (_, i) => i % 2);
  let streamed = 0;
  const dataset = data.generator(function* () {
    for (let b = 0; b < BATCHES; b++) {
      values[b] = b / BATCHES;
      streamed += values.byteLength + labels.byteLength;
      yield { xs: values, ys: labels };
    }
  });
  const memory = getBackend().memory;
  let reserved = 0, inUse = 0, grew = 0;
  await net.fitDataset(dataset, {
    epochs: 1,
    onBatchEnd: (b) => {
      if (b === 0) [reserved, inUse] = [memory.bytesReserved, memory.bytesInUse];
      // Growth is what would leak; less in use can happen (finalizers free tensors earlier tests forgot).
      else if (memory.bytesReserved !== reserved || memory.bytesInUse > inUse) grew++;
    },
  });
  assert.ok(streamed > 4 * 2 ** 30, `streamed ${streamed} bytes`);
  assert.is(memory.bytesReserved, reserved, 'wasm memory did not grow after the first batch');
  assert.is(grew, 0, 'after the first batch, no batch left more memory in use');
  assert.ok(reserved < 256 * 2 ** 20, `${reserved} bytes of wasm memory for batches of 4 MiB`);
});

test('the same with a new Tensor per batch: each is freed once read, its memory reused by the next', async () => {
  const FEATURES = 64, EXAMPLES = 16384, BATCHES = 150; // 600 MiB through a heap that stays near 10 MiB
  const net = sequential({ inputShape: [FEATURES], seed: 1, layers: [layers.dense({ units: 2, activation: 'softmax' })] });
  net.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  const values = random(4).array(EXAMPLES * FEATURES);
  const memory = getBackend().memory;
  let reserved = 0;
  await net.fitDataset(data.generator(function* () {
    for (let b = 0; b < BATCHES; b++) yield { xs: tensor(values, [EXAMPLES, FEATURES]), ys: tensor(new Float32Array(EXAMPLES), [EXAMPLES]) };
  }), { epochs: 1, onBatchEnd: (b) => { if (b === 0) reserved = memory.bytesReserved; } });
  assert.is(memory.bytesReserved, reserved);
});

test('validation on tensors or on a dataset gives evaluate\'s values; fit and fitDataset log alike', async () => {
  const heldX = tensor(xs.slice(0, 9 * PIXELS), [9, ...IMAGE]), heldY = tensor(ys.slice(0, 9 * CLASSES), [9, CLASSES]);
  const fitted = cnn();
  const expected = await fitted.fit(tensor(xs, [N, ...IMAGE]), tensor(ys, [N, CLASSES]), { epochs: 2, batchSize: 10, shuffle: false, validationData: [heldX, heldY] });
  const onTensors = await cnn().fitDataset(arrays(10), { epochs: 2, validationData: [heldX, heldY] });
  assert.equal(onTensors.history, expected.history);
  const net = cnn();
  const onDataset = await net.fitDataset(arrays(10), { epochs: 2, validationData: arrays(4, 0, 9) });
  assert.is(onDataset.history.val_loss![1], net.evaluate(heldX, heldY).loss);
  assert.is(onDataset.history.val_acc![1], net.evaluate(heldX, heldY).accuracy);
  const firstBatch = await net.evaluateDataset(arrays(4, 0, 9), { batches: 1 });
  assert.is(firstBatch.loss, net.evaluate(tensor(xs.slice(0, 4 * PIXELS), [4, ...IMAGE]), tensor(ys.slice(0, 4 * CLASSES), [4, CLASSES])).loss);
});

test('batchesPerEpoch reads on through one pass; a dataset that runs out ends training with a warning', async () => {
  const batches = arrays(5); // 6 batches
  const once = cnn();
  await once.fitDataset(batches, { epochs: 1 });
  const split = cnn();
  const history = await split.fitDataset(data.from(batches), { epochs: 3, batchesPerEpoch: 2 });
  assert.equal(history.epoch, [0, 1, 2]);
  assertSameWeights(split, weightsOf(once), 'three epochs of two batches are the six batches');
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (message: string) => void warnings.push(message);
  try {
    const short = await cnn().fitDataset(batches, { epochs: 4, batchesPerEpoch: 4 });
    assert.equal(short.epoch, [0, 1]);
    // Out exactly at an epoch's end: the next epoch begins (before its data is read, as in TF.js and
    // Keras, so a callback can change it) and trains nothing; it ends, as in TF.js, with empty logs,
    // unrecorded. Early stopping and checkpoints let it pass: it has no value to judge, nothing to save.
    const events: string[] = [];
    const early = callbacks.earlyStopping({ monitor: 'loss', patience: 2, minDelta: 10 }); // would stop at the third epoch
    const saved: number[] = [];
    const checkpoint = callbacks.modelCheckpoint('unused-{epoch}');
    checkpoint.setModel = (model) => void (checkpoint.model = { ...model, save: async () => void saved.push(saved.length) } as never);
    const even = await cnn().fitDataset(batches, { epochs: 4, batchesPerEpoch: 3, callbacks: [
      { onEpochBegin: (e: number) => void events.push(`begin ${e}`), onEpochEnd: (e, logs) => {
        // Typed EpochEndLogs: one test tells the empty logs from an epoch's, and the type follows it.
        if (logs.loss === undefined) events.push(`end ${e} {}`);
        else events.push(`end ${e} loss ${logs.loss.toFixed(1).length > 0} acc ${logs.acc.toFixed(2).length > 0}`);
      } },
      early, checkpoint] });
    assert.equal(even.epoch, [0, 1]);
    assert.equal(events, ['begin 0', 'end 0 loss true acc true', 'begin 1', 'end 1 loss true acc true', 'begin 2', 'end 2 {}']);
    assert.is(early.stoppedEpoch, 0);
    assert.is(saved.length, 2);
    // A run from initialEpoch needs batches for its own epochs only: 2 of 4 here.
    const resumed = await cnn().fitDataset(batches, { initialEpoch: 2, epochs: 4, batchesPerEpoch: 4 });
    assert.equal(resumed.epoch, [2, 3]);
  } finally {
    console.warn = warn;
  }
  assert.is(warnings.length, 3);
  assert.ok(warnings[0].includes('ran out after 2 batches of epoch 2'), warnings[0]);
  assert.ok(warnings[0].includes("This run's 4 epochs (epochs − initialEpoch) needed 4 × 4 = 16 batches"), warnings[0]);
  assert.ok(warnings[1].includes('ran out after 0 batches of epoch 3'), warnings[1]);
  assert.ok(warnings[2].includes("ran out after 2 batches of epoch 4; batchesPerEpoch is 4, so training stops here. This run's 2 epochs " +
    '(epochs − initialEpoch) needed 2 × 4 = 8 batches'), warnings[2]);
});

test('bad batches are errors naming the batch and epoch; bad settings are ConfigErrors', async () => {
  const good = arrays(10);
  const fit = (batches: unknown[], options = {}) => cnn().fitDataset(batches, { epochs: 2, ...options });
  const wrong = (index: number, batch: unknown) => good.map((b, i) => (i === index ? batch : b));
  await rejectsWith(() => fit(wrong(2, { xs: new Float32Array(10 * 35), ys: good[2].ys })), ShapeError, 'batch 3 of epoch 1', 'xs has 350 values',
    'examples of [6, 6, 1]');
  await rejectsWith(() => fit(wrong(1, { xs: { values: good[1].xs, shape: [10, 36] }, ys: good[1].ys })), ShapeError, 'batch 2 of epoch 1',
    'xs has shape [10, 36]', '[n, 6, 6, 1]');
  await rejectsWith(() => fit(wrong(1, { xs: good[1].xs, ys: good[1].ys.slice(0, 9 * CLASSES) })), ShapeError, 'batch 2', 'xs has 10 examples but ys has 9');
  await rejectsWith(() => fit(wrong(0, [good[0].xs, good[0].ys])), ShapeError, 'batch 1 of epoch 1 is not { xs, ys }');
  const nan = good[2].xs.slice();
  nan[40] = NaN;
  await rejectsWith(() => fit(wrong(2, { xs: nan, ys: good[2].ys })), ValueError, 'batch 3 of epoch 1', 'xs holds a non-finite value', 'flat index 40');
  await rejectsWith(() => fit([]), ConfigError, 'the dataset gave no batches in epoch 1');
  const generatorObject = (function* () {
    yield* good;
  })();
  const untouched = cnn();
  const before = weightsOf(untouched);
  await rejectsWith(() => untouched.fitDataset(generatorObject, { epochs: 2 }), ConfigError, '2 epochs each read the dataset through', 'can be read only once');
  await rejectsWith(() => untouched.fitDataset(good, { epochs: 3, initialEpoch: 1, validationData: generatorObject }), ConfigError,
    'validationData is read after each of 2 epochs', 'can be read only once');
  assertSameWeights(untouched, before, 'refused before any step');
  await untouched.fitDataset(generatorObject, { epochs: 1 }); // one epoch is one pass
  // An iterator that rewinds when asked for its iterator is read again each epoch.
  const rewinding = { i: 0, next() { return this.i < good.length ? { done: false, value: good[this.i++] } : { done: true, value: undefined }; },
    [Symbol.iterator]() { this.i = 0; return this; } };
  assert.equal((await cnn().fitDataset(rewinding as Iterable<Batch>, { epochs: 2 })).epoch, [0, 1]);
  await rejectsWith(() => fit(good, { validationSplit: 0.2 }), ConfigError, 'validationSplit is for fit');
  await rejectsWith(() => fit(good, { batchesPerEpoch: 0 }), ConfigError, 'batchesPerEpoch');
  await rejectsWith(() => fit(good, { epochs: 0 }), ConfigError, 'epochs');
  await rejectsWith(() => cnn().fitDataset(42 as never), ConfigError, 'expected a dataset');
  const sparse = sequential({ inputShape: [2], layers: [layers.dense({ units: 3, activation: 'softmax' })] });
  sparse.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
  await rejectsWith(() => sparse.fitDataset([{ xs: [1, 2, 3, 4], ys: [0, 3] }] as Batch[]), ValueError, 'batch 1 of epoch 1', 'y[1] is 3');
});

test.run();
