// Keras settings that change what a layer computes, in files otherwise as TF.js writes them: each
// is read and computed exactly, or the file is refused with a FileFormatError naming the layer and
// the setting; none is left out silently.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { FileFormatError, type Model, init, loadModel, tensor } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { assertClose } from '../helpers.js';
import { assertSamePredictions, batch, randomizeTfjs } from './tfjs-compare.js';
import { modelFileName, newModelLocation, readModelJson, saveTfjs, writeModelJson } from './tfjs-files.js';

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

const tfjsModel = () => tfl.sequential({ layers: [
  tfl.layers.inputLayer({ inputShape: [7, 5, 3] }),
  tfl.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', name: 'conv' }),
  tfl.layers.batchNormalization({ name: 'norm' }),
  tfl.layers.flatten({ name: 'flat' }),
  tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
] });

/** The TF.js model's file with `edit` applied to the config of its layer `layer` (0 is the InputLayer); its location. */
async function edited(layer: number, edit: (config: Record<string, unknown>) => void): Promise<string> {
  const m = tfjsModel();
  randomizeTfjs(m, 1);
  const location = await newModelLocation();
  await saveTfjs(m, location);
  const json = await readModelJson(location);
  edit(json.modelTopology.config.layers[layer].config);
  await writeModelJson(location, json);
  return location;
}

/** Keras 2's mixed-precision policy and Keras 3's dtype policy, as each writes a layer's dtype. */
const keras2Policy = (name: string) => ({ class_name: 'Policy', config: { name } });
const keras3Policy = (name: string) => ({ module: 'keras', class_name: 'DTypePolicy', config: { name }, registered_name: null });

test('a layer computing in float32 loads, its dtype written as a name, a Keras 2 policy or a Keras 3 policy; so does a mixed policy\'s (float32 weights), computed in float32 as TF.js does', async () => {
  for (const dtype of ['float32', keras2Policy('float32'), keras3Policy('float32'), keras2Policy('mixed_float16'), keras3Policy('mixed_bfloat16')]) {
    for (const layer of [1, 2, 4]) {
      const location = await edited(layer, (c) => { c.dtype = dtype; });
      const reference = tfjsModel();
      randomizeTfjs(reference, 1);
      assertSamePredictions(await loadModel(location), reference, `layer ${layer} dtype ${JSON.stringify(dtype)}`);
    }
  }
});

test('a layer computing in another dtype (half, double, integer or quantized precision) is refused, naming the layer and its dtype', async () => {
  const dtypes = ['float16', 'float64', 'bfloat16', 'int32', keras3Policy('float16'),
    { module: 'keras', class_name: 'QuantizedDTypePolicy', config: { name: 'int8_from_float32' }, registered_name: null }];
  for (const dtype of dtypes) {
    for (const [layer, name] of [[1, 'conv'], [2, 'norm'], [3, 'flat'], [4, 'out']] as const) {
      const location = await edited(layer, (c) => { c.dtype = dtype; });
      await expectError(() => loadModel(location), FileFormatError, await modelFileName(location),
        new RegExp(`"${name}" \\(\\w+\\) has dtype ${JSON.stringify(JSON.stringify(dtype)).slice(1, -1).replace(/[{}[\]]/g, '\\$&')}, .*expected 'float32' or a mixed policy .*set the layer's dtype to float32 before saving`));
    }
  }
});

test('Keras 3\'s LoRA (lora_rank: a low-rank product added to the kernel) is refused, naming the layer; null loads', async () => {
  const location = await edited(4, (c) => { c.lora_rank = 4; c.lora_alpha = 4; });
  await expectError(() => loadModel(location), FileFormatError, await modelFileName(location), /"out" \(Dense\) has lora_rank 4, .*expected null/);
  await loadModel(await edited(4, (c) => { c.lora_rank = null; }));
});

/** The file of `m` (randomized, compiled with `loss`) as TF.js saves it with its training settings, loaded; with the warnings the load gave. */
async function loadTrained(m: tfl.LayersModel, loss: string): Promise<{ loaded: Model; warned: string[] }> {
  randomizeTfjs(m, 2);
  m.compile({ optimizer: 'sgd', loss, metrics: ['accuracy'] });
  const location = await newModelLocation();
  await saveTfjs(m, location, true); // TF.js writes trainingConfig only with the optimizer
  const warned: string[] = [];
  const warn = console.warn;
  console.warn = (message: string) => void warned.push(message);
  try {
    return { loaded: await loadModel(location), warned };
  } finally {
    console.warn = warn;
  }
}

const segmenter = (...after: tfl.layers.Layer[]) => tfl.sequential({ layers: [
  tfl.layers.inputLayer({ inputShape: [5, 7, 2] }),
  tfl.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'softmax', name: 'pixels' }),
  ...after,
] });

test('a Keras segmentation file (a softmax per pixel, trained with categorical_crossentropy) loads compiled, and evaluates per pixel as TF.js does', async () => {
  for (const loss of ['categoricalCrossentropy', 'sparseCategoricalCrossentropy']) {
    const m = segmenter();
    const { loaded, warned } = await loadTrained(m, loss);
    assert.equal(warned, [], loss);
    assert.is(loaded.compileConfig?.loss, loss);
    assertSamePredictions(loaded, m, `segmenter, ${loss}`);
    const x = batch([[5, 7, 2]], 4, 3);
    const ids = Float32Array.from({ length: 4 * 35 }, (_, i) => (i * 7) % 3);
    const y = loss === 'categoricalCrossentropy' ? Float32Array.from({ length: 4 * 35 * 3 }, (_, i) => Number(ids[Math.floor(i / 3)] === i % 3)) : ids;
    const shape = loss === 'categoricalCrossentropy' ? [4, 5, 7, 3] : [4, 5, 7, 1];
    const expected = m.evaluate(x.tfjs[0], tf.tensor(y, shape)) as tf.Scalar[];
    const got = loaded.evaluate(x.convas[0], tensor(y, shape));
    assertClose([got.loss, got.accuracy], expected.map((t) => t.dataSync()[0]), 1e-5, `${loss}: loss and accuracy`);
    loaded.dispose();
  }
});

test('a Keras file whose loss cannot score its output (a softmax per pixel flattened) loads uncompiled, with a warning, and predicts as TF.js does', async () => {
  const m = segmenter(tfl.layers.flatten());
  const { loaded, warned } = await loadTrained(m, 'categoricalCrossentropy');
  assert.is(warned.length, 1);
  assert.match(warned[0], /categoricalCrossentropy .*rows of 3 values.*loaded uncompiled/);
  assertSamePredictions(loaded, m, 'flattened segmenter');
  assert.is(loaded.compileConfig, undefined, 'not compiled');
  loaded.dispose();
});

test.run();
