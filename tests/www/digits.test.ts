// How the site names a held-out digit: numbered from 1, its label after the article it takes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Dataset } from '../../src/index.js';
import { testDigitName } from '../../www/src/digits.js';

test('a test digit is named by its number from 1 and its label: "an 8", "a 3" (before, "a 8")', () => {
  const labels = Uint8Array.from([8, 3, 0]);
  const held: Dataset = { images: new Float32Array(3 * 784), labels, count: 3, height: 28, width: 28, channels: 1, classes: 10 };
  assert.equal([0, 1, 2].map((i) => testDigitName(held, i)), ['Test digit 1 of 3, an 8', 'Test digit 2 of 3, a 3', 'Test digit 3 of 3, a 0']);
});

test.run();
