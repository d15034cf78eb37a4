// With 2 threads, every batch-parallel kernel call gives the same bits as one thread: the calls
// that split the batch into independent examples equal the plain kernel called on the whole batch,
// and the sums over the batch equal the same slicing run on this thread alone (SerialRunner).
// Shapes are drawn large enough that the jobs go to the worker (past the pool's minimum work),
// with odd batch sizes so slices differ in size. scripts/test.mjs runs this file again on the
// relaxed-SIMD build: its workers must then run the same relaxed module as this thread.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, assertCloseToScale, assertSameBits, random, testedSimd, withBuffers } from '../helpers.js';
import { init } from '../../src/backend/wasm.js';
import { SerialRunner } from '../../src/backend/job-runner.js';
import { ParallelKernels, convWork, poolWork } from '../../src/backend/parallel-kernels.js';
import { MIN_PARALLEL_WORK } from '../../src/backend/worker-pool.js';
import { conv2dArgs, pool2dArgs } from '../../src/backend/geometry-args.js';
import { usesWinograd } from '../../src/backend/conv2d-algorithm.js';
import type { Conv2dArgs } from '../../src/backend/kernels.js';
import { type Conv2dGeometry, type Pool2dGeometry, conv2dGeometry, pool2dGeometry } from '../../src/window.js';

const rng = random(11);
const backend = await init({ threads: 2, relaxedSimd: testedSimd === 'relaxed' });
const { kernels, parallel } = backend;
const serial = new ParallelKernels(kernels, new SerialRunner(kernels));

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
    const workspaceFloats = parallel.conv2dWorkspaceFloats(g);
    const transformedFloats = Math.max(kernels.winogradFilterBytes(kH, inC, outC), kernels.winogradFilterBytes(kH, outC, inC)) / 4;
    const what = `conv2d ${args.join(',')}`;
    if (usesWinograd(g, 'forward')) winograd++;
    for (const relu of [0, 1]) {
      const [whole] = withBuffers([x, filter, bias], [dy.length, convScratchFloats(args), transformedFloats], ([px, pf, pb], [py, scratch, pt]) =>
        wholeBatchPass(g, 'forward', px, pf, pb, py, scratch, pt, relu));
      const [split] = withBuffers([x, filter, bias], [dy.length, workspaceFloats], ([px, pf, pb], [py, workspace]) =>
        parallel.conv2dForward(px, pf, pb, py, workspace, relu, g));
      assertSameBits(split, whole, `${what} forward relu=${relu}`);
    }
    const [whole] = withBuffers([dy, filter], [x.length, convScratchFloats(args), transformedFloats], ([pdy, pf], [pdx, scratch, pt]) =>
      wholeBatchPass(g, 'backwardInput', pdy, pf, 0, pdx, scratch, pt, 0));
    const [split] = withBuffers([dy, filter], [x.length, workspaceFloats], ([pdy, pf], [pdx, workspace]) =>
      parallel.conv2dBackwardInput(pdy, pf, pdx, workspace, g));
    assertSameBits(split, whole, `${what} backward input`);
  }
  assert.ok(winograd > 0 && winograd < 12, `both algorithms ran (Winograd in ${winograd} of 12)`);
});

test('conv2d backward filter and bias: 2 threads equal 1 thread, and the whole-batch kernel within rounding', () => {
  for (let trial = 0; trial < 12; trial++) {
    const g = convGeometry(), args = conv2dArgs(g);
    const [batch, inH, inW, inC, outH, outW, outC, kH, kW] = args;
    const x = rng.array(batch * inH * inW * inC), dy = rng.array(batch * outH * outW * outC);
    const filterFloats = kH * kW * inC * outC;
    const run = (p: ParallelKernels) => withBuffers([x, dy], [filterFloats, outC, p.conv2dWorkspaceFloats(g)],
      ([px, pdy], [dFilter, dBias, workspace]) => p.conv2dBackwardFilter(px, pdy, dFilter, dBias, workspace, g));
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
    const [yWhole, dxWhole] = withBuffers([x, dy], [dy.length, x.length, dy.length], ([px, pdy], [py, pdx, argmax]) => {
      kernels.maxPoolForward(px, py, argmax, ...args);
      kernels.maxPoolBackward(pdy, argmax, pdx, ...args);
    });
    const [ySplit, dxSplit] = withBuffers([x, dy], [dy.length, x.length, dy.length], ([px, pdy], [py, pdx, argmax]) => {
      parallel.maxPoolForward(px, py, argmax, g);
      parallel.maxPoolBackward(pdy, argmax, pdx, g);
    });
    assertSameBits(ySplit, yWhole, `${what} max forward`);
    assertSameBits(dxSplit, dxWhole, `${what} max backward`);
    for (const average of [0, 1]) {
      const whole = withBuffers([x, dy], [dy.length, x.length], ([px, pdy], [py, pdx]) => {
        kernels.avgPoolForward(px, py, average, ...args);
        kernels.avgPoolBackward(pdy, pdx, average, ...args);
      });
      const split = withBuffers([x, dy], [dy.length, x.length], ([px, pdy], [py, pdx]) => {
        parallel.avgPoolForward(px, py, average, g);
        parallel.avgPoolBackward(pdy, pdx, average, g);
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
    const workspace = parallel.denseWorkspaceFloats(batch, inputs, outputs);
    const whole = (a: Float32Array, b: Float32Array, m: number, k: number, n: number, transposeA: number, transposeB: number) =>
      withBuffers([a, b], [m * n, kernels.matMulScratchBytes(k, n) / 4], ([pa, pb], [pc, scratch]) =>
        kernels.matMul(pa, pb, pc, scratch, m, k, n, transposeA, transposeB, 0))[0];
    const [ySplit] = withBuffers([x, w], [dy.length, workspace], ([px, pw], [py, pws]) => parallel.matMulByRows(px, pw, py, batch, inputs, outputs, 0, pws));
    assertSameBits(ySplit, whole(x, w, batch, inputs, outputs, 0, 0), `${what} forward`);
    const [dxSplit] = withBuffers([dy, w], [x.length, workspace], ([pdy, pw], [pdx, pws]) => parallel.matMulByRows(pdy, pw, pdx, batch, outputs, inputs, 1, pws));
    assertSameBits(dxSplit, whole(dy, w, batch, outputs, inputs, 0, 1), `${what} input gradient`);
    const run = (p: ParallelKernels) => withBuffers([x, dy], [w.length, p.denseWorkspaceFloats(batch, inputs, outputs)],
      ([px, pdy], [dW, pws]) => p.weightGradient(px, pdy, dW, batch, inputs, outputs, pws))[0];
    assertSameBits(run(parallel), run(serial), `${what} weight gradient`);
    const dWWhole = whole(x, dy, inputs, batch, outputs, 1, 0);
    assertClose(run(parallel), dWWhole, 1e-4, `${what} weight gradient vs whole batch`);
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

test.run();
