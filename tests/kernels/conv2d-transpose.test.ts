// The transposed convolution runs on the conv2d kernels with their roles swapped (see
// src/layers/conv2d-transpose.ts): these tests drive the layer, on every padding mode and many
// random shapes, against the reference written from the transposed convolution's own definition.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/errors.js';
import { layers } from '../../src/layers/index.js';
import type { Padding } from '../../src/window.js';
import { assertClose, kernels, random, randomPadding } from '../helpers.js';
import { runLayer } from '../run-layer.js';
import * as ref from '../reference/conv2d-transpose.js';

const rng = random(23);

test('conv2dTranspose forward, input, kernel and bias gradients match the reference: every padding, strides 1–3, odd sizes', async () => {
  await kernels();
  let compared = 0;
  for (let trial = 0; trial < 160; trial++) {
    const batch = rng.pick([1, 1, 2, 3]), inputShape = [rng.int(1, 7), rng.int(1, 7), rng.pick([1, 3, 4, 5, 8, rng.int(1, 12)])];
    const filters = rng.pick([1, 2, 3, 5, 8, 9, rng.int(1, 12)]);
    const kernel: [number, number] = [rng.int(1, 5), rng.int(1, 5)], strides: [number, number] = [rng.int(1, 3), rng.int(1, 3)];
    const padding = randomPadding(rng), useBias = rng.next() < 0.8;
    const options = { filters, kernelSize: kernel, strides, padding, useBias };
    const what = `${JSON.stringify(options)} on [${batch}, ${inputShape}]`;
    const g = ref.transposeGeometry(batch, inputShape, filters, kernel, strides, padding);
    if (!g) {
      assert.throws(() => layers.conv2dTranspose(options).describe([inputShape]), (e: unknown) => e instanceof ConfigError, `${what} leaves no output`);
      continue;
    }
    const x = rng.array(batch * inputShape[0] * inputShape[1] * inputShape[2]);
    const weights = [rng.array(kernel[0] * kernel[1] * filters * inputShape[2]), ...(useBias ? [rng.array(filters)] : [])];
    const run = runLayer(layers.conv2dTranspose(options), inputShape, batch, x, (n) => rng.array(n), weights);
    assert.equal(run.outputShape, [g.outHeight, g.outWidth, filters], `${what}: output shape`);
    assertClose(run.y, ref.conv2dTransposeForward(x, weights[0], weights[1], g), 1e-4, `${what}: forward`);
    const expected = ref.conv2dTransposeBackward(x, weights[0], run.dy, g);
    assertClose(run.dx, expected.dx, 1e-4, `${what}: input gradient`);
    assertClose(run.grads[0], expected.dKernel, 1e-4, `${what}: kernel gradient`);
    if (useBias) assertClose(run.grads[1], expected.dBias, 1e-4, `${what}: bias gradient`);
    compared++;
  }
  assert.ok(compared > 100, `only ${compared} shapes compared`);
});

test('conv2dTranspose output sizes are Keras\'s: valid in·s + max(k − s, 0), same in·s, full in·s − (s + k − 2); explicit zeros subtract', () => {
  const cases: Array<[number, number, number, Padding, number]> = [
    // [in, kernel, stride, padding, out]
    [5, 3, 2, 'valid', 11], [5, 3, 2, 'same', 10], [5, 3, 2, 'full', 7], [5, 3, 2, 1, 9], [5, 3, 2, [2, 0, 2, 0], 9],
    [4, 1, 3, 'valid', 12], [4, 1, 3, 'same', 12], [4, 2, 2, 'valid', 8], [3, 4, 1, 'valid', 6], [3, 4, 1, 'same', 3],
    [3, 4, 1, 'full', 0], [2, 3, 1, 2, 0],
  ];
  for (const [size, kernel, stride, padding, out] of cases) {
    const layer = layers.conv2dTranspose({ filters: 2, kernelSize: kernel, strides: stride, padding });
    const what = `in ${size}, kernel ${kernel}, stride ${stride}, ${JSON.stringify(padding)}`;
    if (out < 1) assert.throws(() => layer.describe([[size, size, 1]]), /leaves no output/, what);
    else assert.equal(layer.describe([[size, size, 1]]).outputShape, [out, out, 2], what);
  }
});

test.run();
