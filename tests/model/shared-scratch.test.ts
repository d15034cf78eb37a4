// The scratch every layer's kernel calls share (src/backend/shared-scratch.ts): one block as large as
// the largest need alive, where each convolution holding its own made a deep network hold them all
// (a large filter transformed for Winograd is rewritten at each call instead of kept). These check
// the block's bookkeeping, that a network of large Winograd layers holds one block, and that layers
// and models taking turns in it compute the same bits as ever.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { SharedScratch } from '../../src/backend/shared-scratch.js';
import { usesWinograd } from '../../src/backend/conv2d-algorithm.js';
import { type Model, init, layers, sequential, tensor } from '../../src/index.js';
import { conv2dGeometry } from '../../src/window.js';
import { assertSameBits, random } from '../helpers.js';

test('the block is the largest need alive: it grows, shrinks when that need goes, and keeps its size when memory runs out', async () => {
  await init();
  const { memory } = getBackend();
  const scratch = new SharedScratch(memory);
  const a = {}, b = {};
  const before = memory.bytesInUse;
  scratch.reserve(a, 1000);
  assert.is(scratch.bytes, 1024);
  scratch.reserve(b, 5000);
  assert.is(scratch.bytes, 5056);
  assert.is(memory.bytesInUse - before, 5056, 'one block, not one per need');
  scratch.reserve(b, 100);
  assert.is(scratch.bytes, 1024, 'a need made smaller');
  scratch.release(a);
  assert.is(scratch.bytes, 128);
  assert.throws(() => scratch.reserve(a, 2 ** 33), 'more than wasm memory can hold');
  assert.is(scratch.bytes, 128, 'the refused need is not kept');
  scratch.release(b);
  assert.is(scratch.address, 0);
  assert.is(memory.bytesInUse, before);
});

/** Three 3×3 convolutions over 6×6 maps of 192 channels: Winograd's, each filter transformed to about 5 MiB. */
function largeFilters(seed: number, channels = 192): Model {
  return sequential({ inputShape: [6, 6, channels], seed, layers: [
    layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same', activation: 'relu' }),
    layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same' }),
    layers.globalAveragePooling2d(), layers.dense({ units: 3 }),
  ] });
}

test('a network of large Winograd filters holds one transformed filter while predicting, not one per layer', async () => {
  await init();
  const { kernels, memory } = getBackend();
  const g = conv2dGeometry([1, 6, 6, 192], [3, 3], 192, [1, 1], 'same', 'test');
  assert.ok(usesWinograd(g, 'forward'), 'the case runs on Winograd');
  const filterBytes = kernels.winogradFilterBytes(3, 192, 192);
  const m = largeFilters(1);
  const x = tensor(random(3).array(2 * 6 * 6 * 192), [2, 6, 6, 192]);
  const before = memory.bytesInUse;
  const y = m.predict(x);
  const held = memory.bytesInUse - before - y.size * 4;
  assert.ok(held > filterBytes && held < 1.5 * filterBytes, `predicting held ${held} bytes; one transformed filter is ${filterBytes}`);
});

test('layers and models taking turns in the scratch predict the same bits, in one chunk or many', async () => {
  await init();
  const a = largeFilters(1), b = largeFilters(2, 160);
  const xa = tensor(random(4).array(3 * 6 * 6 * 192), [3, 6, 6, 192]), xb = tensor(random(5).array(2 * 6 * 6 * 160), [2, 6, 6, 160]);
  const first = a.predict(xa).dataSync();
  const other = b.predict(xb).dataSync();
  assertSameBits(a.predict(xa).dataSync(), first, 'a again, after b');
  assertSameBits(a.predict(xa, { batchSize: 1 }).dataSync(), first, 'a in chunks of one example');
  assertSameBits(b.predict(xb).dataSync(), other, 'b again');
  // Training rewrites the filters each step: what the scratch held from before must not be read.
  a.compile({ optimizer: { type: 'sgd', learningRate: 0.01 }, loss: 'meanSquaredError' });
  await a.fit(xa, tensor(random(6).array(9), [3, 3]), { epochs: 2, batchSize: 3 });
  const trained = a.predict(xa).dataSync();
  const copy = largeFilters(1);
  copy.setWeights(a.getWeights());
  assertSameBits(copy.predict(xa).dataSync(), trained, 'the trained weights, in a model of their own');
  assert.not.equal(Array.from(trained), Array.from(first));
});

test.run();
