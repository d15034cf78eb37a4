// BorderPadding2D's training step makes no arrays: the tables of which row and column each border
// copies depend on the shapes only, and are made when the buffers are planned.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { layers, sequential, tensor } from '../../src/index.js';
import { kernels, random } from '../helpers.js';

test('borderPadding2d: forward and backward make no arrays once the buffers are planned', async () => {
  await kernels();
  const rng = random(5);
  const padding = layers.borderPadding2d({ padding: [[1, 2], [2, 1]], mode: 'reflect' });
  const model = sequential({ inputShape: [5, 6, 2], seed: 3, layers: [
    layers.conv2d({ filters: 2, kernelSize: 1 }), padding, layers.conv2d({ filters: 2, kernelSize: 3 }),
  ] });
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  const x = tensor(rng.array(4 * 5 * 6 * 2, -1, 1), [4, 5, 6, 2]), y = tensor(rng.array(4 * 6 * 7 * 2, -1, 1), [4, 6, 7, 2]);
  await model.fit(x, y, { epochs: 1, batchSize: 2 });

  let inside = 0, calls = 0, arrays = 0;
  const counted = <F extends (...args: never[]) => unknown>(f: F) => function (this: unknown, ...args: Parameters<F>) {
    if (inside > 0) arrays++;
    return f.apply(this, args);
  };
  const watched = (name: 'forward' | 'backward') => {
    const original = padding[name].bind(padding) as (...args: unknown[]) => unknown;
    (padding as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
      calls++;
      inside++;
      try {
        return original(...args);
      } finally {
        inside--;
      }
    };
  };
  const { from } = Array, { filter, map } = Array.prototype;
  Array.from = counted(from) as typeof Array.from;
  Array.prototype.filter = counted(filter) as typeof filter;
  Array.prototype.map = counted(map) as typeof map;
  try {
    watched('forward');
    watched('backward');
    await model.fit(x, y, { epochs: 1, batchSize: 2 });
  } finally {
    Array.from = from;
    Array.prototype.filter = filter;
    Array.prototype.map = map;
  }
  assert.is(calls, 4, 'two batches, each a forward and a backward');
  assert.is(arrays, 0, 'arrays made inside forward and backward');
  model.dispose();
});

test.run();
