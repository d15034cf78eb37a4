// RandomTranslation, RandomRotation and RandomZoom: the maps Keras draws (checked against Keras's
// formulas on the layer's own stream, and on images whose result is known), active only while
// training, their numerical gradients, their settings refused by name, and a saved model resuming
// with the same augmentations bit for bit.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Layer, layers } from '../../src/layers/index.js';
import { seededRandom } from '../../src/random.js';
import { ConfigError, layers as publicLayers, sequential } from '../../src/index.js';
import { assertClose, kernels, random } from '../helpers.js';
import { checkGradient } from '../gradient-check.js';
import * as ref from '../reference/affine-images.js';
import { throwsWith } from '../throws-with.js';
import { assertPassesThrough, assertRefusedForTfjs, assertResumesExactly, runLayer } from './augmentation-runs.js';

type AffineLayer = Layer & { randomState: number };

const FILL = ['constant', 'nearest', 'reflect', 'wrap'] as const;

/** Keras's maps (tf.keras's get_translation/rotation/zoom_matrix), drawn from a copy of the stream. */
const kerasMaps = {
  translation: (u: () => number, h: number, w: number, [hl, hu]: number[], [wl, wu]: number[]) => {
    const dy = (hl + (hu - hl) * u()) * h, dx = (wl + (wu - wl) * u()) * w;
    return [1, 0, -dx, 0, 1, -dy];
  },
  rotation: (u: () => number, h: number, w: number, [lo, hi]: number[]) => {
    const a = (lo + (hi - lo) * u()) * 2 * Math.PI;
    return [Math.cos(a), -Math.sin(a), ((w - 1) - (Math.cos(a) * (w - 1) - Math.sin(a) * (h - 1))) / 2,
      Math.sin(a), Math.cos(a), ((h - 1) - (Math.sin(a) * (w - 1) + Math.cos(a) * (h - 1))) / 2];
  },
  zoom: (u: () => number, h: number, w: number, [lo, hi]: number[]) => {
    const z = 1 + lo + (hi - lo) * u();
    return [z, 0, ((w - 1) / 2) * (1 - z), 0, z, ((h - 1) / 2) * (1 - z)];
  },
};

const cases = [
  { make: (fillMode: (typeof FILL)[number]) => layers.randomTranslation({ heightFactor: 0.3, widthFactor: [-0.2, 0.4], fillMode, fillValue: 0.5 }),
    map: (u: () => number, h: number, w: number) => kerasMaps.translation(u, h, w, [-0.3, 0.3], [-0.2, 0.4]) },
  { make: (fillMode: (typeof FILL)[number]) => layers.randomRotation({ factor: [-0.4, 0.1], fillMode, interpolation: 'nearest', fillValue: -1 }),
    map: (u: () => number, h: number, w: number) => kerasMaps.rotation(u, h, w, [-0.4, 0.1]) },
  { make: (fillMode: (typeof FILL)[number]) => layers.randomZoom({ heightFactor: [-0.5, 0.6], fillMode }),
    map: (u: () => number, h: number, w: number) => kerasMaps.zoom(u, h, w, [-0.5, 0.6]) },
];

test('each layer samples every image through the map Keras draws, in every fill mode; inference passes through', async () => {
  await kernels();
  const shape = [7, 6, 5], batch = 6, size = 7 * 6 * 5, rng = random(61);
  for (const { make, map } of cases) for (const fillMode of FILL) {
    const layer = make(fillMode) as unknown as AffineLayer;
    layer.build([shape], seededRandom(62));
    const x = rng.array(batch * size), dy = rng.array(batch * size);
    const copy = seededRandom(0);
    copy.state = layer.randomState;
    const maps = new Float32Array(Array.from({ length: batch }, () => map(() => copy.next(), 7, 6)).flat());
    const { y } = runLayer(layer, batch, x, dy, true);
    const { fillMode: mode, interpolation, fillValue } = layer.getConfig() as unknown as { fillMode: string; interpolation: string; fillValue: number };
    assertClose(y, ref.affineTransformImages(x, maps, batch, 7, 6, 5, FILL.indexOf(mode as never), interpolation === 'nearest' ? 0 : 1, fillValue), 1e-4,
      `${layer.className} ${fillMode}`);
    assert.ok(layer.randomState === copy.state, `${layer.className}: the stream moved as Keras's draws`);
    assertPassesThrough(layer, batch, x, dy);
    layer.release();
  }
});

test('the directions are Keras\'s: a positive height shifts down, a positive width right, a positive turn is counter-clockwise, a positive zoom zooms out', async () => {
  await kernels();
  const n = 4, x = Float32Array.from({ length: n * n }, (_, i) => i + 1), zeros = new Float32Array(n * n);
  const at = (image: Float32Array, r: number, c: number) => image[r * n + c];
  const once = (layer: Layer) => {
    layer.build([[n, n, 1]], seededRandom(1));
    return runLayer(layer as AffineLayer, 1, x, zeros, true).y;
  };
  const shift = once(layers.randomTranslation({ heightFactor: [0.5, 0.5], widthFactor: [0.25, 0.25], fillMode: 'constant' }));
  assert.equal(at(shift, 2, 1), at(x, 0, 0), 'down 2, right 1');
  assert.equal(at(shift, 0, 0), 0, 'the uncovered corner is filled');
  const turn = once(layers.randomRotation({ factor: [0.25, 0.25], interpolation: 'nearest' }));
  for (let r = 0; r < n; r++) for (let c = 0; c < n; c++) assert.equal(at(turn, n - 1 - c, r), at(x, r, c), `quarter turn counter-clockwise at ${r},${c}`);
  const out = once(layers.randomZoom({ heightFactor: [1, 1], fillMode: 'constant', interpolation: 'nearest' }));
  assert.equal(out[0], 0, 'zooming out leaves the corners to the fill');
  const inward = once(layers.randomZoom({ heightFactor: [-0.5, -0.5], fillMode: 'constant', interpolation: 'bilinear' }));
  assert.ok(inward.every((v) => v !== 0), 'zooming in fills the frame from the image');
});

test('numerical gradient of each layer, every fill mode and both interpolations (the map held fixed)', async () => {
  await kernels();
  const shape = [5, 7, 3], batch = 2, size = 105, rng = random(63);
  const interpolations = ['nearest', 'bilinear'] as const;
  for (const interpolation of interpolations) for (const fillMode of FILL) {
    const made = [
      layers.randomTranslation({ heightFactor: 0.4, widthFactor: 0.4, fillMode, interpolation, fillValue: 0.3 }),
      layers.randomRotation({ factor: 0.2, fillMode, interpolation, fillValue: 0.3 }),
      layers.randomZoom({ heightFactor: 0.5, widthFactor: [-0.3, 0.2], fillMode, interpolation, fillValue: 0.3 }),
    ] as unknown as AffineLayer[];
    for (const layer of made) {
      layer.build([shape], seededRandom(64));
      const x = rng.array(batch * size), r = rng.array(batch * size), state = layer.randomState;
      const { dx } = runLayer(layer, batch, x, r, true, state);
      const loss = () => {
        const y = runLayer(layer, batch, x, r, true, state).y;
        return y.reduce((s, v, i) => s + v * r[i], 0);
      };
      checkGradient(`${layer.className} ${fillMode} ${interpolation}`, x, dx, loss, () => rng.next(), 30);
      layer.release();
    }
  }
});

test('impossible settings are refused by name when the layer is made; images only', () => {
  throwsWith(() => layers.randomTranslation({ heightFactor: 1.5, widthFactor: 0 }), ConfigError, 'heightFactor must be a number f ≥ 0 (for [−f, f]) or [lower, upper] with -1 ≤ lower ≤ upper ≤ 1, got 1.5');
  throwsWith(() => layers.randomTranslation({ heightFactor: 0.1 } as never), ConfigError, 'widthFactor must be');
  throwsWith(() => layers.randomRotation({ factor: [0.3, 0.1] }), ConfigError, 'factor must be a number f ≥ 0 (for [−f, f]) or [lower, upper] with -Infinity ≤ lower ≤ upper, got [0.3,0.1]');
  throwsWith(() => layers.randomRotation({ factor: -0.1 }), ConfigError, 'factor must be');
  throwsWith(() => layers.randomZoom({ heightFactor: [-1.5, 0] }), ConfigError, 'heightFactor must be a number f ≥ 0 (for [−f, f]) or [lower, upper] with -1 ≤ lower ≤ upper, got [-1.5,0]');
  throwsWith(() => layers.randomZoom({ heightFactor: 0.2, widthFactor: [NaN, 1] }), ConfigError, 'widthFactor must be');
  throwsWith(() => layers.randomZoom({ heightFactor: 0.2, fillMode: 'mirror' as never }), ConfigError, 'fillMode must be one of constant, nearest, reflect, wrap, got "mirror"');
  throwsWith(() => layers.randomRotation({ factor: 0.2, interpolation: 'bicubic' as never }), ConfigError, 'interpolation must be one of nearest, bilinear, got "bicubic"');
  throwsWith(() => layers.randomRotation({ factor: 0.2, fillValue: Infinity }), ConfigError, 'fillValue must be a finite number');
  throwsWith(() => sequential({ inputShape: [8], layers: [publicLayers.randomZoom({ heightFactor: 0.1 })] }), ConfigError,
    'RandomZoom takes images [height, width, channels], got [8]');
});

test('a saved model resumes with the same translations, turns and zooms: 2 epochs, save, load, 2 more = 4 epochs, bit for bit; TF.js format refused by name', async () => {
  const { first, resumed } = await assertResumesExactly(() => [
    publicLayers.randomTranslation({ heightFactor: 0.2, widthFactor: 0.2, fillMode: 'nearest' }),
    publicLayers.randomRotation({ factor: 0.1, interpolation: 'nearest', fillMode: 'constant', fillValue: 0.1 }),
    publicLayers.randomZoom({ heightFactor: [-0.2, 0.1], widthFactor: 0.1 }),
  ], 2);
  assert.equal(resumed.layers.slice(0, 3).map((l) => l.getConfig()), first.layers.slice(0, 3).map((l) => l.getConfig()), 'configs saved and loaded');
  for (const layer of [publicLayers.randomTranslation({ heightFactor: 0.1, widthFactor: 0.1 }), publicLayers.randomRotation({ factor: 0.1 }),
    publicLayers.randomZoom({ heightFactor: 0.1 })]) {
    await assertRefusedForTfjs(layer);
  }
});

test.run();
