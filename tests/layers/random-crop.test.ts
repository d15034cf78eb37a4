// RandomCrop: while training one random window for the batch (Keras's draw), at inference Keras's
// smart_resize (checked against a plain centred-box crop and tf.image.resize's bilinear formula),
// the numerical gradient of both, settings refused by name, a saved model resuming bit for bit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layers } from '../../src/layers/index.js';
import { seededRandom } from '../../src/random.js';
import { ConfigError, layers as publicLayers, sequential } from '../../src/index.js';
import { assertClose, kernels, random } from '../helpers.js';
import { checkGradient } from '../gradient-check.js';
import { throwsWith } from '../throws-with.js';
import { assertRefusedForTfjs, assertResumesExactly, runLayer } from './augmentation-runs.js';

/** Keras's smart_resize of images [batch, h, w, c] to [th, tw]: the centred box of the target's aspect, then tf.image.resize bilinear (half-pixel centres). */
function smartResize(x: Float32Array, batch: number, h: number, w: number, c: number, th: number, tw: number): Float32Array {
  const boxH = Math.min(h, Math.trunc((w * th) / tw)), boxW = Math.min(w, Math.trunc((h * tw) / th));
  const top = Math.trunc((h - boxH) / 2), left = Math.trunc((w - boxW) / 2);
  const y = new Float32Array(batch * th * tw * c);
  const axis = (out: number, size: number, target: number) => {
    const at = (out + 0.5) * (size / target) - 0.5, floor = Math.floor(at);
    return { lower: Math.max(floor, 0), upper: Math.min(Math.ceil(at), size - 1), lerp: at - floor };
  };
  for (let b = 0; b < batch; b++) for (let r = 0; r < th; r++) for (let col = 0; col < tw; col++) for (let ch = 0; ch < c; ch++) {
    const ry = axis(r, boxH, th), rx = axis(col, boxW, tw);
    const read = (row: number, column: number) => x[((b * h + top + row) * w + left + column) * c + ch];
    const upper = read(ry.lower, rx.lower) + (read(ry.lower, rx.upper) - read(ry.lower, rx.lower)) * rx.lerp;
    const lower = read(ry.upper, rx.lower) + (read(ry.upper, rx.upper) - read(ry.upper, rx.lower)) * rx.lerp;
    y[((b * th + r) * tw + col) * c + ch] = upper + (lower - upper) * ry.lerp;
  }
  return y;
}

/** Example b's window [th, tw] at (top, left). */
function window(x: Float32Array, b: number, h: number, w: number, c: number, th: number, tw: number, top: number, left: number): Float32Array {
  const y = new Float32Array(th * tw * c);
  for (let r = 0; r < th; r++) y.set(x.subarray(((b * h + top + r) * w + left) * c, ((b * h + top + r) * w + left + tw) * c), r * tw * c);
  return y;
}

test('RandomCrop takes one window per batch where Keras\'s draw puts it, a new one each batch; inference is Keras\'s smart_resize', async () => {
  await kernels();
  const rng = random(81);
  for (const [h, w, c, th, tw] of [[9, 7, 3, 4, 5], [8, 8, 5, 5, 5], [6, 11, 1, 6, 2], [7, 5, 9, 7, 5]]) {
    const layer = layers.randomCrop({ height: th, width: tw });
    layer.build([[h, w, c]], seededRandom(82));
    const batch = 3, x = rng.array(batch * h * w * c), dy = rng.array(batch * th * tw * c);
    const seen = new Set<string>();
    for (let round = 0; round < 12; round++) {
      const copy = seededRandom(0);
      copy.state = layer.randomState;
      const top = copy.int(0, h - th), left = copy.int(0, w - tw);
      const { y } = runLayer(layer, batch, x, dy, true);
      const expected = new Float32Array(y.length);
      for (let b = 0; b < batch; b++) expected.set(window(x, b, h, w, c, th, tw, top, left), b * th * tw * c);
      assertClose(y, expected, 0, `${h}×${w} → ${th}×${tw}, window at ${top}, ${left}`);
      seen.add(`${top},${left}`);
    }
    if (h * w > th * tw) assert.ok(seen.size > 1, `${h}×${w} → ${th}×${tw}: the window moves`);
    const inference = runLayer(layer, batch, x, dy, false);
    assertClose(inference.y, smartResize(x, batch, h, w, c, th, tw), 1e-4, `smart_resize ${h}×${w} → ${th}×${tw}`);
    layer.release();
  }
});

test('numerical gradient of RandomCrop, training (the window held) and inference', async () => {
  await kernels();
  const rng = random(83);
  const layer = layers.randomCrop({ height: 4, width: 3 });
  layer.build([[7, 6, 2]], seededRandom(84));
  const x = rng.array(2 * 84), r = rng.array(2 * 24), state = layer.randomState;
  for (const training of [true, false]) {
    const { dx } = runLayer(layer, 2, x, r, training, state);
    checkGradient(`RandomCrop, training ${training}`, x, dx, () => runLayer(layer, 2, x, r, training, state).y.reduce((s, v, i) => s + v * r[i], 0),
      () => rng.next(), 40);
  }
  layer.release();
});

test('RandomCrop: settings refused by name, images at least the window; a saved model resumes bit for bit; TF.js format refused by name', async () => {
  throwsWith(() => layers.randomCrop({ height: 0, width: 3 }), ConfigError, 'height and width must be integers ≥ 1, got 0 and 3');
  throwsWith(() => layers.randomCrop({ height: 2 } as never), ConfigError, 'height and width must be integers ≥ 1');
  throwsWith(() => sequential({ inputShape: [4, 8, 1], layers: [publicLayers.randomCrop({ height: 5, width: 5 })] }), ConfigError,
    'RandomCrop takes images at least [5, 5] (smaller ones Keras enlarges, which convas does not), got [4, 8, 1]');
  throwsWith(() => sequential({ inputShape: [8], layers: [publicLayers.randomCrop({ height: 5, width: 5 })] }), ConfigError, 'RandomCrop takes images [height, width, channels], got [8]');
  const { first, resumed } = await assertResumesExactly(() => [publicLayers.randomCrop({ height: 5, width: 4 })], 2);
  assert.equal(resumed.layers[0].getConfig(), first.layers[0].getConfig(), 'config saved and loaded');
  await assertRefusedForTfjs(publicLayers.randomCrop({ height: 5, width: 5 }));
});

test.run();
