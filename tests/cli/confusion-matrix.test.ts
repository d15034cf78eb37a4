// Confusion counts and their table.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { formatConfusionMatrix } from '../../src/cli/confusion-matrix.js';
import { accuracyOf, confusionMatrix } from '../../src/metrics.js';

test('counts (true, predicted) pairs; accuracy is the diagonal share', () => {
  const matrix = confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0], 3);
  assert.equal(matrix, [[1, 1, 0], [0, 1, 0], [1, 0, 2]]);
  assert.is(accuracyOf(matrix), 4 / 6);
  assert.is(accuracyOf(confusionMatrix([], [], 2)), 0);
});

test('the table labels rows and columns and right-aligns to the widest count', () => {
  const text = formatConfusionMatrix([[1234, 5, 0], [0, 7, 0], [12, 0, 999]]);
  assert.is(text, [
    'true\\pred    0    1    2',
    '        0 1234    5    0',
    '        1    0    7    0',
    '        2   12    0  999',
  ].join('\n'));
});

test('ten classes: class labels up to 9, and columns wide enough for them', () => {
  const lines = formatConfusionMatrix(confusionMatrix([9, 3], [9, 8], 10)).split('\n');
  assert.is(lines.length, 11);
  assert.is(lines[0], 'true\\pred 0 1 2 3 4 5 6 7 8 9');
  assert.is(lines[4], '        3 0 0 0 0 0 0 0 0 1 0');
  assert.is(lines[10], '        9 0 0 0 0 0 0 0 0 0 1');
});

test.run();
