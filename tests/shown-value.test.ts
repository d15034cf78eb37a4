// How a message shows a value its caller gave: what was given, never something else, and never by
// walking the whole of a large value.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { shownValue } from '../src/shown-value.js';

test('NaN, undefined and functions inside settings show as given, not as JSON null or nothing', () => {
  assert.is(shownValue({ factor: NaN, maxLoss: 3 }), '{"factor":NaN,"maxLoss":3}');
  assert.is(shownValue([224, undefined]), '[224,undefined]');
  assert.is(shownValue({ type: 'adam', learningRate: Infinity }), '{"type":"adam","learningRate":Infinity}');
  assert.is(shownValue({ mean: undefined, std: [1, 2, 3] }), '{"mean":undefined,"std":[1,2,3]}');
});

test('an object that is not plain data shows by its kind, not as the {} JSON makes of it', () => {
  // The usual case: a promise passed where its result belongs (a forgotten await).
  assert.is(shownValue(Promise.resolve(1)), 'a Promise object');
  assert.is(shownValue(new Map([['a', 1]])), 'a Map object');
  assert.is(shownValue({ x: new Set([1]) }), '{"x":a Set object}');
});

test('values inside settings show by kind where JSON would spell them out', () => {
  assert.is(shownValue({ values: new Float32Array(4), shape: [2, 2] }), '{"values":a Float32Array of 4,"shape":[2,2]}');
});

test('a large nested value is shown by its length without reading it whole', () => {
  let reads = 0;
  const row = new Proxy(new Array(224).fill(0), {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
      return Reflect.get(target, key, receiver);
    },
  });
  // A batch of 32 images given as nested arrays, where a tensor belongs.
  assert.is(shownValue(new Array(32).fill(row)), 'an array of 32');
  assert.is(shownValue({ values: new Array(10).fill(row) }), '{"values":an array of 10}');
  assert.ok(reads < 100, `${reads} items read`);
});

test('a value that contains itself is shown without end', () => {
  const loop: unknown[] = [1];
  loop.push(loop);
  const self: Record<string, unknown> = { a: 1 };
  self.self = self;
  assert.is(shownValue(loop), '[1,an array of 2]');
  assert.is(shownValue(self), '{"a":1,"self":an object}');
});

test('strings, numbers and short arrays show as before', () => {
  assert.is(shownValue('NCHW'), '"NCHW"');
  assert.is(shownValue(NaN), 'NaN');
  assert.is(shownValue([1, NaN, [2, 3]]), '[1,NaN,[2,3]]');
  assert.is(shownValue(['a', 'b']), '["a","b"]');
  assert.is(shownValue(new Array(100).fill(1)), 'an array of 100');
  assert.is(shownValue('x'.repeat(100)), `"${'x'.repeat(80)}…"`);
  assert.is(shownValue(['x'.repeat(100)]), 'an array of 1');
  // Cut before a character written as two UTF-16 units rather than through it (half shows as \ud83d).
  assert.is(shownValue(`${'x'.repeat(79)}😀${'y'.repeat(20)}`), `"${'x'.repeat(79)}…"`);
  assert.is(shownValue(`${'x'.repeat(78)}😀${'y'.repeat(20)}`), `"${'x'.repeat(78)}😀…"`);
  assert.is(shownValue([null, true, 2n, () => 1]), '[null,true,2n,a function]');
  assert.is(shownValue({}), '{}');
  assert.is(shownValue(Object.create(null)), '{}');
});

test.run();
