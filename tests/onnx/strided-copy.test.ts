// The strided copy that moves weights between ONNX's layouts and convas's: every element lands
// where the index arithmetic says, across the edges of its tiles (16 × 256 of the last two axes)
// and for sizes that are odd and unequal on every axis.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyStrided, transpose } from '../../src/onnx/strided-copy.js';
import { random } from '../helpers.js';

const rng = random(53);

test('transpose: [rows, columns] to [columns, rows], within one tile and across tile edges', () => {
  for (const [rows, columns] of [[1, 1], [1, 9], [5, 7], [7, 5], [300, 37], [37, 300], [17, 513]]) {
    const values = rng.array(rows * columns);
    const into = transpose(values, rows, columns, new Float32Array(values.length));
    const expected = new Float32Array(values.length);
    for (let r = 0; r < rows; r++) for (let c = 0; c < columns; c++) expected[c * rows + r] = values[r * columns + c];
    assert.equal(into, expected, `${rows} × ${columns}`);
  }
});

test('copyStrided: a block of an [a, b, c] array into a larger one in another order, leaving the rest alone', () => {
  // [5, 19, 261] read in the source's order [c, a, b], written into [b, c, a] at an offset within a larger target.
  const dims = [5, 19, 261] as const, [n0, n1, n2] = dims;
  const source = rng.array(n0 * n1 * n2);
  const sourceIndex = (a: number, b: number, c: number) => (c * n0 + a) * n1 + b;
  const start = 7, targetIndex = (a: number, b: number, c: number) => start + (b * n2 + c) * n0 + a;
  const target = new Float32Array(start + n0 * n1 * n2 + 3).fill(-9);
  copyStrided(dims, { values: source, start: 0, strides: [n1, 1, n0 * n1] }, { values: target, start, strides: [1, n2 * n0, n0] });
  const expected = new Float32Array(target.length).fill(-9);
  for (let a = 0; a < n0; a++) for (let b = 0; b < n1; b++) for (let c = 0; c < n2; c++) expected[targetIndex(a, b, c)] = source[sourceIndex(a, b, c)];
  assert.equal(target, expected);
});

test.run();
