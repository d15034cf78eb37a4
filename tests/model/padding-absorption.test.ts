// A ZeroPadding2D read by one convolution alone is skipped: the convolution reads the padding's input
// where it lies, the zeros added to its own padding (src/layers/convolution-layer.ts). That is the same
// convolution as one given those pads itself, so a model built that way is the reference: the same
// weights must predict and train to the same bits, and the padded copy must hold no memory. Where the
// padding's output is read otherwise (by two layers, by activations()), it runs as it always did.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { type Model, type Tensor, init, input, layers, model, tensor } from '../../src/index.js';
import type { Borders2DSides } from '../../src/layers/borders2d.js';
import type { Padding } from '../../src/window.js';
import { assertClose, assertSameBits, random } from '../helpers.js';

type Convolution = (padding: Padding) => ReturnType<typeof layers.conv2d> | ReturnType<typeof layers.depthwiseConv2d>;

interface Case {
  name: string;
  inputShape: [number, number, number];
  borders: Borders2DSides;
  /** The convolution's own padding, and the same with the borders added: [top, bottom, left, right]. */
  own: Padding;
  combined: [number, number, number, number];
  convolution: Convolution;
  pool?: boolean;
}

const CASES: Case[] = [
  { name: 'depthwise 3×3 stride 2 valid after [[0, 1], [0, 1]] (MobileNetV2\'s)', inputShape: [9, 10, 6], borders: [[0, 1], [0, 1]],
    own: 'valid', combined: [0, 1, 0, 1], convolution: (padding) => layers.depthwiseConv2d({ kernelSize: 3, strides: 2, padding, activation: 'relu6' }) },
  { name: 'depthwise 3×3 stride 1 same, depth multiplier 2', inputShape: [7, 8, 5], borders: [[2, 1], [1, 3]],
    own: 'same', combined: [3, 2, 2, 4], convolution: (padding) => layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding }) },
  { name: 'conv2d 3×3 stride 1 valid after 1 on every side, then a 2×2 max pooling (one kernel)', inputShape: [12, 12, 8], borders: [[1, 1], [1, 1]],
    own: 'valid', combined: [1, 1, 1, 1], convolution: (padding) => layers.conv2d({ filters: 16, kernelSize: 3, padding, activation: 'relu' }), pool: true },
  { name: 'conv2d 7×7 stride 2 valid after 3 (ResNet\'s first)', inputShape: [16, 15, 3], borders: [[3, 3], [3, 3]],
    own: 'valid', combined: [3, 3, 3, 3], convolution: (padding) => layers.conv2d({ filters: 5, kernelSize: 7, strides: 2, padding }) },
  { name: 'conv2d 3×3 dilated by 2, same', inputShape: [10, 9, 4], borders: [[1, 0], [0, 2]],
    own: 'same', combined: [3, 2, 2, 4], convolution: (padding) => layers.conv2d({ filters: 4, kernelSize: 3, dilationRate: 2, padding }) },
];

/** The case's model: the padding layer then its convolution (`padded`), or the convolution with the pads as its own. */
function build(c: Case, padded: boolean, readTwice = false): Model {
  const x = input({ shape: c.inputShape });
  // A layer that trains before the padding, as MobileNetV2's expansions do: its gradient comes through the padding.
  const expanded = layers.conv2d({ filters: c.inputShape[2], kernelSize: 1 }).apply(x);
  let h = padded ? layers.zeroPadding2d({ padding: c.borders }).apply(expanded) : expanded;
  const conv = c.convolution(padded ? c.own : c.combined).apply(h);
  let out = c.pool ? layers.maxPool2d({ poolSize: 2 }).apply(conv) : conv;
  out = layers.dense({ units: 3, activation: 'softmax' }).apply(layers.flatten().apply(out));
  if (readTwice) {
    // The padding's output read by a second layer too: nothing is absorbed.
    h = layers.globalAveragePooling2d().apply(h);
    out = layers.concatenate().apply([out, layers.dense({ units: 1 }).apply(h)]);
  }
  const m = model({ inputs: x, outputs: out, seed: 3 });
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.05 }, loss: readTwice ? 'meanSquaredError' : 'categoricalCrossentropy' });
  return m;
}

const examples = (c: Case, n: number, seed: number): Tensor => tensor(random(seed).array(n * c.inputShape.reduce((a, b) => a * b)), [n, ...c.inputShape]);
const targets = (n: number): Tensor => tensor(Array.from({ length: n * 3 }, (_, i) => (i % 3 === Math.floor(i / 3) % 3 ? 1 : 0)), [n, 3]);
/** What models hold themselves: the scratch all layers share (its size that of the largest need alive) aside. */
const inUse = () => getBackend().memory.bytesInUse - getBackend().parallel.scratch.bytes;

/** Bytes the model holds beyond its weights once it predicted x (the result aside). */
function predictingBytes(m: Model, x: Tensor): number {
  const before = inUse();
  const y = m.predict(x);
  const used = inUse() - before - y.size * 4;
  y.dispose();
  return used;
}

for (const c of CASES) {
  test(`${c.name}: the padding is read in place, to the bits of the convolution padded itself`, async () => {
    await init();
    const absorbed = build(c, true), reference = build(c, false);
    reference.setWeights(absorbed.getWeights());
    const x = examples(c, 5, 11);
    const paddedBytes = 5 * (c.inputShape[0] + c.borders[0][0] + c.borders[0][1]) * (c.inputShape[1] + c.borders[1][0] + c.borders[1][1]) * c.inputShape[2] * 4;
    assert.ok(predictingBytes(absorbed, x) < predictingBytes(reference, x) + paddedBytes / 2, 'no padded copy is planned');
    assertSameBits(absorbed.predict(x).dataSync(), reference.predict(x).dataSync(), 'predict');
    // Training: both backward passes, the padding's gradient passed straight through.
    for (let step = 0; step < 3; step++) {
      await absorbed.fit(x, targets(5), { epochs: 1, batchSize: 5, shuffle: false });
      await reference.fit(x, targets(5), { epochs: 1, batchSize: 5, shuffle: false });
    }
    absorbed.getWeights().forEach((w, i) => assertSameBits(w.dataSync(), reference.getWeights()[i].dataSync(), `weight ${i} after 3 steps`));
  });
}

test('activations() and a padding read twice run the padding itself, and agree with the absorbed pass', async () => {
  await init();
  for (const c of CASES) {
    const absorbed = build(c, true);
    const x = examples(c, 2, 5);
    const predicted = absorbed.predict(x).dataSync();
    const [padded, convolved] = absorbed.activations(x).slice(1, 3).map((t) => t.dataSync());
    const [[top, bottom], [left, right]] = c.borders, [h, w, ch] = c.inputShape;
    const width = w + left + right, source = absorbed.activations(x)[0].dataSync();
    for (let n = 0; n < 2; n++) {
      for (let py = 0; py < h + top + bottom; py++) {
        for (let px = 0; px < width; px++) {
          for (let k = 0; k < ch; k++) {
            const inside = py >= top && py < top + h && px >= left && px < left + w;
            const expected = inside ? source[((n * h + py - top) * w + px - left) * ch + k] : 0;
            assert.is(padded[((n * (h + top + bottom) + py) * width + px) * ch + k], expected, `${c.name}: padded (${n}, ${py}, ${px}, ${k})`);
          }
        }
      }
    }
    // The convolution on the padded copy: taps over zeros added rather than skipped, the same values.
    const again = build(c, false);
    again.setWeights(absorbed.getWeights());
    assertClose(convolved, again.activations(x)[1].dataSync(), 1e-6, `${c.name}: the convolution's output`);
    assertClose(absorbed.predict(x).dataSync(), predicted, 0, `${c.name}: predict after activations()`);
    const twice = build(c, true, true);
    twice.setWeights([...absorbed.getWeights(), ...twice.getWeights().slice(absorbed.getWeights().length)]);
    assertClose(twice.predict(x).dataSync().filter((_, i) => i % 4 < 3), predicted, 1e-6, `${c.name}: the padding read twice`);
  }
});

test.run();
