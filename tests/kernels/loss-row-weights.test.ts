// Class weights in the loss kernels: with row weights every loss is Σ w_r·L_r / rows and each
// row's gradient is scaled by w_r (against the naive reference), and weights of 1 change no bit.
import { test } from 'uvu';
import { OUTPUT_LOSS } from '../../src/backend/kernels.js';
import type { Kernels } from '../../src/backend/kernels.js';
import { assertClose, assertSameBits, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/loss.js';
import { weightedLoss } from '../reference/weighted-loss.js';

const rng = random(11);
const shapes = [[1, 1], [1, 3], [5, 1], ...Array.from({ length: 60 }, () => [rng.int(1, 40), rng.int(1, 24)])];

const oneHotRows = (rows: number, cols: number) => {
  const t = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) t[r * cols + rng.int(0, cols - 1)] = 1;
  return t;
};

interface Case {
  name: string;
  outputs: (n: number) => Float32Array;
  targets: (rows: number, cols: number) => Float32Array;
  /** The kernel: loss and gradient, with row weights at `weights` (0: none); `scratch` holds rows × cols. */
  kernel: (k: Kernels, o: number, t: number, d: number, rows: number, cols: number, weights: number, scratch: number) => number;
  reference: (o: Float32Array, t: Float32Array, rows: number, cols: number) => { loss: number; gradient: Float32Array };
}

const probabilities = (n: number) => rng.array(n, 0.01, 0.99);
const CASES: Case[] = [
  { name: 'softmaxCrossEntropy', outputs: (n) => rng.array(n, -5, 5), targets: oneHotRows,
    kernel: (k, o, t, d, rows, cols, w, probabilities) => k.softmaxCrossEntropy(o, t, probabilities, d, rows, cols, 0.1, w),
    reference: (o, t, rows, cols) => {
      const r = ref.softmaxCrossEntropy(o, t, rows, cols, 0.1);
      return { loss: r.loss, gradient: r.dLogits };
    } },
  { name: 'categorical cross-entropy on probabilities', outputs: probabilities, targets: oneHotRows,
    kernel: (k, o, t, d, rows, cols, w) => k.outputLoss(OUTPUT_LOSS.categoricalCrossentropy, o, 0, t, d, rows, cols, 0, w),
    reference: (o, t, rows, cols) => {
      const r = ref.crossEntropy(o, t, rows, cols);
      return { loss: r.loss, gradient: r.dOutputs };
    } },
  { name: 'binary cross-entropy', outputs: probabilities, targets: (rows, cols) => rng.array(rows * cols).map((v) => (v > 0 ? 1 : 0)),
    kernel: (k, o, t, d, rows, cols, w) => k.outputLoss(OUTPUT_LOSS.binaryCrossentropy, o, 0, t, d, rows, cols, 0, w),
    reference: (o, t, rows, cols) => {
      const r = ref.binaryCrossEntropy(o, t, rows, cols);
      return { loss: r.loss, gradient: r.dOutputs };
    } },
  { name: 'hinge (−1/1 targets)', outputs: (n) => rng.array(n, -2, 2), targets: (rows, cols) => rng.array(rows * cols).map((v) => (v > 0 ? 1 : -1)),
    kernel: (k, o, t, d, rows, cols, w) => k.outputLoss(OUTPUT_LOSS.hinge, o, 0, t, d, rows, cols, 0, w),
    reference: (o, t, rows, cols) => {
      const r = ref.hinge(o, t, rows, cols, false);
      return { loss: r.loss, gradient: r.dOutputs };
    } },
  { name: 'categoricalHinge', outputs: (n) => rng.array(n, -2, 2), targets: oneHotRows,
    kernel: (k, o, t, d, rows, cols, w) => k.categoricalHinge(o, t, d, rows, cols, w),
    reference: (o, t, rows, cols) => {
      const r = ref.categoricalHinge(o, t, rows, cols);
      return { loss: r.loss, gradient: r.dOutputs };
    } },
  { name: 'huber', outputs: (n) => rng.array(n, -3, 3), targets: (rows, cols) => rng.array(rows * cols, -3, 3),
    kernel: (k, o, t, d, rows, cols, w) => k.outputLoss(OUTPUT_LOSS.huber, o, 0, t, d, rows, cols, 1, w),
    reference: (o, t, rows, cols) => {
      const r = ref.huber(o, t, rows, cols, 1);
      return { loss: r.loss, gradient: r.dOutputs };
    } },
  { name: 'KL divergence', outputs: probabilities, targets: oneHotRows,
    kernel: (k, o, t, d, rows, cols, w) => k.outputLoss(OUTPUT_LOSS.kullbackLeiblerDivergence, o, 0, t, d, rows, cols, 0, w),
    reference: (o, t, rows) => {
      const r = ref.klDivergence(o, t, rows);
      return { loss: r.loss, gradient: r.dOutputs };
    } },
  { name: 'poisson', outputs: (n) => rng.array(n, 0.1, 3), targets: (rows, cols) => rng.array(rows * cols, 0, 3).map(Math.round),
    kernel: (k, o, t, d, rows, cols, w) => k.outputLoss(OUTPUT_LOSS.poisson, o, 0, t, d, rows, cols, 0, w),
    reference: (o, t) => {
      const r = ref.poisson(o, t);
      return { loss: r.loss, gradient: r.dOutputs };
    } },
  { name: 'cosine similarity', outputs: (n) => rng.array(n, -2, 2), targets: (rows, cols) => rng.array(rows * cols),
    kernel: (k, o, t, d, rows, cols, w) => k.cosineSimilarity(o, t, d, rows, cols, w),
    reference: (o, t, rows, cols) => {
      const r = ref.cosineSimilarity(o, t, rows, cols);
      return { loss: r.loss, gradient: r.dOutputs };
    } },
  { name: '½Σ(t − o)²', outputs: (n) => rng.array(n), targets: (rows, cols) => rng.array(rows * cols),
    kernel: (k, o, t, d, rows, cols, w) => k.outputLoss(OUTPUT_LOSS.meanSquaredError, o, 0, t, d, rows, cols, 0, w),
    reference: (o, t, rows) => {
      const r = ref.meanSquaredError(o, t, rows);
      return { loss: r.loss, gradient: r.dOutputs };
    } },
];

/** Runs a case's kernel on copies; returns the loss and the gradient. */
function run(k: Kernels, c: Case, outputs: Float32Array, targets: Float32Array, rows: number, cols: number, weights?: Float32Array) {
  let loss = NaN;
  const inputs = weights ? [outputs.slice(), targets, weights] : [outputs.slice(), targets];
  const [gradient] = withBuffers(inputs, [rows * cols, rows * cols], ([po, pt, pw], [pd, scratch]) => {
    loss = c.kernel(k, po, pt, pd, rows, cols, pw ?? 0, scratch);
  });
  return { loss, gradient };
}

for (const c of CASES) {
  test(`${c.name}: row weights scale each row's loss and gradient (against the reference); weights of 1 change no bit`, async () => {
    const k = await kernels();
    for (const [rows, cols] of shapes) {
      if (c.name === 'softmaxCrossEntropy' && cols < 2) continue;
      const outputs = c.outputs(rows * cols), targets = c.targets(rows, cols);
      const weights = rng.array(rows, 0, 3).map((w, i) => (i % 5 === 0 ? 0 : w));
      const weighted = run(k, c, outputs, targets, rows, cols, weights);
      const expected = weightedLoss(c.reference, outputs, targets, rows, cols, weights);
      assertClose([weighted.loss], [expected.loss], 1e-4, `${c.name} loss ${rows}×${cols}`);
      assertClose(weighted.gradient, expected.gradient, 1e-4, `${c.name} gradient ${rows}×${cols}`);
      const plain = run(k, c, outputs, targets, rows, cols);
      const ones = run(k, c, outputs, targets, rows, cols, new Float32Array(rows).fill(1));
      assertSameBits(Float64Array.of(ones.loss) as never, Float64Array.of(plain.loss) as never, `${c.name} loss with weights 1`);
      assertSameBits(ones.gradient, plain.gradient, `${c.name} gradient with weights 1`);
    }
  });
}

test.run();
