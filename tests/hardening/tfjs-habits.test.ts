// Code written as TensorFlow.js's tutorials and guides write it (the digits CNN codelab, the layers
// API guide, save and load), each a habit that failed here with a TypeError or a refusal where
// convas has the same thing under TF.js's name.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import * as tf from '@tensorflow/tfjs-core';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ValueError, init, layerToConfig, layers, loadLayersModel, loadModel, sequential, tensor } from '../../src/index.js';
import { throwsWith } from '../throws-with.js';

test('layers.maxPooling2d and averagePooling2d, the names TF.js\'s digits codelab uses, make the pooling layers', async () => {
  await init();
  const max = layerToConfig(layers.maxPooling2d({ poolSize: [2, 2], strides: [2, 2] }));
  assert.equal([max.className, max.poolSize, max.strides], ['MaxPooling2D', [2, 2], [2, 2]]);
  const average = layerToConfig(layers.averagePooling2d({ poolSize: 3 }));
  assert.equal([average.className, average.poolSize, average.strides], ['AveragePooling2D', [3, 3], [3, 3]]);
});

test('save and loadModel take TF.js\'s file:// paths in Node, absolute (file:///tmp/m) and relative (file://./m)', async () => {
  await init();
  const net = sequential({ inputShape: [3], seed: 4, layers: [layers.dense({ units: 2, activation: 'softmax' })] });
  const x = tensor([0.5, -1, 2], [1, 3]);
  const dir = mkdtempSync(join(tmpdir(), 'convas-file-url-'));
  try {
    await net.save(`file://${dir}/absolute`);
    await net.save(`file://./${relative(process.cwd(), dir)}/relative`, { format: 'tfjs' });
    for (const location of [`file://${dir}/absolute`, `file://${dir}/relative/model.json`, `file://./${relative(process.cwd(), dir)}/relative`]) {
      assert.equal((await loadModel(location)).predict(x).dataSync(), net.predict(x).dataSync(), location);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('summary(lineLength, positions, printFn), as TF.js calls it, prints each line with printFn; a print that is no function is a ConfigError', async () => {
  await init();
  const net = sequential({ inputShape: [4], layers: [layers.dense({ units: 3 })] });
  const lines: string[] = [];
  const text = net.summary(undefined, undefined, (line) => lines.push(line));
  assert.equal(lines, text.split('\n'));
  assert.ok(lines.some((line) => line.startsWith('Total params: 15')));
  lines.length = 0;
  net.summary(80, [0.5, 0.8, 1], (line) => lines.push(line));
  assert.equal(lines, text.split('\n'));
  throwsWith(() => net.summary('all' as never), ConfigError, 'summary: expected a function to print with');
  throwsWith(() => net.summary(undefined, undefined, 'console' as never), ConfigError, 'printFn must be a function');
});

test('countParams() on a model and on a layer counts what TF.js counts, moving statistics included', async () => {
  await init();
  const net = sequential({ inputShape: [6, 6, 2], layers: [
    layers.conv2d({ filters: 3, kernelSize: 3, name: 'c' }), layers.batchNormalization({ name: 'bn' }), layers.flatten(), layers.dense({ units: 4, name: 'd' }),
  ] });
  const reference = tfl.sequential({ layers: [
    tfl.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, name: 'c' }), tfl.layers.batchNormalization({ name: 'bn' }), tfl.layers.flatten(), tfl.layers.dense({ units: 4, name: 'd' }),
  ] });
  assert.is(net.countParams(), reference.countParams());
  for (const name of ['c', 'bn', 'd']) assert.is(net.getLayer(name).countParams(), reference.getLayer(name).countParams(), name);
});

test('tensor.argMax(axis) gives TF.js\'s indices on every axis, ties to the first; tensor.array() resolves to the nested arrays', async () => {
  await init();
  await tf.setBackend('cpu');
  const values = Array.from({ length: 3 * 4 * 5 }, (_, i) => Math.round(Math.sin(i * 1.3) * 3));   // many ties
  const ours = tensor(values, [3, 4, 5]), theirs = tf.tensor(values, [3, 4, 5]);
  for (const axis of [undefined, 0, 1, 2, -1, -2]) {
    const got = ours.argMax(axis), expected = tf.argMax(theirs, axis);
    assert.equal([...got.shape], expected.shape, `axis ${axis}`);
    assert.equal(Array.from(got.dataSync()), Array.from(expected.dataSync()), `axis ${axis}`);
  }
  assert.equal([...tensor([1, 5, 5], [3]).argMax().shape], []);
  assert.equal(tensor([1, 5, 5], [3]).argMax().dataSync()[0], 1);
  throwsWith(() => ours.argMax(3), ValueError, 'argMax: axis 3 is not an axis of a tensor [3, 4, 5]; expected an integer from -3 to 2');
  assert.equal(await tensor([1, 2, 3, 4], [2, 2]).array(), [[1, 2], [3, 4]]);
});

test('tf.sequential() then model.add() is a ConfigError saying how convas builds the model', async () => {
  await init();
  throwsWith(() => sequential(undefined as never), ConfigError, 'tf.sequential() then model.add(layer) is sequential({ inputShape, layers: [layer, …] })');
  const net = sequential({ inputShape: [4], layers: [layers.dense({ units: 3, name: 'first' })] });
  throwsWith(() => net.add(layers.dense({ units: 2, name: 'second' })), ConfigError, 'add(second): a model\'s layers are fixed when it is built',
    'sequential({ inputShape, layers: [...] })', 'model({ inputs: model.inputs, outputs })');
});

test('kernelInitializer, which TF.js\'s codelab sets, is refused saying how weights start here', async () => {
  await init();
  throwsWith(() => layers.conv2d({ filters: 8, kernelSize: 5, kernelInitializer: 'varianceScaling' } as never), ConfigError,
    'unknown setting kernelInitializer (weights start from the model\'s seed: He uniform before a ReLU, Glorot uniform otherwise');
});

test('loadLayersModel, TF.js\'s name, is loadModel: it reads a TF.js file saved here', async () => {
  await init();
  const net = sequential({ inputShape: [3], seed: 5, layers: [layers.dense({ units: 2, activation: 'softmax' })] });
  const x = tensor([0.5, -1, 2], [1, 3]);
  const dir = mkdtempSync(join(tmpdir(), 'convas-load-layers-'));
  try {
    await net.save(dir, { format: 'tfjs' });
    assert.equal((await loadLayersModel(join(dir, 'model.json'))).predict(x).dataSync(), net.predict(x).dataSync());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
