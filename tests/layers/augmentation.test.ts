// The augmentation layers (RandomFlip, GaussianNoise): active only while training, their gradients,
// their draws, and a saved model resuming with the same augmentations bit for bit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { layers } from '../../src/layers/index.js';
import { seededRandom } from '../../src/random.js';
import { ConfigError, init, layers as publicLayers, sequential, tensor } from '../../src/index.js';
import { assertSameBits, kernels, random } from '../helpers.js';
import * as ref from '../reference/augment.js';
import { assertRefusedForTfjs, assertResumesExactly, runLayer } from './augmentation-runs.js';
import { assertLoadsInTfjs } from '../io/tfjs-compare.js';
import { throwsWith } from '../throws-with.js';

/** Which flip (bit 0 columns, bit 1 rows) turns example b of x into example b of y, or −1. */
function flipOf(x: Float32Array, y: Float32Array, b: number, [h, w, c]: number[]): number {
  const size = h * w * c, example = x.subarray(b * size, (b + 1) * size), out = y.subarray(b * size, (b + 1) * size);
  for (let flip = 0; flip < 4; flip++) {
    if (ref.flipImages(example, Int32Array.of(flip), 1, h, w, c).every((v, i) => v === out[i])) return flip;
  }
  return -1;
}

test('RandomFlip mirrors each image as its mode allows, each way about half the time; the gradient is the same flip; inference passes through', async () => {
  await kernels();
  const shape = [5, 4, 3], batch = 64, size = 60;
  for (const [mode, allowed] of [['horizontal', [0, 1]], ['vertical', [0, 2]], ['horizontal_and_vertical', [0, 1, 2, 3]]] as const) {
    const layer = layers.randomFlip({ mode });
    layer.build([shape], seededRandom(3));
    const rng = random(4);
    const x = rng.array(batch * size), dy = rng.array(batch * size);
    const { y, dx } = runLayer(layer, batch, x, dy, true);
    const seen = new Map<number, number>();
    for (let b = 0; b < batch; b++) {
      const flip = flipOf(x, y, b, shape);
      assert.ok((allowed as readonly number[]).includes(flip), `${mode}: example ${b} flipped ${flip}`);
      seen.set(flip, (seen.get(flip) ?? 0) + 1);
      assertSameBits(dx.subarray(b * size, (b + 1) * size), ref.flipImages(dy.subarray(b * size, (b + 1) * size), Int32Array.of(flip), 1, 5, 4, 3),
        `${mode}: gradient of example ${b}`);
    }
    for (const flip of allowed) assert.ok((seen.get(flip) ?? 0) > batch / allowed.length / 2, `${mode}: flip ${flip} seen ${seen.get(flip) ?? 0} times`);
    const inference = runLayer(layer, batch, x, dy, false);
    assert.ok(inference.passedThrough, `${mode}: inference passes the input through`);
    assertSameBits(inference.dx, dy, `${mode}: inference gradient`);
    layer.release();
  }
  throwsWith(() => layers.randomFlip({ mode: 'diagonal' as never }), ConfigError, 'mode must be one of horizontal, vertical, horizontal_and_vertical');
  throwsWith(() => sequential({ inputShape: [8], layers: [publicLayers.randomFlip()] }), ConfigError, 'RandomFlip takes images [height, width, channels], got [8]');
});

test('GaussianNoise adds noise of the stddev asked for while training, passes through at inference; the gradient is dy', async () => {
  await kernels();
  const layer = layers.gaussianNoise({ stddev: 0.3 });
  layer.build([[100]], seededRandom(5));
  const rng = random(6);
  const x = rng.array(20000), dy = rng.array(20000);
  const { y, dx } = runLayer(layer, 200, x, dy, true);
  const noise = y.map((v, i) => v - x[i]);
  const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
  const sd = Math.sqrt(noise.reduce((s, v) => s + (v - mean) ** 2, 0) / noise.length);
  assert.ok(Math.abs(mean) < 0.01 && Math.abs(sd - 0.3) < 0.01, `noise mean ${mean}, stddev ${sd}`);
  assertSameBits(dx, dy, 'gradient');
  const second = runLayer(layer, 200, x, dy, true);
  assert.not.equal(second.y.slice(0, 4), y.slice(0, 4), 'each batch draws new noise');
  assert.ok(runLayer(layer, 200, x, dy, false).passedThrough, 'inference passes the input through');
  layer.release();
  for (const stddev of [-1, NaN, undefined]) throwsWith(() => layers.gaussianNoise({ stddev } as never), ConfigError, 'stddev must be a finite number ≥ 0');
});

test('a saved model resumes with the same flips and noise: 2 epochs, save, load, 2 more = 4 epochs, bit for bit; predict ignores them', async () => {
  const { whole } = await assertResumesExactly(() => [publicLayers.randomFlip(), publicLayers.gaussianNoise({ stddev: 0.2 })], 1);
  const x = tensor(random(9).array(20 * 36), [20, 6, 6, 1]);
  const plain = sequential({ inputShape: [6, 6, 1], layers: [publicLayers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }),
    publicLayers.flatten(), publicLayers.dense({ units: 3, activation: 'softmax' })] });
  plain.setWeights(whole.getWeights());
  assertSameBits(whole.predict(x).dataSync(), plain.predict(x).dataSync(), 'predict: the augmentation layers pass through');
});

test('GaussianNoise saves for TF.js (its GaussianNoise layer) and loads back; RandomFlip, which TF.js lacks, is refused for that format', async () => {
  await init();
  await tf.setBackend('cpu');
  const noisy = () => sequential({ inputShape: [6, 6, 1], layers: [publicLayers.gaussianNoise({ stddev: 0.5 }), publicLayers.flatten(),
    publicLayers.dense({ units: 3, activation: 'softmax' })] });
  const inTfjs = await assertLoadsInTfjs(noisy(), 'GaussianNoise');
  assert.ok(inTfjs.layers.some((l) => l.getClassName() === 'GaussianNoise'), 'TF.js made a GaussianNoise layer');
  await assertRefusedForTfjs(publicLayers.randomFlip());
});

test.run();
