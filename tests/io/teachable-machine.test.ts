// Teachable Machine's image-project export (the @teachablemachine/image library: loadTruncatedMobileNet
// and TeachableMobileNet.train): a Sequential "sequential_4" of two nested Sequentials —
// "sequential_1", the MobileNetV2 (alpha 0.35) cut at out_relu as a Model "model1" followed by
// global average pooling "global_average_pooling2d_GlobalAveragePooling2D1", and "sequential_3",
// the head: "dense_Dense1" (100 ReLU units) and "dense_Dense2" (softmax, no bias) — for 224×224×3
// inputs in [−1, 1]. Built here in tfjs-layers with the same nesting and names (at 96×96: the
// structure does not depend on the size), saved by tfjs-layers, it loads in convas, predicts as
// TF.js does, serves as a base for a new head, and saves back to a file TF.js reads.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Model, cutModel, embed, imageToTensor, init, loadModel } from '../../src/index.js';
import { mobileNetV2 } from '../../bench/mobilenet-keras.mjs';
import { assertClose, assertSameBits } from '../helpers.js';
import { calibrateOnPictures, seedWeights } from '../model/mobilenet-base.js';
import { stripesAndDots } from '../model/patterns.js';
import { temporaryDirectory } from './model-files.js';
import { loadInTfjs, saveTfjs } from './tfjs-files.js';

const SIZE = 96;
const CLASSES = 3;

/** The export's model, as the library assembles it after training. */
function teachableMachineModel(): tfl.Sequential {
  const mobilenet = mobileNetV2(tfl, { alpha: 0.35, inputShape: [SIZE, SIZE, 3] });
  seedWeights(mobilenet, 40);
  calibrateOnPictures(mobilenet, SIZE, 40, 4);
  const truncated = tfl.model({ inputs: mobilenet.inputs, outputs: mobilenet.getLayer('out_relu').output as tfl.SymbolicTensor, name: 'model1' });
  const features = tfl.sequential({ name: 'sequential_1' });
  features.add(truncated);
  features.add(tfl.layers.globalAveragePooling2d({ name: 'global_average_pooling2d_GlobalAveragePooling2D1' }));
  const head = tfl.sequential({ name: 'sequential_3', layers: [
    tfl.layers.dense({ inputShape: [1280], units: 100, activation: 'relu', kernelInitializer: 'varianceScaling', useBias: true, name: 'dense_Dense1' }),
    tfl.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: 'varianceScaling', useBias: false, name: 'dense_Dense2' }),
  ] });
  const joint = tfl.sequential({ name: 'sequential_4' });
  joint.add(features);
  joint.add(head);
  return joint;
}

/** Pictures as Teachable Machine's capture() makes them: pixels / 127.5 − 1. */
const pictures = (n: number, seed: number) => imageToTensor(stripesAndDots(n, SIZE, seed), { size: SIZE, normalize: '[-1,1]' });
const inTfjs = (x: ReturnType<typeof pictures>) => tf.tensor4d(x.dataSync(), x.shape as [number, number, number, number]);

let keras: tfl.Sequential;
let exported: Model;

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
  keras = teachableMachineModel();
  const dir = await temporaryDirectory();
  await saveTfjs(keras, dir);
  exported = await loadModel(dir);
});

test('the export loads with its nesting and names and predicts as TF.js does', async () => {
  const json = (keras.toJSON(null, false) as { config: { name: string; layers: Array<{ class_name: string; config: { name: string; layers?: Array<{ class_name: string; config: { name: string } }> } }> } });
  assert.equal(json.config.layers.map((l) => [l.class_name, l.config.name]), [['Sequential', 'sequential_1'], ['Sequential', 'sequential_3']], 'the file nests as the export does');
  assert.equal(json.config.layers[0].config.layers!.map((l) => [l.class_name, l.config.name]),
    [['Model', 'model1'], ['GlobalAveragePooling2D', 'global_average_pooling2d_GlobalAveragePooling2D1']]);
  assert.is(exported.name, 'sequential_4');
  assert.equal(exported.layers.map((l) => [l.className, l.name]), [['Sequential', 'sequential_1'], ['Sequential', 'sequential_3']]);
  const features = exported.getLayer('sequential_1') as Model;
  assert.equal(features.layers.map((l) => l.name), ['model1', 'global_average_pooling2d_GlobalAveragePooling2D1']);
  assert.equal((features.getLayer('model1') as Model).layers.at(-1)?.name, 'out_relu');
  assert.equal((exported.getLayer('sequential_3') as Model).layers.map((l) => l.name), ['dense_Dense1', 'dense_Dense2']);
  assert.is(exported.parameterCount, keras.countParams());
  assert.equal(exported.outputShape, [CLASSES]);
  const x = pictures(2, 1);
  assertClose(exported.predict(x).dataSync(), (keras.predict(inTfjs(x)) as tf.Tensor).dataSync(), 1e-4, 'class probabilities');
});

test('its feature extractor (sequential_1) is a base for a new head: cut there, the features are TF.js\'s', async () => {
  const base = cutModel(exported, 'sequential_1');
  assert.equal(base.outputShape, [1280]);
  assert.is(base.trainableWeights.length, 0);
  const x = pictures(2, 2);
  const features = (keras.getLayer('sequential_1').apply(inTfjs(x)) as tf.Tensor).dataSync();
  assertClose((await embed(base, x)).dataSync(), features, 1e-4, 'features');
});

test('saved by convas in the TF.js format, the export keeps its nesting and names, and TF.js predicts alike', async () => {
  const dir = await temporaryDirectory();
  await exported.save(dir, { format: 'tfjs' });
  const again = await loadInTfjs(dir);
  // convas writes a Sequential's input as an InputLayer entry, which TF.js lists among the layers.
  const named = (m: tfl.LayersModel) => m.layers.filter((l) => l.getClassName() !== 'InputLayer').map((l) => l.name);
  assert.equal(named(again), ['sequential_1', 'sequential_3']);
  assert.equal(named(again.getLayer('sequential_1') as tfl.Sequential), ['model1', 'global_average_pooling2d_GlobalAveragePooling2D1']);
  const x = pictures(2, 3);
  const expected = exported.predict(x).dataSync();
  assertClose((again.predict(inTfjs(x)) as tf.Tensor).dataSync(), expected, 1e-4, 'TF.js on convas\'s file');
  assertSameBits((await loadModel(dir)).predict(x).dataSync(), expected, 'convas on its own file');
});

test.run();
