// Conv2D's groups in files: saved and read back in the convas format, refused for TF.js by name (it
// has no groups), and read from a Keras model as tensorflowjs_converter writes it.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, init, layers, loadModel, sequential, tensor } from '../../src/index.js';
import '../../src/io/save.js';
import { assertClose, random } from '../helpers.js';
import { throwsWith } from '../throws-with.js';
import { temporaryDirectory } from './model-files.js';
import { writeConverterModel } from './tfjs-converter.js';

test.before(async () => {
  await init();
});

/** A grouped conv on [6, 6, 4] (2 groups of 2 → 3 filters each), then flatten and a softmax of 3. */
const grouped = () => sequential({ inputShape: [6, 6, 4], seed: 2, layers: [
  layers.conv2d({ filters: 6, kernelSize: 3, groups: 2, activation: 'relu' }), layers.flatten(), layers.dense({ units: 3, activation: 'softmax' }),
] });

test('groups are saved and read back (convas format), refused for TF.js by name, and read from a Keras model converted for TF.js', async () => {
  const model = grouped();
  const dir = await temporaryDirectory();
  await model.save(join(dir, 'convas'));
  await mkdir(join(dir, 'keras'));
  const back = await loadModel(join(dir, 'convas'));
  assert.is(back.layers[0].getConfig().groups, 2);
  const x = tensor(random(3).array(2 * 144), [2, 6, 6, 4]);
  assert.equal(Array.from(back.predict(x).dataSync()), Array.from(model.predict(x).dataSync()));
  await model.save(join(dir, 'tfjs'), { format: 'tfjs' }).then(
    () => assert.unreachable('saved for TF.js'),
    (error) => throwsWith(() => { throw error; }, ConfigError, 'groups 2', 'TensorFlow.js'));
  // A Keras model with groups, as tensorflowjs_converter writes it: the same predictions.
  const [kernel, bias, dense, denseBias] = model.getWeights().map((t) => t.dataSync());
  const conv = { name: 'grouped', filters: 6, kernel_size: [3, 3], strides: [1, 1], padding: 'valid', data_format: 'channels_last',
    dilation_rate: [1, 1], groups: 2, activation: 'relu', use_bias: true };
  const topology = { class_name: 'Sequential', config: { name: 'keras', layers: [
    { class_name: 'InputLayer', config: { name: 'in', batch_input_shape: [null, 6, 6, 4], dtype: 'float32' } },
    { class_name: 'Conv2D', config: conv }, { class_name: 'Flatten', config: { name: 'flat', data_format: 'channels_last' } },
    { class_name: 'Dense', config: { name: 'out', units: 3, activation: 'softmax', use_bias: true } },
  ] } };
  await writeConverterModel(join(dir, 'keras'), topology, [[
    { name: 'grouped/kernel', shape: [3, 3, 2, 6], values: kernel }, { name: 'grouped/bias', shape: [6], values: bias },
    { name: 'out/kernel', shape: [96, 3], values: dense }, { name: 'out/bias', shape: [3], values: denseBias },
  ]], 1 << 20);
  const keras = await loadModel(join(dir, 'keras'));
  assert.is(keras.getLayer('grouped').getConfig().groups, 2);
  assertClose(keras.predict(x).dataSync(), model.predict(x).dataSync(), 1e-6, 'the Keras file');
});

test.run();
