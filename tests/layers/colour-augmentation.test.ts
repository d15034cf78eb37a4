// RandomBrightness and RandomContrast: Keras's adjustments (checked against Keras's formulas on a
// copy of the layer's stream), active only while training, their numerical gradients (the clip
// biting included), their settings refused by name, a saved model resuming bit for bit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layers } from '../../src/layers/index.js';
import { seededRandom } from '../../src/random.js';
import { ConfigError, layers as publicLayers, sequential } from '../../src/index.js';
import { assertClose, kernels, random } from '../helpers.js';
import { checkGradient } from '../gradient-check.js';
import { throwsWith } from '../throws-with.js';
import { assertPassesThrough, assertRefusedForTfjs, assertResumesExactly, runLayer } from './augmentation-runs.js';

const shape = [5, 3, 7], batch = 4, pixels = 15, channels = 7, size = 105;

/** Keras's outputs for x, drawing from a copy of the stream at `state`. */
const keras = {
  brightness(x: Float32Array, state: number, [lower, upper]: number[], [low, high]: number[]) {
    const copy = seededRandom(0);
    copy.state = state;
    const y = new Float32Array(x.length);
    for (let b = 0; b < batch; b++) {
      const delta = (lower + (upper - lower) * copy.next()) * (high - low);
      for (let i = b * size; i < (b + 1) * size; i++) y[i] = Math.min(Math.max(x[i] + delta, low), high);
    }
    return y;
  },
  contrast(x: Float32Array, state: number, [lower, upper]: number[], [low, high]: number[]) {
    const copy = seededRandom(0);
    copy.state = state;
    const y = new Float32Array(x.length);
    for (let b = 0; b < batch; b++) {
      const f = 1 - lower + (upper + lower) * copy.next();
      for (let c = 0; c < channels; c++) {
        let mean = 0;
        for (let p = 0; p < pixels; p++) mean += x[b * size + p * channels + c] / pixels;
        for (let p = 0; p < pixels; p++) {
          const i = b * size + p * channels + c;
          y[i] = Math.min(Math.max((x[i] - mean) * f + mean, low), high);
        }
      }
    }
    return y;
  },
};

test('RandomBrightness and RandomContrast compute Keras\'s adjustments per example (and per channel), clipped; inference passes through', async () => {
  await kernels();
  const rng = random(71);
  const made = [
    { layer: layers.randomBrightness({ factor: [-0.3, 0.5], valueRange: [-1, 1] }), expect: (x: Float32Array, s: number) => keras.brightness(x, s, [-0.3, 0.5], [-1, 1]) },
    { layer: layers.randomBrightness({ factor: 0.2 }), expect: (x: Float32Array, s: number) => keras.brightness(x, s, [-0.2, 0.2], [0, 255]) },
    { layer: layers.randomContrast({ factor: [0.5, 1.5], valueRange: [-1, 1] }), expect: (x: Float32Array, s: number) => keras.contrast(x, s, [0.5, 1.5], [-1, 1]) },
    { layer: layers.randomContrast({ factor: 0.3, valueRange: [-3, 3] }), expect: (x: Float32Array, s: number) => keras.contrast(x, s, [0.3, 0.3], [-3, 3]) },
  ];
  for (const { layer, expect } of made) {
    layer.build([shape], seededRandom(72));
    const x = rng.array(batch * size, -1, 1), dy = rng.array(batch * size), state = layer.randomState;
    const { y } = runLayer(layer, batch, x, dy, true);
    assertClose(y, expect(x, state), 1e-4, JSON.stringify(layer.getConfig()));
    const again = runLayer(layer, batch, x, dy, true).y;
    assert.not.equal(again.slice(0, 8), y.slice(0, 8), 'each batch draws anew');
    assertPassesThrough(layer, batch, x, dy);
    layer.release();
  }
});

test('numerical gradients of RandomBrightness and RandomContrast, the clip biting on part of the values (the draw held fixed)', async () => {
  await kernels();
  const rng = random(73);
  for (const layer of [layers.randomBrightness({ factor: 0.3, valueRange: [-0.8, 0.8] }), layers.randomContrast({ factor: [0.6, 0.9], valueRange: [-0.9, 0.9] }),
    layers.randomContrast({ factor: 0.5, valueRange: [-5, 5] })]) {
    layer.build([shape], seededRandom(74));
    const x = rng.array(batch * size, -1, 1), r = rng.array(batch * size), state = layer.randomState;
    const { y, dx } = runLayer(layer, batch, x, r, true, state);
    const clipped = y.filter((v) => Math.abs(v) >= 0.8).length;
    if (layer.valueRange[1] < 1) assert.ok(clipped > 10 && clipped < y.length / 2, `${layer.className}: ${clipped} values clipped`);
    checkGradient(JSON.stringify(layer.getConfig()), x, dx, () => runLayer(layer, batch, x, r, true, state).y.reduce((s, v, i) => s + v * r[i], 0),
      () => rng.next(), 60);
    layer.release();
  }
});

test('impossible settings are refused by name; images only; a saved model resumes bit for bit; TF.js format refused by name', async () => {
  throwsWith(() => layers.randomBrightness({ factor: [-1.2, 0] }), ConfigError, 'factor must be a number f ≥ 0 (for [−f, f]) or [lower, upper] with -1 ≤ lower ≤ upper ≤ 1, got [-1.2,0]');
  throwsWith(() => layers.randomBrightness({ factor: 0.2, valueRange: [1, 0] }), ConfigError, 'valueRange must be [low, high] with finite low < high, got [1,0]');
  throwsWith(() => layers.randomContrast({ factor: 1.5 }), ConfigError, 'factor must be a number 0 ≤ f ≤ 1 or [lower, upper] with 0 ≤ lower ≤ 1 and upper ≥ 0, got 1.5');
  throwsWith(() => layers.randomContrast({ factor: [0.2, -0.1] }), ConfigError, 'factor must be');
  throwsWith(() => sequential({ inputShape: [8], layers: [publicLayers.randomContrast({ factor: 0.1 })] }), ConfigError,
    'RandomContrast takes images [height, width, channels], got [8]');
  const { first, resumed } = await assertResumesExactly(() => [
    publicLayers.randomBrightness({ factor: 0.2, valueRange: [-3, 3] }), publicLayers.randomContrast({ factor: 0.4, valueRange: [-3, 3] }),
  ], 3);
  assert.equal(resumed.layers.slice(0, 2).map((l) => l.getConfig()), first.layers.slice(0, 2).map((l) => l.getConfig()), 'configs saved and loaded');
  for (const layer of [publicLayers.randomBrightness({ factor: 0.1 }), publicLayers.randomContrast({ factor: 0.1 })]) {
    await assertRefusedForTfjs(layer);
  }
});

test.run();
