// Errors crossing from the training worker to the page: anything thrown becomes a name and a
// message, even a value String() cannot turn into text.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DivergenceError } from '../../src/index.js';
import { crossingError, rebuiltError } from '../../src/worker/crossing-errors.js';

test('a convas error crosses as its class; a thrown string as an Error saying it', () => {
  assert.instance(rebuiltError(crossingError(new DivergenceError('fit: the loss exploded'))), DivergenceError);
  assert.equal(crossingError('stopped by hand'), { name: 'Error', message: 'stopped by hand' });
});

test('a thrown value String() cannot write (an object without a prototype) still crosses (before, a TypeError and no answer to the page)', () => {
  const odd = Object.assign(Object.create(null) as object, { reason: 'odd' });
  assert.equal(crossingError(odd), { name: 'Error', message: '{"reason":"odd"}' });
});

test.run();
