// With 2 threads, every batch-parallel kernel call gives the same bits as one thread: the calls
// that split the batch into independent examples equal the plain kernel called on the whole batch,
// and the sums over the batch equal the same slicing run on this thread alone (SerialRunner).
// Shapes are drawn large enough that the jobs go to the worker (past the pool's minimum work),
// with odd batch sizes so slices differ in size. scripts/test.mjs runs this file again on the
// relaxed-SIMD build: its workers must then run the same relaxed module as this thread.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, assertCloseToScale, assertSameBits, convWorkspaceFloats, random, testedSimd, withBuffers } from '../helpers.js';
import { init } from '../../src/backend/wasm.js';
import { SerialRunner } from '../../src/backend/job-runner.js';
import { sumSlices } from '../../src/backend/batch-slices.js';
import { FUSED_ACTIVATION } from '../../src/backend/kernels.js';
import { convWork } from '../../src/backend/conv2d-jobs.js';
import { depthwiseWork } from '../../src/backend/depthwise-conv2d-jobs.js';
import { ParallelKernels } from '../../src/backend/parallel-kernels.js';
import { poolWork } from '../../src/backend/pool-jobs.js';
import { MIN_PARALLEL_WORK } from '../../src/backend/worker-pool.js';
import { JOB_HEADER } from '../../src/backend/kernel-jobs.js';
import { conv2dArgs, depthwiseConv2dArgs, pool2dArgs } from '../../src/backend/geometry-args.js';
import { CONV2D_PASSES, usesWinograd } from '../../src/backend/conv2d-algorithm.js';
import type { Conv2dArgs } from '../../src/backend/kernels.js';
import { type Conv2dGeometry, type Pool2dGeometry, conv2dGeometry, pool2dGeometry } from '../../src/window.js';

const rng = random(11);
const backend = await init({ threads: 2, relaxedSimd: testedSimd === 'relaxed' });
const { kernels, parallel } = backend;
const serial = new ParallelKernels(kernels, new SerialRunner(kernels), backend.memory);

const oddBatch = () => rng.pick([3, 5, 7, 9, 11, 13, 17, 31, 33]);

function convGeometry(): Conv2dGeometry {
  for (;;) {
    const batch = oddBatch(), size = rng.int(10, 24), inC = rng.pick([1, 3, 8, 12]), outC = rng.pick([8, 16, 20]);
    const kernel = rng.pick([3, 5]), stride = rng.pick([1, 1, 2]);
    const geometry = conv2dGeometry([batch, size, size + 1, inC], [kernel, kernel], outC, [stride, stride], rng.pick(['same', 'valid'] as const), 'test');
    if (convWork(geometry) >= MIN_PARALLEL_WORK) return geometry;
  }
}

function poolGeometry(): Pool2dGeometry {
  for (;;) {
    const batch = oddBatch(), size = rng.int(24, 33), channels = rng.pick([8, 16]), window = rng.pick([2, 3]);
    const geometry = pool2dGeometry([batch, size, size, channels], [window, window], [window, window], rng.pick(['same', 'valid'] as const), 'test');
    if (poolWork(geometry) >= MIN_PARALLEL_WORK) return geometry;
  }
}

/** Scratch floats for any conv2d kernel of this geometry, direct or Winograd (and the filter transform). */
const convScratchFloats = (args: Conv2dArgs) => Math.max(kernels.conv2dScratchBytes(...args), kernels.conv2dWinogradScratchBytes(...args),
  kernels.winogradFilterScratchBytes(args[7])) / 4;

/** A pass on the whole batch in one call of the kernel conv2d-algorithm.ts picks for it (the filter transformed first for Winograd). */
function wholeBatchPass(g: Conv2dGeometry, pass: 'forward' | 'backwardInput', input: number, filter: number, bias: number, output: number,
  scratch: number, transformed: number, relu: number): void {
  const args = conv2dArgs(g);
  if (!usesWinograd(g, pass)) {
    if (pass === 'forward') kernels.conv2dForward(input, filter, bias, output, scratch, relu, ...args);
    else kernels.conv2dBackwardInput(input, filter, output, scratch, ...args);
    return;
  }
  kernels.winogradFilterTransform(filter, transformed, scratch, g.kernelHeight, g.inChannels, g.outChannels, pass === 'forward' ? 0 : 1);
  if (pass === 'forward') kernels.conv2dWinogradForward(input, transformed, bias, output, scratch, relu, ...args);
  else kernels.conv2dWinogradBackwardInput(input, transformed, output, scratch, ...args);
}

test('conv2d forward (with and without ReLU) and backward input equal the kernel on the whole batch', () => {
  let winograd = 0;
  for (let trial = 0; trial < 12; trial++) {
    const g = convGeometry(), args = conv2dArgs(g);
    const [batch, inH, inW, inC, outH, outW, outC, kH, kW] = args;
    const x = rng.array(batch * inH * inW * inC), filter = rng.array(kH * kW * inC * outC), bias = rng.array(outC);
    const dy = rng.array(batch * outH * outW * outC);
    const transformedFloats = Math.max(kernels.winogradFilterBytes(kH, inC, outC), kernels.winogradFilterBytes(kH, outC, inC)) / 4;
    const what = `conv2d ${args.join(',')}`;
    if (usesWinograd(g, 'forward')) winograd++;
    for (const relu of [0, 1]) {
      const [whole] = withBuffers([x, filter, bias], [dy.length, convScratchFloats(args), transformedFloats], ([px, pf, pb], [py, scratch, pt]) =>
        wholeBatchPass(g, 'forward', px, pf, pb, py, scratch, pt, relu));
      const [split] = withBuffers([x, filter, bias], [dy.length, convWorkspaceFloats(parallel, g, ['forward'])], ([px, pf, pb], [py, workspace]) =>
        parallel.conv2d.forward(px, pf, pb, py, workspace, relu, g));
      assertSameBits(split, whole, `${what} forward relu=${relu}`);
    }
    const [whole] = withBuffers([dy, filter], [x.length, convScratchFloats(args), transformedFloats], ([pdy, pf], [pdx, scratch, pt]) =>
      wholeBatchPass(g, 'backwardInput', pdy, pf, 0, pdx, scratch, pt, 0));
    const [split] = withBuffers([dy, filter], [x.length, convWorkspaceFloats(parallel, g, ['backwardInput'])], ([pdy, pf], [pdx, workspace]) =>
      parallel.conv2d.backwardInput(pdy, pf, pdx, workspace, g));
    assertSameBits(split, whole, `${what} backward input`);
  }
  assert.ok(winograd > 0 && winograd < 12, `both algorithms ran (Winograd in ${winograd} of 12)`);
});

test('conv2d forward pooled (2×2 max at stride 2), and the pooling\'s backward from its argmax, equal the kernels on the whole batch', () => {
  let pooled = 0, winograd = 0;
  for (let trial = 0; pooled < 8 && trial < 40; trial++) {
    const g = convGeometry(), args = conv2dArgs(g);
    if (!parallel.conv2d.poolsOutput(g)) continue;
    pooled++;
    const [batch, inH, inW, inC, outH, outW, outC, kH, kW] = args;
    const x = rng.array(batch * inH * inW * inC), filter = rng.array(kH * kW * inC * outC), bias = rng.array(outC);
    const floats = batch * (outH >> 1) * (outW >> 1) * outC, dy = rng.array(floats);
    const transformedFloats = kernels.winogradFilterBytes(kH, inC, outC) / 4;
    const pool = pool2dGeometry([batch, outH, outW, outC], [2, 2], [2, 2], 'valid', 'test');
    const whole = withBuffers([x, filter, bias, dy], [floats, floats, convScratchFloats(args), transformedFloats, batch * outH * outW * outC],
      ([px, pf, pb, pdy], [py, pa, scratch, pt, pdx]) => {
        if (usesWinograd(g, 'forward')) {
          winograd++;
          kernels.winogradFilterTransform(pf, pt, scratch, kH, inC, outC, 0);
          kernels.conv2dWinogradForwardMaxPool(px, pt, pb, py, pa, scratch, FUSED_ACTIVATION.relu, ...args);
        } else {
          kernels.conv2dForwardMaxPool(px, pf, pb, py, pa, scratch, FUSED_ACTIVATION.relu, ...args);
        }
        kernels.maxPoolBackward(pdy, pa, pdx, py, ...pool2dArgs(pool));
      });
    const split = withBuffers([x, filter, bias, dy], [floats, floats, convWorkspaceFloats(parallel, g, ['forward']), batch * outH * outW * outC],
      ([px, pf, pb, pdy], [py, pa, workspace, pdx]) => {
        parallel.conv2d.forwardMaxPool(px, pf, pb, py, pa, workspace, FUSED_ACTIVATION.relu, g);
        parallel.pool.maxBackward(pdy, pa, pdx, py, pool);
      });
    // argmax indexes each slice's own part of the output: compared by where the gradients go.
    assertSameBits(split[0], whole[0], `conv2d pooled ${args.join(',')}`);
    assertSameBits(split[3], whole[4], `pooling backward from the pooled conv2d's argmax ${args.join(',')}`);
  }
  assert.ok(winograd > 0 && winograd < pooled, `both algorithms ran (Winograd in ${winograd} of ${pooled})`);
});

test('conv2d backward filter and bias: 2 threads equal 1 thread, and the whole-batch kernel within rounding', () => {
  for (let trial = 0; trial < 12; trial++) {
    const g = convGeometry(), args = conv2dArgs(g);
    const [batch, inH, inW, inC, outH, outW, outC, kH, kW] = args;
    const x = rng.array(batch * inH * inW * inC), dy = rng.array(batch * outH * outW * outC);
    const filterFloats = kH * kW * inC * outC;
    const run = (p: ParallelKernels) => withBuffers([x, dy], [filterFloats, outC, p.conv2d.partialSumsFloats(g), convWorkspaceFloats(p, g, ['backwardFilter'])],
      ([px, pdy], [dFilter, dBias, partials, workspace]) => p.conv2d.backwardFilter(px, pdy, dFilter, dBias, partials, workspace, g));
    const [dFilter2, dBias2] = run(parallel);
    const [dFilter1, dBias1] = run(serial);
    const what = `conv2d ${args.join(',')}`;
    assertSameBits(dFilter2, dFilter1, `${what} dFilter`);
    assertSameBits(dBias2, dBias1, `${what} dBias`);
    const wholeBatch = usesWinograd(g, 'backwardFilter') ? kernels.conv2dWinogradBackwardFilter : kernels.conv2dBackwardFilter;
    const [dFilter, dBias] = withBuffers([x, dy], [filterFloats, outC, convScratchFloats(args)],
      ([px, pdy], [pf, pb, scratch]) => wholeBatch(px, pdy, pf, pb, scratch, ...args));
    // Sums in 8 slices against one: the same terms, added in another order.
    assertCloseToScale(dFilter2, dFilter, 1e-5, `${what} dFilter vs whole batch`);
    assertCloseToScale(dBias2, dBias, 1e-5, `${what} dBias vs whole batch`);
  }
});

test('max, average and sum pooling, forward and backward, equal the kernels on the whole batch', () => {
  for (let trial = 0; trial < 9; trial++) {
    const g = poolGeometry(), args = pool2dArgs(g);
    const [batch, inH, inW, channels, outH, outW] = args;
    const x = rng.array(batch * inH * inW * channels), dy = rng.array(batch * outH * outW * channels);
    const what = `pool ${args.join(',')}`;
    // argmax indexes differ (per slice against per batch), so max pooling is compared by y and dx.
    // Every other trial with the ReLU before the pooling folded in (the pooled output given).
    const folded = trial % 2 === 1;
    const [yWhole, dxWhole] = withBuffers([x, dy], [dy.length, x.length, dy.length], ([px, pdy], [py, pdx, argmax]) => {
      kernels.maxPoolForward(px, py, argmax, ...args);
      kernels.maxPoolBackward(pdy, argmax, pdx, folded ? py : 0, ...args);
    });
    const [ySplit, dxSplit] = withBuffers([x, dy], [dy.length, x.length, dy.length], ([px, pdy], [py, pdx, argmax]) => {
      parallel.pool.maxForward(px, py, argmax, g);
      parallel.pool.maxBackward(pdy, argmax, pdx, folded ? py : 0, g);
    });
    assertSameBits(ySplit, yWhole, `${what} max forward`);
    assertSameBits(dxSplit, dxWhole, `${what} max backward`);
    for (const average of [0, 1]) {
      const whole = withBuffers([x, dy], [dy.length, x.length], ([px, pdy], [py, pdx]) => {
        kernels.avgPoolForward(px, py, average, ...args);
        kernels.avgPoolBackward(pdy, pdx, average, ...args);
      });
      const split = withBuffers([x, dy], [dy.length, x.length], ([px, pdy], [py, pdx]) => {
        parallel.pool.avgForward(px, py, average, g);
        parallel.pool.avgBackward(pdy, pdx, average, g);
      });
      assertSameBits(split[0], whole[0], `${what} average=${average} forward`);
      assertSameBits(split[1], whole[1], `${what} average=${average} backward`);
    }
  }
});

test('dense products: by rows equal the kernel; weight gradients, 2 threads equal 1 thread', () => {
  for (let trial = 0; trial < 10; trial++) {
    const batch = rng.pick([31, 33, 45, 301]), inputs = rng.int(600, 900), outputs = rng.int(80, 130);
    const x = rng.array(batch * inputs), w = rng.array(inputs * outputs), dy = rng.array(batch * outputs);
    const what = `dense ${batch}×${inputs}→${outputs}`;
    const forward = parallel.dense.workspaceFloats(batch, inputs, outputs, false), backward = parallel.dense.workspaceFloats(batch, inputs, outputs, true);
    const whole = (a: Float32Array, b: Float32Array, m: number, k: number, n: number, transposeA: number, transposeB: number) =>
      withBuffers([a, b], [m * n, kernels.matMulScratchBytes(k, n) / 4], ([pa, pb], [pc, scratch]) =>
        kernels.matMul(pa, pb, pc, scratch, m, k, n, transposeA, transposeB, 0))[0];
    const [ySplit] = withBuffers([x, w], [dy.length, forward], ([px, pw], [py, pws]) => parallel.dense.matMulByRows(px, pw, py, batch, inputs, outputs, 0, pws, forward));
    assertSameBits(ySplit, whole(x, w, batch, inputs, outputs, 0, 0), `${what} forward`);
    const [dxSplit] = withBuffers([dy, w], [x.length, backward], ([pdy, pw], [pdx, pws]) => parallel.dense.matMulByRows(pdy, pw, pdx, batch, outputs, inputs, 1, pws, backward));
    assertSameBits(dxSplit, whole(dy, w, batch, outputs, inputs, 0, 1), `${what} input gradient`);
    const run = (p: ParallelKernels, workspace = p.dense.workspaceFloats(batch, inputs, outputs, true)) => withBuffers([x, dy],
      [w.length, p.dense.partialSumsFloats(inputs, outputs), workspace],
      ([px, pdy], [dW, partials, pws]) => p.dense.weightGradient(px, pdy, dW, partials, batch, inputs, outputs, pws, workspace))[0];
    assertSameBits(run(parallel), run(serial), `${what} weight gradient`);
    const dWWhole = whole(x, dy, inputs, batch, outputs, 1, 0);
    assertClose(run(parallel), dWWhole, 1e-4, `${what} weight gradient vs whole batch`);
  }
});

test('dense weight gradients of millions of weights: fewer partial sums (one slice past 16 M), 2 threads equal 1 thread and the whole batch', () => {
  for (const [inputs, outputs, slices] of [[2000, 2100, 4], [4100, 4100, 1]]) {
    assert.is(sumSlices(inputs * outputs), slices);
    const batch = 33, x = rng.array(batch * inputs), dy = rng.array(batch * outputs);
    const partials = parallel.dense.partialSumsFloats(inputs, outputs), sums = (slices - 1) * inputs * outputs;
    assert.ok(partials >= sums && partials < sums + 16 * slices, `${partials} floats hold ${slices - 1} partial sums of ${inputs}×${outputs}`);
    const run = (p: ParallelKernels, workspace = p.dense.workspaceFloats(batch, inputs, outputs, true)) => withBuffers([x, dy],
      [inputs * outputs, partials, workspace],
      ([px, pdy], [dW, ppartials, pws]) => p.dense.weightGradient(px, pdy, dW, ppartials, batch, inputs, outputs, pws, workspace))[0];
    const split = run(parallel);
    assertSameBits(split, run(serial), `${inputs}×${outputs} weight gradient`);
    const whole = withBuffers([x, dy], [inputs * outputs, kernels.matMulScratchBytes(batch, outputs) / 4], ([px, pdy], [pc, scratch]) =>
      kernels.matMul(px, pdy, pc, scratch, inputs, batch, outputs, 1, 0, 0))[0];
    if (slices === 1) assertSameBits(split, whole, 'one slice is the whole batch');
    else assertClose(split, whole, 1e-4, `${inputs}×${outputs} weight gradient vs whole batch`);
  }
});

/** Past the pool's minimum work (4 flops an element, as ParallelKernels counts a batch-normalisation pass). */
function batchNormShape() {
  for (;;) {
    const batch = oddBatch(), exampleRows = rng.pick([1, 49, 196]), channels = rng.pick([5, 16, 33, 130, 1030]);
    if (4 * batch * exampleRows * channels >= MIN_PARALLEL_WORK) return { batch, exampleRows, channels };
  }
}

test('batch normalisation: the sums over the batch, 2 threads equal 1 thread; the per-example passes equal the kernels on the whole batch', () => {
  for (let trial = 0; trial < 10; trial++) {
    const { batch, exampleRows, channels } = batchNormShape();
    const n = batch * exampleRows * channels;
    const x = rng.array(n), dy = rng.array(n), centre = rng.array(channels), scale = rng.array(channels), shift = rng.array(channels);
    const what = `batch norm ${batch}×${exampleRows}×${channels}`;
    const sums = (p: ParallelKernels, backward: boolean, squares: number) => withBuffers([x, dy, centre], [p.normalization.channelSumsWorkspaceFloats(channels)],
      ([px, pdy, pc], [workspace]) => (backward ? p.normalization.batchNormBackwardSums(px, pdy, pc, workspace, batch, exampleRows, channels)
        : p.normalization.batchNormSums(px, pc, squares, workspace, batch, exampleRows, channels)))[0];
    for (const [backward, squares] of [[false, 0], [false, 1], [true, 0]] as const) {
      assertSameBits(sums(parallel, backward, squares), sums(serial, backward, squares), `${what} sums (backward ${backward}, squares ${squares})`);
    }
    const [yWhole] = withBuffers([x, centre, scale, shift], [n], ([px, pc, ps, pt], [py]) => kernels.channelAffine(px, pc, ps, pt, py, batch * exampleRows, channels, 2));
    const [ySplit] = withBuffers([x, centre, scale, shift], [n], ([px, pc, ps, pt], [py]) => parallel.normalization.channelAffine(px, pc, ps, pt, py, batch, exampleRows, channels, 2));
    assertSameBits(ySplit, yWhole, `${what} channelAffine`);
    const [dxWhole] = withBuffers([dy, x, centre, scale, shift, centre], [n], ([pdy, px, pc, ps, pt, pk], [pdx]) =>
      kernels.batchNormBackwardInput(pdy, px, pc, ps, pt, pk, pdx, batch * exampleRows, channels));
    const [dxSplit] = withBuffers([dy, x, centre, scale, shift, centre], [n], ([pdy, px, pc, ps, pt, pk], [pdx]) =>
      parallel.normalization.batchNormBackwardInput(pdy, px, pc, ps, pt, pk, pdx, batch, exampleRows, channels));
    assertSameBits(dxSplit, dxWhole, `${what} backward input`);
  }
});

test('PReLU: forward and dx equal the kernel on the whole batch; the slope gradient, 2 threads equal 1 thread', () => {
  for (let trial = 0; trial < 10; trial++) {
    // Past the pool's minimum work even at 1 flop per element, so the jobs reach the worker.
    const batch = oddBatch(), channels = rng.pick([3, 16, 21]);
    const example = (Math.ceil(MIN_PARALLEL_WORK / (batch * channels)) + rng.int(1, 300)) * channels;
    // One slope per channel (sharedAxes [1, 2]) or one per element.
    const alphaLength = rng.pick([channels, example]), n = batch * example;
    const x = rng.array(n), alpha = rng.array(alphaLength), dy = rng.array(n);
    const what = `prelu ${batch}×${example}, slopes ${alphaLength}`;
    const [yWhole] = withBuffers([x, alpha], [n], ([px, pa], [py]) => kernels.preluForward(px, pa, py, n, alphaLength));
    const [ySplit] = withBuffers([x, alpha], [n], ([px, pa], [py]) => parallel.elementwise.preluForward(px, pa, py, batch, example, alphaLength));
    assertSameBits(ySplit, yWhole, `${what} forward`);
    const run = (p: ParallelKernels) => withBuffers([x, alpha, dy], [n, alphaLength, p.elementwise.preluPartialSumsFloats(alphaLength)],
      ([px, pa, pdy], [pdx, pda, partials]) => p.elementwise.preluBackward(px, pa, pdy, pdx, pda, partials, batch, example, alphaLength));
    const [dx2, dAlpha2] = run(parallel), [dx1, dAlpha1] = run(serial);
    const [dxWhole, dAlphaWhole] = withBuffers([x, alpha, dy], [n, alphaLength], ([px, pa, pdy], [pdx, pda]) =>
      kernels.preluBackward(px, pa, pdy, pdx, pda, n, alphaLength));
    assertSameBits(dx2, dxWhole, `${what} dx`);
    assertSameBits(dAlpha2, dAlpha1, `${what} dAlpha`);
    // Summed in another order than the whole batch's: each slope's rounding is held to the size of
    // its terms (x·dy where x < 0), not of its sum, which cancels to near zero for some slopes.
    const termScale = new Float64Array(alphaLength);
    for (let i = 0; i < n; i++) if (x[i] < 0) termScale[i % alphaLength] += Math.abs(x[i] * dy[i]);
    dAlpha2.forEach((v, j) => assert.ok(Math.abs(v - dAlphaWhole[j]) <= 1e-5 * termScale[j] + 1e-6,
      `${what} dAlpha[${j}] ${v} vs whole batch ${dAlphaWhole[j]} (terms of size ${termScale[j]})`));
  }
});

function depthwiseGeometry(): Conv2dGeometry {
  for (;;) {
    const batch = oddBatch(), size = rng.int(10, 24), channels = rng.pick([7, 16, 33, 64]), dm = rng.pick([1, 1, 2]);
    const strides = rng.pick([1, 2]), dilation = strides === 1 ? rng.pick([1, 1, 2]) : 1;
    const geometry = conv2dGeometry([batch, size, size + 1, channels], [3, 3], channels * dm, [strides, strides],
      rng.pick(['same', 'valid'] as const), 'test', [dilation, dilation]);
    if (depthwiseWork(geometry) >= MIN_PARALLEL_WORK) return geometry;
  }
}

test('depthwise conv2d forward (with ReLU, ReLU6 and none) and backward input equal the kernels on the whole batch', () => {
  for (let trial = 0; trial < 12; trial++) {
    const g = depthwiseGeometry(), args = depthwiseConv2dArgs(g);
    const [batch, inH, inW, channels, outH, outW, dm, kH, kW] = args;
    const x = rng.array(batch * inH * inW * channels), filter = rng.array(kH * kW * channels * dm), bias = rng.array(channels * dm);
    const dy = rng.array(batch * outH * outW * channels * dm);
    const what = `depthwise ${args.join(',')}`;
    for (const activation of Object.values(FUSED_ACTIVATION)) {
      const [whole] = withBuffers([x, filter, bias], [dy.length], ([px, pf, pb], [py]) => kernels.depthwiseConv2dForward(px, pf, pb, py, activation, ...args));
      const [split] = withBuffers([x, filter, bias], [dy.length], ([px, pf, pb], [py]) => parallel.depthwise.forward(px, pf, pb, py, activation, g));
      assertSameBits(split, whole, `${what} forward, fused activation ${activation}`);
    }
    const [whole] = withBuffers([dy, filter], [x.length, kH * kW * channels], ([pdy, pf], [pdx, scratch]) =>
      kernels.depthwiseConv2dBackwardInput(pdy, pf, pdx, scratch, ...args));
    const [split] = withBuffers([dy, filter], [x.length, parallel.depthwise.workspaceFloats(g)], ([pdy, pf], [pdx, workspace]) =>
      parallel.depthwise.backwardInput(pdy, pf, pdx, workspace, g));
    assertSameBits(split, whole, `${what} backward input`);
  }
});

test('depthwise conv2d backward filter and bias: 2 threads equal 1 thread, and the whole-batch kernel within rounding', () => {
  for (let trial = 0; trial < 12; trial++) {
    const g = depthwiseGeometry(), args = depthwiseConv2dArgs(g);
    const [batch, inH, inW, channels, outH, outW, dm, kH, kW] = args;
    const x = rng.array(batch * inH * inW * channels), dy = rng.array(batch * outH * outW * channels * dm);
    const filterFloats = kH * kW * channels * dm, outC = channels * dm;
    const run = (p: ParallelKernels) => withBuffers([x, dy], [filterFloats, outC, p.depthwise.partialSumsFloats(g)],
      ([px, pdy], [dFilter, dBias, partials]) => p.depthwise.backwardFilter(px, pdy, dFilter, dBias, partials, g));
    const [dFilter2, dBias2] = run(parallel);
    const [dFilter1, dBias1] = run(serial);
    const what = `depthwise ${args.join(',')}`;
    assertSameBits(dFilter2, dFilter1, `${what} dFilter`);
    assertSameBits(dBias2, dBias1, `${what} dBias`);
    const [dFilter, dBias] = withBuffers([x, dy], [filterFloats, outC], ([px, pdy], [pf, pb]) => kernels.depthwiseConv2dBackwardFilter(px, pdy, pf, pb, ...args));
    assertClose(dFilter2, dFilter, 1e-4, `${what} dFilter vs whole batch`);
    assertClose(dBias2, dBias, 1e-4, `${what} dBias vs whole batch`);
  }
});

test('dilated conv2d (phases through the conv2d jobs): forward, backward input and filter, 2 threads equal 1 thread', () => {
  for (let trial = 0; trial < 8; trial++) {
    const batch = oddBatch(), size = rng.int(10, 20), inC = rng.pick([3, 8]), outC = rng.pick([8, 16]);
    const g = conv2dGeometry([batch, size, size + 2, inC], [3, 3], outC, [1, 1], rng.pick(['same', 'valid'] as const), 'test', [rng.int(2, 3), rng.int(1, 3)]);
    const x = rng.array(batch * size * (size + 2) * inC), filter = rng.array(9 * inC * outC), bias = rng.array(outC);
    const dy = rng.array(batch * g.outHeight * g.outWidth * outC);
    const run = (p: ParallelKernels) => withBuffers([x, filter, bias, dy],
      [dy.length, x.length, filter.length, outC, p.conv2d.partialSumsFloats(g), convWorkspaceFloats(p, g, CONV2D_PASSES)],
      ([px, pf, pb, pdy], [py, pdx, dFilter, dBias, partials, workspace]) => {
        p.conv2d.forward(px, pf, pb, py, workspace, 1, g);
        p.conv2d.backwardInput(pdy, pf, pdx, workspace, g);
        p.conv2d.backwardFilter(px, pdy, dFilter, dBias, partials, workspace, g);
      });
    const two = run(parallel), one = run(serial);
    ['forward', 'backward input', 'dFilter', 'dBias'].forEach((what, i) =>
      assertSameBits(two[i], one[i], `dilated conv2d ${conv2dArgs(g).join(',')} dilation ${g.dilationHeight},${g.dilationWidth} ${what}`));
  }
});

test('a batch of one runs on the calling thread alone: the workers are not woken for a single slice', () => {
  // The pool's header is the job's: its generation counts the jobs the workers were woken for (the job writer holds the pool).
  const { header } = (parallel as unknown as { jobs: { runner: { header: Int32Array } } }).jobs.runner;
  for (const batch of [1, 2]) {
    const g = conv2dGeometry([batch, 64, 64, 8], [3, 3], 16, [1, 1], 'same', 'test');
    assert.ok(convWork(g) >= MIN_PARALLEL_WORK, 'enough work to share, were there two slices');
    const before = Atomics.load(header, JOB_HEADER.generation);
    withBuffers([rng.array(batch * 64 * 64 * 8), rng.array(9 * 8 * 16), rng.array(16)], [batch * 64 * 64 * 16, convWorkspaceFloats(parallel, g, ['forward'])],
      ([px, pf, pb], [py, workspace]) => parallel.conv2d.forward(px, pf, pb, py, workspace, 0, g));
    const woken = Atomics.load(header, JOB_HEADER.generation) - before;
    assert.is(woken, batch === 1 ? 0 : 1, `batch ${batch}: the workers woken ${woken} times`);
  }
});

test('init: the same threads again (or none) returns the backend; another count is a clear error', async () => {
  assert.is(backend.threads, 2);
  assert.is(backend.simd, testedSimd);
  assert.is(await init({ threads: 2 }), backend);
  assert.is(await init(), backend);
  try {
    await init({ threads: 1 });
    assert.unreachable('init({ threads: 1 }) after init({ threads: 2 }) should throw');
  } catch (error) {
    assert.match(String(error), /already initialised with 2 thread/);
  }
  try {
    await init({ threads: 0 });
    assert.unreachable('threads: 0 should throw');
  } catch (error) {
    assert.match(String(error), /threads must be a positive integer or 'auto'/);
  }
});

// Last, so that the random cases of the tests above stay what they were.
test('layer normalisation: forward and dx equal the kernels on the whole batch; dγ and dβ, 2 threads equal 1 thread', () => {
  for (let trial = 0; trial < 10; trial++) {
    const { batch, exampleRows, channels } = batchNormShape();
    const rows = batch * exampleRows, n = rows * channels;
    const x = rng.array(n, -2, 3), dy = rng.array(n), gamma = rng.array(channels), beta = rng.array(channels), epsilon = Float32Array.of(1e-3);
    const what = `layer norm ${batch}×${exampleRows}×${channels}`;
    const whole = withBuffers([x, gamma, beta, epsilon, dy], [n, rows, rows, n], ([px, pg, pb, pe, pdy], [py, pm, ps, pdx]) => {
      kernels.layerNormForward(px, pg, pb, py, pm, ps, rows, channels, pe);
      kernels.layerNormBackward(px, pdy, pg, pm, ps, pdx, 0, rows, channels, pe);
    });
    const run = (p: ParallelKernels) => withBuffers([x, gamma, beta, epsilon, dy], [n, rows, rows, n, channels, channels, p.normalization.channelSumsWorkspaceFloats(channels)],
      ([px, pg, pb, pe, pdy], [py, pm, ps, pdx, pdg, pdb, workspace]) => {
        p.normalization.layerNormForward(px, pg, pb, py, pm, ps, pe, batch, exampleRows, channels);
        p.normalization.layerNormBackward(px, pdy, pg, pm, ps, pe, pdx, pdg, pdb, workspace, batch, exampleRows, channels);
      });
    const split = run(parallel), alone = run(serial);
    ['y', 'meanFromFirst', 'invStd', 'dx'].forEach((name, i) => assertSameBits(split[i], whole[i], `${what} ${name}`));
    assertSameBits(split[4], alone[4], `${what} dγ`);
    assertSameBits(split[5], alone[5], `${what} dβ`);
  }
});

test('group normalisation: every output, statistics and dγ and dβ included, 2 threads equal 1 thread', () => {
  for (let trial = 0; trial < 10; trial++) {
    const { batch, exampleRows, channels } = batchNormShape();
    const groups = rng.pick([1, channels, ...[2, 3, 5, 8].filter((g) => channels % g === 0)]);
    const n = batch * exampleRows * channels, statistics = batch * groups;
    const x = rng.array(n, -2, 3), dy = rng.array(n), gamma = rng.array(channels), beta = rng.array(channels), epsilon = Float32Array.of(1e-3);
    const run = (p: ParallelKernels) => withBuffers([x, gamma, beta, epsilon, dy],
      [n, statistics, statistics, n, channels, channels, p.normalization.groupNormWorkspaceFloats(channels)],
      ([px, pg, pb, pe, pdy], [py, pm, ps, pdx, pdg, pdb, workspace]) => {
        p.normalization.groupNormForward(px, pg, pb, py, pm, ps, pe, workspace, batch, exampleRows, channels, groups);
        p.normalization.groupNormBackward(px, pdy, pg, pm, ps, pdx, pdg, pdb, workspace, batch, exampleRows, channels, groups);
      });
    const split = run(parallel), alone = run(serial);
    ['y', 'mean', 'invStd', 'dx', 'dγ', 'dβ'].forEach((name, i) =>
      assertSameBits(split[i], alone[i], `group norm ${batch}×${exampleRows}×${channels}, ${groups} groups: ${name}`));
  }
});

test.run();
