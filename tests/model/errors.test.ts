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
  throwsWith(() => layers.conv2d({ filters: 2, kernelSize: 3, activation: 'mish' as never }), ConfigError, 'mish', 'relu', 'gelu', 'hardSwish');
  throwsWith(() => layers.reLU({ maxValue: -6 }), ConfigError, 'maxValue', '≥ 0', '-6');
  throwsWith(() => layers.reLU({ threshold: NaN }), ConfigError, 'threshold', 'finite');
  throwsWith(() => layers.leakyReLU({ alpha: Infinity }), ConfigError, 'alpha', 'finite');
  throwsWith(() => layers.elu({ alpha: '1' as never }), ConfigError, 'alpha', 'finite number');
  throwsWith(() => layers.clip({ min: NaN }), ConfigError, 'min', 'finite number or null', 'NaN');
  throwsWith(() => layers.clip({ max: -Infinity }), ConfigError, 'max', 'finite number or null', '-Infinity');
  throwsWith(() => layers.prelu({ alphaInitializer: 'heNormal' as never }), ConfigError, 'alphaInitializer', 'heNormal');
  throwsWith(() => layers.prelu({ sharedAxes: [0] }), ConfigError, 'sharedAxes', 'integers from 1');
  throwsWith(() => sequential({ inputShape: [4, 4, 3], layers: [layers.prelu({ sharedAxes: [2] })] }),
    ConfigError, 'sharedAxes', 'leading axes', '[1, 2]');
  throwsWith(() => sequential({ inputShape: [4, 4, 3], layers: [layers.softmax({ axis: 1 })] }),
    ConfigError, 'last axis only', 'axis −1 (or 3)', 'got axis 1');
  throwsWith(() => layers.maxPool2d({ padding: 'full' as never }), ConfigError, "'valid' or 'same'");
  throwsWith(() => layers.dropout({ rate: 1 }), ConfigError, 'rate', '[0, 1)');
  throwsWith(() => layerFromConfig({ className: 'LSTM' }), ConfigError, 'LSTM', 'Conv2D');
  throwsWith(() => sequential({ inputShape: [4, 4, 1], layers: [layers.conv2d({ filters: 2, kernelSize: 5 })] }),
    ConfigError, '5×5', 'larger than the padded input', '4×4');
  throwsWith(() => sequential({ inputShape: [4, 4, 1], layers: [layers.conv2d({ filters: 2, kernelSize: 3, padding: -1 as never })] }),
    ConfigError, 'padding');
  throwsWith(() => sequential({ inputShape: [4, 4, 1], layers: [layers.dense({ units: 2.5 })] }), ConfigError, 'units', 'positive integer');
  throwsWith(() => sequential({ inputShape: [10], layers: [layers.conv2d({ filters: 2, kernelSize: 1 })] }), ConfigError, '[height, width, channels]');
  throwsWith(() => sequential({ inputShape: [0, 4, 1], layers: [layers.flatten()] }), ShapeError, 'inputShape');
  throwsWith(() => sequential({ inputShape: [4], seed: -3, layers: [layers.flatten()] }), ConfigError, 'seed');
});

test('impossible depthwise, separable and dilated settings are ConfigErrors, at the latest when the model is built', async () => {
  await init();
  throwsWith(() => layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 0 }), ConfigError, 'depthMultiplier', 'positive integer', '0');
  throwsWith(() => layers.separableConv2d({ filters: 2, kernelSize: 3, depthMultiplier: 1.5 }), ConfigError, 'depthMultiplier', '1.5');
  throwsWith(() => layers.separableConv2d({ filters: 0, kernelSize: 3 }), ConfigError, 'filters');
  throwsWith(() => layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 0 }), ConfigError, 'dilationRate', 'positive integer');
  throwsWith(() => layers.depthwiseConv2d({ kernelSize: 3, dilationRate: [2, 0.5] }), ConfigError, 'dilationRate');
  throwsWith(() => layers.conv2d({ filters: 2, kernelSize: 3, strides: 2, dilationRate: 2 }), ConfigError, 'strides > 1', 'dilationRate > 1', 'Keras');
  throwsWith(() => layers.separableConv2d({ filters: 2, kernelSize: 3, strides: [1, 2], dilationRate: [2, 1] }), ConfigError, 'strides > 1');
  throwsWith(() => sequential({ inputShape: [6, 6, 2], layers: [layers.depthwiseConv2d({ kernelSize: 3, dilationRate: 3 })] }),
    ConfigError, 'the 7×7 window (3×3 taps dilated by 3×3)', 'larger than the padded input', '6×6');
  throwsWith(() => sequential({ inputShape: [6, 6, 2], layers: [layers.conv2d({ filters: 1, kernelSize: 2, dilationRate: [1, 9], padding: 1 })] }),
    ConfigError, '2×10 window', 'padded input 8×8');
  throwsWith(() => sequential({ inputShape: [12], layers: [layers.depthwiseConv2d({ kernelSize: 1 })] }), ConfigError, '[height, width, channels]');
});

test('compile settings', async () => {
  await init();
  throwsWith(() => model().compile({ optimizer: 'lamb' as never, loss: 'meanSquaredError' }), ConfigError, 'lamb', 'adam');
  throwsWith(() => model().compile({ optimizer: { type: 'sgd', learningRate: -1 }, loss: 'meanSquaredError' }), ConfigError, 'learningRate');
  throwsWith(() => model().compile({ optimizer: 'sgd', loss: 'dice' as never }), ConfigError, 'dice', 'categoricalCrossentropy');
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

test('a setting a layer factory does not know is a ConfigError naming it and the layer\'s settings, as in a saved config', () => {
  const typo = { units: 3, activaton: 'relu' } as never;
  throwsWith(() => layers.dense(typo), ConfigError, 'Dense', 'unknown setting activaton', 'units, activation, useBias');
  throwsWith(() => layers.conv2d({ filters: 3, kernelSize: 3, stride: 2 } as never), ConfigError, 'unknown setting stride', 'strides');
  throwsWith(() => layers.maxPool2d({ pool_size: 4 } as never), ConfigError, 'unknown setting pool_size', 'poolSize');
  throwsWith(() => layers.relu({ nam: 'r' } as never), ConfigError, 'unknown setting nam');
  throwsWith(() => layers.dense({ units: 3, inputShape: [4] } as never), ConfigError, 'the input shape goes to sequential() or input()');
  throwsWith(() => layers.dense({ units: 3, trainable: 'no' } as never), ConfigError, 'trainable must be true or false', '"no"');
  // Keras's trainable flag is a setting of every layer.
  assert.is(layers.dense({ units: 3, trainable: false } as never).trainable, false);
  assert.is(layers.batchNormalization({ trainable: false } as never).trainable, false);
  assert.is(layers.relu(null as never).name.startsWith('relu'), true, 'null settings are no settings, as before');
});

test('impossible settings of the shape layers are ConfigErrors when the model is built, naming the layer and the sizes', async () => {
  await init();
  const build = (...stack: Parameters<typeof sequential>[0]['layers']) => () => sequential({ inputShape: [6, 5, 3], layers: stack });
  throwsWith(build(layers.cropping2d({ cropping: [[3, 3], [0, 0]], name: 'crop' })), ConfigError, 'crop', 'removes more than the 6×5 input');
  throwsWith(build(layers.cropping2d({ cropping: [1, 3] })), ConfigError, 'removes more than');
  throwsWith(() => layers.zeroPadding2d({ padding: -1, name: 'pad' }), ConfigError, 'pad', 'non-negative integer');
  throwsWith(() => layers.zeroPadding2d({ padding: [[1, 1], [1, -1]] }), ConfigError, '[[top, bottom], [left, right]]');
  throwsWith(() => layers.upSampling2d({ size: 0, name: 'up' }), ConfigError, 'up', 'size', 'positive integer');
  throwsWith(() => layers.upSampling2d({ size: [2, 1.5] }), ConfigError, 'size');
  throwsWith(() => layers.upSampling2d({ interpolation: 'bicubic' as never }), ConfigError, "'nearest' or 'bilinear'", 'bicubic');
  throwsWith(build(layers.reshape({ targetShape: [7, -1], name: 'shape' })), ConfigError, 'shape', 'cannot reshape [6, 5, 3] (90 values) to [7, -1]');
  throwsWith(build(layers.reshape({ targetShape: [10, 10] })), ConfigError, '[6, 5, 3] (90 values) to [10, 10] (100 values)');
  throwsWith(() => layers.reshape({ targetShape: [-1, 3, -1] }), ConfigError, 'one dimension unknown');
  throwsWith(() => layers.reshape({ targetShape: [0, 3] }), ConfigError, 'targetShape');
  throwsWith(() => layers.globalMaxPooling2d({ keepdims: 1 as never }), ConfigError, 'keepdims');
  throwsWith(() => sequential({ inputShape: [12], layers: [layers.globalAveragePooling2d()] }), ConfigError, '[height, width, channels]');
  throwsWith(() => layers.conv2dTranspose({ filters: 0, kernelSize: 3 }), ConfigError, 'filters');
  throwsWith(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, padding: [1, 1, -1, 0] }), ConfigError, 'padding', 'non-negative');
  throwsWith(() => layers.conv2dTranspose({ filters: 2, kernelSize: 3, padding: 'causal' as never }), ConfigError, 'padding');
  throwsWith(build(layers.conv2dTranspose({ filters: 2, kernelSize: 3, padding: 4, name: 'deconv' })), ConfigError, 'deconv',
    'leaves no output for the 6×5 input');
  throwsWith(build(layers.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 1, padding: 'full' }), layers.conv2dTranspose({ filters: 2, kernelSize: 4, padding: 'full' })),
    ConfigError, 'leaves no output for the 4×3 input');
});

test.run();
