// The MobileNets users bring, quantized: a MobileNetV1 (alpha 0.25) and a MobileNetV2 (alpha 0.35)
// built in tfjs-layers with Keras's names and structure, written with uint8- and float16-quantized
// weights as tfjs-converter writes them (tfjs-converter.ts: groups, 4 MB shards), load in convas
// with TF.js's dequantized weights bit for bit, and predict as tfjs-layers does on the same files,
// features and class probabilities alike, to 1e-3.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { cutModel, imageToTensor, init, loadModel } from '../../src/index.js';
import { mobileNetV1, mobileNetV2 } from '../../bench/mobilenet-keras.mjs';
import { assertClose, assertSameBits } from '../helpers.js';
import { calibrateOnPictures, seedWeights } from '../model/mobilenet-base.js';
import { stripesAndDots } from '../model/patterns.js';
import { temporaryDirectory } from './model-files.js';
import { type Quantize, writeConverterModel } from './tfjs-converter.js';
import { loadInTfjs, tfjsArtifacts } from './tfjs-files.js';

const SIZE = 64;
const TOLERANCE = 1e-3;

const NETS = [
  { name: 'MobileNetV1 0.25', build: () => mobileNetV1(tfl, { alpha: 0.25, inputShape: [SIZE, SIZE, 3], classes: 10 }), features: 'conv_pw_13_relu' },
  { name: 'MobileNetV2 0.35', build: () => mobileNetV2(tfl, { alpha: 0.35, inputShape: [SIZE, SIZE, 3], classes: 10 }), features: 'out_relu' },
];


test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

for (const [i, net] of NETS.entries()) {
  for (const quantize of ['uint8', 'float16'] as Quantize[]) {
    test(`${net.name}, ${quantize}-quantized as tfjs-converter writes it: TF.js's weights bit for bit, its features and predictions to ${TOLERANCE}`, async () => {
      const keras = net.build();
      seedWeights(keras, 20 + i);
      calibrateOnPictures(keras, SIZE, 20 + i, 8);
      const { topology, weights } = await tfjsArtifacts(keras);
      const dir = await temporaryDirectory();
      // The converter's default: one group, shards of 4 MB (these nets fit in one); every weight quantized.
      await writeConverterModel(dir, topology, [weights.map((w) => ({ ...w, quantize }))], 4 * 1024 * 1024);
      const [ours, theirs] = [await loadModel(dir), await loadInTfjs(dir)];
      assert.is(ours.getWeights().length, theirs.getWeights().length);
      ours.getWeights().forEach((w, k) => assertSameBits(w.dataSync(), theirs.getWeights()[k].dataSync() as Float32Array, `${theirs.weights[k].originalName}`));
      const moved = ours.getWeights().some((w, k) => w.dataSync().some((v, j) => v !== keras.getWeights()[k].dataSync()[j]));
      assert.ok(moved, 'the quantization moved the weights from their float32 values');

      const x = imageToTensor(stripesAndDots(3, SIZE, 30 + i), { size: SIZE, normalize: '[-1,1]' });
      const xTf = tf.tensor4d(x.dataSync(), [6, SIZE, SIZE, 3]);
      const features = tfl.model({ inputs: theirs.inputs, outputs: theirs.getLayer(net.features).output as tfl.SymbolicTensor });
      const expectedFeatures = (features.predict(xTf) as tf.Tensor).dataSync() as Float32Array;
      assert.ok(expectedFeatures.some((v) => v !== expectedFeatures[0]), 'the features vary');
      assertClose(cutModel(ours, net.features).predict(x).dataSync(), expectedFeatures, TOLERANCE, `${net.name} ${net.features}`);
      const expected = (theirs.predict(xTf) as tf.Tensor).dataSync() as Float32Array;
      assertClose(ours.predict(x).dataSync(), expected, TOLERANCE, `${net.name} predictions`);
    });
  }
}

test.run();
