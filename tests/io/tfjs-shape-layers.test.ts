// The shape layers (Conv2DTranspose, UpSampling2D, global pooling, ZeroPadding2D, Cropping2D,
// Reshape) against TensorFlow.js itself (cpu backend): models built and saved by tfjs-layers load
// in convas and predict alike; one SGD step from the same weights moves them alike; convas saves
// load in tf.loadLayersModel and predict alike. Where TF.js departs from Keras (bilinear
// up-sampling without half-pixel centres) convas follows Keras, checked against the reference and
// against tf.image.resizeBilinear with halfPixelCenters, which is what Keras computes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, FileFormatError, init, input, layers, loadModel, model, sequential, tensor } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { assertClose, random } from '../helpers.js';
import { upSampling2dForward } from '../reference/upsampling.js';
import { runLayer } from '../run-layer.js';
import { loadInTfjs, newModelLocation, readModelJson, saveTfjs, writeModelJson } from './tfjs-files.js';
import { TOLERANCE, assertLoadsInTfjs, assertSamePredictions, assertSameStep, on, viaFile } from './tfjs-compare.js';

const IMAGE = [5, 7, 3];

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

/** The conv2dTranspose settings compared: strides 1 and 2, 'same' and 'valid', a kernel smaller than the stride, non-square ones. */
const TRANSPOSES = [
  { kernelSize: 3, strides: 1, padding: 'same' }, { kernelSize: 3, strides: 1, padding: 'valid' },
  { kernelSize: 3, strides: 2, padding: 'same' }, { kernelSize: 3, strides: 2, padding: 'valid' },
  { kernelSize: [2, 3], strides: [2, 1], padding: 'same' }, { kernelSize: 1, strides: 2, padding: 'valid' },
  { kernelSize: 4, strides: 3, padding: 'same' },
] as const;

const tfjsTranspose = (settings: (typeof TRANSPOSES)[number], useBias = true) => tfl.layers.conv2dTranspose({
  filters: 4, activation: 'tanh', useBias, name: 'up', kernelSize: settings.kernelSize as number | number[],
  strides: settings.strides as number | number[], padding: settings.padding,
});

test('TF.js → convas: conv2dTranspose, strides 1 and 2, same and valid, predicts alike; its kernel is [kh, kw, filters, inChannels]', async () => {
  for (const settings of TRANSPOSES) {
    for (const useBias of [true, false]) {
      const tfjsModel = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: IMAGE }), tfjsTranspose(settings, useBias)] });
      const loaded = await viaFile(tfjsModel);
      const [kh, kw] = Array.isArray(settings.kernelSize) ? settings.kernelSize : [settings.kernelSize, settings.kernelSize];
      assert.equal([...loaded.weights[0].shape], [kh, kw, 4, 3], 'kernel shape');
      assertSamePredictions(loaded, tfjsModel, `${JSON.stringify(settings)}, useBias ${useBias}`);
    }
  }
});

test('one SGD step agrees with TF.js through conv2dTranspose: strides 1 and 2, same and valid', async () => {
  for (const settings of TRANSPOSES) {
    const tfjsModel = tfl.sequential({ layers: [
      tfl.layers.conv2d({ inputShape: IMAGE, filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', name: 'down' }),
      tfjsTranspose(settings), tfl.layers.flatten(), tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }),
    ] });
    await assertSameStep(tfjsModel, JSON.stringify(settings));
  }
});

/** A one-layer TF.js model of `layer` on IMAGE (no weights: only the layer's arithmetic is compared). */
const alone = (layer: tfl.layers.Layer) => tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: IMAGE }), layer] });

test('TF.js → convas: nearest up-sampling, global pooling, zero padding, cropping (every form) and reshape predict alike', async () => {
  const cases: Array<[string, tfl.layers.Layer]> = [
    ['upSampling2d 2', tfl.layers.upSampling2d({})],
    ['upSampling2d [2, 3]', tfl.layers.upSampling2d({ size: [2, 3] })],
    ['globalAveragePooling2d', tfl.layers.globalAveragePooling2d({})],
    ['globalMaxPooling2d', tfl.layers.globalMaxPooling2d({})],
    ['zeroPadding2d 2', tfl.layers.zeroPadding2d({ padding: 2 })],
    ['zeroPadding2d [1, 2]', tfl.layers.zeroPadding2d({ padding: [1, 2] })],
    ['zeroPadding2d [[0, 1], [2, 3]]', tfl.layers.zeroPadding2d({ padding: [[0, 1], [2, 3]] })],
    ['cropping2d 1', tfl.layers.cropping2D({ cropping: 1 })],
    ['cropping2d [1, 2]', tfl.layers.cropping2D({ cropping: [1, 2] })],
    ['cropping2d [[0, 1], [2, 3]]', tfl.layers.cropping2D({ cropping: [[0, 1], [2, 3]] })],
    ['reshape [-1, 3] (saved with null)', tfl.layers.reshape({ targetShape: [-1, 3] })],
    ['reshape [7, 5, 3]', tfl.layers.reshape({ targetShape: [7, 5, 3] })],
  ];
  for (const [what, layer] of cases) assertSamePredictions(await viaFile(alone(layer)), alone(layer), what);
});

test('one SGD step agrees with TF.js through zero padding, cropping, nearest up-sampling, both global poolings and reshape', async () => {
  const x = tfl.input({ shape: IMAGE });
  const first = on(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'first' }), x);
  const padded = on(tfl.layers.zeroPadding2d({ padding: [[1, 0], [0, 2]] }), first);
  const second = on(tfl.layers.conv2d({ filters: 4, kernelSize: 3, name: 'second' }), padded);
  const cropped = on(tfl.layers.cropping2D({ cropping: [[0, 1], [1, 0]] }), second);
  const upsampled = on(tfl.layers.upSampling2d({ size: [2, 2] }), cropped);
  // tanh, not ReLU, before the global max: ReLU's zeros would tie, and TF.js gives every tied position the whole gradient.
  const third = on(tfl.layers.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh', name: 'third' }), upsampled);
  const pooled = on(tfl.layers.concatenate(), [on(tfl.layers.globalAveragePooling2d({}), third), on(tfl.layers.globalMaxPooling2d({}), third)]);
  // [2, 3], not [2, -1]: TF.js 4's Reshape leaves a −1 unknown in its output shape, and Flatten then cannot be built.
  const flat = on(tfl.layers.flatten(), on(tfl.layers.reshape({ targetShape: [2, 3] }), pooled));
  const tfjsModel = tfl.model({ inputs: x, outputs: on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }), flat) });
  // One example: TF.js 4's cpu backend computes the gradient of nearest up-sampling wrongly for more (see the next test).
  await assertSameStep(tfjsModel, 'shape layers', [], [], 1);
});

/** A U-Net-shaped graph: conv, pool, conv, up (transposed conv or nearest up-sampling), joined with the skip, cropped and padded. */
function tfjsUnet(up: 'transpose' | 'upsample'): tfl.LayersModel {
  const x = tfl.input({ shape: [8, 10, 2], name: 'image' });
  const skip = on(tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'enc' }), x);
  const down = on(tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool' }), skip);
  const deep = on(tfl.layers.conv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'deep' }), down);
  const raised = up === 'transpose'
    ? on(tfl.layers.conv2dTranspose({ filters: 4, kernelSize: 2, strides: 2, padding: 'valid', activation: 'relu', name: 'raise' }), deep)
    : on(tfl.layers.conv2d({ filters: 4, kernelSize: 1, name: 'raise' }), on(tfl.layers.upSampling2d({ size: [2, 2], name: 'repeat' }), deep));
  const joined = on(tfl.layers.concatenate({ name: 'join' }), [raised, skip]);
  const trimmed = on(tfl.layers.cropping2D({ cropping: [[1, 1], [1, 1]], name: 'trim' }), joined);
  const mixed = on(tfl.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'tanh', name: 'mix' }), trimmed);
  const framed = on(tfl.layers.zeroPadding2d({ padding: [[1, 1], [2, 2]], name: 'frame' }), mixed);
  const out = on(tfl.layers.dense({ units: 3, activation: 'softmax', name: 'classes' }), on(tfl.layers.flatten(), framed));
  return tfl.model({ inputs: x, outputs: out, name: `unet_${up}` });
}

test('a small U-Net (conv, pool, transposed conv or up-sampling, concatenate with the skip, crop, pad) agrees with TF.js: predict and one SGD step', async () => {
  for (const up of ['transpose', 'upsample'] as const) {
    const tfjsModel = tfjsUnet(up);
    const loaded = await viaFile(tfjsModel);
    assert.equal(loaded.layers.map((l) => l.className).filter((c) => c !== 'InputLayer' && c !== 'Conv2D'),
      up === 'transpose' ? ['MaxPooling2D', 'Conv2DTranspose', 'Concatenate', 'Cropping2D', 'ZeroPadding2D', 'Flatten', 'Dense']
        : ['MaxPooling2D', 'UpSampling2D', 'Concatenate', 'Cropping2D', 'ZeroPadding2D', 'Flatten', 'Dense']);
    assertSamePredictions(loaded, tfjsModel, `U-Net with ${up}`);
    // One example through up-sampling: TF.js 4's cpu backend computes the gradient of nearest up-sampling wrongly for more.
    await assertSameStep(tfjsUnet(up), `U-Net with ${up}`, [], [], up === 'upsample' ? 1 : 6);
  }
});

test('TF.js 4\'s cpu backend takes the gradient of nearest up-sampling at the wrong place in dy for batches of more than one; convas gives the sum of each pixel\'s copies', async () => {
  // Two 1×1 images up-sampled to 2×2, dy all ones for the first and all tens for the second: each pixel's gradient is the sum of its four copies.
  const resize = (images: tf.Tensor) => tf.image.resizeNearestNeighbor(images as tf.Tensor4D, [2, 2]);
  const dy = tf.tensor4d([1, 1, 1, 1, 10, 10, 10, 10], [2, 2, 2, 1]);
  const tfjs = tf.grad(resize)(tf.tensor4d([1, 2], [2, 1, 1, 1]), dy).dataSync();
  assert.equal([...tfjs], [4, 13], 'TF.js reads the second image\'s dy at the input\'s batch stride (if this changes, TF.js was fixed: compare batches of 6 again)');
  const layer = layers.upSampling2d({ size: 2 });
  const run = runLayer(layer, [1, 1, 1], 2, Float32Array.from([1, 2]), () => Float32Array.from(dy.dataSync()));
  assert.equal([...run.dx], [4, 40]);
});

test('bilinear up-sampling follows Keras (half-pixel centres): a TF.js file loads and predicts as tf.image.resizeBilinear with halfPixelCenters and as the reference, not as TF.js 4 does', async () => {
  for (const size of [[2, 2], [3, 2], [1, 4]]) {
    const tfjsModel = alone(tfl.layers.upSampling2d({ size, interpolation: 'bilinear' }));
    const loaded = await viaFile(tfjsModel);
    const n = 3, values = random(31).array(n * IMAGE[0] * IMAGE[1] * IMAGE[2]);
    const actual = loaded.predict(tensor(values, [n, ...IMAGE])).dataSync();
    const x = tf.tensor4d(values, [n, IMAGE[0], IMAGE[1], IMAGE[2]]);
    const keras = tf.image.resizeBilinear(x, [IMAGE[0] * size[0], IMAGE[1] * size[1]], false, true).dataSync() as Float32Array;
    const shape = { batch: n, inHeight: IMAGE[0], inWidth: IMAGE[1], channels: IMAGE[2], sizeHeight: size[0], sizeWidth: size[1] };
    assertClose(actual, keras, TOLERANCE, `size ${size} against half-pixel resizeBilinear`);
    assertClose(actual, upSampling2dForward(values, shape, true), TOLERANCE, `size ${size} against the reference`);
    const tfjs = (tfjsModel.predict(x) as tf.Tensor).dataSync();
    assert.ok(tfjs.some((v, i) => Math.abs(v - actual[i]) > 0.01), `size ${size}: TF.js 4's own bilinear (no half-pixel centres) differs`);
  }
});

test('convas → TF.js: every shape layer saves in TF.js format, loads in tf.loadLayersModel and predicts alike', async () => {
  const x = input({ shape: [8, 10, 2] });
  const skip = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
  const down = layers.maxPool2d({ poolSize: 2 }).apply(skip);
  const up = layers.conv2dTranspose({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'tanh' }).apply(down);
  const repeated = layers.upSampling2d({ size: 2 }).apply(down);
  const joined = layers.concatenate().apply([up, repeated, skip]);
  const framed = layers.zeroPadding2d({ padding: [1, 2] }).apply(layers.cropping2d({ cropping: [[1, 0], [0, 2]] }).apply(joined));
  const pooled = layers.concatenate().apply([layers.globalAveragePooling2d().apply(framed), layers.globalMaxPooling2d().apply(framed)]);
  const out = layers.dense({ units: 3, activation: 'softmax' }).apply(layers.flatten().apply(layers.reshape({ targetShape: [4, -1] }).apply(pooled)));
  const inTfjs = await assertLoadsInTfjs(model({ inputs: x, outputs: out }), 'every shape layer');
  assert.equal(inTfjs.layers.map((l) => l.getClassName()).filter((c) => /Transpose|UpSampling|Global|Padding|Cropping|Reshape/.test(c)),
    ['Conv2DTranspose', 'UpSampling2D', 'Cropping2D', 'ZeroPadding2D', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'Reshape']);
  // Bilinear up-sampling loads in TF.js with its setting, though TF.js computes it without half-pixel centres.
  const where = await newModelLocation();
  await sequential({ inputShape: IMAGE, layers: [layers.upSampling2d({ interpolation: 'bilinear', name: 'smooth' })] }).save(where, { format: 'tfjs' });
  assert.is((await loadInTfjs(where)).getLayer('smooth').getConfig().interpolation, 'bilinear');
});

test('convas → TF.js: what TF.js cannot express is refused, naming the layer: conv2dTranspose with full or explicit padding, keepdims', async () => {
  const where = await newModelLocation();
  const saving = (layer: Parameters<typeof sequential>[0]['layers'][number]) => () => sequential({ inputShape: IMAGE, layers: [layer] }).save(where, { format: 'tfjs' });
  await expectError(saving(layers.conv2dTranspose({ filters: 2, kernelSize: 3, padding: 'full', name: 'wide' })), ConfigError, 'wide',
    /padding "full", which TensorFlow.js cannot express/);
  await expectError(saving(layers.conv2dTranspose({ filters: 2, kernelSize: 3, padding: [1, 0, 0, 1], name: 'explicit' })), ConfigError, 'explicit',
    /padding \[1,0,0,1\], which TensorFlow.js cannot express/);
  await expectError(saving(layers.globalAveragePooling2d({ keepdims: true, name: 'kept' })), ConfigError, 'kept',
    /keepdims true, which TensorFlow.js 4 does not have/);
});

/** A TF.js model saved by TF.js, its model.json edited as a Keras file would have it, then loaded in convas. */
async function editedFile(tfjsModel: tfl.LayersModel, edit: (layers: Array<Record<string, any>>) => void): Promise<string> {
  const where = await newModelLocation();
  await saveTfjs(tfjsModel, where);
  const json = await readModelJson(where);
  edit(json.modelTopology.config.layers);
  await writeModelJson(where, json);
  return where;
}

test('Keras settings TF.js does not write: keepdims (read), output_padding and unknown interpolations (refused by name)', async () => {
  // Keras's GlobalAveragePooling2D(keepdims=True) followed by a Reshape to [1, 1, channels] is what TF.js builds without keepdims.
  const reshaped = tfl.sequential({ layers: [tfl.layers.inputLayer({ inputShape: IMAGE }), tfl.layers.globalAveragePooling2d({ name: 'pool' }),
    tfl.layers.reshape({ targetShape: [1, 1, 3] }), tfl.layers.conv2d({ filters: 2, kernelSize: 1, name: 'head' })] });
  const kept = await loadModel(await editedFile(reshaped, (ls) => {
    ls.find((l) => l.config.name === 'pool')!.config.keepdims = true;
  }));
  assert.equal([...kept.getLayer('pool').outputShape], [1, 1, 3]);
  assertSamePredictions(kept, reshaped, 'keepdims true then reshape');

  const transposed = alone(tfjsTranspose(TRANSPOSES[0]));
  const where = await editedFile(transposed, (ls) => { ls[1].config.output_padding = [1, 1]; });
  await expectError(() => loadModel(where), FileFormatError, 'up', /output_padding \[1,1\], which convas does not support; expected null/);
  const bicubic = await editedFile(alone(tfl.layers.upSampling2d({ name: 'smooth' })), (ls) => { ls[1].config.interpolation = 'bicubic'; });
  await expectError(() => loadModel(bicubic), FileFormatError, 'smooth', /interpolation must be 'nearest' or 'bilinear', got "bicubic"/);
});

test.run();
