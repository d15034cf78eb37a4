import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/loss.js';

const rng = random(3);
const shapes = [[1, 1], [1, 2], [3, 10], ...Array.from({ length: 110 }, () => [rng.int(1, 64), rng.int(1, 40)])];

/** One-hot rows, or soft labels (rows of random weights summing to 1) for every other shape. */
function targetsFor(rows: number, cols: number, soft: boolean) {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    if (!soft) {
      t[r * cols + rng.int(0, cols - 1)] = 1;
      continue;
    }
    const w = rng.array(cols, 0, 1), total = w.reduce((s, v) => s + v, 0);
    w.forEach((v, c) => (t[r * cols + c] = v / total));
  }
  return t;
}

test('softmax forward and backward match the reference', async () => {
  const k = await kernels();
  for (const [rows, cols] of shapes) {
    const x = rng.array(rows * cols, -20, 20), dy = rng.array(rows * cols);
    const [y] = withBuffers([x], [rows * cols], ([px], [py]) => k.softmaxForward(px, py, rows, cols));
    assertClose(y, ref.softmaxForward(x, rows, cols), 1e-5, `softmax ${rows}x${cols}`);
    const [dx] = withBuffers([y, dy], [rows * cols], ([py, pdy], [pdx]) => k.softmaxBackward(py, pdy, pdx, rows, cols));
    assertClose(dx, ref.softmaxBackward(y, dy, rows, cols), 1e-5, `softmax backward ${rows}x${cols}`);
  }
});

test('softmaxCrossEntropy matches the reference: loss, probabilities and gradient', async () => {
  const k = await kernels();
  shapes.forEach(([rows, cols], i) => {
    const logits = rng.array(rows * cols, -10, 10), targets = targetsFor(rows, cols, i % 2 === 1);
    let loss = NaN;
    const [probs, dLogits] = withBuffers([logits, targets], [rows * cols, rows * cols], ([pz, pt], [pp, pd]) => {
      loss = k.softmaxCrossEntropy(pz, pt, pp, pd, rows, cols);
    });
    const expected = ref.softmaxCrossEntropy(logits, targets, rows, cols);
    assertClose([loss], [expected.loss], 1e-5, `loss ${rows}x${cols}`);
    assertClose(probs, expected.probs, 1e-5, `probs ${rows}x${cols}`);
    assertClose(dLogits, expected.dLogits, 1e-5, `dLogits ${rows}x${cols}`);
  });
});

test('softmaxCrossEntropy stays finite and exact on logits of ±1000', async () => {
  const k = await kernels();
  const logits = Float32Array.of(1000, -1000, 0, -1000, 1000, 1000);
  const targets = Float32Array.of(0, 1, 0, 1, 0, 0);
  let loss = NaN;
  const [probs, dLogits] = withBuffers([logits, targets], [6, 6], ([pz, pt], [pp, pd]) => {
    loss = k.softmaxCrossEntropy(pz, pt, pp, pd, 2, 3);
  });
  // Row 0: the target's log-probability is −2000; row 1: −(1000 + log 2).
  assertClose([loss], [(2000 + 2000 + Math.LN2) / 2], 1e-6, 'loss');
  assertClose(probs, [1, 0, 0, 0, 0.5, 0.5], 1e-6, 'probs');
  assertClose(dLogits, [0.5, -0.5, 0, -0.5, 0.25, 0.25], 1e-6, 'dLogits');
});

test('softmaxCrossEntropy writes no gradient when dLogits is 0', async () => {
  const k = await kernels();
  const logits = rng.array(12), targets = targetsFor(3, 4, false);
  const [probs, untouched] = withBuffers([logits, targets], [12, 12], ([pz, pt], [pp]) => {
    k.softmaxCrossEntropy(pz, pt, pp, 0, 3, 4);
  });
  assertClose(probs, ref.softmaxForward(logits, 3, 4), 1e-5, 'probs');
  assert.ok(untouched.every(Number.isNaN), 'the unused buffer was written');
});

test('crossEntropy and meanSquaredError match the reference', async () => {
  const k = await kernels();
  shapes.forEach(([rows, cols], i) => {
    // Some outputs below the 1e-7 floor, to check the clip and its zero gradient.
    const outputs = rng.array(rows * cols, 0, 1).map((o) => (rng.next() < 0.1 ? o * 1e-8 : o));
    const targets = targetsFor(rows, cols, i % 2 === 1);
    let ce = NaN, mse = NaN;
    const [dCe, dMse] = withBuffers([outputs, targets], [rows * cols, rows * cols], ([po, pt], [pce, pmse]) => {
      ce = k.crossEntropy(po, pt, pce, rows, cols);
      mse = k.meanSquaredError(po, pt, pmse, rows, cols);
    });
    const expectedCe = ref.crossEntropy(outputs, targets, rows), expectedMse = ref.meanSquaredError(outputs, targets, rows);
    assertClose([ce], [expectedCe.loss], 1e-5, `crossEntropy ${rows}x${cols}`);
    assertClose(dCe, expectedCe.dOutputs, 1e-5, `crossEntropy gradient ${rows}x${cols}`);
    assertClose([mse], [expectedMse.loss], 1e-5, `meanSquaredError ${rows}x${cols}`);
    assertClose(dMse, expectedMse.dOutputs, 1e-5, `meanSquaredError gradient ${rows}x${cols}`);
  });
});

test.run();
