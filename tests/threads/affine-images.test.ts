// The affine image sampling split over 2 threads by example gives the kernel's bits on the whole
// batch, forward and backward, every fill mode and interpolation, each example with its own map.
import { test } from 'uvu';
import { MIN_PARALLEL_WORK } from '../../src/backend/worker-pool.js';
import { init } from '../../src/backend/wasm.js';
import { assertSameBits, random, withBuffers } from '../helpers.js';

const rng = random(29);
const { kernels, parallel } = await init({ threads: 2 });

test('affineTransformImages and its backward: split over 2 threads equals the kernel on the whole batch', () => {
  for (let trial = 0; trial < 8; trial++) {
    let g, batch;
    do {
      batch = rng.pick([5, 7, 9, 11, 13]);
      g = { height: rng.int(12, 40), width: rng.int(12, 40), channels: rng.pick([5, 8, 13, 16]), outHeight: rng.int(24, 40), outWidth: rng.int(24, 40),
        fillMode: trial % 4, interpolation: (trial >> 2) % 2 };
    } while ((g.interpolation ? 4 : 1) * batch * g.outHeight * g.outWidth * g.channels < MIN_PARALLEL_WORK); // so the worker takes part
    const inLength = batch * g.height * g.width * g.channels, outLength = batch * g.outHeight * g.outWidth * g.channels;
    const transforms = new Float32Array(Array.from({ length: batch * 6 }, (_, i) => (i % 3 === 2 ? (rng.next() - 0.5) * 10 : (rng.next() - 0.5) * 3)));
    const x = rng.array(inLength), dy = rng.array(outLength), fill = Float32Array.of(0.25);
    const args = [batch, g.height, g.width, g.channels, g.outHeight, g.outWidth, g.fillMode, g.interpolation] as const;
    const whole = withBuffers([x, dy, transforms, fill], [outLength, inLength], ([px, pdy, pt, pf], [py, pdx]) => {
      kernels.affineTransformImages(px, py, pt, ...args, pf);
      kernels.affineTransformImagesBackward(pdy, pdx, pt, ...args);
    });
    const split = withBuffers([x, dy, transforms, fill], [outLength, inLength], ([px, pdy, pt, pf], [py, pdx]) => {
      parallel.resampling.affineTransformImages('affineTransformImages', px, py, pt, batch, g, pf);
      parallel.resampling.affineTransformImages('affineTransformImagesBackward', pdy, pdx, pt, batch, g);
    });
    assertSameBits(split[0], whole[0], `forward ${batch} ${JSON.stringify(g)}`);
    assertSameBits(split[1], whole[1], `backward ${batch} ${JSON.stringify(g)}`);
  }
});

test.run();
