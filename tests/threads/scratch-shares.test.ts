// Each thread's conv2d scratch lies at the same place in every pass of every layer (whose
// transformed filter is held in its workspace), and its dense scratch at the same place in each of
// a layer's products: were it a pass's or a product's stride apart, a thread's scratch would lie
// where the other thread's was in the job before, and every call would first fetch it from the
// other core's cache. And two threads' conv2d scratch lie THREAD_SCRATCH_SPACING apart or more:
// nearer, the upper one's Winograd passes ran up to 2× slower while the other thread worked. A runner that
// records where each job puts thread 1's scratch (and runs the job on this thread) stands in for the pool.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { convWorkspaceFloats, random, withBuffers } from '../helpers.js';
import { init } from '../../src/backend/wasm.js';
import { SerialRunner } from '../../src/backend/job-runner.js';
import { JOB_HEADER } from '../../src/backend/kernel-jobs.js';
import { THREAD_SCRATCH_SPACING } from '../../src/backend/job-writer.js';
import { ParallelKernels } from '../../src/backend/parallel-kernels.js';
import { CONV2D_PASSES, usesWinograd } from '../../src/backend/conv2d-algorithm.js';
import { FUSED_ACTIVATION } from '../../src/backend/kernels.js';
import { conv2dGeometry } from '../../src/window.js';

const { kernels, memory } = await init({ threads: 2 });
const rng = random(5);

/** Two-thread kernels that run each job on this thread, where each job put thread 1's scratch, and how far from thread 0's. */
function recordingKernels(): { parallel: ParallelKernels; starts: number[]; strides: number[] } {
  const serial = new SerialRunner(kernels);
  const starts: number[] = [], strides: number[] = [];
  const recording = {
    threads: 2, header: serial.header, args: serial.args,
    run(): void {
      const h = serial.header;
      if (h[JOB_HEADER.scratchArg] >= 0) {
        starts.push(h[JOB_HEADER.scratchBase] + h[JOB_HEADER.scratchStride]);
        strides.push(h[JOB_HEADER.scratchStride]);
      }
      serial.run();
    },
  };
  return { parallel: new ParallelKernels(kernels, recording, memory), starts, strides };
}

/** The LeNet-style net's convolutions: 1 → 8 channels on the direct kernels, 8 → 16 on Winograd's. */
const lenetConvolutions = () => [conv2dGeometry([32, 28, 28, 1], [5, 5], 8, [1, 1], 'same', 'first'),
  conv2dGeometry([32, 14, 14, 8], [5, 5], 16, [1, 1], 'same', 'second')];

/** Runs every pass of conv2d `g` on random data. */
function runConvolution(parallel: ParallelKernels, g: ReturnType<typeof conv2dGeometry>, workspaceFloats: number): void {
  const xFloats = 32 * g.inHeight * g.inWidth * g.inChannels, yFloats = 32 * g.outHeight * g.outWidth * g.outChannels;
  const filterFloats = 25 * g.inChannels * g.outChannels;
  withBuffers([rng.array(xFloats, -1, 1), rng.array(filterFloats, -1, 1), rng.array(yFloats, -1, 1)],
    [yFloats, xFloats, filterFloats, g.outChannels, parallel.conv2d.partialSumsFloats(g), workspaceFloats],
    ([x, filter, dy], [y, dx, dFilter, dBias, partials, workspace]) => {
      parallel.conv2d.forward(x, filter, 0, y, workspace, FUSED_ACTIVATION.none, g);
      parallel.conv2d.backwardInput(dy, filter, dx, workspace, g);
      parallel.conv2d.backwardFilter(x, dy, dFilter, dBias, partials, workspace, g);
    });
}

test('thread 1 takes its conv2d scratch at one place in every pass (and filter transform) of a direct and a Winograd layer', () => {
  const { parallel, starts } = recordingKernels();
  const layers = lenetConvolutions();
  assert.ok(!usesWinograd(layers[0], 'forward') && usesWinograd(layers[1], 'forward'), 'one layer of each kind');
  const workspaces = layers.map((g) => convWorkspaceFloats(parallel, g, CONV2D_PASSES));
  for (const [i, g] of layers.entries()) runConvolution(parallel, g, workspaces[i]);
  assert.is(starts.length, 9, 'three passes of each layer, and a filter transform before each Winograd pass but backward filter');
  assert.equal([...new Set(starts)], [starts[0]], `thread 1's scratch started at ${starts.map((s) => s - starts[0]).join(', ')} bytes from the first`);
  for (const g of layers) parallel.scratch.release(g);
});

test("thread 1 takes its dense scratch at one place in each of a layer's three products", () => {
  const { parallel, starts } = recordingKernels();
  // The LeNet-style net's first dense layer: x·W packs a 256 × 120 block of W, dy·Wᵀ 120 × 128 of Wᵀ,
  // xᵀ·dy 32 × 120 of dy, so a stride per product would differ in each.
  const batch = 32, inputs = 400, outputs = 120;
  const strides = [[inputs, outputs], [outputs, inputs], [batch, outputs]].map(([k, n]) => kernels.matMulScratchBytes(k, n));
  assert.is(new Set(strides).size, 3, `the products' scratch differs: ${strides.join(', ')} bytes`);
  const workspace = parallel.dense.workspaceFloats(batch, inputs, outputs, true);
  withBuffers([rng.array(batch * inputs, -1, 1), rng.array(inputs * outputs, -1, 1), rng.array(batch * outputs, -1, 1)],
    [batch * outputs, batch * inputs, inputs * outputs, parallel.dense.partialSumsFloats(inputs, outputs), workspace],
    ([x, w, dy], [y, dx, dW, partials, ws]) => {
      parallel.dense.matMulByRows(x, w, y, batch, inputs, outputs, 0, ws, workspace);
      parallel.dense.matMulByRows(dy, w, dx, batch, outputs, inputs, 1, ws, workspace);
      parallel.dense.weightGradient(x, dy, dW, partials, batch, inputs, outputs, ws, workspace);
    });
  assert.is(starts.length, 3);
  assert.equal([...new Set(starts)], [starts[0]], `thread 1's scratch started at ${starts.map((s) => s - starts[0]).join(', ')} bytes from the first`);
});

test(`two threads' conv2d scratch starts ${THREAD_SCRATCH_SPACING / 1024} KiB apart or more, however little each needs`, () => {
  const { parallel, strides } = recordingKernels();
  // Each thread needs 268 KiB in the Winograd layer, 16 KiB in the direct one.
  const layers = lenetConvolutions();
  const workspaces = layers.map((g) => convWorkspaceFloats(parallel, g, CONV2D_PASSES));
  for (const [i, g] of layers.entries()) runConvolution(parallel, g, workspaces[i]);
  assert.is(strides.length, 9, 'three passes of each layer, and a filter transform before each Winograd pass but backward filter');
  assert.ok(strides.every((stride) => stride >= THREAD_SCRATCH_SPACING), `thread 1's scratch lay ${strides.join(', ')} bytes after thread 0's`);
  for (const g of layers) parallel.scratch.release(g);
});

test.run();
