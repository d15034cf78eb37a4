// Activations run as batch-parallel jobs: with 2 threads each slice's elements must come out exactly
// as the kernel gives them over the whole batch, for every elementwise kernel, forward and backward.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { random, withBuffers } from '../helpers.js';
import { init } from '../../src/backend/wasm.js';
import { ELEMENTWISE_KERNELS } from '../../src/backend/kernel-jobs.js';
import { MIN_PARALLEL_WORK } from '../../src/backend/worker-pool.js';

const rng = random(12);
const { kernels, parallel } = await init({ threads: 2 });

test('every elementwise kernel split over 2 threads equals the kernel on the whole batch, bit for bit', () => {
  for (const name of ELEMENTWISE_KERNELS) {
    for (const batch of [1, 5, 13, 33]) {
      // Large enough to reach the worker (past the pool's minimum work) from batch 5 on; odd sizes, so SIMD tails run.
      const exampleFloats = rng.int(Math.ceil(MIN_PARALLEL_WORK / 16), MIN_PARALLEL_WORK / 4) | 1;
      const n = batch * exampleFloats;
      const backward = name.endsWith('Backward');
      const inputs = backward ? [rng.array(n, -2, 2), rng.array(n, -1, 1)] : [rng.array(n, -3, 3)];
      const call = (run: (pointers: number[]) => void) => withBuffers(inputs, [n], (ins, [out]) => run([...ins, out]))[0];
      const kernel = kernels[name] as (...args: number[]) => void;
      const whole = call((p) => kernel(...p, n));
      const split = call((p) => parallel.elementwise(name, batch, exampleFloats, p[0], p[1], p[2]));
      assert.ok(whole.every(Number.isFinite), `${name}: finite outputs`);
      const differs = split.findIndex((v, i) => !Object.is(v, whole[i]));
      if (differs >= 0) assert.unreachable(`${name} batch ${batch}: element ${differs} is ${split[differs]}, the whole-batch kernel gives ${whole[differs]}`);
    }
  }
});

test.run();
