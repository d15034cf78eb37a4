// Up-sampling, resizing, global pooling and the transposed convolution with 2 threads give the same bits as
// with one: the batch-split kernel calls equal the plain kernel on the whole batch, and a graph of
// every shape layer (a small U-Net-like net, a Dense on each pixel too) trains to identical weights
// with 1 and 2 threads. Each
// thread count needs its own process (init fixes it), so this file runs itself as the child.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ResizeGeometry } from '../../src/backend/resampling-jobs.js';
import { RESIZE_COORDINATES, type ResizeCoordinates } from '../../src/backend/kernels.js';
import { MIN_PARALLEL_WORK } from '../../src/backend/worker-pool.js';
import { getBackend, init } from '../../src/backend/wasm.js';
import { input, layers, model, tensor } from '../../src/index.js';
import { assertSameBits, random, resizeKernelArgs, withBuffers } from '../helpers.js';
import type { ResizeMethod } from '../reference/resize.js';

const CHILD_THREADS = 'CONVAS_TEST_SHAPE_LAYERS_THREADS';

/** conv → pool → conv → transposed conv, joined with the skip, padded, convolved, cropped, up-sampled both ways, resized, pooled globally. */
async function trainUnet(threads: number): Promise<Float32Array[]> {
  await init({ threads });
  const rng = random(5);
  const n = 70, classes = 10;
  const labels = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) labels[i * classes + rng.int(0, classes - 1)] = 1;
  const x = input({ shape: [12, 12, 3] });
  const skip = layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(x);
  const pooled = layers.maxPool2d({ poolSize: 2 }).apply(skip);
  const deep = layers.conv2d({ filters: 16, kernelSize: 3, padding: 'same', activation: 'relu' }).apply(pooled);
  const up = layers.conv2dTranspose({ filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(deep);
  const repeated = layers.upSampling2d({ size: 2 }).apply(pooled);
  const joined = layers.concatenate().apply([up, skip, repeated]);
  const padded = layers.zeroPadding2d({ padding: 1 }).apply(joined);
  const convolved = layers.conv2d({ filters: 8, kernelSize: 3, activation: 'tanh' }).apply(padded);
  // A Dense on each pixel: its weight gradient sums over batch × pixels rows, split by the row count alone.
  const mixed = layers.dense({ units: 8, activation: 'relu' }).apply(convolved);
  const cropped = layers.cropping2d({ cropping: [[1, 2], [0, 1]] }).apply(mixed);
  const smooth = layers.upSampling2d({ size: [2, 3], interpolation: 'bilinear' }).apply(cropped);
  const resized = layers.resizing({ height: 13, width: 11, coordinates: 'align_corners' }).apply(smooth);
  const mean = layers.globalAveragePooling2d().apply(resized);
  const largest = layers.reshape({ targetShape: [-1] }).apply(layers.globalMaxPooling2d({ keepdims: true }).apply(smooth));
  const out = layers.dense({ units: classes, activation: 'softmax' }).apply(layers.concatenate().apply([mean, largest]));
  const net = model({ inputs: x, outputs: out, seed: 4 });
  net.compile({ optimizer: { type: 'momentum', learningRate: 0.05 }, loss: 'categoricalCrossentropy' });
  await net.fit(tensor(rng.array(n * 12 * 12 * 3), [n, 12, 12, 3]), tensor(labels, [n, classes]), { epochs: 2, batchSize: 32 });
  return net.getWeights().map((w) => w.dataSync());
}

if (process.env[CHILD_THREADS]) {
  const weights = await trainUnet(Number(process.env[CHILD_THREADS]));
  console.log(JSON.stringify({
    threads: getBackend().parallel.threads,
    weights: weights.map((w) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString('base64')),
  }));
} else {
  const rng = random(13);
  const { kernels, parallel } = await init({ threads: 2 });
  const oddBatch = () => rng.pick([5, 7, 9, 11, 13, 17]);

  /** Large enough that the worker takes part even in nearest up-sampling, whose work is one per output value. */
  function upSamplingGeometry(): ResizeGeometry {
    for (;;) {
      const inHeight = rng.int(14, 24), inWidth = rng.int(14, 24);
      const g = { batch: oddBatch(), inHeight, inWidth, channels: rng.pick([5, 8, 13]), outHeight: inHeight * rng.int(2, 3), outWidth: inWidth * rng.int(2, 3) };
      if (g.batch * g.outHeight * g.outWidth * g.channels >= MIN_PARALLEL_WORK) return g;
    }
  }

  // Bilinear up-sampling runs the resizing kernel (next test).
  test('nearest up-sampling, forward and backward: split over 2 threads equals the kernel on the whole batch', () => {
    for (let trial = 0; trial < 8; trial++) {
      const g = upSamplingGeometry();
      const inLength = g.batch * g.inHeight * g.inWidth * g.channels, outLength = g.batch * g.outHeight * g.outWidth * g.channels;
      const args = [g.batch, g.inHeight, g.inWidth, g.channels, g.outHeight / g.inHeight, g.outWidth / g.inWidth] as const;
      const x = rng.array(inLength), dy = rng.array(outLength);
      const whole = withBuffers([x, dy], [outLength, inLength], ([px, pdy], [py, pdx]) => {
        kernels.upSampling2dForward(px, py, ...args);
        kernels.upSampling2dBackward(pdy, pdx, ...args);
      });
      const split = withBuffers([x, dy], [outLength, inLength], ([px, pdy], [py, pdx]) => {
        parallel.resampling.upSampling2d('upSampling2dForward', px, py, g);
        parallel.resampling.upSampling2d('upSampling2dBackward', pdy, pdx, g);
      });
      assertSameBits(split[0], whole[0], `nearest ${JSON.stringify(g)} forward`);
      assertSameBits(split[1], whole[1], `nearest ${JSON.stringify(g)} backward`);
    }
  });

  test('resizing, nearest, bilinear and bicubic, every coordinate mode, by sizes and by scales, forward and backward: split over 2 threads equals the kernel on the whole batch', () => {
    for (const coordinates of Object.keys(RESIZE_COORDINATES) as ResizeCoordinates[]) {
      let g: ResizeGeometry;
      do {
        g = { batch: oddBatch(), inHeight: rng.int(9, 24), inWidth: rng.int(9, 24), channels: rng.pick([5, 8, 13]), outHeight: rng.int(5, 50), outWidth: rng.int(5, 50) };
      } while (g.batch * g.outHeight * g.outWidth * g.channels < MIN_PARALLEL_WORK); // so the worker takes part
      const inLength = g.batch * g.inHeight * g.inWidth * g.channels, outLength = g.batch * g.outHeight * g.outWidth * g.channels;
      const args = [g.batch, g.inHeight, g.inWidth, g.channels, g.outHeight, g.outWidth] as const;
      const x = rng.array(inLength), dy = rng.array(outLength);
      const scales: [number, number] = [(g.outHeight + 0.5) / g.inHeight, (g.outWidth + 0.5) / g.inWidth];
      const methods: ResizeMethod[] = [{ interpolation: 'nearest', coordinates }, { interpolation: 'bilinear', coordinates, scales },
        { interpolation: 'bicubic', coordinates }, { interpolation: 'bicubic', coordinates, scales, cubicCoefficient: -0.75, cubicExcludeOutside: false, cubicTable: false }];
      for (const method of methods) {
        const { interpolation, coordinates: mode, params } = resizeKernelArgs(method);
        const what = `${JSON.stringify(method)} ${JSON.stringify(g)}`;
        const whole = withBuffers([x, dy, params], [outLength, inLength], ([px, pdy, pp], [py, pdx]) => {
          kernels.resizeForward(px, py, interpolation, mode, pp, ...args);
          kernels.resizeBackward(pdy, pdx, interpolation, mode, pp, ...args);
        });
        const split = withBuffers([x, dy, params], [outLength, inLength], ([px, pdy, pp], [py, pdx]) => {
          parallel.resampling.resize('resizeForward', px, py, interpolation, mode, pp, g);
          parallel.resampling.resize('resizeBackward', pdy, pdx, interpolation, mode, pp, g);
        });
        assertSameBits(split[0], whole[0], `${what} forward`);
        assertSameBits(split[1], whole[1], `${what} backward`);
      }
    }
  });

  test('global average and max pooling, forward and backward: split over 2 threads equals the kernel on the whole batch', () => {
    for (let trial = 0; trial < 8; trial++) {
      let batch, positions, channels;
      do {
        [batch, positions, channels] = [oddBatch(), rng.int(16, 32) ** 2, rng.pick([9, 16, 33, 70])];
      } while (batch * positions * channels < MIN_PARALLEL_WORK); // so the worker takes part
      const x = rng.array(batch * positions * channels), dy = rng.array(batch * channels);
      const what = `[${batch}, ${positions}, ${channels}]`;
      const whole = withBuffers([x, dy], [batch * channels, x.length, batch * channels, batch * channels, x.length], ([px, pdy], [py, pdx, pm, pa, pmdx]) => {
        kernels.globalAvgPoolForward(px, py, batch, positions, channels);
        kernels.globalAvgPoolBackward(pdy, pdx, batch, positions, channels);
        kernels.globalMaxPoolForward(px, pm, pa, batch, positions, channels);
        kernels.globalMaxPoolBackward(pdy, pa, pmdx, batch, positions, channels);
      });
      const split = withBuffers([x, dy], [batch * channels, x.length, batch * channels, batch * channels, x.length], ([px, pdy], [py, pdx, pm, pa, pmdx]) => {
        parallel.pool.globalAvg('globalAvgPoolForward', px, py, batch, positions, channels);
        parallel.pool.globalAvg('globalAvgPoolBackward', pdy, pdx, batch, positions, channels);
        parallel.pool.globalMaxForward(px, pm, pa, batch, positions, channels);
        parallel.pool.globalMaxBackward(pdy, pa, pmdx, batch, positions, channels);
      });
      ['average forward', 'average backward', 'max forward', 'max argmax', 'max backward'].forEach((part, i) =>
        assertSameBits(split[i], whole[i], `${what} ${part}`));
    }
  });

  test('a U-Net-like graph of every shape layer trains to identical weights with 1 and 2 threads', () => {
    const weightsWith = (threads: number): string[] => {
      const run = spawnSync(process.execPath, [process.argv[1]], { encoding: 'utf8', env: { ...process.env, [CHILD_THREADS]: String(threads) } });
      assert.is(run.status, 0, `child with ${threads} threads failed: ${run.stderr}`);
      const child: { threads: number; weights: string[] } = JSON.parse(run.stdout);
      assert.is(child.threads, threads, `the child asked for ${threads} threads but its kernels ran on ${child.threads}`);
      return child.weights;
    };
    const one = weightsWith(1), two = weightsWith(2);
    assert.is(one.length, 12, 'three conv kernels and biases, the transposed conv kernel and bias, the two dense kernels and biases');
    one.forEach((w, i) => assert.ok(w === two[i], `weight ${i} differs between 1 and 2 threads`));
  });

  test.run();
}
