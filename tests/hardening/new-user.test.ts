// Mistakes a new user makes in the first minutes with the API, each once accepted without a word
// (or failing with a TypeError from inside): now a typed ConvasError naming what is wrong.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConfigError, ShapeError, StorageError, ValueError, argmaxRows, callbacks, init, layerFromConfig, layers, loadModel, oneHot, ops, sequential, tensor,
} from '../../src/index.js';
import '../../src/onnx/index.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

test('tensor: values that are not numbers are a ValueError naming the first one and where it is', async () => {
  await init();
  throwsWith(() => tensor(['a'] as never, [1]), ValueError, 'tensor: values[0] is the string "a"; expected a number');
  throwsWith(() => tensor([1, 2, null] as never, [3]), ValueError, 'values[2] is null');
  throwsWith(() => tensor([[1, 2], [3, undefined]] as never), ValueError, 'values[1][1] is undefined');
  throwsWith(() => tensor([[1, {}]] as never), ValueError, 'values[0][1] is an object');
  throwsWith(() => tensor([[[1], [2n]]] as never), ValueError, 'values[0][1][0] is the bigint 2n');
  throwsWith(() => tensor([[1, 2], [3, [4]]] as never), ValueError, 'values[1][1] is an array');
  // Flat values given a shape are named by their flat index.
  throwsWith(() => tensor([0, 1, 2, '3'] as never, [2, 2]), ValueError, 'values[3] is the string "3"');
  throwsWith(() => tensor('abc' as never), ValueError, 'got the string "abc"');
  throwsWith(() => tensor(5 as never), ValueError, 'got the number 5 (a single number is tensor([x]))');
  throwsWith(() => tensor(undefined as never), ValueError, 'got undefined');
  throwsWith(() => tensor(new BigInt64Array(2) as never), ValueError, 'got a BigInt64Array');
});

test('tensor: numbers of every kind are taken, and true and false are 1 and 0 as in TensorFlow.js float32 tensors', async () => {
  await init();
  assert.equal(Array.from(tensor([[true, false], [false, true]] as never).dataSync()), [1, 0, 0, 1]);
  assert.equal(Array.from(tensor([NaN, Infinity, -0.5], [3]).dataSync()), [NaN, Infinity, -0.5]);
  assert.equal(Array.from(tensor(new Float64Array([0.1, 2]), [2]).dataSync()), [Math.fround(0.1), 2]);
  assert.equal(Array.from(tensor(Uint8Array.from([3, 255])).dataSync()), [3, 255]);
  assert.equal([...tensor([[[1], [2]], [[3], [4]]]).shape], [2, 2, 1]);
});

test('tensor: ragged nested arrays are a ShapeError saying which row is off', async () => {
  await init();
  throwsWith(() => tensor([[1, 2], [3]]), ShapeError, 'the nested arrays are not regular: values[1] is an array of 1, where values[0] is an array of 2');
  throwsWith(() => tensor([[1, 2], 3] as never), ShapeError, 'values[1] is the number 3, where values[0] is an array of 2');
  throwsWith(() => tensor([[[1, 2], [3, 4]], [[5, 6], [7]]]), ShapeError, 'values[1][1] is an array of 1, where values[0][0] is an array of 2');
});

test('reshape to a size that does not divide says so', async () => {
  await init();
  throwsWith(() => tensor(new Float32Array(4), [2, 2]).reshape([3, -1]), ShapeError, 'cannot reshape [2, 2] (4 values) to [3, -1]: 4 is not a multiple of 3');
});

test('layer configs: a misspelt setting is refused rather than ignored; trainable is a setting of any layer', async () => {
  await init();
  throwsWith(() => sequential({ inputShape: [4], layers: [{ className: 'Dense', units: 3, activaton: 'relu' }] }), ConfigError,
    'unknown setting activaton; its settings are name, units, activation, useBias');
  throwsWith(() => layerFromConfig({ className: 'Conv2D', filters: 2, kernelSize: 3, stride: 2 }), ConfigError, 'unknown setting stride');
  throwsWith(() => layerFromConfig({ className: 'Dense', units: 3, inputShape: [4] }), ConfigError, 'inputShape (the input shape goes to sequential() or input())');
  const frozen = sequential({ inputShape: [4], layers: [{ className: 'Dense', units: 3, trainable: false }] });
  assert.is(frozen.layers[0].trainable, false);
  throwsWith(() => layerFromConfig({ className: 'Dense', units: 3, trainable: 'no' }), ConfigError, 'trainable must be true or false, got "no"');
});

test('layer factories that need settings, called without them, say which', async () => {
  await init();
  throwsWith(() => (layers.dense as (o?: unknown) => unknown)(), ConfigError, 'layers.dense: expected its settings, such as { units }; got undefined');
  throwsWith(() => (layers.conv2d as (o?: unknown) => unknown)(null), ConfigError, 'layers.conv2d: expected its settings, such as { filters, kernelSize }; got null');
  throwsWith(() => (layers.dropout as (o?: unknown) => unknown)(0.5), ConfigError, 'layers.dropout: expected its settings, such as { rate }; got number');
});

test('fit: a misspelt option, options that are not an object, and a shuffle that is not a boolean are ConfigErrors', async () => {
  await init();
  const model = sequential({ inputShape: [4], seed: 1, layers: [layers.dense({ units: 2, activation: 'softmax' })] });
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const x = tensor(new Float32Array(8), [2, 4]), y = tensor([1, 0, 0, 1], [2, 2]);
  await rejectsWith(() => model.fit(x, y, { epoch: 5 } as never), ConfigError, 'fit: unknown setting epoch; its settings are epochs, initialEpoch');
  await rejectsWith(() => model.fit(x, y, null as never), ConfigError, 'fit: options must be an object, got null');
  await rejectsWith(() => model.fit(x, y, { shuffle: 'yes' as never }), ConfigError, 'fit: shuffle must be true or false, got "yes"');
});

test('values given by mistake are shown as given (NaN as NaN), by their kind when large, a loop or a BigInt, never by a TypeError of their own', async () => {
  await init();
  const model = sequential({ inputShape: [4], seed: 1, layers: [layers.dense({ units: 3, activation: 'softmax' })] });
  const x = tensor(new Float32Array(8), [2, 4]), y = tensor([0, 2], [2]);
  const circular: Record<string, unknown> = { learningRate: 0.1 };
  circular.self = circular;
  // TensorFlow.js's optimizers, losses and tensors, which a TF.js user passes out of habit.
  class AdamOptimizer { learningRate = 0.001; accumulated: unknown[] = [this]; }
  throwsWith(() => model.compile({ optimizer: new AdamOptimizer() as never, loss: 'sparseCategoricalCrossentropy' }), ConfigError,
    'optimizer: expected a name or { type, learningRate, … } with type one of sgd, momentum, adam, adamw, adamax, rmsprop, adagrad, adadelta; got an AdamOptimizer object');
  throwsWith(() => model.compile({ optimizer: circular as never, loss: 'sparseCategoricalCrossentropy' }), ConfigError, 'got {"learningRate":0.1,"self":an object}');
  throwsWith(() => model.compile({ optimizer: 'adam', loss: function softmaxCrossEntropy() {} as never }), ConfigError,
    'compile: unknown loss the function softmaxCrossEntropy (a loss is given by its name, or { type, …settings }: convas has no custom loss functions)');
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const foreign = { shape: [2, 4], dtype: 'float32', dataSync: () => new Float32Array(8), kept: false, isDisposedInternal: false, strides: [4], dataId: { id: 7 } };
  throwsWith(() => model.predict(foreign as never), ShapeError,
    'predict: the model has 1 input ([n, 4]); expected one tensor, got a tensor of another library (an object); make convas tensors with tensor(values, shape)');
  throwsWith(() => model.predict(new Float32Array(400_000) as never), ShapeError, 'expected one tensor, got a Float32Array of 400000');
  // A promise of a tensor (a forgotten await): JSON would show it as {}.
  throwsWith(() => model.predict(Promise.resolve(x) as never), ShapeError, 'expected one tensor, got a Promise object');
  await rejectsWith(() => model.fit(x, Array.from({ length: 1000 }, () => 1) as never), ShapeError, 'fit: y must be a tensor (tensor(values, shape)), got an array of 1000');
  await rejectsWith(() => model.fit(x, [0, 2] as never), ShapeError, 'got [0,2]');
  // Numbers as JavaScript writes them, where JSON would write null.
  await rejectsWith(() => model.fit(x, y, { batchSize: NaN }), ConfigError, 'fit: batchSize must be a positive integer, got NaN');
  throwsWith(() => layers.leakyReLU({ alpha: Infinity }), ConfigError, 'alpha must be a finite number, got Infinity');
  throwsWith(() => tensor([1, 2], [NaN]), ShapeError, 'tensor: shape [NaN] is not valid');
  throwsWith(() => layers.dense({ units: 2n as never }), ConfigError, 'units must be a positive integer, got 2n');
  await rejectsWith(() => model.fit(x, y, { epochs: circular as never }), ConfigError, 'fit: epochs must be a positive integer, got {"learningRate":0.1,"self":an object}');
  throwsWith(() => callbacks.earlyStopping({ patience: circular as never }), ConfigError, 'earlyStopping: patience must be an integer ≥ 0, got {"learningRate":0.1,"self":an object}');
});

test('oneHot: labels that are not integers from 0 to classes − 1 are a ValueError; argmaxRows: values that are not whole rows a ShapeError', async () => {
  throwsWith(() => oneHot([0, 1.5], 3), ValueError, 'oneHot: label 1.5 at index 1 is out of range for 3 classes; expected an integer from 0 to 2');
  throwsWith(() => oneHot([-1], 3), ValueError, 'label -1 at index 0');
  throwsWith(() => oneHot([0], 0), ConfigError, 'oneHot: classes must be a positive integer, got 0');
  assert.equal(Array.from(oneHot([2, 0], 3)), [0, 0, 1, 1, 0, 0]);
  throwsWith(() => argmaxRows(new Float32Array(5), 2), ShapeError, 'argmaxRows: 5 values do not make rows of 2');
});

test('ops given arrays instead of tensors say so', async () => {
  await init();
  throwsWith(() => ops.relu([1, 2] as never), ValueError, 'relu: x must be a Tensor (make one with tensor(values, shape)), got an array');
  throwsWith(() => ops.matMul(tensor([1, 2], [1, 2]), [[1], [2]] as never), ValueError, 'matMul: b must be a Tensor');
  throwsWith(() => ops.conv2d(tensor(new Float32Array(16), [1, 4, 4, 1]), null as never), ValueError, 'conv2d: filters must be a Tensor (make one with tensor(values, shape)), got null');
});

test('browser-only model stores, asked for in Node, and an empty destination are ConfigErrors', async () => {
  await init();
  const model = sequential({ inputShape: [4], layers: [layers.dense({ units: 2 })] });
  await rejectsWith(() => model.save('indexeddb://digits'), ConfigError, 'it needs a browser page (indexedDB is missing here); in Node, save to a directory');
  await rejectsWith(() => model.save('downloads://digits'), ConfigError, 'it needs a browser page (document is missing here)');
  await rejectsWith(() => loadModel('indexeddb://digits'), ConfigError, 'cannot load a model from "indexeddb://digits": it needs a browser page');
  await rejectsWith(() => model.save(''), ConfigError, 'cannot save a model to "": expected a directory');
  // Left out or not a string (JavaScript callers): named, rather than a TypeError from inside.
  await rejectsWith(() => model.save(undefined as never), ConfigError, 'save: the destination must be a string, a directory (Node), indexeddb://name or downloads://name; got undefined');
  await rejectsWith(() => model.save({ path: 'm' } as never, { format: 'tfjs' }), ConfigError, 'must be a string, a directory (Node), indexeddb://name or downloads://name; got {"path":"m"}');
  // The destination is checked before the model is encoded: this one's bicubic Resizing has no ONNX
  // form, and a user who left out the destination hears of that first.
  const bicubic = sequential({ inputShape: [4, 4, 1], layers: [layers.resizing({ height: 8, width: 8, interpolation: 'bicubic' })] });
  await rejectsWith(() => bicubic.save(undefined as never, { format: 'onnx' }), ConfigError, 'save: the destination must be a string');
});

test('loadModel and save: a misspelt option is a ConfigError naming the options there are, not a model loaded or saved otherwise', async () => {
  await init();
  const model = sequential({ inputShape: [4], layers: [layers.dense({ units: 2 })] });
  const dir = mkdtempSync(join(tmpdir(), 'convas-options-'));
  try {
    await rejectsWith(() => model.save(dir, { fromat: 'onnx' } as never), ConfigError, 'save: unknown setting fromat; its settings are format, quantize');
    await rejectsWith(() => model.save(dir, null as never), ConfigError, 'save: options must be an object, got null');
    assert.not.ok(existsSync(join(dir, 'model.json')), 'nothing is saved');
    await model.save(dir);
    await rejectsWith(() => loadModel(dir, { inputlayout: 'NCHW' } as never), ConfigError, 'loadModel: unknown setting inputlayout; its settings are inputLayout, sizes');
    await rejectsWith(() => loadModel(dir, null as never), ConfigError, 'loadModel: options must be an object, got null');
    await rejectsWith(() => loadModel({} as never), ConfigError, 'cannot load a model from {}: expected a directory');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loadModel: a URL that cannot be reached is a StorageError saying why (Node gives the reason), not "fetch failed"', async () => {
  await rejectsWith(() => loadModel('http://127.0.0.1:9/model.json'), StorageError,
    'http://127.0.0.1:9/model.json: cannot be fetched: fetch refuses port 9, kept for other protocols (bad port)');
});

test.run();
