// Zero padding and cropping, driven as layers (row runs of the copyRuns and frameImages kernels),
// against the naive reference on random shapes and borders, in the three forms Keras takes.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError } from '../../src/errors.js';
import { layers } from '../../src/layers/index.js';
import { assertClose, kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/borders.js';
import { runLayer } from '../run-layer.js';

const rng = random(29);

/** Random borders in one of the three forms, and what they mean as [[top, bottom], [left, right]]. */
function drawBorders(max: number): { value: number | [number, number] | ref.Borders; borders: ref.Borders } {
  const n = () => rng.int(0, max);
  switch (rng.int(0, 2)) {
    case 0: { const v = n(); return { value: v, borders: [[v, v], [v, v]] }; }
    case 1: { const h = n(), w = n(); return { value: [h, w], borders: [[h, h], [w, w]] }; }
    default: { const b: ref.Borders = [[n(), n()], [n(), n()]]; return { value: b, borders: b }; }
  }
}

const draw = () => ({ batch: rng.pick([1, 1, 2, 3]), shape: [rng.int(1, 9), rng.int(1, 9), rng.pick([1, 3, 4, 5, rng.int(1, 12)])] });

test('frameImages places each image in a zero frame, its margins zeroed over whatever the frame held (NaN here)', async () => {
  const k = await kernels();
  for (let trial = 0; trial < 100; trial++) {
    const { batch, shape: [h, w, c] } = draw(), { borders } = drawBorders(3);
    const [[top, bottom], [left, right]] = borders, frameH = h + top + bottom, frameW = w + left + right;
    const x = rng.array(batch * h * w * c);
    const [y] = withBuffers([x], [batch * frameH * frameW * c], ([px], [py]) => k.frameImages(px, batch, h, w, c, py, frameH, frameW, top, left));
    assertClose(y, ref.pad(x, batch, [h, w, c], borders), 0, `[${batch}, ${h}, ${w}, ${c}] in frames of ${JSON.stringify(borders)}`);
  }
});

test('zeroPadding2d forward and backward match the reference', async () => {
  await kernels();
  for (let trial = 0; trial < 120; trial++) {
    const { batch, shape } = draw(), { value, borders } = drawBorders(3);
    const x = rng.array(batch * shape[0] * shape[1] * shape[2]);
    const run = runLayer(layers.zeroPadding2d({ padding: value }), shape, batch, x, (n) => rng.array(n));
    const what = `padding ${JSON.stringify(value)} on [${batch}, ${shape}]`;
    assert.equal(run.outputShape, [shape[0] + borders[0][0] + borders[0][1], shape[1] + borders[1][0] + borders[1][1], shape[2]], what);
    assertClose(run.y, ref.pad(x, batch, shape, borders), 0, `${what}: forward`);
    assertClose(run.dx, ref.crop(run.dy, batch, shape, borders), 0, `${what}: backward`);
  }
});

test('cropping2d forward and backward match the reference; a crop that leaves nothing is a ConfigError', async () => {
  await kernels();
  let compared = 0;
  for (let trial = 0; trial < 160; trial++) {
    const { batch, shape } = draw(), { value, borders } = drawBorders(3);
    const [[top, bottom], [left, right]] = borders;
    const outShape = [shape[0] - top - bottom, shape[1] - left - right, shape[2]];
    const what = `cropping ${JSON.stringify(value)} on [${batch}, ${shape}]`;
    if (outShape[0] < 1 || outShape[1] < 1) {
      assert.throws(() => layers.cropping2d({ cropping: value }).describe([shape]),
        (e: unknown) => e instanceof ConfigError && /removes more than/.test(e.message), what);
      continue;
    }
    const x = rng.array(batch * shape[0] * shape[1] * shape[2]);
    const run = runLayer(layers.cropping2d({ cropping: value }), shape, batch, x, (n) => rng.array(n));
    assert.equal(run.outputShape, outShape, what);
    assertClose(run.y, ref.crop(x, batch, outShape, borders), 0, `${what}: forward`);
    assertClose(run.dx, ref.pad(run.dy, batch, outShape, borders), 0, `${what}: backward`);
    compared++;
  }
  assert.ok(compared > 60, `only ${compared} crops compared`);
});

test('borders that are not counts are refused when the layer is made', () => {
  for (const padding of [-1, 1.5, [1], [1, -2], [[1, 1], [1]], [[0, 0], [0, -1]], 'same']) {
    assert.throws(() => layers.zeroPadding2d({ padding: padding as never }), (e: unknown) => e instanceof ConfigError, JSON.stringify(padding));
    assert.throws(() => layers.cropping2d({ cropping: padding as never }), (e: unknown) => e instanceof ConfigError, JSON.stringify(padding));
  }
});

test.run();
