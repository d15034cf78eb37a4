// Dilated conv2d: the phases of an image (spaceToBatch, batchToSpace), and convolutions dilated by
// 2 and 3 run as undilated ones on the phases (ParallelKernels on this thread), against the reference.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { assertClose, convWorkspaceFloats, kernels, random, withBuffers } from '../helpers.js';
import { getBackend } from '../../src/backend/wasm.js';
import * as ref from '../reference/conv2d.js';
import { ConfigError } from '../../src/errors.js';
import { SerialRunner } from '../../src/backend/job-runner.js';
import { ParallelKernels } from '../../src/backend/parallel-kernels.js';
import { CONV2D_PASSES } from '../../src/backend/conv2d-algorithm.js';
import { conv2dArgs } from '../../src/backend/geometry-args.js';
import type { Kernels, PhaseArgs } from '../../src/backend/kernels.js';
import { type Conv2dGeometry, type Padding, conv2dGeometry } from '../../src/window.js';

const rng = random(9);

/** Odd sizes and channel counts, every padding, dilations 1–3 (strides 1, as Keras requires with dilation). */
function randomGeometry(): Conv2dGeometry {
  for (;;) {
    const padding: Padding = rng.pick<Padding>(['valid', 'same', 'full', rng.int(0, 3), [rng.int(0, 3), rng.int(0, 3), rng.int(0, 3), rng.int(0, 3)]]);
    const channels = () => rng.pick([1, 3, 5, 8, rng.int(1, 13)]);
    try {
      return conv2dGeometry([rng.pick([1, 1, 2, 3]), rng.int(1, 13), rng.int(1, 13), channels()], [rng.int(1, 4), rng.int(1, 4)],
        channels(), [1, 1], padding, 'test', [rng.int(1, 3), rng.int(1, 3)]);
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
    }
  }
}

const geometries: Conv2dGeometry[] = [
  ...Array.from({ length: 110 }, randomGeometry),
  conv2dGeometry([2, 16, 16, 8], [3, 3], 16, [1, 1], 'same', 'test', [2, 2]), // DeepLab-style atrous 3×3
  conv2dGeometry([1, 9, 10, 3], [3, 3], 4, [1, 1], 'valid', 'test', [3, 1]),
  conv2dGeometry([1, 7, 7, 2], [2, 2], 3, [1, 1], 'full', 'test', [3, 3]),
];

const describe = (g: Conv2dGeometry) => `[${g.batch},${g.inHeight},${g.inWidth},${g.inChannels}] ${g.kernelHeight}×${g.kernelWidth}→${g.outChannels} ` +
  `pad ${g.padTop},${g.padLeft} dilation ${g.dilationHeight},${g.dilationWidth} out ${g.outHeight}×${g.outWidth}`;

const sizes = (g: Conv2dGeometry) => ({
  x: g.batch * g.inHeight * g.inWidth * g.inChannels, y: g.batch * g.outHeight * g.outWidth * g.outChannels,
  filter: g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels,
});

const dilation = (g: Conv2dGeometry): ref.Dilation => [g.dilationHeight, g.dilationWidth];

let serial: ParallelKernels;
async function parallel(): Promise<ParallelKernels> {
  const k = await kernels();
  serial ??= new ParallelKernels(k, new SerialRunner(k), getBackend().memory);
  return serial;
}

/** Phases by definition: pixel (a, b) of phase (py, px) is x[py + a·dh − padTop, px + b·dw − padLeft], 0 outside. */
function referencePhases(x: Float32Array, [batch, height, width, channels, dh, dw, padTop, padLeft, phaseHeight, phaseWidth]: PhaseArgs) {
  const out: number[] = [];
  for (let n = 0; n < batch; n++) for (let py = 0; py < dh; py++) for (let px = 0; px < dw; px++) {
    for (let a = 0; a < phaseHeight; a++) for (let b = 0; b < phaseWidth; b++) for (let c = 0; c < channels; c++) {
      const iy = py + a * dh - padTop, ix = px + b * dw - padLeft;
      out.push(iy < 0 || iy >= height || ix < 0 || ix >= width ? 0 : x[((n * height + iy) * width + ix) * channels + c]);
    }
  }
  return Float32Array.from(out);
}

test('spaceToBatch gives each phase by definition; batchToSpace puts every pixel back', async () => {
  const k: Kernels = await kernels();
  for (let trial = 0; trial < 40; trial++) {
    const dh = rng.int(1, 3), dw = rng.int(1, 3), height = rng.int(1, 11), width = rng.int(1, 11), padTop = rng.int(0, 3), padLeft = rng.int(0, 3);
    // Phases that cover the padded image (as a convolution's input phases do), or more.
    const phaseHeight = Math.ceil((height + padTop) / dh) + rng.int(0, 2), phaseWidth = Math.ceil((width + padLeft) / dw) + rng.int(0, 2);
    const args: PhaseArgs = [rng.int(1, 3), height, width, rng.pick([1, 3, 4, 6]), dh, dw, padTop, padLeft, phaseHeight, phaseWidth];
    const x = rng.array(args[0] * height * width * args[3]);
    const expected = referencePhases(x, args);
    const [phases] = withBuffers([x], [expected.length], ([px], [pp]) => k.spaceToBatch(px, pp, ...args));
    assertClose(phases, expected, 0, `spaceToBatch ${args}`);
    const [back] = withBuffers([phases], [x.length], ([pp], [px]) => k.batchToSpace(pp, px, ...args));
    assertClose(back, x, 0, `batchToSpace ${args}`);
  }
});

test(`dilated conv2d forward (with and without bias and ReLU) matches the reference on ${geometries.length} geometries`, async () => {
  const p = await parallel();
  for (const [i, g] of geometries.entries()) {
    const n = sizes(g);
    const x = rng.array(n.x), filter = rng.array(n.filter), bias = i % 2 ? rng.array(g.outChannels) : undefined, relu = i % 3 === 0;
    const inputs = bias ? [x, filter, bias] : [x, filter];
    const [y] = withBuffers(inputs, [n.y, convWorkspaceFloats(p, g, ['forward'])], ([px, pf, pb], [py, workspace]) =>
      p.conv2d.forward(px, pf, pb ?? 0, py, workspace, relu ? 1 : 0, g));
    assertClose(y, ref.conv2dForward(x, filter, bias, conv2dArgs(g), relu, dilation(g)), 1e-4, `forward ${describe(g)}`);
  }
});

test(`dilated conv2d backward input and filter match the reference on ${geometries.length} geometries`, async () => {
  const p = await parallel();
  for (const [i, g] of geometries.entries()) {
    const n = sizes(g);
    const x = rng.array(n.x), filter = rng.array(n.filter), dy = rng.array(n.y);
    const workspace = convWorkspaceFloats(p, g, CONV2D_PASSES);
    const [dx] = withBuffers([dy, filter], [n.x, workspace], ([pdy, pf], [pdx, w]) => p.conv2d.backwardInput(pdy, pf, pdx, w, g));
    assertClose(dx, ref.conv2dBackwardInput(dy, filter, conv2dArgs(g), dilation(g)), 1e-4, `backward input ${describe(g)}`);
    const withBias = i % 2 === 1;
    const [dFilter, dBias] = withBuffers([x, dy], [n.filter, g.outChannels, p.conv2d.partialSumsFloats(g), workspace], ([px, pdy], [pf, pb, partials, w]) =>
      p.conv2d.backwardFilter(px, pdy, pf, withBias ? pb : 0, partials, w, g));
    const expected = ref.conv2dBackwardFilter(x, dy, conv2dArgs(g), dilation(g));
    assertClose(dFilter, expected.dFilter, 1e-4, `backward filter ${describe(g)}`);
    if (withBias) assertClose(dBias, expected.dBias, 1e-4, `backward bias ${describe(g)}`);
  }
});

test('a smaller batch runs on the workspace planned for a larger one; a larger batch is refused', async () => {
  const p = await parallel();
  const g = conv2dGeometry([4, 9, 9, 3], [3, 3], 5, [1, 1], 'same', 'test', [2, 2]);
  const workspace = convWorkspaceFloats(p, g, ['forward']);
  g.batch = 3;
  const n = sizes(g);
  const x = rng.array(n.x), filter = rng.array(n.filter);
  const [y] = withBuffers([x, filter], [n.y, workspace], ([px, pf], [py, w]) => p.conv2d.forward(px, pf, 0, py, w, 0, g));
  assertClose(y, ref.conv2dForward(x, filter, undefined, conv2dArgs(g), false, [2, 2]), 1e-4, 'batch 3 of 4');
  g.batch = 5;
  assert.throws(() => p.conv2d.forward(0, 0, 0, 0, 0, 0, g), /planned for 4/);
});

test.run();
