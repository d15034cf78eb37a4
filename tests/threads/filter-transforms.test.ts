// Before each Winograd pass the layer's filter is transformed; a training step does it twice per
// layer (forward and backward input), and on one thread that took 4% of a VGG-style net's step
// while the other threads waited. With threads the transform is a job shared by input channels,
// each thread writing its own part of the transformed filter in its share of the scratch: the
// pass's results are the same bits as one whole transform's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertSameBits, convWorkspaceFloats, random, withBuffers } from '../helpers.js';
import { getBackend, init } from '../../src/backend/wasm.js';
import { JOB_HEADER, JOB_KERNELS } from '../../src/backend/kernel-jobs.js';
import { MIN_PARALLEL_WORK } from '../../src/backend/worker-pool.js';
import { CONV2D_PASSES, usesWinograd } from '../../src/backend/conv2d-algorithm.js';
import { FUSED_ACTIVATION } from '../../src/backend/kernels.js';
import { conv2dGeometry } from '../../src/window.js';

const { kernels } = await init({ threads: 2 });
const rng = random(17);

test('two threads share a large layer\'s filter transform, and its passes give what one whole transform gives', () => {
  const parallel = getBackend().parallel;
  const runner = (parallel as unknown as { jobs: { runner: { header: Int32Array; run: (work: number) => void } } }).jobs.runner;
  const run = runner.run;
  const transforms: Array<{ slices: number; work: number }> = [];
  runner.run = function (work: number) {
    if (JOB_KERNELS[this.header[JOB_HEADER.kernel]] === 'winogradFilterTransformInputs') transforms.push({ slices: this.header[JOB_HEADER.sliceCount], work });
    return run.call(this, work);
  };
  // A VGG-style block's 3×3 convolution of 32 channels to 32.
  const g = conv2dGeometry([4, 12, 12, 32], [3, 3], 32, [1, 1], 'same', 'vgg');
  assert.ok(usesWinograd(g, 'forward') && usesWinograd(g, 'backwardInput'), 'the passes run on Winograd\'s kernels');
  const xFloats = 4 * 12 * 12 * 32, filterFloats = 9 * 32 * 32;
  const x = rng.array(xFloats, -1, 1), filter = rng.array(filterFloats, -1, 1), dy = rng.array(xFloats, -1, 1);
  try {
    const workspace = convWorkspaceFloats(parallel, g, CONV2D_PASSES);
    const [y, dx] = withBuffers([x, filter, dy], [xFloats, xFloats, workspace], ([px, pf, pdy], [py, pdx, pw]) => {
      parallel.conv2d.forward(px, pf, 0, py, pw, FUSED_ACTIVATION.none, g);
      parallel.conv2d.backwardInput(pdy, pf, pdx, pw, g);
    });
    parallel.scratch.release(g);
    assert.is(transforms.length, 2, 'one transform before each pass');
    for (const { slices, work } of transforms) assert.ok(slices >= 2 && work >= MIN_PARALLEL_WORK, `a transform of ${slices} slices, ${work} flops, is run on this thread alone`);
    // One whole transform and one call over the batch, on this thread.
    const geometry = [4, 12, 12, 32, 12, 12, 32, 3, 3, 1, 1, 1, 1] as const;
    const scratchBytes = Math.max(kernels.conv2dWinogradScratchBytes(...geometry), kernels.winogradFilterScratchBytes(3));
    const [yWhole, dxWhole] = withBuffers([x, filter, dy], [xFloats, xFloats, kernels.winogradFilterBytes(3, 32, 32) / 4, scratchBytes / 4],
      ([px, pf, pdy], [py, pdx, pu, scratch]) => {
        kernels.winogradFilterTransform(pf, pu, scratch, 3, 32, 32, 0);
        kernels.conv2dWinogradForward(px, pu, 0, py, scratch, 0, ...geometry);
        kernels.winogradFilterTransform(pf, pu, scratch, 3, 32, 32, 1);
        kernels.conv2dWinogradBackwardInput(pdy, pu, pdx, scratch, ...geometry);
      });
    assertSameBits(y, yWhole, 'forward');
    assertSameBits(dx, dxWhole, 'backward input');
  } finally {
    runner.run = run;
  }
});

test.run();
