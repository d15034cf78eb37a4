// Resizing and TensorFlow.js files. Keras's Resizing has half-pixel centres; TF.js 4's departs
// (it resizes with aligned corners), so a TF.js-made Resizing is read with Keras's meaning and
// compared with tf.image's half-pixel resizes; convas writes only half_pixel Resizing to TF.js files
// and refuses the other coordinate modes by name. TF.js has no bicubic (neither its Resizing nor
// tf.image): Keras's bicubic is written and read under Keras's name, its other settings refused.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, FileFormatError, init, layers, loadModel, sequential, tensor } from '../../src/index.js';
import type { ResizingOptions } from '../../src/layers/resizing.js';
import { expectError } from '../data/expect-error.js';
import { assertClose, random } from '../helpers.js';
import { temporaryDirectory } from './model-files.js';
import { saveTfjs } from './tfjs-files.js';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

const SHAPE = [5, 7, 3];

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

test('TF.js → convas: Resizing (bilinear and nearest, up and down) predicts as tf.image resizes with half-pixel centres', async () => {
  const values = random(5).array(4 * SHAPE.reduce((a, b) => a * b, 1), -2, 2);
  for (const interpolation of ['bilinear', 'nearest'] as const) {
    for (const [height, width] of [[11, 4], [3, 13]]) {
      const model = tfl.sequential({ layers: [tfl.layers.resizing({ inputShape: SHAPE, height, width, interpolation } as never)] });
      const dir = await temporaryDirectory();
      await saveTfjs(model, dir);
      const x = tf.tensor4d(values, [4, ...SHAPE] as [number, number, number, number]);
      const expected = interpolation === 'bilinear'
        ? tf.image.resizeBilinear(x, [height, width], false, true) : tf.image.resizeNearestNeighbor(x, [height, width], false, true);
      const loaded = await loadModel(dir);
      assert.equal(loaded.nodes.at(-1)!.layer.getConfig().coordinates, 'half_pixel');
      assertClose(loaded.predict(tensor(values, [4, ...SHAPE])).dataSync(), expected.dataSync() as Float32Array, 1e-5, `${interpolation} ${height}×${width}`);
    }
  }
});

test('convas → TF.js: a half_pixel Resizing is written as Keras\'s, other coordinate modes are refused by name', async () => {
  const keras = sequential({ inputShape: SHAPE, layers: [layers.resizing({ height: 9, width: 2, interpolation: 'nearest', name: 'r' })] });
  const dir = await temporaryDirectory();
  await keras.save(dir, { format: 'tfjs' });
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const config = json.modelTopology.config.layers.at(-1).config;
  assert.equal([config.height, config.width, config.interpolation, config.crop_to_aspect_ratio], [9, 2, 'nearest', false]);
  assert.not.ok('coordinates' in config);
  const corners = sequential({ inputShape: SHAPE, layers: [layers.resizing({ height: 9, width: 2, coordinates: 'align_corners', name: 'corners' })] });
  const cornersDir = await temporaryDirectory();
  await expectError(() => corners.save(cornersDir, { format: 'tfjs' }), ConfigError, 'corners', /coordinates 'align_corners'/);
  // A file asking to crop to the aspect ratio is refused: convas's Resizing stretches. So are Keras 3's padding to it,
  // anti-aliasing and the interpolations convas does not compute.
  for (const [key, value, words] of [['crop_to_aspect_ratio', true, /crop_to_aspect_ratio true/], ['pad_to_aspect_ratio', true, /pad_to_aspect_ratio true/],
    ['antialias', true, /antialias true/], ['interpolation', 'area', /interpolation must be one of 'bilinear', 'nearest', 'bicubic', got "area"/]] as const) {
    const edited = structuredClone(json);
    edited.modelTopology.config.layers.at(-1).config[key] = value;
    await writeFile(join(dir, 'model.json'), JSON.stringify(edited));
    await expectError(() => loadModel(dir), FileFormatError, 'model.json', words);
  }
});

test('convas → TF.js: a bicubic Resizing with Keras\'s settings is written as Keras\'s \'bicubic\' and read back; other cubic settings and scales are refused by name', async () => {
  const values = random(7).array(2 * SHAPE.reduce((a, b) => a * b, 1), -2, 2);
  const keras = sequential({ inputShape: SHAPE, layers: [layers.resizing({ height: 9, width: 4, interpolation: 'bicubic', name: 'r' })] });
  const dir = await temporaryDirectory();
  await keras.save(dir, { format: 'tfjs' });
  const config = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')).modelTopology.config.layers.at(-1).config;
  assert.equal(config.interpolation, 'bicubic');
  for (const key of ['coordinates', 'scales', 'cubic_coefficient', 'cubic_exclude_outside', 'cubic_table']) assert.not.ok(key in config, key);
  const loaded = await loadModel(dir);
  assert.equal(loaded.predict(tensor(values, [2, ...SHAPE])).dataSync(), keras.predict(tensor(values, [2, ...SHAPE])).dataSync());
  for (const [options, words] of <Array<[Partial<ResizingOptions>, RegExp]>>[
    [{ cubicCoefficient: -0.75 }, /cubicCoefficient -0.75/],
    [{ cubicExcludeOutside: false }, /cubicExcludeOutside false/],
    [{ cubicTable: false }, /cubicTable false/],
    [{ scales: [1.9, 0.6] }, /scales \[1.9,0.6\]/],
  ]) {
    const other = sequential({ inputShape: SHAPE, layers: [layers.resizing({ height: 9, width: 4, interpolation: 'bicubic', ...options, name: 'other' })] });
    await expectError(async () => other.save(await temporaryDirectory(), { format: 'tfjs' }), ConfigError, 'other', words);
  }
});

test('convas format: every coordinate mode saves and loads, predicting alike', async () => {
  const values = random(6).array(2 * SHAPE.reduce((a, b) => a * b, 1), -2, 2);
  for (const coordinates of ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'] as const) {
    const model = sequential({ inputShape: SHAPE, layers: [layers.resizing({ height: 8, width: 3, coordinates, interpolation: 'bicubic',
      scales: [1.7, 0.5], cubicCoefficient: -0.75, cubicExcludeOutside: false, cubicTable: false })] });
    const dir = await temporaryDirectory();
    await model.save(dir);
    const loaded = await loadModel(dir);
    const config = loaded.nodes.at(-1)!.layer.getConfig();
    assert.equal([config.coordinates, config.scales, config.cubicCoefficient, config.cubicExcludeOutside, config.cubicTable], [coordinates, [1.7, 0.5], -0.75, false, false]);
    assert.equal(loaded.predict(tensor(values, [2, ...SHAPE])).dataSync(), model.predict(tensor(values, [2, ...SHAPE])).dataSync());
  }
});

test('impossible Resizing settings are ConfigErrors naming the layer', () => {
  for (const [options, words] of [
    [{ height: 0, width: 3 }, 'height must be a positive integer'],
    [{ height: 2, width: 2.5 }, 'width must be a positive integer'],
    [{ height: 2, width: 2, interpolation: 'lanczos3' }, "'bilinear', 'nearest', 'bicubic'"],
    [{ height: 2, width: 2, scales: [1.5, -1] }, 'scales must be null or [height, width], two positive numbers'],
    [{ height: 2, width: 2, interpolation: 'bicubic', cubicCoefficient: Number.NaN }, 'cubicCoefficient must be a number'],
    [{ height: 2, width: 2, interpolation: 'bicubic', cubicExcludeOutside: 'no' }, 'cubicExcludeOutside must be true or false'],
    [{ height: 2, width: 2, coordinates: 'tf_crop_and_resize' }, "'half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric'"],
  ] as const) {
    assert.throws(() => layers.resizing({ ...options, name: 'rs' } as never), (e: Error) => e instanceof ConfigError && e.message.includes('rs') && e.message.includes(words));
  }
  assert.throws(() => sequential({ inputShape: [4], layers: [layers.resizing({ height: 2, width: 2, name: 'flat' })] }),
    (e: Error) => e instanceof ConfigError && e.message.includes('flat') && e.message.includes('[height, width, channels]'));
});

test.run();
