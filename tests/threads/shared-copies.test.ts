// Over the threads' shared memory a typed array's copyWithin runs about 4× slower than wasm's
// memory.copy (V8 copies shared bytes with relaxed atomic loads and stores), and a training step
// copies each batch's rows and saves every weight: those copies must go through the kernels.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { init, layers, sequential, tensor } from '../../src/index.js';
import { random } from '../helpers.js';

await init({ threads: 2 });

/** Calls `run`, counting the typed-array copyWithin calls over shared memory it makes. */
async function sharedCopyWithinCalls(run: () => Promise<unknown>): Promise<number> {
  const typedArray = Object.getPrototypeOf(Float32Array.prototype) as { copyWithin: (...args: number[]) => unknown };
  const copyWithin = typedArray.copyWithin;
  let calls = 0;
  typedArray.copyWithin = function (this: Float32Array, ...args: number[]) {
    if (this.buffer instanceof SharedArrayBuffer) calls++;
    return copyWithin.apply(this, args);
  };
  try {
    await run();
  } finally {
    typedArray.copyWithin = copyWithin;
  }
  return calls;
}

test('a training step on two threads gathers its batch and saves its weights without copyWithin over shared memory', async () => {
  assert.ok(getBackend().memory.heapF32.buffer instanceof SharedArrayBuffer, 'two threads run on a shared memory');
  const rng = random(11);
  const labels = new Float32Array(64 * 4);
  for (let i = 0; i < 64; i++) labels[i * 4 + rng.int(0, 3)] = 1;
  const x = tensor(rng.array(64 * 8 * 8, 0, 1), [64, 8, 8, 1]), y = tensor(labels, [64, 4]);
  const model = sequential({ inputShape: [8, 8, 1], seed: 2, layers: [
    layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: { type: 'momentum', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  const calls = await sharedCopyWithinCalls(() => model.fit(x, y, { epochs: 2, batchSize: 16 }));
  assert.is(calls, 0);
});

test('Memory.copyFloats copies overlapping ranges as memmove does', () => {
  const memory = getBackend().memory;
  const ptr = memory.alloc(16 * 4);
  const floats = () => Array.from(memory.f32(ptr, 16));
  memory.f32(ptr, 16).set(Array.from({ length: 16 }, (_, i) => i));
  memory.copyFloats(ptr + 4 * 4, ptr, 8); // forward over itself
  assert.equal(floats(), [0, 1, 2, 3, 0, 1, 2, 3, 4, 5, 6, 7, 12, 13, 14, 15]);
  memory.copyFloats(ptr, ptr + 2 * 4, 8); // backward over itself
  assert.equal(floats(), [2, 3, 0, 1, 2, 3, 4, 5, 4, 5, 6, 7, 12, 13, 14, 15]);
  memory.free(ptr);
});

test.run();
