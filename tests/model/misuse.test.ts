// Misuse that once slipped past the checks: names of Object.prototype taken as settings, compile's
// unknown options, a layer shared by two models, non-finite weights, dispose() or compile() during
// fit, and running out of wasm memory.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConfigError, OutOfMemoryError, ShapeError, StateError, type Tensor, ValueError, init, layerFromConfig, layers, sequential, tensor,
} from '../../src/index.js';
import { strokes } from './synthetic.js';
import { rejectsWith } from '../throws-with.js';

function throws(run: () => unknown, type: new (...a: never[]) => Error, fragment: string): void {
  try {
    run();
  } catch (error) {
    assert.instance(error, type, (error as Error).message);
    assert.ok((error as Error).message.includes(fragment), `"${(error as Error).message}" should mention "${fragment}"`);
    return;
  }
  assert.unreachable(`expected a ${type.name}`);
}

const tiny = () => sequential({ inputShape: [4], seed: 1, layers: [layers.dense({ units: 2, activation: 'softmax' })] });

test("names of Object.prototype are not settings: optimizer and layer class 'toString'", async () => {
  await init();
  throws(() => tiny().compile({ optimizer: { type: 'toString' as never }, loss: 'meanSquaredError' }), ConfigError, 'toString');
  throws(() => tiny().compile({ optimizer: 'constructor' as never, loss: 'meanSquaredError' }), ConfigError, 'constructor');
  throws(() => layerFromConfig({ className: 'toString' }), ConfigError, 'toString');
});

test('compile refuses a misspelt or foreign option rather than ignore it (metric for metrics, Keras\'s lossWeights)', () => {
  throws(() => tiny().compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metric: ['precision'] } as never), ConfigError, 'unknown setting metric');
  throws(() => tiny().compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', lossWeights: [1] } as never), ConfigError, 'optimizer, loss, metrics');
  throws(() => tiny().compile(undefined as never), ConfigError, 'compile: options must be an object');
});

test('a layer object belongs to one model', async () => {
  await init();
  const shared = layers.dense({ units: 2 });
  sequential({ inputShape: [4], layers: [shared] });
  throws(() => sequential({ inputShape: [3], layers: [shared] }), ConfigError, 'already applied');
});

test('setWeights refuses NaN and infinite values', async () => {
  await init();
  const model = tiny();
  const [kernel, bias] = model.getWeights().map((w) => w.dataSync());
  kernel[5] = Infinity;
  throws(() => model.setWeights([kernel, bias]), ValueError, 'flat index 5');
});

test('y as TF.js takes it for a one-output model, [y], trains and scores as y; an array of two is refused', async () => {
  await init();
  const x = tensor(Float32Array.from({ length: 24 }, (_, i) => Math.sin(i)), [6, 4]);
  const y = tensor(Float32Array.from({ length: 12 }, (_, i) => (i % 3 === 0 ? 1 : 0)), [6, 2]);
  const [plain, wrapped] = [tiny(), tiny()];
  for (const model of [plain, wrapped]) model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  assert.is(wrapped.lossAndGradients(x, [y]), plain.lossAndGradients(x, y));
  assert.equal(wrapped.evaluate(x, [y]), plain.evaluate(x, y));
  const trained = await plain.fit(x, y, { epochs: 2, batchSize: 3 });
  assert.equal((await wrapped.fit(x, [y], { epochs: 2, batchSize: 3 })).history, trained.history);
  wrapped.getWeights().forEach((w, i) => assert.equal([...w.dataSync()], [...plain.getWeights()[i].dataSync()], `weight ${i}`));
  throws(() => plain.evaluate(x, [y, y] as unknown as [Tensor]), ShapeError, 'y is an array of 2 tensors, but the model has one output');
  throws(() => plain.evaluate(x, [] as unknown as [Tensor]), ShapeError, 'y must be a tensor');
});

test('validationData as TF.js takes it for a one-output model, [x, [y]], validates as [x, y]; a y of two tensors is refused', async () => {
  await init();
  const x = tensor(Float32Array.from({ length: 24 }, (_, i) => Math.cos(i)), [6, 4]);
  const y = tensor(Float32Array.from({ length: 12 }, (_, i) => (i % 3 === 1 ? 1 : 0)), [6, 2]);
  const [plain, wrapped] = [tiny(), tiny()];
  for (const model of [plain, wrapped]) model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const trained = await plain.fit(x, y, { epochs: 2, batchSize: 3, validationData: [x, y] });
  assert.is(trained.history.val_loss?.length, 2);
  assert.equal((await wrapped.fit(x, y, { epochs: 2, batchSize: 3, validationData: [x, [y]] })).history, trained.history);
  await rejectsWith(() => plain.fit(x, y, { validationData: [x, [y, y] as unknown as [Tensor]] }), ShapeError,
    'validationData', 'y is an array of 2 tensors, but the model has one output');
});

test('dispose() while fit awaits stops fit with a StateError', async () => {
  await init();
  const { images, labels } = strokes(64, 8, 1);
  const model = sequential({ inputShape: [8, 8, 1], seed: 1, layers: [layers.flatten(), layers.dense({ units: 4, activation: 'softmax' })] });
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  let error: unknown;
  try {
    await model.fit(tensor(images, [64, 8, 8, 1]), tensor(labels, [64, 4]), { batchSize: 8, onBatchEnd: (b) => { if (b === 2) model.dispose(); } });
  } catch (e) {
    error = e;
  }
  assert.instance(error, StateError);
  assert.ok((error as Error).message.includes('disposed while it was training'));
});

test('compile() while the model trains is refused; the run goes on with its optimizer', async () => {
  await init();
  const { images, labels } = strokes(64, 8, 1);
  const x = tensor(images, [64, 8, 8, 1]), y = tensor(labels, [64, 4]);
  const make = () => {
    const model = sequential({ inputShape: [8, 8, 1], seed: 1, layers: [layers.flatten(), layers.dense({ units: 4, activation: 'softmax' })] });
    model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    return model;
  };
  const reference = make(), model = make();
  await reference.fit(x, y, { batchSize: 8, epochs: 2 });
  await model.fit(x, y, { batchSize: 8, epochs: 2, onBatchEnd: (b) => {
    if (b === 2) throws(() => model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' }), StateError, 'is training');
  } });
  assert.equal(model.getWeights().map((w) => [...w.dataSync()]), reference.getWeights().map((w) => [...w.dataSync()]));
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' }); // and once it has finished, compile works
});

test('a batch too large for wasm memory is an OutOfMemoryError, and the model and other tensors stay sound', async () => {
  await init();
  // 256×256×512 floats of conv output per example: 128 MB. predict runs 32 examples at once
  // (INFERENCE_CHUNK), and 32 of them cannot fit in wasm's 4 GB.
  const model = sequential({ inputShape: [256, 256, 1], seed: 1, layers: [
    layers.conv2d({ filters: 512, kernelSize: 1 }), layers.maxPool2d({ poolSize: 256 }), layers.flatten(),
  ] });
  const bystander = tensor(new Float32Array(1000).fill(7));
  const x = tensor(new Float32Array(70 * 256 * 256).fill(0.5), [70, 256, 256, 1]);
  throws(() => model.predict(x, { batchSize: 70 }), OutOfMemoryError, 'smaller batchSize');
  const one = model.predict(tensor(new Float32Array(256 * 256).fill(0.5), [1, 256, 256, 1]));
  assert.is(one.shape.join(), '1,512');
  // A 1×1 conv of a constant image, max-pooled: each channel is 0.5·w + b.
  const [w, b] = model.getWeights().map((t) => t.dataSync());
  assert.equal(Array.from(one.dataSync()), Array.from(w.map((wc, c) => 0.5 * wc + b[c])));
  assert.ok(bystander.dataSync().every((v) => v === 7), 'an unrelated tensor is untouched');
});

test.run();
