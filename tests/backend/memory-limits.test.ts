// Wasm memory at its limits (Node only: the fillers are gigabytes of wasm memory).
// - Addresses past 2 GiB: an address shifted by `>> 2` in JavaScript turns negative there, so a copy
//   into or out of such a buffer silently did nothing (a model read its outputs as zeros). A model
//   whose buffers lie above 2 GiB must compute, bit for bit, what the same model computes below.
// - Memory running out while a model file loads is an OutOfMemoryError: no fault of the file.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { join } from 'node:path';
import { getBackend, init } from '../../src/backend/wasm.js';
import { type Model, OutOfMemoryError, layers, loadModel, sequential, tensor } from '../../src/index.js';
import '../../src/onnx/index.js';
import { assertSameBits } from '../helpers.js';
import { temporaryDirectory } from '../io/model-files.js';
import { fixturePath } from '../onnx/fixtures.js';

const EXAMPLES = 8, SHAPE = [6, 6, 2], CLASSES = 3;
const xValues = Float32Array.from({ length: EXAMPLES * 72 }, (_, i) => Math.sin(i));
const yValues = Float32Array.from({ length: EXAMPLES * CLASSES }, (_, i) => (i % CLASSES === Math.floor(i / CLASSES) % CLASSES ? 1 : 0));

function makeModel(): Model {
  const model = sequential({
    inputShape: SHAPE, seed: 3,
    layers: [layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), layers.flatten(), layers.dense({ units: CLASSES, activation: 'softmax' })],
  });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

/** Predicts, trains two epochs, evaluates and predicts again: everything that copies between buffers and tensors. */
async function exercise() {
  const x = tensor(xValues, [EXAMPLES, ...SHAPE]), y = tensor(yValues, [EXAMPLES, CLASSES]);
  const model = makeModel();
  const first = model.predict(x).dataSync();
  await model.fit(x, y, { epochs: 2, batchSize: 4 });
  const { loss, accuracy } = model.evaluate(x, y);
  const weights = model.getWeights().map((w) => w.dataSync());
  return { model, first, after: model.predict(x).dataSync(), weights, loss, accuracy, lowest: Math.min(x.ptr, y.ptr, ...model.weights.map((p) => p.value)) };
}

test('a model whose buffers lie above 2 GiB predicts, trains and evaluates as one below it', async () => {
  await init();
  const below = await exercise();
  assert.ok(below.first.some((v) => v !== 0));
  const filler = getBackend().memory.alloc(2 ** 31);
  const above = await exercise();
  assert.ok(above.lowest >= 2 ** 31, `the second model's buffers start at ${above.lowest}`);
  assertSameBits(above.first, below.first, 'predict before training');
  assertSameBits(above.after, below.after, 'predict after training');
  above.weights.forEach((w, i) => assertSameBits(w, below.weights[i], `weight ${i}`));
  assert.is(above.loss, below.loss);
  assert.is(above.accuracy, below.accuracy);
  getBackend().memory.free(filler);
});

test('memory running out while a model file loads is an OutOfMemoryError (convas, TF.js and ONNX files)', async () => {
  await init();
  const dir = await temporaryDirectory();
  // A quarter of a megabyte of weights: more than the 64 KiB the fillers leave.
  const saved = sequential({ inputShape: [256], seed: 1, layers: [layers.dense({ units: 256 })] });
  await saved.save(join(dir, 'bare'));
  // Compiled, the convas file keeps the optimizer, whose state loading allocates too.
  saved.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
  await saved.save(join(dir, 'convas'));
  await saved.save(join(dir, 'tfjs'), { format: 'tfjs' });
  saved.dispose();
  await withMemoryLeft(2 ** 16, async () => {
    for (const file of [join(dir, 'bare'), join(dir, 'convas'), join(dir, 'tfjs'), fixturePath('resnet18_narrow')]) {
      const error = await loadModel(file).then(() => undefined, (e: Error) => e);
      assert.ok(error instanceof OutOfMemoryError, `${file}: ${error?.name}: ${error?.message}`);
      assert.match(error!.message, 'wasm memory cannot grow');
    }
  });
});

/** Runs `run` with all the memory there is taken but the last `left` bytes (to within a half). */
async function withMemoryLeft(left: number, run: () => Promise<void>): Promise<void> {
  const memory = getBackend().memory;
  const fillers: number[] = [];
  for (let size = 2 ** 31; size >= left;) {
    try {
      fillers.push(memory.alloc(size));
    } catch {
      size /= 2;
    }
  }
  try {
    await run();
  } finally {
    fillers.forEach((f) => memory.free(f));
  }
}

/** Asserts that `run` fails with an OutOfMemoryError and leaves no more memory in use than before. */
async function failsWholly(run: () => unknown, what: string): Promise<void> {
  const memory = getBackend().memory;
  const before = memory.bytesInUse;
  const error = await Promise.resolve().then(run).then(() => undefined, (e: Error) => e);
  assert.ok(error instanceof OutOfMemoryError, `${what}: ${error?.name}: ${error?.message}`);
  assert.is(memory.bytesInUse, before, `${what}: nothing of it kept`);
}

test('blocks allocated together are all made or none: the optimizer\'s state, the checkpoint\'s copies', async () => {
  await init();
  await withMemoryLeft(2 ** 21, () => failsWholly(() => getBackend().memory.allocAll([2 ** 19, 2 ** 22]), 'two blocks'));
});

test.run();
