import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OUTPUT_LOSS } from '../../src/backend/kernels.js';
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

const SMOOTHINGS = [0, 0, 0.1, 0.3];

/** Probabilities in (0, 1), a tenth of them below Keras's 1e-7 clip and some above 1 − 1e-7 (1 itself). */
const probabilities = (n: number) => rng.array(n, 0, 1).map((o) => {
  const r = rng.next();
  return r < 0.1 ? o * 1e-8 : r < 0.15 ? 1 : o;
});

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

test('softmaxCrossEntropy matches the reference: loss, probabilities and gradient, with and without label smoothing', async () => {
  const k = await kernels();
  shapes.forEach(([rows, cols], i) => {
    const logits = rng.array(rows * cols, -10, 10), targets = targetsFor(rows, cols, i % 2 === 1);
    const smoothing = rng.pick(SMOOTHINGS);
    let loss = NaN;
    const [probs, dLogits] = withBuffers([logits, targets], [rows * cols, rows * cols], ([pz, pt], [pp, pd]) => {
      loss = k.softmaxCrossEntropy(pz, pt, pp, pd, rows, cols, smoothing);
    });
    const expected = ref.softmaxCrossEntropy(logits, targets, rows, cols, smoothing);
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
    loss = k.softmaxCrossEntropy(pz, pt, pp, pd, 2, 3, 0);
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
    k.softmaxCrossEntropy(pz, pt, pp, 0, 3, 4, 0);
  });
  assertClose(probs, ref.softmaxForward(logits, 3, 4), 1e-5, 'probs');
  assert.ok(untouched.every(Number.isNaN), 'the unused buffer was written');
});

test('categorical cross-entropy on probabilities (smoothed or not) and ½Σ(t − o)² match the reference, outputs beyond both clips included', async () => {
  const k = await kernels();
  shapes.forEach(([rows, cols], i) => {
    const outputs = probabilities(rows * cols);
    const targets = targetsFor(rows, cols, i % 2 === 1);
    const smoothing = rng.pick(SMOOTHINGS);
    let ce = NaN, mse = NaN;
    const [dCe, dMse] = withBuffers([outputs, targets], [rows * cols, rows * cols], ([po, pt], [pce, pmse]) => {
      ce = k.outputLoss(OUTPUT_LOSS.categoricalCrossentropy, po, 0, pt, pce, rows, cols, smoothing);
      mse = k.outputLoss(OUTPUT_LOSS.meanSquaredError, po, 0, pt, pmse, rows, cols, 0);
    });
    const expectedCe = ref.crossEntropy(outputs, targets, rows, cols, smoothing), expectedMse = ref.meanSquaredError(outputs, targets, rows);
    assertClose([ce], [expectedCe.loss], 1e-5, `crossEntropy ${rows}x${cols}`);
    assertClose(dCe, expectedCe.dOutputs, 1e-5, `crossEntropy gradient ${rows}x${cols}`);
    assertClose([mse], [expectedMse.loss], 1e-5, `meanSquaredError ${rows}x${cols}`);
    assertClose(dMse, expectedMse.dOutputs, 1e-5, `meanSquaredError gradient ${rows}x${cols}`);
  });
});

test('sparse labels: expandClassIds makes one-hot rows in place, and the fused cross-entropy on them matches the sparse reference', async () => {
  const k = await kernels();
  shapes.filter(([, cols]) => cols >= 2).forEach(([rows, cols]) => {
    const ids = Float32Array.from({ length: rows }, () => rng.int(0, cols - 1));
    const labels = new Float32Array(rows * cols).fill(NaN);
    labels.set(ids);
    const [expanded] = withBuffers([], [labels], (_, [pl]) => k.expandClassIds(pl, rows, cols));
    assert.equal([...expanded], [...ref.oneHot(ids, cols)], `one-hot ${rows}x${cols}`);

    const logits = rng.array(rows * cols, -10, 10), smoothing = rng.pick(SMOOTHINGS);
    let loss = NaN;
    const [, , dLogits] = withBuffers([logits], [labels, rows * cols, rows * cols], ([pz], [pl, pp, pd]) => {
      k.expandClassIds(pl, rows, cols);
      loss = k.softmaxCrossEntropy(pz, pl, pp, pd, rows, cols, smoothing);
    });
    const expected = ref.sparseSoftmaxCrossEntropy(logits, ids, cols, smoothing);
    assertClose([loss], [expected.loss], 1e-5, `sparse loss ${rows}x${cols} smoothing ${smoothing}`);
    assertClose(dLogits, expected.dLogits, 1e-5, `sparse dLogits ${rows}x${cols}`);
  });
});

test('binary cross-entropy from logits (sigmoid output) and on clipped probabilities matches the reference', async () => {
  const k = await kernels();
  shapes.forEach(([rows, cols], i) => {
    const n = rows * cols;
    // 0/1 labels, or soft ones for every other shape.
    const targets = Float32Array.from({ length: n }, () => (i % 2 === 0 ? rng.int(0, 1) : rng.next()));
    const smoothing = rng.pick(SMOOTHINGS);
    const logits = rng.array(n, -12, 12);
    const sigmoid = logits.map((z) => 1 / (1 + Math.exp(-z)));
    let fused = NaN, plain = NaN;
    const [dLogits] = withBuffers([logits, sigmoid, targets], [n], ([pz, ps, pt], [pd]) => {
      fused = k.outputLoss(OUTPUT_LOSS.sigmoidCrossentropy, ps, pz, pt, pd, rows, cols, smoothing);
    });
    const expected = ref.sigmoidCrossEntropy(logits, targets, rows, cols, smoothing);
    assertClose([fused], [expected.loss], 1e-5, `sigmoidCrossEntropy ${rows}x${cols}`);
    assertClose(dLogits, expected.dLogits, 1e-5, `sigmoidCrossEntropy gradient ${rows}x${cols}`);

    const outputs = probabilities(n);
    const [dOutputs] = withBuffers([outputs, targets], [n], ([po, pt], [pd]) => {
      plain = k.outputLoss(OUTPUT_LOSS.binaryCrossentropy, po, 0, pt, pd, rows, cols, smoothing);
    });
    const onProbabilities = ref.binaryCrossEntropy(outputs, targets, rows, cols, smoothing);
    assertClose([plain], [onProbabilities.loss], 1e-5, `binaryCrossEntropy ${rows}x${cols}`);
    assertClose(dOutputs, onProbabilities.dOutputs, 1e-4, `binaryCrossEntropy gradient ${rows}x${cols}`);
  });
});

test('binary cross-entropy from logits stays finite and exact on logits of ±100', async () => {
  const k = await kernels();
  const logits = Float32Array.of(100, -100, 100, -100), outputs = Float32Array.of(1, 0, 1, 0), targets = Float32Array.of(1, 1, 0, 0);
  let loss = NaN;
  const [dLogits] = withBuffers([logits, outputs, targets], [4], ([pz, po, pt], [pd]) => {
    loss = k.outputLoss(OUTPUT_LOSS.sigmoidCrossentropy, po, pz, pt, pd, 2, 2, 0);
  });
  // −log σ(−100) = 100 (to 1e-44) for the two wrong ones; the right ones cost e^−100.
  assertClose([loss], [(0 + 100) / 2 / 2 + (100 + 0) / 2 / 2], 1e-9, 'loss');
  assertClose(dLogits, [0, -0.25, 0.25, 0], 1e-9, 'dLogits');
});

test('hinge and squaredHinge match the reference on −1/1 targets, on 0/1 targets (read as −1/1) and on others', async () => {
  const k = await kernels();
  shapes.forEach(([rows, cols], i) => {
    const n = rows * cols;
    const kind = i % 3;
    const targets = Float32Array.from({ length: n }, () => (kind === 0 ? rng.pick([-1, 1]) : kind === 1 ? rng.int(0, 1) : rng.pick([-1, 0, 1, 0.5])));
    const outputs = rng.array(n, -2, 2);
    for (const squared of [false, true]) {
      let loss = NaN;
      const [dOutputs] = withBuffers([outputs, targets], [n], ([po, pt], [pd]) => {
        loss = k.outputLoss(squared ? OUTPUT_LOSS.squaredHinge : OUTPUT_LOSS.hinge, po, 0, pt, pd, rows, cols, 0);
      });
      const expected = ref.hinge(outputs, targets, rows, cols, squared);
      const what = `${squared ? 'squaredHinge' : 'hinge'} ${rows}x${cols} targets ${['±1', '0/1', 'mixed'][kind]}`;
      assertClose([loss], [expected.loss], 1e-5, what);
      assertClose(dOutputs, expected.dOutputs, 1e-5, `${what} gradient`);
    }
  });
});

test('categoricalHinge, meanAbsoluteError and huber match the reference', async () => {
  const k = await kernels();
  shapes.forEach(([rows, cols], i) => {
    const n = rows * cols;
    const outputs = rng.array(n, -3, 3), targets = targetsFor(rows, cols, i % 2 === 1);
    const delta = rng.pick([1, 0.5, 2]);
    let hinge = NaN, mae = NaN, huber = NaN;
    const [dHinge, dMae, dHuber] = withBuffers([outputs, targets], [n, n, n], ([po, pt], [ph, pm, pu]) => {
      hinge = k.categoricalHinge(po, pt, ph, rows, cols);
      mae = k.outputLoss(OUTPUT_LOSS.meanAbsoluteError, po, 0, pt, pm, rows, cols, 0);
      huber = k.outputLoss(OUTPUT_LOSS.huber, po, 0, pt, pu, rows, cols, delta);
    });
    const what = `${rows}x${cols}`;
    const expectedHinge = ref.categoricalHinge(outputs, targets, rows, cols);
    assertClose([hinge], [expectedHinge.loss], 1e-5, `categoricalHinge ${what}`);
    assertClose(dHinge, expectedHinge.dOutputs, 1e-5, `categoricalHinge gradient ${what}`);
    const expectedMae = ref.meanAbsoluteError(outputs, targets, rows, cols);
    assertClose([mae], [expectedMae.loss], 1e-5, `meanAbsoluteError ${what}`);
    assertClose(dMae, expectedMae.dOutputs, 1e-5, `meanAbsoluteError gradient ${what}`);
    const expectedHuber = ref.huber(outputs, targets, rows, cols, delta);
    assertClose([huber], [expectedHuber.loss], 1e-5, `huber ${what} delta ${delta}`);
    assertClose(dHuber, expectedHuber.dOutputs, 1e-5, `huber gradient ${what}`);
  });
});

/** The Keras losses scored output by output: their kernel code, reference, and the outputs and targets each reads. */
const KERAS_OUTPUT_LOSSES = [
  // Probabilities beyond both ends of the [1e-7, 1] clip (and 1 itself), against soft targets some of which are 0.
  ['kullbackLeiblerDivergence', (o: Float32Array, t: Float32Array, rows: number) => ref.klDivergence(o, t, rows),
    (n: number) => probabilities(n).map((v, i) => (i % 7 === 3 ? 1.5 : v)), (n: number) => probabilities(n).map((v, i) => (i % 5 === 0 ? 0 : v))],
  // Rates and counts, some of the rates tiny.
  ['poisson', ref.poisson, (n: number) => probabilities(n).map((v) => v * 4), (n: number) => Float32Array.from({ length: n }, () => rng.int(0, 5))],
  ['logcosh', ref.logCosh, (n: number) => rng.array(n, -30, 30), (n: number) => rng.array(n, -3, 3)],
  // Outputs and targets below the ε floor (negative ones included), where the logarithm is of ε.
  ['meanSquaredLogarithmicError', ref.meanSquaredLogarithmicError, (n: number) => rng.array(n, -1, 5), (n: number) => rng.array(n, -1, 5)],
  // Targets at 0 and tiny, divided by ε.
  ['meanAbsolutePercentageError', ref.meanAbsolutePercentageError, (n: number) => rng.array(n, -3, 3),
    (n: number) => rng.array(n, -3, 3).map((v, i) => (i % 6 === 0 ? 0 : i % 6 === 1 ? v * 1e-8 : v))],
] as const;

test('Keras\'s KL divergence, poisson, log cosh, mean squared logarithmic and mean absolute percentage errors match the reference, clips included', async () => {
  const k = await kernels();
  for (const [name, reference, outputsFor, targetsFor] of KERAS_OUTPUT_LOSSES) {
    for (const [rows, cols] of shapes) {
      const n = rows * cols;
      const outputs = outputsFor(n), targets = targetsFor(n);
      let loss = NaN;
      const [dOutputs] = withBuffers([outputs, targets], [n], ([po, pt], [pd]) => {
        loss = k.outputLoss(OUTPUT_LOSS[name], po, 0, pt, pd, rows, cols, 0);
      });
      const expected = reference(outputs, targets, rows);
      assertClose([loss], [expected.loss], 1e-5, `${name} ${rows}x${cols}`);
      assertClose(dOutputs, expected.dOutputs, 1e-5, `${name} gradient ${rows}x${cols}`);
    }
  }
});

test('log cosh stays finite and exact for errors of ±100 (where cosh overflows f32): |x| − log 2', async () => {
  const k = await kernels();
  const outputs = Float32Array.of(100, -100), targets = Float32Array.of(0, 0);
  let loss = NaN;
  const [dOutputs] = withBuffers([outputs, targets], [2], ([po, pt], [pd]) => {
    loss = k.outputLoss(OUTPUT_LOSS.logcosh, po, 0, pt, pd, 1, 2, 0);
  });
  assertClose([loss], [100 - Math.LN2], 1e-9, 'loss');
  assertClose(dOutputs, [0.5, -0.5], 1e-9, 'dOutputs');
});

test('cosine similarity matches the reference, rows of zeros (at the norm floor) included', async () => {
  const k = await kernels();
  shapes.forEach(([rows, cols], i) => {
    const n = rows * cols;
    const outputs = rng.array(n, -2, 2), targets = i % 3 === 0 ? targetsFor(rows, cols, false) : rng.array(n, -1, 1);
    // A row of zero outputs and one of zero targets, where the norms are floored at 1e-7.
    if (rows > 2) {
      outputs.fill(0, 0, cols);
      targets.fill(0, cols, 2 * cols);
    }
    let loss = NaN;
    const [dOutputs] = withBuffers([outputs, targets], [n], ([po, pt], [pd]) => {
      loss = k.cosineSimilarity(po, pt, pd, rows, cols);
    });
    const expected = ref.cosineSimilarity(outputs, targets, rows, cols);
    assertClose([loss], [expected.loss], 1e-5, `cosineSimilarity ${rows}x${cols}`);
    assertClose(dOutputs, expected.dOutputs, 1e-4, `cosineSimilarity gradient ${rows}x${cols}`);
  });
});

// Last, so that the random cases of the tests above stay what they were.
test('a long row with one likely class: its unlikely classes are summed, not rounded away', async () => {
  // 311 logits 16.7 to 17 below the largest: each e^(x − max) lies under half an f32 ulp of 1, so
  // an f32 sum that starts at the largest term's 1 rounds every one of them away (1.5e-5 of the sum).
  const k = await kernels(), cols = 312;
  const x = Float32Array.from({ length: cols }, (_, i) => (i === 0 ? 0 : -16.7 - 0.3 * rng.next()));
  const [y, logY] = withBuffers([x], [cols, cols], ([px], [py, pLog]) => {
    k.softmaxForward(px, py, 1, cols);
    k.logSoftmaxForward(px, pLog, 1, cols);
  });
  const expected = ref.softmaxForward(x, 1, cols), expectedLog = ref.logSoftmaxForward(x, 1, cols);
  y.forEach((v, i) => assert.ok(Math.abs(v / expected[i] - 1) < 1e-6, `softmax[${i}] ${v}, expected ${expected[i]}`));
  // Each log-probability is x − max − log Σ, two roundings at most of values up to 17.
  logY.forEach((v, i) => assert.ok(Math.abs(v - expectedLog[i]) < 2.5e-6, `log softmax[${i}] ${v}, expected ${expectedLog[i]}`));
  // The cross-entropy of the likely class is log Σ e^(x − max) itself.
  const targets = Float32Array.from({ length: cols }, (_, i) => (i === 0 ? 1 : 0));
  let loss = 0;
  withBuffers([x, targets], [], ([px, pt]) => {
    loss = k.softmaxCrossEntropy(px, pt, 0, 0, 1, cols, 0, 0);
  });
  const expectedLoss = ref.softmaxCrossEntropy(x, targets, 1, cols).loss;
  assert.ok(Math.abs(loss / expectedLoss - 1) < 1e-3, `cross-entropy ${loss}, expected ${expectedLoss}`);
});

test.run();
