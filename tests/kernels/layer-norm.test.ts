// The layer-normalisation kernels, called as the layer calls them (the dγ and dβ sums split into
// slices of examples), against the naive reference on random shapes: odd channel counts so the
// scalar tails run, one channel, batches of 1 and more, flat examples and images (NHWC).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { assertClose, assertSameBits, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/layer-norm.js';

const rng = random(29);
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
  epsilon: number;
}

function randomCase(): Case {
  const examples = rng.pick([1, 1, 2, 3, 5, 8, 13]);
  return {
    examples, exampleRows: rng.next() < 0.35 ? 1 : rng.int(1, 7) * rng.int(1, 7),
    channels: rng.pick([1, 2, 3, 4, 5, 7, 8, 12, 13, 16, 33, rng.int(1, 70)]),
    slices: rng.int(1, Math.min(examples, 4)), scale: rng.next() < 0.8, center: rng.next() < 0.8, epsilon: rng.pick([1e-3, 1e-5, 1e-6, 0.1]),
  };
}

const cases = Array.from({ length: 120 }, randomCase);
const describe = (c: Case) => JSON.stringify(c);
const rows = (c: Case) => c.examples * c.exampleRows;
/** Bytes between the slices' sums: two f64 sums and two f32 blocks per channel. */
const stride = (c: Case) => 24 * c.channels;

/** Example ranges of the slices, sized as evenly as ParallelKernels sizes them. */
function slices(c: Case): Array<[first: number, count: number]> {
  return Array.from({ length: c.slices }, (_, s) => {
    const first = Math.floor((s * c.examples) / c.slices), end = Math.floor(((s + 1) * c.examples) / c.slices);
    return [first, end - first];
  });
}

function weights(c: Case): ref.LayerNormWeights {
  return { gamma: c.scale ? rng.array(c.channels, -2, 2) : undefined, beta: c.center ? rng.array(c.channels) : undefined };
}

/** Rows of varied offset and spread, so each row's statistics differ. */
function inputs(c: Case): Float32Array {
  const offsets = rng.array(rows(c), -3, 3), spreads = rng.array(rows(c), 0.1, 4);
  return rng.array(rows(c) * c.channels).map((v, i) => offsets[Math.floor(i / c.channels)] + v * spreads[Math.floor(i / c.channels)]);
}

/** The forward kernel on the whole case: y, each row's mean less its first value, and invStd. */
function forward(c: Case, x: Float32Array, w: ref.LayerNormWeights, epsilon = c.epsilon): Float32Array[] {
  const k = kernelsNow!, C = c.channels;
  return withBuffers([x, w.gamma ?? new Float32Array(C), w.beta ?? new Float32Array(C), Float32Array.of(epsilon)], [x.length, rows(c), rows(c)],
    ([px, pGamma, pBeta, pEpsilon], [py, meanFromFirst, invStd]) =>
      k.layerNormForward(px, w.gamma ? pGamma : 0, w.beta ? pBeta : 0, py, meanFromFirst, invStd, rows(c), C, pEpsilon));
}

/** Each row's mean from the kernel's offset of it from the row's first value. */
const meanOf = (x: Float32Array, meanFromFirst: Float32Array, channels: number) => meanFromFirst.map((m, r) => x[r * channels] + m);

let kernelsNow: Awaited<ReturnType<typeof kernels>> | undefined;

test.before(async () => {
  kernelsNow = await kernels();
});

test('forward: each row normalised by its own statistics, then γ and β; mean and 1/σ kept for backward', () => {
  for (const c of cases) {
    const w = weights(c), x = inputs(c);
    const [y, meanFromFirst, invStd] = forward(c, x, w);
    const expected = ref.layerNormForward(x, rows(c), c.channels, w, c.epsilon);
    assertClose(y, expected.y, TOLERANCE, `y ${describe(c)}`);
    assertClose(meanOf(x, meanFromFirst, c.channels), expected.mean, TOLERANCE, `mean ${describe(c)}`);
    assertClose(invStd, expected.invStd, TOLERANCE, `invStd ${describe(c)}`);
  }
});

test('forward without statistics (inference): the same y, bit for bit, and nothing written for them', () => {
  const memory = getBackend().memory;
  for (const c of cases.slice(0, 30)) {
    const w = weights(c), x = inputs(c), C = c.channels;
    const [kept] = forward(c, x, w);
    const low = memory.f32(0, 1024).slice();
    const [y] = withBuffers([x, w.gamma ?? new Float32Array(C), w.beta ?? new Float32Array(C), Float32Array.of(c.epsilon)], [x.length],
      ([px, pGamma, pBeta, pEpsilon], [py]) => kernelsNow!.layerNormForward(px, w.gamma ? pGamma : 0, w.beta ? pBeta : 0, py, 0, 0, rows(c), C, pEpsilon));
    assertSameBits(y, kept, `y ${describe(c)}`);
    assert.equal(memory.f32(0, 1024), low, `memory at address 0 ${describe(c)}`);
  }
});

test('rows clustered far from zero keep their precision: the variance, the normalised values and dx', () => {
  for (const [offset, spread] of [[1000, 0.5], [-200, 0.01], [3e4, 2], [3, 1e-3]]) {
    const c: Case = { examples: 3, exampleRows: 5, channels: 37, slices: 1, scale: true, center: false, epsilon: 0 };
    const x = rng.array(rows(c) * c.channels).map((v) => offset + v * spread), w = weights(c), dy = rng.array(x.length);
    // With ε = 0, invStd is 1/σ of each row.
    const [y, meanFromFirst, invStd] = forward(c, x, w);
    const expected = ref.rowMoments(x, rows(c), c.channels);
    assertClose(meanOf(x, meanFromFirst, c.channels), expected.mean, 1e-6, `mean, offset ${offset}`);
    assertClose(invStd, expected.variance.map((v) => 1 / Math.sqrt(v)), TOLERANCE, `1/σ, offset ${offset}, spread ${spread}`);
    assertClose(y, ref.layerNormForward(x, rows(c), c.channels, w, 0).y, TOLERANCE, `y, offset ${offset}, spread ${spread}`);
    // dx is of the order of 1/σ: compared at that scale.
    const [dx] = backward(c, x, dy, w, { dx: true, parameters: false });
    const scale = 1 / spread;
    assertClose(dx.map((v) => v / scale), ref.layerNormBackward(x, dy, rows(c), c.channels, w, 0).dx.map((v) => v / scale), TOLERANCE,
      `dx, offset ${offset}, spread ${spread}`);
  }
});

test('a constant row has its value as the exact mean, so it normalises to exactly β', () => {
  const c: Case = { examples: 2, exampleRows: 3, channels: 7, slices: 1, scale: true, center: true, epsilon: 1e-3 };
  const x = Float32Array.from({ length: 42 }, (_, i) => [0.1, -7.3, 1e3 / 3, 5e-8, 1, -2][Math.floor(i / 7)]), w = weights(c);
  const [y, meanFromFirst] = forward(c, x, w);
  assert.equal([...y], Array.from({ length: 42 }, (_, i) => w.beta![i % 7]));
  assert.equal([...meanFromFirst], [0, 0, 0, 0, 0, 0]);
});

/** The backward kernel as the layer calls it: dx over the whole case, the sums slice by slice, then dγ and dβ. */
function backward(c: Case, x: Float32Array, dy: Float32Array, w: ref.LayerNormWeights, wanted: { dx: boolean; parameters: boolean }): Float32Array[] {
  const k = kernelsNow!, C = c.channels, n = rows(c);
  const [, meanFromFirst, invStd] = forward(c, x, w);
  return withBuffers([x, dy, w.gamma ?? new Float32Array(C), meanFromFirst, invStd, Float32Array.of(c.epsilon)], [x.length, C, C, (c.slices * stride(c)) / 4],
    ([px, pdy, pGamma, pMean, pInvStd, pEpsilon], [pdx, dGamma, dBeta, partials]) => {
      const gamma = w.gamma ? pGamma : 0;
      if (!wanted.parameters) {
        k.layerNormBackward(px, pdy, gamma, pMean, pInvStd, pdx, 0, n, C, pEpsilon);
        return;
      }
      slices(c).forEach(([first, count], s) => {
        const at = first * c.exampleRows * C * 4, rowAt = first * c.exampleRows * 4;
        k.layerNormBackward(px + at, pdy + at, gamma, pMean + rowAt, pInvStd + rowAt, wanted.dx ? pdx + at : 0, partials + s * stride(c),
          count * c.exampleRows, C, pEpsilon);
      });
      k.layerNormParameterGradients(partials, c.slices, stride(c), C, c.scale ? dGamma : 0, c.center ? dBeta : 0);
    });
}

test('backward: dx through each row\'s statistics, dγ and dβ summed over the slices, against the reference', () => {
  for (const c of cases) {
    const w = weights(c), x = inputs(c), dy = rng.array(rows(c) * c.channels);
    const [dx, dGamma, dBeta] = backward(c, x, dy, w, { dx: true, parameters: true });
    const expected = ref.layerNormBackward(x, dy, rows(c), c.channels, w, c.epsilon);
    assertClose(dx, expected.dx, TOLERANCE, `dx ${describe(c)}`);
    if (c.scale) assertClose(dGamma, expected.dGamma, TOLERANCE, `dγ ${describe(c)}`);
    if (c.center) assertClose(dBeta, expected.dBeta, TOLERANCE, `dβ ${describe(c)}`);
  }
});

test('backward: dx alone (sums = 0) and the sums alone (dx = 0) give the same bits as both at once', () => {
  for (const c of cases.slice(0, 40)) {
    const w = weights(c), x = inputs(c), dy = rng.array(rows(c) * c.channels);
    const [dx, dGamma, dBeta] = backward(c, x, dy, w, { dx: true, parameters: true });
    const [dxAlone] = backward(c, x, dy, w, { dx: true, parameters: false });
    const [untouched, dGammaAlone, dBetaAlone] = backward(c, x, dy, w, { dx: false, parameters: true });
    assert.equal([...dxAlone], [...dx], `dx alone ${describe(c)}`);
    assert.ok(untouched.every(Number.isNaN), `dx = 0 writes no dx ${describe(c)}`);
    if (c.scale) assert.equal([...dGammaAlone], [...dGamma], `dγ alone ${describe(c)}`);
    if (c.center) assert.equal([...dBetaAlone], [...dBeta], `dβ alone ${describe(c)}`);
  }
});

test('two channels: dx, which the terms of its formula cancel to ε·σ⁻² of, keeps its precision', () => {
  // With two channels g − mean(g) lies along x̂, and dx = σ⁻¹·(g − mean(g))·ε·σ⁻²: a row spread ±2
  // with ε 1e-3 keeps 1/4000 of the terms. Each row is compared at its own scale, to a few f32 roundings.
  for (const epsilon of [1e-3, 1e-5, 0.1]) {
    const c: Case = { examples: 40, exampleRows: 1, channels: 2, slices: 1, scale: true, center: true, epsilon };
    const w = weights(c), x = inputs(c), dy = rng.array(rows(c) * c.channels);
    const [dx] = backward(c, x, dy, w, { dx: true, parameters: false });
    const expected = ref.layerNormBackward(x, dy, rows(c), c.channels, w, epsilon).dx;
    for (let r = 0; r < rows(c); r++) {
      const scale = Math.max(Math.abs(expected[2 * r]), Math.abs(expected[2 * r + 1]));
      assertClose(dx.slice(2 * r, 2 * r + 2).map((v) => v / scale), expected.slice(2 * r, 2 * r + 2).map((v) => v / scale), 1e-5,
        `dx of row ${r}, ε ${epsilon}, x ${x.slice(2 * r, 2 * r + 2)}`);
    }
  }
});

test.run();
