// predict({ foldBatchNorm: true }) against plain predict on random models: how far folding the
// normalisations into the convolutions (and dense layers) before them moves the outputs (measured,
// and bounded), that it never changes the winning class except between scores tied within that
// bound, that it folds only what it may (a layer read by one BatchNormalization alone, with no
// activation of its own), that a ReLU or ReLU6 after the normalisation runs inside the convolution's
// kernel, and that the model's weights and later predictions are untouched.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Layer, type Model, type SymbolicTensor, input, layers, model, sequential, tensor } from '../../src/index.js';
import { argmaxRow } from '../../src/metrics.js';
import { assertSameBits, kernels, random } from '../helpers.js';

/**
 * The largest |folded − plain| over a model's outputs, relative to its largest |plain| output: over
 * 900 random models like those below (six seeds) it reached 3.6e-6 — f32 rounding of the folded
 * weights against that of the separate normalisation pass, compounded through up to six
 * convolutions and a dense layer. The bound is about twice that.
 */
const FOLDING_BOUND = 8e-6;

type Rng = ReturnType<typeof random>;

/** Every array random; moving variances spread over two orders of magnitude, moving means off zero. */
function randomize(m: Model, rng: Rng): void {
  m.setWeights(m.weights.map((p) => {
    if (p.name.endsWith('moving_variance')) return rng.array(p.size, 0, 1).map((v) => 0.05 * 100 ** v);
    if (p.name.endsWith('moving_mean')) return rng.array(p.size, -2, 2);
    return rng.array(p.size, -0.7, 0.7);
  }));
}

const conv = (rng: Rng, options: Record<string, unknown> = {}) => layers.conv2d({
  filters: rng.int(1, 9), kernelSize: rng.int(1, 3), padding: rng.pick(['same', 'valid'] as const), useBias: rng.next() < 0.7, ...options,
});
const bn = (rng: Rng) => layers.batchNormalization({ epsilon: rng.pick([1e-3, 1e-5]), center: rng.next() < 0.85, scale: rng.next() < 0.85 });

/** A random CNN whose convolutions are mostly followed by a BatchNormalization, as MobileNets and ResNets are. */
function randomCnn(rng: Rng, classes: number): Model {
  const x = input({ shape: [rng.int(6, 10), rng.int(6, 10), rng.int(1, 4)] });
  let t: SymbolicTensor<Layer> = x;
  for (let block = rng.int(1, 3); block > 0; block--) {
    t = bn(rng).apply(conv(rng).apply(t));
    t = layers.relu().apply(t);
    if (rng.next() < 0.4) {
      // A residual block: conv → BN, added to its input.
      const channels = t.shape[2];
      const branch = bn(rng).apply(conv(rng, { filters: channels, padding: 'same' }).apply(t));
      t = layers.add().apply([branch, t]);
    }
  }
  const head = layers.dense({ units: classes }).apply(layers.flatten().apply(t));
  return model({ inputs: x, outputs: rng.next() < 0.5 ? bn(rng).apply(head) : head });
}

/**
 * A MobileNetV1-like CNN: blocks of a depthwise convolution (mostly without bias, as MobileNetV1's)
 * → BatchNormalization → ReLU6, then a 1×1 convolution → BatchNormalization → ReLU.
 */
function randomMobileNet(rng: Rng, classes: number): Model {
  const x = input({ shape: [rng.int(6, 10), rng.int(6, 10), rng.int(1, 4)] });
  let t: SymbolicTensor<Layer> = x;
  for (let block = rng.int(1, 3); block > 0; block--) {
    const depthwise = layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: rng.int(1, 2), strides: rng.int(1, 2), padding: 'same',
      useBias: rng.next() < 0.3 });
    t = layers.activation({ activation: 'relu6' }).apply(bn(rng).apply(depthwise.apply(t)));
    t = layers.relu().apply(bn(rng).apply(conv(rng, { kernelSize: 1 }).apply(t)));
  }
  return model({ inputs: x, outputs: layers.dense({ units: classes }).apply(layers.flatten().apply(t)) });
}

/** A depthwise convolution and its normalisation, the only pair that can fold, then a dense layer. */
function randomDepthwisePair(rng: Rng, classes: number): Model {
  const x = input({ shape: [rng.int(3, 9), rng.int(3, 9), rng.int(1, 5)] });
  const depthwise = layers.depthwiseConv2d({ kernelSize: rng.int(1, 3), depthMultiplier: rng.int(1, 3), padding: 'same', useBias: rng.next() < 0.5 });
  return model({ inputs: x, outputs: layers.dense({ units: classes }).apply(layers.flatten().apply(bn(rng).apply(depthwise.apply(x)))) });
}

const largest = (values: Float32Array) => values.reduce((m, v) => Math.max(m, Math.abs(v)), 0);

/**
 * Builds and folds `trials` random models of `draw`; checks each against FOLDING_BOUND, the winning
 * classes and untouched weights, and returns the largest change seen.
 */
async function foldRandomModels(draw: (rng: Rng, classes: number) => Model, seed: number, trials: number, what: string): Promise<number> {
  await kernels();
  const rng = random(seed);
  let worst = 0, examples = 0;
  for (let trial = 0; trial < trials; trial++) {
    const classes = rng.int(2, 10);
    const m = draw(rng, classes);
    randomize(m, rng);
    const n = rng.int(1, 40);
    const x = tensor(rng.array(n * m.inputSize, -2, 2), [n, ...m.inputShape]);
    const weights = m.getWeights().map((w) => w.dataSync());
    const plain = m.predict(x).dataSync();
    const folded = m.predict(x, { foldBatchNorm: true }).dataSync();
    const scale = largest(plain);
    const difference = plain.reduce((d, v, i) => Math.max(d, Math.abs(folded[i] - v)), 0) / scale;
    worst = Math.max(worst, difference);
    assert.ok(difference <= FOLDING_BOUND, `${what} ${trial}: folding moved the outputs by ${difference} of their largest value`);
    for (let row = 0; row < n; row++) {
      const a = argmaxRow(plain, row * classes, classes), b = argmaxRow(folded, row * classes, classes);
      if (a !== b) {
        // Only a tie within the rounding bound may go the other way.
        assert.ok(Math.abs(plain[row * classes + a] - plain[row * classes + b]) <= 2 * FOLDING_BOUND * scale, `${what} ${trial} row ${row}: class ${a} became ${b}`);
      }
      examples++;
    }
    m.getWeights().forEach((w, i) => assertSameBits(w.dataSync(), weights[i], `${what} ${trial}: weight ${m.weights[i].name} after folding`));
    assertSameBits(m.predict(x).dataSync(), plain, `${what} ${trial}: plain predict after a folded one`);
    m.dispose();
  }
  console.log(`batch-norm folding, ${what}s: largest change ${worst.toExponential(2)} of the largest output over ${trials} models, ${examples} examples`);
  assert.ok(worst > 0, 'folding ran: some output moved by rounding');
  return worst;
}

test(`folding moves the outputs by at most ${FOLDING_BOUND} of their largest value, and never changes the winning class beyond rounding ties`, async () => {
  const worst = await foldRandomModels(randomCnn, 41, 60, 'model');
  assert.ok(worst > FOLDING_BOUND / 10, `the bound is tight: the largest change seen, ${worst}, is within a factor of 10 of it`);
});

test('depthwise convolutions fold as convolutions do, with or without a bias of their own, within the same bound', async () => {
  // Alone, the depthwise pair is all that folds: 'folding ran' proves it folded.
  await foldRandomModels(randomDepthwisePair, 44, 30, 'depthwise pair');
  await foldRandomModels(randomMobileNet, 43, 40, 'MobileNet-like model');
});

test('only a convolution without activation, read by the BatchNormalization alone, is folded; others run as they are', async () => {
  await kernels();
  const rng = random(42);
  // conv(relu) → BN: an activation sits between them. conv → BN and also → add: read twice. The same bits either way.
  const x = input({ shape: [7, 7, 3] });
  const activated = bn(rng).apply(layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }).apply(x));
  const shared = layers.conv2d({ filters: 4, kernelSize: 1 }).apply(activated);
  const unfoldable = model({ inputs: x, outputs: layers.add().apply([bn(rng).apply(shared), shared]) });
  randomize(unfoldable, rng);
  const images = tensor(rng.array(5 * 147), [5, 7, 7, 3]);
  assertSameBits(unfoldable.predict(images, { foldBatchNorm: true }).dataSync(), unfoldable.predict(images).dataSync(), 'nothing to fold');

  // The same pair inside a nested model folds; evaluate folds too, and training is unaffected.
  const block = sequential({ name: 'block', inputShape: [7, 7, 3], layers: [layers.conv2d({ filters: 4, kernelSize: 3 }), layers.batchNormalization()] });
  const outer = sequential({ inputShape: [7, 7, 3], layers: [block, layers.flatten(), layers.dense({ units: 2, activation: 'softmax' })] });
  randomize(outer, rng);
  const plain = outer.predict(images).dataSync(), folded = outer.predict(images, { foldBatchNorm: true }).dataSync();
  assert.not.equal([...folded], [...plain], 'the nested pair was folded');
  const labels = tensor(Float32Array.from({ length: 10 }, (_, i) => i % 2), [5, 2]);
  outer.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const evaluated = outer.evaluate(images, labels, { foldBatchNorm: true });
  assert.ok(Math.abs(evaluated.loss - outer.evaluate(images, labels).loss) < 1e-5, 'evaluate with folding');
  assert.throws(() => outer.predict(images, { foldBatchNorm: 'yes' as never }), /foldBatchNorm must be true or false, got "yes"/);
});

/** Counts the passes an activation layer runs itself (the kernel-applied activation runs inside the convolution instead). */
function countPasses(layer: Layer): () => number {
  const activation = (layer as unknown as { activation: { forward: (z: number, batch: number) => number } }).activation;
  const forward = activation.forward.bind(activation);
  let passes = 0;
  activation.forward = (z, batch) => (passes++, forward(z, batch));
  return () => passes;
}

test('a ReLU or ReLU6 that alone reads a folded normalisation runs inside the convolution\'s kernel; any other runs as it is', async () => {
  await kernels();
  const rng = random(45);
  const x = input({ shape: [8, 9, 3] });
  const relu6 = layers.reLU({ maxValue: 6, name: 'relu6' }), relu = layers.relu({ name: 'relu' });
  const afterDense = layers.relu({ name: 'after_dense' }), leaky = layers.leakyReLU({ name: 'leaky' }), readTwice = layers.relu({ name: 'read_twice' });
  let t = relu6.apply(bn(rng).apply(conv(rng, { padding: 'same' }).apply(x)));
  t = relu.apply(bn(rng).apply(layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }).apply(t)));
  t = leaky.apply(bn(rng).apply(conv(rng).apply(t)));
  const normalized = bn(rng).apply(conv(rng, { filters: t.shape[2], kernelSize: 1 }).apply(t));
  t = layers.add().apply([readTwice.apply(normalized), normalized]);
  const flat = layers.flatten().apply(t);
  const m = model({ inputs: x, outputs: layers.dense({ units: 3 }).apply(afterDense.apply(bn(rng).apply(layers.dense({ units: 5 }).apply(flat)))) });
  randomize(m, rng);
  const images = tensor(rng.array(6 * m.inputSize, -2, 2), [6, ...m.inputShape]);
  const plain = m.predict(images).dataSync();
  const counters = [relu6, relu, leaky, readTwice, afterDense].map((l) => [l.name, countPasses(l)] as const);
  const folded = m.predict(images, { foldBatchNorm: true }).dataSync();
  const passes = Object.fromEntries(counters.map(([name, count]) => [name, count()]));
  // The ReLU6 and ReLU after conv and depthwise fuse; a leaky ReLU, one whose input is also read
  // elsewhere, and one after a dense layer (whose kernel applies no activation) run their own pass.
  assert.equal(passes, { relu6: 0, relu: 0, leaky: 1, read_twice: 1, after_dense: 1 });
  const difference = plain.reduce((d, v, i) => Math.max(d, Math.abs(folded[i] - v)), 0) / largest(plain);
  assert.ok(difference > 0 && difference <= FOLDING_BOUND, `fused: the outputs moved by ${difference} of their largest value`);
  m.predict(images);
  assert.equal(counters.map(([, count]) => count()), [1, 1, 2, 2, 2], 'plain predict afterwards runs every activation itself');
});

test.run();
