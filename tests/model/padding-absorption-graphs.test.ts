// A padding read in place by its convolution (src/layers/convolution-layer.ts) in the graphs users
// make of it: models cut at the padding, at the convolution or after its pooling, and a model of
// two outputs, all sharing the layers; a nested model opening with the padding; frozen layers around
// it, activations() between fits. The reference is the same model with a linear activation between
// padding and convolution, which keeps them apart: predicting gives the same bits; training agrees to
// the last bits (the depthwise filter gradient and Winograd's input-gradient tiles group their sums
// differently on the unpadded map).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Model, type Tensor, init, input, layers, model, sequential, tensor, cutModel } from '../../src/index.js';
import { assertClose, assertSameBits, random } from '../helpers.js';

const SHAPE: [number, number, number] = [9, 8, 6];
function base(blocked: boolean, seed = 3, dilation = 1, pool = false): Model {
  const x = input({ shape: SHAPE });
  const e = layers.conv2d({ filters: 6, kernelSize: 1, name: 'expand' }).apply(x);
  let h = layers.zeroPadding2d({ padding: [[1, 2], [0, 1]], name: 'pad' }).apply(e);
  if (blocked) h = layers.activation({ activation: 'linear' }).apply(h);
  let c = layers.conv2d({ filters: 8, kernelSize: 3, strides: dilation > 1 ? 1 : 2, dilationRate: dilation, padding: 'same', activation: 'relu', name: 'conv' }).apply(h);
  if (pool) c = layers.maxPool2d({ poolSize: 2, name: 'pool' }).apply(c);
  const d = layers.depthwiseConv2d({ kernelSize: 3, name: 'dw' }).apply(layers.zeroPadding2d({ padding: 1, name: 'pad2' }).apply(c));
  const out = layers.dense({ units: 3, name: 'head' }).apply(layers.globalAveragePooling2d().apply(d));
  const m = model({ inputs: x, outputs: out, seed });
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.05 }, loss: 'meanSquaredError' });
  return m;
}
const examples = (n: number, seed: number): Tensor => tensor(random(seed).array(n * SHAPE.reduce((a, b) => a * b)), [n, ...SHAPE]);
const ys = (n: number) => tensor(random(9).array(n * 3), [n, 3]);

for (const [dilation, pool] of [[1, false], [2, false], [1, true]] as const) {
  test(`cut models sharing the absorbed layers (dilation ${dilation}, pool ${pool}): predicting, training and activations agree`, async () => {
    await init();
    const a = base(false, 3, dilation, pool), ref = base(true, 3, dilation, pool);
    ref.setWeights(a.getWeights());
    const x = examples(4, 1);
    const p0 = a.predict(x).dataSync();
    assertSameBits(p0, ref.predict(x).dataSync(), 'predict');
    // Cut at the padding: its output is the cut's output.
    const atPad = cutModel(a, 'pad');
    const padded = atPad.predict(x).dataSync();
    const refActs = ref.activations(x);
    assertSameBits(padded, refActs[1].dataSync(), 'cut at the padding');
    assertSameBits(a.predict(x).dataSync(), p0, 'base after the cut at the padding');
    // Cut at the convolution: the padding is absorbed in the cut too.
    const atConv = cutModel(a, pool ? 'pool' : 'conv');
    const refAtConv = cutModel(ref, pool ? 'pool' : 'conv');
    assertSameBits(atConv.predict(x).dataSync(), refAtConv.predict(x).dataSync(), 'cut at the convolution');
    assertSameBits(a.predict(x).dataSync(), p0, 'base after the cut at the convolution');
    // Two outputs: the padding and the convolution.
    const both = model({ inputs: a.inputs, outputs: [a.getLayer('pad').output, a.getLayer('conv').output] });
    const [bp, bc] = both.predictOutputs(x);
    assertSameBits(bp.dataSync(), padded, 'two outputs: the padding');
    assertSameBits(bc.dataSync(), refActs[3].dataSync(), 'two outputs: the convolution');
    assertSameBits(a.predict(x).dataSync(), p0, 'base after the model of two outputs');
    // Training the base, then everything again.
    for (let s = 0; s < 2; s++) {
      await a.fit(x, ys(4), { epochs: 1, batchSize: 4, shuffle: false });
      await ref.fit(x, ys(4), { epochs: 1, batchSize: 4, shuffle: false });
    }
    a.getWeights().forEach((w, j) => assertClose(w.dataSync(), ref.getWeights()[j].dataSync(), 1e-6, `weight ${j}`));
    const p1 = ref.predict(x).dataSync();
    assertClose(a.predict(x).dataSync(), p1, 1e-5, 'predict after training');
    assertClose(atConv.predict(x).dataSync(), refAtConv.predict(x).dataSync(), 1e-5, 'cut at the conv after training');
    const acts = a.activations(x), refActs2 = ref.activations(x);
    assertClose(acts[3].dataSync(), refActs2[4].dataSync(), 1e-5, 'activations of conv after training');
    // Training the cut at the conv (fine-tuning), then the base.
    const tuned = cutModel(a, 'conv', { trainable: true, pooling: 'avg' });
    tuned.compile({ optimizer: { type: 'sgd', learningRate: 0.05 }, loss: 'meanSquaredError' });
    await tuned.fit(x, tensor(random(2).array(4 * 8), [4, 8]), { epochs: 1, batchSize: 4 });
    await a.fit(x, ys(4), { epochs: 1, batchSize: 2, shuffle: false });
    assert.ok(a.predict(x).dataSync().every(Number.isFinite));
  });
}

test('a nested model whose first layer is an absorbed padding, a trained layer before it', async () => {
  await init();
  const inner = (blocked: boolean) => {
    const x = input({ shape: [8, 8, 4] });
    let h = layers.zeroPadding2d({ padding: 1 }).apply(x);
    if (blocked) h = layers.activation({ activation: 'linear' }).apply(h);
    const c = layers.depthwiseConv2d({ kernelSize: 3, strides: 2 }).apply(h);
    return model({ inputs: x, outputs: c, seed: 4 });
  };
  const outer = (blocked: boolean) => {
    const m = sequential({ inputShape: [8, 8, 4], seed: 5, layers: [layers.conv2d({ filters: 4, kernelSize: 1 }), inner(blocked), layers.flatten(), layers.dense({ units: 2 })] });
    m.compile({ optimizer: { type: 'sgd', learningRate: 0.05 }, loss: 'meanSquaredError' });
    return m;
  };
  const a = outer(false), b = outer(true);
  b.setWeights(a.getWeights());
  const x = tensor(random(3).array(3 * 256), [3, 8, 8, 4]), y = tensor(random(4).array(6), [3, 2]);
  assertSameBits(a.predict(x).dataSync(), b.predict(x).dataSync(), 'predict');
  for (let s = 0; s < 3; s++) {
    await a.fit(x, y, { epochs: 1, batchSize: 3, shuffle: false });
    await b.fit(x, y, { epochs: 1, batchSize: 3, shuffle: false });
  }
  a.getWeights().forEach((w, j) => assertClose(w.dataSync(), b.getWeights()[j].dataSync(), 1e-6, `weight ${j}`));
  assert.not.equal(Array.from(a.getWeights()[0].dataSync()), Array.from(outer(false).getWeights()[0].dataSync()), 'the first layer trained');
});

test('frozen layers around an absorbed padding; activations between fits', async () => {
  await init();
  for (const frozen of ['expand', 'conv', 'dw']) {
    const a = base(false), b = base(true);
    b.setWeights(a.getWeights());
    a.getLayer(frozen).trainable = false;
    b.getLayer(frozen).trainable = false;
    a.compile({ optimizer: { type: 'sgd', learningRate: 0.05 }, loss: 'meanSquaredError' });
    b.compile({ optimizer: { type: 'sgd', learningRate: 0.05 }, loss: 'meanSquaredError' });
    const x = examples(3, 2);
    await a.fit(x, ys(3), { epochs: 1, batchSize: 3, shuffle: false });
    await b.fit(x, ys(3), { epochs: 1, batchSize: 3, shuffle: false });
    a.activations(x);
    await a.fit(x, ys(3), { epochs: 1, batchSize: 3, shuffle: false });
    await b.fit(x, ys(3), { epochs: 1, batchSize: 3, shuffle: false });
    a.getWeights().forEach((w, j) => assertClose(w.dataSync(), b.getWeights()[j].dataSync(), 1e-6, `${frozen} frozen: weight ${j}`));
    assertClose(a.predict(x).dataSync(), b.predict(x).dataSync(), 1e-5, `${frozen} frozen: predict`);
  }
});

test.run();
