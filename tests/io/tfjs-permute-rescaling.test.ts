// Permute and Rescaling against TensorFlow.js's own layers: the same model predicts alike when
// built in TF.js and loaded in convas, and when saved by convas and loaded in TF.js; pooling with
// explicit padding (which TF.js cannot express) is refused by the TF.js writer by name.
import { test } from 'uvu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, init, layers, loadModel, sequential, tensor } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { assertClose, random } from '../helpers.js';
import { temporaryDirectory } from './model-files.js';
import { loadInTfjs, saveTfjs } from './tfjs-files.js';

const SHAPE = [4, 5, 3];

function samePredictions(convas: { predict(x: ReturnType<typeof tensor>): { dataSync(): Float32Array } }, tfjsModel: tfl.LayersModel) {
  const values = random(3).array(6 * SHAPE.reduce((a, b) => a * b, 1), -2, 2);
  const expected = (tfjsModel.predict(tf.tensor(values, [6, ...SHAPE])) as tf.Tensor).dataSync() as Float32Array;
  assertClose(convas.predict(tensor(values, [6, ...SHAPE])).dataSync(), expected, 1e-5, 'predictions');
}

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

test('TF.js → convas: Permute (every order of an image) and Rescaling (scalar and per channel) predict alike', async () => {
  for (const dims of [[3, 1, 2], [2, 3, 1], [1, 3, 2], [3, 2, 1], [2, 1, 3]]) {
    const model = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: SHAPE, filters: 4, kernelSize: 2, padding: 'same' }),
      tfl.layers.rescaling({ scale: [0.5, -2, 1.5, 3] as never, offset: [1, 0, -0.5, 2] as never }),
      tfl.layers.permute({ dims }),
      tfl.layers.rescaling({ scale: 0.25, offset: -1 }),
      tfl.layers.flatten(), tfl.layers.dense({ units: 3 }),
    ] });
    const dir = await temporaryDirectory();
    await saveTfjs(model, dir);
    samePredictions(await loadModel(dir), model);
  }
});

test('convas → TF.js: Permute and Rescaling load in tf.loadLayersModel and predict alike', async () => {
  const model = sequential({ inputShape: SHAPE, seed: 4, layers: [
    layers.rescaling({ scale: [2, 0.5, -1], offset: [0.1, 0.2, 0.3] }), layers.conv2d({ filters: 2, kernelSize: 3 }),
    layers.permute({ dims: [3, 1, 2] }), layers.flatten(), layers.rescaling({ scale: -0.5 }), layers.dense({ units: 2 }),
  ] });
  const dir = await temporaryDirectory();
  await model.save(dir, { format: 'tfjs' });
  samePredictions(model, await loadInTfjs(dir));
});

test('convas → TF.js: pooling with explicit padding is refused by name', async () => {
  const model = sequential({ inputShape: SHAPE, layers: [layers.maxPool2d({ poolSize: 3, strides: 2, padding: [1, 1, 1, 0], name: 'padded' })] });
  const dir = await temporaryDirectory();
  await expectError(() => model.save(dir, { format: 'tfjs' }), ConfigError, 'padded', /padding \[1,1,1,0\]/);
});

test.run();
