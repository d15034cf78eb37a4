// What a model holds when it only predicts: not the batch buffers (predict reads the examples in
// place); nothing for the layers that pass their input through in inference (dropout, Gaussian
// noise, the random augmentations), which predict the same bits as the model without them and get
// their training buffers when the model first trains.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { type Model, type SymbolicTensor, type Tensor, init, input, layers, model, sequential, tensor, zeros } from '../../src/index.js';
import type { Layer } from '../../src/layers/layer.js';
import { assertSameWeights } from '../io/model-files.js';
import { strokes } from './synthetic.js';

const inUse = () => getBackend().memory.bytesInUse;

/**
 * Augmentations on the input, a convolution whose output goes through a dropout read by two
 * convolutions and by a residual add, and a dense head with dropout; `passThrough` false leaves out
 * every layer that passes its input through in inference.
 */
function net(passThrough: boolean, seed = 5): Model {
  const maybe = (make: () => Layer, t: SymbolicTensor<Layer>) => (passThrough ? make().apply(t) : t);
  const x = input({ shape: [8, 8, 1] });
  let h = maybe(() => layers.randomFlip(), x);
  h = maybe(() => layers.randomTranslation({ heightFactor: 0.2, widthFactor: 0.2 }), h);
  h = maybe(() => layers.randomRotation({ factor: 0.1 }), h);
  h = maybe(() => layers.randomZoom({ heightFactor: 0.2 }), h);
  h = maybe(() => layers.randomBrightness({ factor: 0.1, valueRange: [0, 1] }), h);
  h = maybe(() => layers.randomContrast({ factor: 0.2, valueRange: [0, 1] }), h);
  h = maybe(() => layers.gaussianNoise({ stddev: 0.1 }), h);
  const conv = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(h);
  const dropped = maybe(() => layers.dropout({ rate: 0.3 }), conv);
  const a = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same' }).apply(dropped);
  const b = layers.conv2d({ filters: 4, kernelSize: 1 }).apply(dropped);
  const sum = layers.add().apply([a, b, dropped]);
  const flat = layers.flatten().apply(layers.maxPool2d().apply(sum));
  const hidden = maybe(() => layers.dropout({ rate: 0.5 }), layers.dense({ units: 16, activation: 'relu' }).apply(flat));
  return model({ inputs: x, outputs: layers.dense({ units: 4, activation: 'softmax' }).apply(hidden), seed });
}

/** Bytes the model holds beyond its weights once it predicted x (the result aside). */
function predictingBytes(m: Model, x: Tensor): number {
  const before = inUse();
  const y = m.predict(x, { batchSize: x.shape[0] });
  const used = inUse() - before - y.size * 4;
  y.dispose();
  return used;
}

test('predict reads the examples where they lie: it plans no batch buffers for them, nor targets', async () => {
  await init();
  // Large examples, small layers: a copy of a batch of inputs would outweigh everything else.
  const m = sequential({ inputShape: [64, 64, 3], seed: 1, layers: [layers.globalAveragePooling2d(), layers.dense({ units: 2 })] });
  const x = zeros([32, 64, 64, 3]);
  const used = predictingBytes(m, x);
  assert.ok(used < x.size * 4 / 16, `predicting ${x.shape[0]} examples of ${x.size * 4} bytes held ${used} bytes`);
  [m, x].forEach((t) => t.dispose());
});

test('layers that pass their input through in inference hold no buffers in a model that only predicts, and change no bit', async () => {
  await init();
  const { images } = strokes(24, 8, 1);
  const x = tensor(images, [24, 8, 8, 1]);
  const [withThem, without] = [net(true), net(false)];
  without.setWeights(withThem.getWeights());
  assert.is(predictingBytes(withThem, x), predictingBytes(without, x), 'the same bytes for predicting as without those layers');
  assert.equal(withThem.predict(x, { batchSize: 7 }).dataSync(), without.predict(x, { batchSize: 7 }).dataSync(), 'the same bits');
  const activations = withThem.activations(x);
  assert.equal(activations[activations.length - 1].dataSync(), without.predict(x).dataSync(), 'activations(): the same bits');
  [withThem, without, x, ...activations].forEach((t) => t.dispose());
});

test('a model that predicted first trains as one that did not: the augmentations backward never reaches get their buffers too', async () => {
  await init();
  const { images, labels } = strokes(32, 8, 2);
  const x = tensor(images, [32, 8, 8, 1]), y = tensor(labels, [32, 4]);
  const [predictedFirst, trainedAtOnce] = [net(true), net(true)];
  predictedFirst.predict(x, { batchSize: 32 }).dispose();
  for (const m of [predictedFirst, trainedAtOnce]) {
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
  }
  assertSameWeights(predictedFirst, trainedAtOnce, 'predicted first');
  assert.equal(predictedFirst.predict(x).dataSync(), trainedAtOnce.predict(x).dataSync(), 'and they predict alike');
  [predictedFirst, trainedAtOnce, x, y].forEach((t) => t.dispose());
});

test.run();
