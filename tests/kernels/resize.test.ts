import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RESIZE_COORDINATES, type ResizeCoordinates } from '../../src/backend/kernels.js';
import { assertClose, kernels, random, resizeKernelArgs, withBuffers } from '../helpers.js';
import * as ref from '../reference/resize.js';

const rng = random(23);

/** Odd sizes, channels 1 to 9 (so the f32x4 tails run), up and down and unequal per axis, sizes of 1 included. */
function randomShape(): ref.ResizeShape {
  return {
    batch: rng.pick([1, 1, 2, 3]), inHeight: rng.int(1, 11), inWidth: rng.int(1, 11),
    channels: rng.int(1, 9), outHeight: rng.int(1, 23), outWidth: rng.int(1, 23),
  };
}

const shapes = [...Array.from({ length: 120 }, randomShape),
  // The PyTorch decoder's last resize (up by no whole factor) and a halving.
  { batch: 2, inHeight: 16, inWidth: 16, channels: 3, outHeight: 37, outWidth: 29 },
  { batch: 1, inHeight: 10, inWidth: 8, channels: 8, outHeight: 5, outWidth: 4 }];
const args = (s: ref.ResizeShape) => [s.batch, s.inHeight, s.inWidth, s.channels, s.outHeight, s.outWidth] as const;

/** ONNX's scales for a shape: its out/in ratio moved a little, so that in·scale is not whole but still floors to out. */
const scalesOf = (s: ref.ResizeShape): [number, number] => [(s.outHeight + rng.next() * 0.9) / s.inHeight, (s.outWidth + rng.next() * 0.9) / s.inWidth];

const CUBICS: Array<Partial<ref.ResizeMethod>> = [
  {}, // Keras's: a = −0.5, pixels beyond the edge left out, TensorFlow's table
  { cubicCoefficient: -0.75, cubicExcludeOutside: false, cubicTable: false }, // ONNX's and PyTorch's
  { cubicCoefficient: -0.6, cubicExcludeOutside: true, cubicTable: false },
];

function methods(): ref.ResizeMethod[] {
  const all: ref.ResizeMethod[] = [];
  for (const coordinates of Object.keys(RESIZE_COORDINATES) as ResizeCoordinates[]) {
    all.push({ interpolation: 'nearest', coordinates }, { interpolation: 'bilinear', coordinates });
    for (const cubic of CUBICS) all.push({ interpolation: 'bicubic', coordinates, ...cubic });
  }
  return all;
}

/** Forward and backward of the kernels for a method on a shape. */
function run(s: ref.ResizeShape, m: ref.ResizeMethod, x: Float32Array, dy: Float32Array): [Float32Array, Float32Array] {
  const { interpolation, coordinates, params } = resizeKernelArgs(m);
  const inLength = s.batch * s.inHeight * s.inWidth * s.channels, outLength = s.batch * s.outHeight * s.outWidth * s.channels;
  return withBuffers([x, dy, params], [outLength, inLength], ([px, pdy, pp], [py, pdx]) => {
    k.resizeForward(px, py, interpolation, coordinates, pp, ...args(s));
    k.resizeBackward(pdy, pdx, interpolation, coordinates, pp, ...args(s));
  }) as [Float32Array, Float32Array];
}

let k: Awaited<ReturnType<typeof kernels>>;

for (const method of methods()) {
  for (const byScales of [false, true]) {
    const kind = `${JSON.stringify(method)}${byScales ? ' by ONNX scales' : ''}`;
    test(`resize ${kind}: forward and backward match the reference`, async () => {
      k = await kernels();
      for (const s of shapes) {
        const m = byScales ? { ...method, scales: scalesOf(s) } : method;
        const x = rng.array(s.batch * s.inHeight * s.inWidth * s.channels), dy = rng.array(s.batch * s.outHeight * s.outWidth * s.channels);
        const [y, dx] = run(s, m, x, dy);
        assertClose(y, ref.resizeForward(x, s, m), 1e-4, `forward ${JSON.stringify(m)} ${JSON.stringify(s)}`);
        assertClose(dx, ref.resizeBackward(dy, s, m), 1e-4, `backward ${JSON.stringify(m)} ${JSON.stringify(s)}`);
      }
    });
  }
}

test('one row [0, 4, 8] resized to 5 in each mode: where the outputs sit between pixels', async () => {
  k = await kernels();
  const row = (coordinates: ResizeCoordinates, interpolation: 'nearest' | 'bilinear') =>
    run({ batch: 1, inHeight: 1, inWidth: 3, channels: 1, outHeight: 1, outWidth: 5 }, { interpolation, coordinates }, Float32Array.from([0, 4, 8]), new Float32Array(5))[0];
  // half_pixel: sources −0.2 (clamped), 0.4, 1, 1.6, 2.2 (clamped); align_corners: 0, 0.5, 1, 1.5, 2; asymmetric: 0, 0.6, 1.2, 1.8, 2.4.
  assertClose(row('half_pixel', 'bilinear'), [0, 1.6, 4, 6.4, 8], 1e-6, 'half_pixel');
  assertClose(row('align_corners', 'bilinear'), [0, 2, 4, 6, 8], 1e-6, 'align_corners');
  assertClose(row('asymmetric', 'bilinear'), [0, 2.4, 4.8, 7.2, 8], 1e-6, 'asymmetric');
  assert.equal(Array.from(row('asymmetric', 'nearest')), [0, 0, 4, 4, 8]);
  assert.equal(Array.from(row('half_pixel', 'nearest')), [0, 0, 4, 8, 8]);
});

test('bicubic by hand: Keys\' weights, the edge, exclusion and TensorFlow\'s table', async () => {
  k = await kernels();
  const x = Float32Array.from([1, 2, 4, 8, 16]), shape = { batch: 1, inHeight: 1, inWidth: 5, channels: 1, outHeight: 1, outWidth: 10 };
  const at = (m: Partial<ref.ResizeMethod>) => run(shape, { interpolation: 'bicubic', coordinates: 'half_pixel', ...m }, x, new Float32Array(10))[0];
  // Up by 2 with half-pixel centres: output 4 reads s = 4.5·0.5 − 0.5 = 1.75, pixels 0…3 at distances 1.75, 0.75, 0.25, 1.25.
  // a = −0.5: weights −0.0234375, 0.2265625, 0.8671875, −0.0703125 → 1·w0 + 2·w1 + 4·w2 + 8·w3 = 3.3359375.
  assertClose([at({})[4]], [3.3359375], 1e-6, 'inside, a = −0.5');
  // a = −0.75: weights −0.03515625, 0.26171875, 0.87890625, −0.10546875 → 3.16015625.
  assertClose([at({ cubicCoefficient: -0.75, cubicExcludeOutside: false, cubicTable: false })[4]], [3.16015625], 1e-6, 'inside, a = −0.75');
  // Output 0 reads s = −0.25: pixels −2…1 at the same distances, the same weights. Read from the edge (ONNX's default),
  // pixels −2 and −1 are pixel 0: (w0 + w1 + w2)·1 + w3·2 = 0.9296875.
  assertClose([at({ cubicExcludeOutside: false, cubicTable: false })[0]], [0.9296875], 1e-6, 'edge read again');
  // Left out (Keras's): pixels −2 and −1 weigh 0, the others are divided by their sum: (w2·1 + w3·2)/(w2 + w3) = 0.9117647….
  assertClose([at({ cubicTable: false })[0]], [0.7265625 / 0.796875], 1e-6, 'edge left out');
  // TensorFlow's table: [0, 10, 0] to 10 pixels; output 3 reads s = 3.5·0.3 − 0.5 = 0.5500001 in f32, whose fraction the
  // table rounds to 563/1024. Pixel −1 is beyond the edge, left out; pixels 0…2 at distances t, 1 − t, 2 − t.
  const wide = { batch: 1, inHeight: 1, inWidth: 3, channels: 1, outHeight: 1, outWidth: 10 }, row = Float32Array.from([0, 10, 0]);
  const tabled = run(wide, { interpolation: 'bicubic', coordinates: 'half_pixel' }, row, new Float32Array(10))[0][3];
  const exact = run(wide, { interpolation: 'bicubic', coordinates: 'half_pixel', cubicTable: false }, row, new Float32Array(10))[0][3];
  const t = 563 / 1024, [w1, w2, w3] = [t, 1 - t, 2 - t].map((d) => ref.keys(d, -0.5));
  assertClose([tabled], [10 * w2 / (w1 + w2 + w3)], 1e-6, 'table');
  assert.ok(Math.abs(tabled - exact) > 1e-4, `the table changes the output (${tabled} vs ${exact})`);
});

test.run();
