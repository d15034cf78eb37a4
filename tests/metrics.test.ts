// The public scoring of predictions (src/metrics.ts): the confusion matrix, per-class precision,
// recall and F1, and top-k, against plain references and TF.js's inTopK.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { ValueError, accuracyOf, classScores, confusionMatrix, inTopK } from '../src/index.js';
import { assertClose, random } from './helpers.js';
import * as ref from './reference/metrics.js';
import { throwsWith } from './throws-with.js';

await tf.setBackend('cpu');

const rng = random(21);

test('confusionMatrix, classScores and accuracyOf match the plain reference on random labels', () => {
  for (let run = 0; run < 50; run++) {
    const classes = rng.int(1, 9), n = rng.int(0, 60);
    const actual = Array.from({ length: n }, () => rng.int(0, classes - 1));
    const predicted = actual.map((a) => (rng.next() < 0.6 ? a : rng.int(0, classes - 1)));
    const matrix = confusionMatrix(actual, Int32Array.from(predicted), classes);
    assert.equal(matrix, ref.confusion(actual, predicted, classes));
    const scores = classScores(matrix), expected = ref.perClass(actual, predicted, classes);
    assertClose(scores.precision, expected.precision, 1e-12, 'precision');
    assertClose(scores.recall, expected.recall, 1e-12, 'recall');
    assertClose(scores.f1, expected.f1, 1e-12, 'f1');
    assert.is(accuracyOf(matrix), n === 0 ? 0 : actual.filter((a, i) => a === predicted[i]).length / n);
  }
  throwsWith(() => confusionMatrix([0, 3], [0, 1], 3), ValueError, 'labels[1] is 3', '0 to 2');
  throwsWith(() => confusionMatrix([0, 1], [0, 1.5], 3), ValueError, 'predictions[1] is 1.5');
  throwsWith(() => confusionMatrix([0, 1], [0], 3), ValueError, '2 labels but 1 predictions');
});

test('inTopK matches the reference and TF.js\'s inTopKAsync (ties at the boundary counted in, as TensorFlow does)', async () => {
  const rows = 40, cols = 7;
  const scores = rng.array(rows * cols).map((v) => Math.round(v * 4) / 4); // coarse values: many ties
  const targets = Int32Array.from({ length: rows }, () => rng.int(0, cols - 1));
  for (const k of [1, 2, 3, 7]) {
    const ours = Array.from(targets, (t, r) => inTopK(scores, r * cols, cols, t, k));
    assert.equal(ours, Array.from(targets, (t, r) => ref.inTopK(Array.from(scores.subarray(r * cols, (r + 1) * cols)), t, k)), `k ${k}`);
  }
  // TF.js breaks ties by index rather than counting them in: compare on distinct scores.
  const distinct = rng.array(rows * cols);
  for (const k of [1, 3, 5]) {
    const expected = await tf.inTopKAsync(tf.tensor(distinct, [rows, cols]), tf.tensor(targets, [rows], 'int32'), k);
    assert.equal(Array.from(targets, (t, r) => inTopK(distinct, r * cols, cols, t, k)), Array.from(await expected.data(), Boolean), `TF.js, k ${k}`);
  }
});

test.run();
