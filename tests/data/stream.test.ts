// The data helpers around fitDataset: fromArrays, generator, map, shuffle (seeded), batch, repeat,
// take and prefetch, each against what it must produce, and their errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ShapeError, data, init, tensor } from '../../src/index.js';
import type { ShapedArray } from '../../src/index.js';
import { rejectsWith, throwsWith } from '../throws-with.js';

test.before(async () => {
  await init();
});

const numbers = (n: number) => data.from(Array.from({ length: n }, (_, i) => i));

test('fromArrays gives each example with its shape, from tensors or { values, shape }, one input or several', async () => {
  const x = tensor(Float32Array.from({ length: 3 * 2 * 2 }, (_, i) => i), [3, 2, 2]);
  const y = { values: Float32Array.from([0, 1, 1, 0, 0, 1]), shape: [3, 2] };
  const examples = await data.fromArrays(x, y).toArray();
  assert.is(examples.length, 3);
  assert.equal((examples[1].xs as ShapedArray).shape, [2, 2]);
  assert.equal([...(examples[1].xs as ShapedArray).values], [4, 5, 6, 7]);
  assert.equal([...examples[2].ys.values], [0, 1]);
  const several = await data.fromArrays([x, { values: new Float32Array([7, 8, 9]), shape: [3, 1] }], y).toArray();
  assert.equal((several[2].xs as ShapedArray[]).map((v) => [...v.values]), [[8, 9, 10, 11], [9]]);
  // A pass reads the tensor as it is then: the stream can be read again.
  assert.is((await data.fromArrays(x, y).toArray()).length, 3);
});

test('batch stacks examples under a batch axis; the last batch is smaller, or dropped', async () => {
  const x = { values: Float32Array.from({ length: 5 * 3 }, (_, i) => i), shape: [5, 3] };
  const y = { values: Float32Array.from({ length: 5 }, (_, i) => i * 10), shape: [5, 1] };
  const batches = await data.fromArrays(x, y).batch(2).toArray();
  assert.equal(batches.map((b) => (b.xs as ShapedArray).shape), [[2, 3], [2, 3], [1, 3]]);
  assert.equal([...(batches[1].xs as ShapedArray).values], [6, 7, 8, 9, 10, 11]);
  assert.equal([...batches[2].ys.values], [40]);
  assert.equal((await data.fromArrays(x, y).batch(2, false).toArray()).length, 2);
  const several = await data.fromArrays([x, x], y).batch(5).toArray();
  assert.equal((several[0].xs as ShapedArray[]).map((v) => v.shape), [[5, 3], [5, 3]]);
  // Bare values (not { xs, ys }) batch too; flat arrays count as [length].
  const bare = await data.from([new Float32Array([1, 2]), [3, 4]]).batch(2).toArray();
  assert.equal(bare[0], { values: new Float32Array([1, 2, 3, 4]), shape: [2, 2] });
});

test('shuffle: a permutation fixed by the seed, another on the next pass; a buffer of 1 keeps the order', async () => {
  const stream = numbers(50).shuffle(10, 7);
  const first = await stream.toArray(), second = await stream.toArray();
  assert.equal([...first].sort((a, b) => a - b), Array.from({ length: 50 }, (_, i) => i));
  assert.not.equal(first, Array.from({ length: 50 }, (_, i) => i));
  assert.not.equal(second, first, 'each pass draws another order');
  assert.equal(await numbers(50).shuffle(10, 7).toArray(), first, 'the same seed gives the same order');
  assert.not.equal(await numbers(50).shuffle(10, 8).toArray(), first);
  assert.equal(await numbers(20).shuffle(1, 3).toArray(), Array.from({ length: 20 }, (_, i) => i));
  // A buffer of n reaches no further than n − 1 elements ahead: element i comes out no earlier than position i − (n − 1).
  const local = await numbers(200).shuffle(5, 1).toArray();
  local.forEach((value, position) => assert.ok(position >= value - 4, `${value} came out at ${position}`));
});

test('map (sync or async), take, repeat, and generator passes', async () => {
  assert.equal(await numbers(4).map((v) => v * 2).toArray(), [0, 2, 4, 6]);
  assert.equal(await numbers(4).map(async (v) => v + 1).toArray(), [1, 2, 3, 4]);
  assert.equal(await numbers(10).take(3).toArray(), [0, 1, 2]);
  assert.equal(await numbers(3).repeat(2).toArray(), [0, 1, 2, 0, 1, 2]);
  assert.equal(await numbers(3).repeat().take(7).toArray(), [0, 1, 2, 0, 1, 2, 0]);
  assert.equal(await numbers(0).repeat().toArray(), []);
  let started = 0;
  const gen = data.generator(function* () {
    started++;
    yield 'a';
    yield 'b';
  });
  assert.equal(await gen.toArray(), ['a', 'b']);
  assert.equal(await gen.toArray(), ['a', 'b']);
  assert.is(started, 2, 'one start per pass');
  const fromAsync = data.generator(async function* () {
    yield 1;
    await new Promise((r) => setTimeout(r, 1));
    yield 2;
  });
  assert.equal(await fromAsync.toArray(), [1, 2]);
});

test('prefetch reads ahead while the consumer waits, in order', async () => {
  const pulled: number[] = [];
  const source = data.generator(async function* () {
    for (let i = 0; i < 6; i++) {
      pulled.push(i);
      yield i;
    }
  }).prefetch(2);
  const seen: number[] = [];
  for await (const value of source) {
    await new Promise((r) => setTimeout(r, 2)); // the consumer's work: the source runs ahead meanwhile
    assert.ok(pulled.length >= Math.min(6, value + 3), `at ${value}, ${pulled.length} pulled: prefetch did not read ahead`);
    seen.push(value);
  }
  assert.equal(seen, [0, 1, 2, 3, 4, 5]);
});

test('bad settings and mismatched data are ConfigErrors and ShapeErrors naming what is wrong', async () => {
  throwsWith(() => numbers(3).batch(0), ConfigError, 'batch', 'size');
  throwsWith(() => numbers(3).shuffle(0, 1), ConfigError, 'bufferSize');
  throwsWith(() => numbers(3).shuffle(10, -1), ConfigError, 'seed');
  throwsWith(() => numbers(3).prefetch(0), ConfigError, 'prefetch');
  throwsWith(() => numbers(3).take(-1), ConfigError, 'take');
  throwsWith(() => numbers(3).repeat(1.5), ConfigError, 'repeat');
  throwsWith(() => numbers(3).map(3 as never), ConfigError, 'map');
  throwsWith(() => data.generator(3 as never), ConfigError, 'generator');
  const x = { values: new Float32Array(6), shape: [3, 2] };
  throwsWith(() => data.fromArrays(x, { values: new Float32Array(4), shape: [4, 1] }), ShapeError, 'y has 4 examples but x has 3');
  throwsWith(() => data.fromArrays({ values: new Float32Array(5), shape: [3, 2] }, x), ShapeError, '5 values', '[3, 2]');
  throwsWith(() => data.fromArrays([1, 2] as never, x), ConfigError, 'x[0]');
  await rejectsWith(() => data.from([new Float32Array(2), new Float32Array(3)]).batch(2).toArray(), ShapeError, 'element 1', '[3]', '[2]');
  await rejectsWith(() => data.from([{ xs: tensor([1], [1]), ys: [0] }]).batch(1).toArray(), ConfigError, 'a Tensor');
  await rejectsWith(() => data.from(5 as never).toArray(), ConfigError, 'expected a dataset');
});

test.run();
