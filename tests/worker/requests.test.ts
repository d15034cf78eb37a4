// What the training worker makes of a request, with serveTrainer on stand-ins for a worker's message
// functions: labels in every form a model's loss reads, a frozen layer still frozen in the returned
// config, and fit settings or missing parts refused as fit refuses them, before anything is trained.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DivergenceError, type History, type LayerConfig, Model, StorageError, init, oneHot, sequential, tensor } from '../../src/index.js';
import { serveTrainer } from '../../src/worker/serve.js';
import type { CrossingError } from '../../src/worker/crossing-errors.js';
import type { TrainRequest, TrainResult } from '../../src/worker/protocol.js';

type Message = { type: string; result?: TrainResult; name?: string; message?: string };

const scope = globalThis as unknown as { addEventListener: unknown; postMessage: unknown };
const posted: Message[] = [];
const listeners: Array<(event: { data: unknown }) => Promise<void>> = [];
scope.addEventListener = (_: string, listener: (event: { data: unknown }) => Promise<void>) => listeners.push(listener);
scope.postMessage = (message: Message) => posted.push(message);
// A custom worker module may call it after dist/worker.js served by itself: the second call must not listen again.
serveTrainer();
serveTrainer();

/** Sends a train request; resolves with what the run ended with ('done' or 'error'). */
async function train(request: unknown): Promise<Message> {
  posted.length = 0;
  await Promise.all(listeners.map((listener) => listener({ data: { type: 'train', request } })));
  return posted.at(-1)!;
}

async function trained(request: unknown): Promise<TrainResult> {
  const end = await train(request);
  assert.is(end.type, 'done', `${end.name}: ${end.message}`);
  return end.result!;
}

async function refused(request: unknown, name: string, ...fragments: string[]): Promise<void> {
  const end = await train(request);
  assert.is(end.type, 'error', 'refused');
  assert.is(end.name, name, end.message);
  for (const f of fragments) assert.ok(end.message!.includes(f), `"${end.message}" should mention "${f}"`);
}

const n = 24;
const images = Float32Array.from({ length: n * 6 }, (_, i) => Math.sin(i * 1.7));
const ids = Uint8Array.from({ length: n }, (_, i) => (images[i * 6] > 0 ? 1 : 0));
const hidden: LayerConfig = { className: 'Dense', units: 4, activation: 'relu' };
const request = (loss: string, labels: TrainRequest['data']['labels'], units = 2, activation = 'softmax', fit: object = { epochs: 2, batchSize: 8, shuffle: false }) => ({
  modelConfig: { inputShape: [6], seed: 3, layers: [hidden, { className: 'Dense', units, activation }] },
  compile: { optimizer: 'adam', loss }, fit, data: { images, labels },
}) as TrainRequest;
const values = (result: TrainResult) => result.weights.map((w) => [...w]);

test('serveTrainer called twice listens once', () => {
  assert.is(listeners.length, 1);
});

test('labels: class ids of any array type train as the same one-hot targets; sparse ids, one-unit 0/1 targets and > 255 classes work', async () => {
  await init();
  const oneHotRun = values(await trained(request('categoricalCrossentropy', oneHot(ids, 2))));
  for (const labels of [ids, Int32Array.from(ids), Float32Array.from(ids), [...ids]]) {
    assert.equal(values(await trained(request('categoricalCrossentropy', labels))), oneHotRun, labels.constructor.name);
    assert.equal(values(await trained(request('sparseCategoricalCrossentropy', labels))), oneHotRun, `sparse ${labels.constructor.name}`);
  }
  const sigmoid = (labels: TrainRequest['data']['labels']) => request('binaryCrossentropy', labels, 1, 'sigmoid');
  assert.equal(values(await trained(sigmoid(ids))), values(await trained(sigmoid(Float32Array.from(ids)))));
  const manyClasses = Uint16Array.from({ length: n }, (_, i) => 290 + (i % 10));
  assert.is((await trained(request('sparseCategoricalCrossentropy', manyClasses, 300))).epochsDone, 2);
  assert.is((await trained(request('categoricalCrossentropy', manyClasses, 300))).epochsDone, 2);
});

test('labels of a segmentation net (a softmax per pixel): a class id per pixel with a sparse loss train as the same one-hot targets', async () => {
  // 24 images of 3 × 2 pixels of one channel; 3 classes per pixel.
  const segmentation = (loss: string, labels: TrainRequest['data']['labels']) => ({
    modelConfig: { inputShape: [3, 2, 1], seed: 4, layers: [{ className: 'Conv2D', filters: 3, kernelSize: 1, activation: 'softmax' }] },
    compile: { optimizer: 'adam', loss }, fit: { epochs: 2, batchSize: 8, shuffle: false }, data: { images, labels },
  }) as TrainRequest;
  const pixelIds = Uint8Array.from(images, (v) => (v > 0.5 ? 2 : v > -0.5 ? 1 : 0));
  const oneHotRun = values(await trained(segmentation('categoricalCrossentropy', oneHot(pixelIds, 3))));
  assert.equal(values(await trained(segmentation('sparseCategoricalCrossentropy', pixelIds))), oneHotRun);
  await refused(segmentation('sparseCategoricalCrossentropy', ids), 'ShapeError', 'data.labels', `${n} values for ${n} images`, `expected ${n * 6} (`);
});

test('labels or images of a length that fits no reading are a ShapeError naming them and the lengths taken', async () => {
  await refused(request('categoricalCrossentropy', new Float32Array(n + 1)), 'ShapeError', 'data.labels', `${n + 1} values for ${n} images`, `${n}`, `${n * 2}`);
  await refused(request('sparseCategoricalCrossentropy', oneHot(ids, 2)), 'ShapeError', 'data.labels', `expected ${n}`, 'categoricalCrossentropy');
  const partImage = { ...request('categoricalCrossentropy', ids), data: { images: images.subarray(1), labels: ids } };
  await refused(partImage, 'ShapeError', 'data.images', 'not a whole number of images', '[6]');
  const validation = { ...request('categoricalCrossentropy', ids), data: { images, labels: ids, validation: { images, labels: new Uint8Array(3) } } };
  await refused(validation, 'ShapeError', 'data.validation.labels');
});

/** What the run posted after each epoch, and how it ended. */
async function epochLogs(request: unknown): Promise<{ logs: Array<Record<string, unknown>>; end: Message }> {
  const end = await train(request);
  const logs = (posted as Array<Message & { logs?: Record<string, unknown> }>).filter((m) => m.type === 'epoch').map((m) => m.logs!);
  return { logs, end };
}

test('sampleWeights in data and data.validation weigh the loss and val_loss as fit\'s sampleWeight and validationData [x, y, sampleWeight] do', async () => {
  await init();
  const weights = Float32Array.from({ length: n }, (_, i) => (i % 4 === 0 ? 0 : 1 + (i % 3)));
  const base = request('sparseCategoricalCrossentropy', ids);
  const weighed = { ...base, data: { images, labels: ids, sampleWeights: weights, validation: { images, labels: ids, sampleWeights: [...weights] } } };
  const { logs, end } = await epochLogs(weighed);
  assert.is(end.type, 'done', end.message);

  const model = sequential(base.modelConfig as { inputShape: number[]; layers: LayerConfig[]; seed: number });
  model.compile(base.compile);
  const x = tensor(images, [n, 6]), y = tensor(ids, [n]), w = tensor(weights, [n]);
  const history = await model.fit(x, y, { ...base.fit, sampleWeight: w, validationData: [x, y, w] });
  assert.equal(logs.map((l) => l.loss), history.history.loss, 'the weighted loss');
  assert.equal(logs.map((l) => l.val_loss), history.history.val_loss, 'the weighted val_loss');
  assert.equal(values(end.result!), model.getWeights().map((t) => [...t.dataSync()]), 'the same weights');
  const { logs: unweighted } = await epochLogs(base);
  assert.not.equal(unweighted.map((l) => l.val_loss), logs.map((l) => l.val_loss), 'the weights matter, or the test proves nothing');

  await refused({ ...base, data: { images, labels: ids, sampleWeights: weights.subarray(1) } }, 'ShapeError', 'data.sampleWeights', `${n - 1} values for ${n} images`, `expected ${n} (one per image)`);
  await refused({ ...base, fit: { classWeight: { 1: 2 } }, data: { images, labels: ids, sampleWeights: weights } }, 'ConfigError', 'sampleWeight and classWeight');
  // fit's own name for them, in data or data.validation, is refused rather than left unweighted.
  await refused({ ...base, data: { images, labels: ids, sampleWeight: weights } }, 'ConfigError', 'unknown field sampleWeight in data', 'images, labels, sampleWeights, validation');
  await refused({ ...base, data: { images, labels: ids, validation: { images, labels: ids, sampleWeight: weights } } }, 'ConfigError',
    'unknown field sampleWeight in data.validation', 'images, labels, sampleWeights');
  await refused({ ...base, fit: { sampleWeight: weights } as never }, 'ConfigError', 'unknown fit setting sampleWeight (sample weights go in data.sampleWeights)');
});

test('Keras\'s loss names: class ids go to a sparse loss named either way as the same targets', async () => {
  assert.equal(values(await trained(request('sparse_categorical_crossentropy', ids))), values(await trained(request('sparseCategoricalCrossentropy', ids))));
  assert.equal(values(await trained(request('categorical_crossentropy', ids))), values(await trained(request('categoricalCrossentropy', ids))));
});

test('a run that diverges: its error carries the History of the epochs that finished, as fit\'s DivergenceError does', async () => {
  // A linear output under a squared error, and a step too large: the second epoch's loss explodes.
  const targets = oneHot(ids, 2);
  const wild = { ...request('meanSquaredError', targets, 2, 'linear', { epochs: 6, batchSize: 8, shuffle: false }),
    compile: { optimizer: { type: 'sgd', learningRate: 2 }, loss: 'meanSquaredError' } } as TrainRequest;
  const model = sequential(wild.modelConfig as { inputShape: number[]; layers: LayerConfig[]; seed: number });
  model.compile(wild.compile);
  const expected = await model.fit(tensor(images, [n, 6]), tensor(targets, [n, 2]), wild.fit).then(() => undefined, (error: { history?: History }) => error.history);
  assert.ok(expected && expected.epoch.length > 0, 'the run diverges after an epoch, or the test proves nothing');
  const end = await train(wild) as Message & CrossingError;
  assert.is(end.name, 'DivergenceError');
  assert.equal(end.fields?.history, { value: structuredClone(expected) });
});

test('a run that diverges and whose callback then fails: the callback\'s error goes with the DivergenceError, as an error', async () => {
  // No callback of a worker run fails at the end today: a stand-in fit throws the error fit would.
  const fit = Model.prototype.fit;
  const thrown = (callbackError: unknown) => {
    Model.prototype.fit = () => Promise.reject(Object.assign(new DivergenceError('fit: the loss became NaN'), { callbackError }));
  };
  try {
    thrown(new StorageError('cannot save the best weights'));
    const end = await train(request('categoricalCrossentropy', ids)) as Message & CrossingError;
    assert.is(end.name, 'DivergenceError');
    const { name, message } = (end.fields?.callbackError as { error: CrossingError }).error;
    assert.equal([name, message], ['StorageError', 'cannot save the best weights']);
    thrown('a string');
    assert.equal((await train(request('categoricalCrossentropy', ids)) as CrossingError).fields?.callbackError, { value: 'a string' });
  } finally {
    Model.prototype.fit = fit;
  }
  assert.not.ok('fields' in await train({ ...request('categoricalCrossentropy', ids), fit: { epochs: 0 } }), 'none on other errors');
});

test('a frozen conv or dense layer comes back frozen: the returned config rebuilds the trained model, which predicts the same', async () => {
  const cases: Array<[number[], LayerConfig[]]> = [
    [[8, 8, 1], [{ className: 'Conv2D', filters: 4, kernelSize: 3, activation: 'relu', trainable: false }, { className: 'Flatten' }, { className: 'Dense', units: 4, activation: 'softmax' }]],
    // Both kernels 4 × 4: rebuilt unfrozen, setWeights would take them in swapped order without a word.
    [[4], [{ className: 'Dense', units: 4, activation: 'relu', trainable: false }, { className: 'Dense', units: 4, activation: 'softmax' }]],
  ];
  for (const [inputShape, layers] of cases) {
    const size = inputShape.reduce((a, b) => a * b), x = Float32Array.from({ length: 16 * size }, (_, i) => Math.sin(i * 0.37));
    const modelConfig = { inputShape, seed: 9, layers };
    const result = await trained({ modelConfig, compile: { optimizer: 'adam', loss: 'categoricalCrossentropy' }, fit: { epochs: 1, batchSize: 8 },
      data: { images: x, labels: Uint8Array.from({ length: 16 }, (_, i) => i % 4) } });
    assert.is(result.modelConfig.layers[0].trainable, false);
    const rebuilt = sequential(result.modelConfig);
    rebuilt.setWeights(result.weights);
    const exact = sequential(modelConfig);
    exact.setWeights(result.weights);
    const input = tensor(x.subarray(0, 2 * size), [2, ...inputShape]);
    assert.equal([...rebuilt.predict(input).dataSync()], [...exact.predict(input).dataSync()], layers[0].className);
  }
});

test('fit settings fit refuses, other fit options and missing parts are ConfigErrors naming them; classWeight is taken', async () => {
  const withFit = (fit: object) => request('categoricalCrossentropy', ids, 2, 'softmax', fit);
  for (const epochs of [0, -3, NaN, 1.5]) await refused(withFit({ epochs }), 'ConfigError', 'epochs must be a positive integer', `got ${epochs}`);
  await refused(withFit({ epochs: 1, batchSize: 0 }), 'ConfigError', 'batchSize must be a positive integer');
  await refused(withFit({ epochs: 1, validationSplit: 0.25 }), 'ConfigError', 'validationSplit', 'data.validation', 'epochs, batchSize, shuffle, classWeight, earlyStopping');
  for (const part of ['modelConfig', 'compile', 'fit', 'data']) {
    await refused({ ...withFit({}), [part]: undefined }, 'ConfigError', `request.${part} is missing`);
  }
  assert.is((await trained(withFit({ epochs: 1, classWeight: { 1: 2 } }))).epochsDone, 1);
});

test.run();
