// The batch-normalisation kernels, strung together as the layer strings them (the sums over a batch
// split into slices of examples), against the naive reference on random shapes: odd channel counts
// so the scalar tails run, batches of 1 and more, flat examples (after dense) and images (NHWC).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FUSED_ACTIVATION } from '../../src/backend/kernels.js';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/batch-norm.js';

const rng = random(23);
const TOLERANCE = 1e-4;

interface Case {
  examples: number;
  /** Rows per example: 1 for a flat input, height·width for an image. */
  exampleRows: number;
  channels: number;
  /** How many slices of examples the sums are split into (as ParallelKernels does). */
  slices: number;
  scale: boolean;
  center: boolean;
  besselCorrection: boolean;
}

function randomCase(): Case {
  const examples = rng.pick([1, 1, 2, 3, 5, 8, 13]);
  return {
    examples, exampleRows: rng.next() < 0.35 ? 1 : rng.int(1, 7) * rng.int(1, 7),
    channels: rng.pick([1, 2, 3, 4, 5, 7, 8, 12, 13, 16, 33, rng.int(1, 40)]),
    slices: rng.int(1, Math.min(examples, 4)), scale: rng.next() < 0.8, center: rng.next() < 0.8, besselCorrection: rng.next() < 0.5,
  };
}

const cases = Array.from({ length: 120 }, randomCase);
const describe = (c: Case) => JSON.stringify(c);
const rows = (c: Case) => c.examples * c.exampleRows;
/** Bytes between the slices' sums: the backward sums need 24 per channel. */
const stride = (c: Case) => 24 * c.channels;

/** Example ranges of the slices, sized as evenly as ParallelKernels sizes them. */
function slices(c: Case): Array<[first: number, count: number]> {
  return Array.from({ length: c.slices }, (_, s) => {
    const first = Math.floor((s * c.examples) / c.slices), end = Math.floor(((s + 1) * c.examples) / c.slices);
    return [first, end - first];
  });
}

/** Random weights; the moving variance positive, as it always is. */
function weights(c: Case): ref.BatchNormWeights {
  return {
    gamma: c.scale ? rng.array(c.channels, -2, 2) : undefined, beta: c.center ? rng.array(c.channels) : undefined,
    movingMean: rng.array(c.channels), movingVariance: rng.array(c.channels, 0.1, 3),
  };
}

/** Inputs of varied scale and offset per channel, so the statistics differ from channel to channel. */
function inputs(c: Case): Float32Array {
  const offsets = rng.array(c.channels, -3, 3), spreads = rng.array(c.channels, 0.1, 4);
  return rng.array(rows(c) * c.channels).map((v, i) => offsets[i % c.channels] + v * spreads[i % c.channels]);
}

/** Runs the sums kernel on each slice, into `partials`. */
function sumSlices(c: Case, partials: number, call: (at: number, sums: number, rows: number) => void): void {
  slices(c).forEach(([first, count], s) => call(first * c.exampleRows * c.channels * 4, partials + s * stride(c), count * c.exampleRows));
}

test('training forward: batch statistics, normalisation and the moving statistics match the reference', async () => {
  const k = await kernels();
  for (const c of cases) {
    const w = weights(c), x = inputs(c), epsilon = rng.pick([1e-3, 1e-5, 0.1]), momentum = rng.pick([0.99, 0.9, 0]);
    const n = rows(c), C = c.channels;
    const [y, movingMean, movingVariance] = withBuffers(
      [x, w.gamma ?? new Float32Array(C), w.beta ?? new Float32Array(C)],
      [x.length, w.movingMean, w.movingVariance, C, C, C, (c.slices * stride(c)) / 4],
      ([px, pGamma, pBeta], [py, pMovingMean, pMovingVariance, invStd, scale, mean, partials]) => {
        sumSlices(c, partials, (at, sums, count) => k.batchNormSums(px + at, px, sums, count, C, 0));
        k.batchNormMean(partials, c.slices, stride(c), C, n, px, mean);
        sumSlices(c, partials, (at, sums, count) => k.batchNormSums(px + at, mean, sums, count, C, 1));
        k.batchNormTrainingStatistics(partials, c.slices, stride(c), C, n, mean, c.scale ? pGamma : 0,
          epsilon, momentum, c.besselCorrection ? 1 : 0, pMovingMean, pMovingVariance, invStd, scale);
        k.channelAffine(px, mean, scale, c.center ? pBeta : 0, py, n, C, FUSED_ACTIVATION.none);
      });
    const expected = ref.batchNormTraining(x, n, C, w, { epsilon, momentum, besselCorrection: c.besselCorrection });
    assertClose(y, expected.y, TOLERANCE, `y ${describe(c)}`);
    assertClose(movingMean, expected.movingMean, TOLERANCE, `moving mean ${describe(c)}`);
    assertClose(movingVariance, expected.movingVariance, TOLERANCE, `moving variance ${describe(c)}`);
  }
});

test('training forward without moving statistics (movingMean = 0) leaves them be and still normalises', async () => {
  const k = await kernels();
  const c: Case = { examples: 4, exampleRows: 9, channels: 6, slices: 3, scale: true, center: true, besselCorrection: true };
  const w = weights(c), x = inputs(c), n = rows(c);
  const [y] = withBuffers([x, w.gamma!, w.beta!], [x.length, 6, 6, 6, (3 * stride(c)) / 4],
    ([px, pGamma, pBeta], [py, invStd, scale, mean, partials]) => {
      sumSlices(c, partials, (at, sums, count) => k.batchNormSums(px + at, px, sums, count, 6, 0));
      k.batchNormMean(partials, 3, stride(c), 6, n, px, mean);
      sumSlices(c, partials, (at, sums, count) => k.batchNormSums(px + at, mean, sums, count, 6, 1));
      k.batchNormTrainingStatistics(partials, 3, stride(c), 6, n, mean, pGamma, 1e-3, 0.99, 1, 0, 0, invStd, scale);
      k.channelAffine(px, mean, scale, pBeta, py, n, 6, FUSED_ACTIVATION.none);
    });
  assertClose(y, ref.batchNormTraining(x, n, 6, w, { epsilon: 1e-3, momentum: 0.99, besselCorrection: true }).y, TOLERANCE, 'y');
});

test('the batch variance stays accurate for channels far from zero and over many rows', async () => {
  const k = await kernels();
  for (const [offset, spread, examples] of [[1000, 0.5, 3], [-200, 0.01, 2], [0, 1, 700]]) {
    const c: Case = { examples, exampleRows: 49, channels: 5, slices: Math.min(examples, 8), scale: false, center: false, besselCorrection: false };
    const x = rng.array(rows(c) * 5).map((v) => offset + v * spread), n = rows(c);
    // With ε = 0, invStd is 1/σ of the batch.
    const [invStd, mean] = withBuffers([x], [5, 5, 5, (c.slices * stride(c)) / 4], ([px], [pInvStd, pMean, scale, partials]) => {
      sumSlices(c, partials, (at, sums, count) => k.batchNormSums(px + at, px, sums, count, 5, 0));
      k.batchNormMean(partials, c.slices, stride(c), 5, n, px, pMean);
      sumSlices(c, partials, (at, sums, count) => k.batchNormSums(px + at, pMean, sums, count, 5, 1));
      k.batchNormTrainingStatistics(partials, c.slices, stride(c), 5, n, pMean, 0, 0, 0.99, 0, 0, 0, pInvStd, scale);
    });
    const expected = ref.moments(x, n, 5);
    assertClose(mean, expected.mean, 1e-6, `mean, offset ${offset}`);
    assertClose(invStd, expected.variance.map((v) => 1 / Math.sqrt(v)), TOLERANCE, `1/σ, offset ${offset}, spread ${spread}, ${n} rows`);
  }
});

test('a constant channel has its value as the exact mean, so it normalises to exactly β', async () => {
  const k = await kernels();
  const c: Case = { examples: 3, exampleRows: 9, channels: 3, slices: 3, scale: true, center: true, besselCorrection: true };
  const x = Float32Array.from({ length: 81 }, (_, i) => [0.1, -7.3, 1e3 / 3][i % 3]), beta = rng.array(3), n = rows(c);
  const [y, variance] = withBuffers([x, rng.array(3), beta], [81, 3, 3, 3, 3, 3, (3 * stride(c)) / 4],
    ([px, pGamma, pBeta], [py, movingMean, movingVariance, invStd, scale, mean, partials]) => {
      k.fill(movingMean, 3, 0);
      k.fill(movingVariance, 3, 1);
      sumSlices(c, partials, (at, sums, count) => k.batchNormSums(px + at, px, sums, count, 3, 0));
      k.batchNormMean(partials, 3, stride(c), 3, n, px, mean);
      sumSlices(c, partials, (at, sums, count) => k.batchNormSums(px + at, mean, sums, count, 3, 1));
      k.batchNormTrainingStatistics(partials, 3, stride(c), 3, n, mean, pGamma, 1e-3, 0, 1, movingMean, movingVariance, invStd, scale);
      k.channelAffine(px, mean, scale, pBeta, py, n, 3, FUSED_ACTIVATION.none);
    }).filter((_, i) => i === 0 || i === 2);
  assert.equal([...y], Array.from({ length: 81 }, (_, i) => beta[i % 3]));
  assert.equal([...variance], [0, 0, 0], 'momentum 0 takes the batch variance, 0');
});

test('inference forward: the moving statistics as an affine map per channel, with each fused activation', async () => {
  const k = await kernels();
  for (const c of cases) {
    const w = weights(c), x = inputs(c), epsilon = rng.pick([1e-3, 1e-5]), n = rows(c), C = c.channels;
    for (const [name, code] of Object.entries(FUSED_ACTIVATION)) {
      const [y] = withBuffers([x, w.gamma ?? new Float32Array(C), w.beta ?? new Float32Array(C), w.movingMean, w.movingVariance],
        [x.length, C, C], ([px, pGamma, pBeta, pMean, pVariance], [py, invStd, scale]) => {
          k.batchNormInferenceStatistics(pVariance, c.scale ? pGamma : 0, epsilon, C, invStd, scale);
          k.channelAffine(px, pMean, scale, c.center ? pBeta : 0, py, n, C, code);
        });
      const activate = { none: (v: number) => v, relu: (v: number) => Math.max(v, 0), relu6: (v: number) => Math.min(Math.max(v, 0), 6) }[name]!;
      assertClose(y, ref.batchNormInference(x, n, C, w, epsilon).map(activate), TOLERANCE, `${name} ${describe(c)}`);
    }
  }
});

test('channelAffine without a centre or a shift scales each channel; NaN passes through every activation', async () => {
  const k = await kernels();
  const x = Float32Array.from([1, -2, 3, NaN, 5, -6, 7, 8, -9, 10]), scale = Float32Array.from([2, 3, -1, 0.5, 1]);
  for (const code of Object.values(FUSED_ACTIVATION)) {
    const [y] = withBuffers([x, scale], [10], ([px, ps], [py]) => k.channelAffine(px, 0, ps, 0, py, 2, 5, code));
    const expected = x.map((v, i) => v * scale[i % 5]).map((v) => (code === 0 ? v : code === 1 ? (v < 0 ? 0 : v) : v < 0 ? 0 : v > 6 ? 6 : v));
    expected[3] = NaN;
    assertClose(y, expected, 1e-7, `activation ${code}`);
  }
});

for (const fixed of [false, true]) {
  test(`backward ${fixed ? 'in inference mode (fixed statistics)' : 'through the batch statistics'}: dx, dγ and dβ match the reference`, async () => {
    const k = await kernels();
    for (const c of cases) {
      const w = weights(c), x = inputs(c), dy = rng.array(rows(c) * c.channels), epsilon = rng.pick([1e-3, 0.01]);
      const n = rows(c), C = c.channels;
      const [dx, dGamma, dBeta] = withBuffers([x, dy, w.gamma ?? new Float32Array(C), w.movingMean, w.movingVariance],
        [x.length, C, C, C, C, C, C, C, C, (c.slices * stride(c)) / 4],
        ([px, pdy, pGamma, pMovingMean, pMovingVariance],
          [pdx, pdGamma, pdBeta, mean, invStd, scale, dyScale, centredScale, dyShift, partials]) => {
          const gamma = c.scale ? pGamma : 0;
          // In inference mode the moving mean centres the sums.
          const centre = fixed ? pMovingMean : mean;
          if (fixed) {
            k.batchNormInferenceStatistics(pMovingVariance, gamma, epsilon, C, invStd, scale);
          } else {
            sumSlices(c, partials, (at, sums, count) => k.batchNormSums(px + at, px, sums, count, C, 0));
            k.batchNormMean(partials, c.slices, stride(c), C, n, px, mean);
            sumSlices(c, partials, (at, sums, count) => k.batchNormSums(px + at, mean, sums, count, C, 1));
            k.batchNormTrainingStatistics(partials, c.slices, stride(c), C, n, mean, gamma, epsilon, 0.99, 0, 0, 0, invStd, scale);
          }
          sumSlices(c, partials, (at, sums, count) => k.batchNormBackwardSums(px + at, pdy + at, centre, sums, count, C));
          k.batchNormBackwardStatistics(partials, c.slices, stride(c), C, n, invStd, gamma, fixed ? 0 : 1, pdGamma, pdBeta,
            dyScale, centredScale, dyShift);
          k.batchNormBackwardInput(pdy, px, centre, dyScale, centredScale, dyShift, pdx, n, C);
        });
      const expected = ref.batchNormBackward(x, dy, n, C, w, epsilon, fixed);
      assertClose(dx, expected.dx, TOLERANCE, `dx ${describe(c)}`);
      assertClose(dGamma, expected.dGamma, TOLERANCE, `dγ ${describe(c)}`);
      assertClose(dBeta, expected.dBeta, TOLERANCE, `dβ ${describe(c)}`);
    }
  });
}

test.run();
