// Memory: training allocates nothing per step, and every tensor or model gives its memory back.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { type Model, init, input, layers, model, sequential, tensor } from '../../src/index.js';
import { strokes } from './synthetic.js';
import { shapeLayersModel } from '../io/model-files.js';

const inUse = () => getBackend().memory.bytesInUse;

/** A graph with fan-out, add, concatenate, a nested model and a frozen layer: the executor's own buffers included. */
function graphModel(): Model {
  const x = input({ shape: [8, 8, 1] });
  const conv = layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
  const side = layers.conv2d({ filters: 4, kernelSize: 1 });
  side.trainable = false;
  const sum = layers.add().apply([conv, side.apply(conv)]);
  const joined = layers.concatenate().apply([sum, x]);
  const head = sequential({ inputShape: [8, 8, 5], layers: [layers.maxPool2d(), layers.dropout({ rate: 0.1 }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' })] });
  return model({ inputs: x, outputs: head.apply(joined), seed: 2 });
}

const chainModel = () => sequential({ inputShape: [8, 8, 1], seed: 2, layers: [
  layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPool2d(),
  layers.dropout({ rate: 0.1 }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
] });

for (const [kind, make] of [['a chain', chainModel], ['a graph', graphModel], ['a graph of the shape layers', () => shapeLayersModel(2)]] as const) {
  test(`${kind}: wasm memory after 1 epoch equals wasm memory after 4, and dispose() gives all of it back`, async () => {
    await init();
    const before = inUse();
    const { images, labels } = strokes(64, 8, 1);
    const x = tensor(images, [64, 8, 8, 1]), y = tensor(labels, [64, 4]);
    const m = make();
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await m.fit(x, y, { epochs: 1, batchSize: 16 });
    const afterOne = { used: inUse(), reserved: getBackend().memory.bytesReserved };
    await m.fit(x, y, { epochs: 3, batchSize: 16 });
    assert.equal({ used: inUse(), reserved: getBackend().memory.bytesReserved }, afterOne);
    m.dispose();
    x.dispose();
    y.dispose();
    assert.is(inUse(), before);
  });
}

test('dispose() frees a tensor at once; a forgotten tensor is freed by the garbage collector', async () => {
  await init();
  const before = inUse();
  const t = tensor(new Float32Array(1000), [10, 100]);
  assert.ok(inUse() >= before + 4000);
  t.dispose();
  assert.is(inUse(), before);
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(gc, 'tests run with --expose-gc');
  (() => {
    for (let i = 0; i < 1000; i++) tensor(new Float32Array(256), [256]);
  })();
  assert.ok(inUse() >= before + 1000 * 1024, 'the tensors hold memory until collected');
  for (let i = 0; i < 20 && inUse() > before; i++) {
    gc!();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.is(inUse(), before);
});

test.run();
