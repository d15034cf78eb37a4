// Each misuse gets a typed ConvasError whose message names what was wrong and what was expected.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConfigError, ShapeError, StateError, ValueError, init, layerFromConfig, layers, ops, sequential, tensor,
} from '../../src/index.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

const model = () => sequential({ inputShape: [8, 8, 1], seed: 1, layers: [
  layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
] });

test('using tensors before init() names the fix', () => {
  throwsWith(() => tensor([1, 2, 3]), StateError, 'await init()');
});

test('impossible layer settings', async () => {
  await init();
  throwsWith(() => layers.conv2d({ filters: 0, kernelSize: 3 }), ConfigError, 'filters', 'positive integer');
  throwsWith(() => layers.conv2d({ filters: 2, kernelSize: [3, 0] as never }), ConfigError, 'kernelSize');
  throwsWith(() => layers.conv2d({ filters: 2, kernelSize: 3, activation: 'swish' as never }), ConfigError, 'swish', 'relu');
  throwsWith(() => layers.maxPool2d({ padding: 'full' as never }), ConfigError, "'valid' or 'same'");
  throwsWith(() => layers.dropout({ rate: 1 }), ConfigError, 'rate', '[0, 1)');
  throwsWith(() => layerFromConfig({ className: 'LSTM' }), ConfigError, 'LSTM', 'Conv2D');
  throwsWith(() => sequential({ inputShape: [4, 4, 1], layers: [layers.conv2d({ filters: 2, kernelSize: 5 })] }),
    ConfigError, '5×5', 'larger than the padded input', '4×4');
  throwsWith(() => sequential({ inputShape: [4, 4, 1], layers: [layers.conv2d({ filters: 2, kernelSize: 3, padding: -1 as never })] }),
    ConfigError, 'padding');
  throwsWith(() => sequential({ inputShape: [4, 4, 1], layers: [layers.dense({ units: 2 })] }), ConfigError, 'flatten');
  throwsWith(() => sequential({ inputShape: [10], layers: [layers.conv2d({ filters: 2, kernelSize: 1 })] }), ConfigError, '[height, width, channels]');
  throwsWith(() => sequential({ inputShape: [0, 4, 1], layers: [layers.flatten()] }), ShapeError, 'inputShape');
  throwsWith(() => sequential({ inputShape: [4], seed: -3, layers: [layers.flatten()] }), ConfigError, 'seed');
});

test('compile settings', async () => {
  await init();
  throwsWith(() => model().compile({ optimizer: 'lamb' as never, loss: 'meanSquaredError' }), ConfigError, 'lamb', 'adam');
  throwsWith(() => model().compile({ optimizer: { type: 'sgd', learningRate: -1 }, loss: 'meanSquaredError' }), ConfigError, 'learningRate');
  throwsWith(() => model().compile({ optimizer: 'sgd', loss: 'poisson' as never }), ConfigError, 'poisson', 'categoricalCrossentropy');
});

test('data that does not fit the model', async () => {
  await init();
  const m = model();
  const x = tensor(new Float32Array(2 * 64), [2, 8, 8, 1]);
  const y = tensor([1, 0, 0, 0, 1, 0], [2, 3]);
  await rejectsWith(() => m.fit(x, y), StateError, 'compile');
  m.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  await rejectsWith(() => m.fit(tensor(new Float32Array(2 * 49), [2, 7, 7, 1]), y), ShapeError, '[2, 7, 7, 1]', '[n, 8, 8, 1]');
  await rejectsWith(() => m.fit(x, tensor([1, 0, 0, 0, 1, 0, 0, 0], [2, 4])), ShapeError, 'labels must match the outputs', '[n, 3]');
  await rejectsWith(() => m.fit(x, tensor([1, 0, 0], [1, 3])), ShapeError, '2 examples', '1');
  await rejectsWith(() => m.fit(x, y, { batchSize: 0 }), ConfigError, 'batchSize');
  await rejectsWith(() => m.fit(x, y, { epochs: 1.5 }), ConfigError, 'epochs');
  const bad = new Float32Array(2 * 64);
  bad[70] = NaN;
  await rejectsWith(() => m.fit(tensor(bad, [2, 8, 8, 1]), y), ValueError, 'non-finite', 'index 70');
  throwsWith(() => m.predict(tensor([1, 2, 3], [3])), ShapeError, 'x has shape [3]');
  throwsWith(() => m.setWeights([]), ShapeError, 'got 0 arrays', 'has 4 weights');
  throwsWith(() => m.setWeights(m.getWeights().reverse()), ShapeError, 'expects shape [3, 3, 1, 2]');
});

test('ops and tensors check their arguments', async () => {
  await init();
  throwsWith(() => tensor([1, 2, 3], [2, 2]), ShapeError, '3 values', '[2, 2]');
  throwsWith(() => ops.conv2d(tensor([1, 2], [2]), tensor([1], [1, 1, 1, 1])), ShapeError, 'rank 4');
  throwsWith(() => ops.conv2d(tensor(new Float32Array(18), [1, 3, 3, 2]), tensor([1], [1, 1, 1, 1])), ShapeError, '2 channels');
  throwsWith(() => ops.matMul(tensor([1, 2], [1, 2]), tensor([1, 2], [1, 2])), ShapeError, 'inner dimensions');
  const t = tensor([1, 2]);
  t.dispose();
  throwsWith(() => t.dataSync(), StateError, 'disposed');
  const m = model();
  m.dispose();
  throwsWith(() => m.summary(null), StateError, 'disposed');
});

test.run();
