// Activations run as batch-parallel jobs: with 2 threads each slice's elements must come out exactly
// as the kernel gives them over the whole batch, for every elementwise kernel, forward and backward.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { random, withBuffers } from '../helpers.js';
import { init } from '../../src/backend/wasm.js';
import { ELEMENTWISE_KERNELS, type ElementwiseKernel } from '../../src/backend/kernel-jobs.js';
import { MIN_PARALLEL_WORK } from '../../src/backend/worker-pool.js';

const rng = random(12);
const { kernels, parallel, memory } = await init({ threads: 2 });

/** The kernels that take parameters after the length, with values for them. */
const PARAMETERS: Partial<Record<ElementwiseKernel, number[]>> = {
  eluForward: [0.7, 1.1], eluBackward: [0.7, 1.1], leakyReluForward: [2, 0.2, 0.1], leakyReluBackward: [2, 0.2, 0.1],
  clipForward: [-1.5, 2], clipBackward: [-1.5, 2],
};

test('every elementwise kernel split over 2 threads equals the kernel on the whole batch, bit for bit', () => {
  for (const name of ELEMENTWISE_KERNELS) {
    const kernel = kernels[name] as (...args: number[]) => void;
    const values = PARAMETERS[name];
    const parameters = values ? memory.alloc(values.length * 4) : 0;
    if (values) memory.f32(parameters, values.length).set(values);
    // The arrays a kernel takes (a wasm function's length is its arity): its inputs, then its output.
    const arrays = kernel.length - 1 - (values ? 1 : 0);
    for (const batch of [1, 5, 13, 33]) {
      // Large enough to reach the worker (past the pool's minimum work) from batch 5 on; odd sizes, so SIMD tails run.
      const exampleFloats = rng.int(Math.ceil(MIN_PARALLEL_WORK / 16), MIN_PARALLEL_WORK / 4) | 1;
      const n = batch * exampleFloats;
      const inputs = Array.from({ length: arrays - 1 }, () => rng.array(n, -3, 3));
      const call = (run: (pointers: number[]) => void) => withBuffers(inputs, [n], (ins, [out]) => run([...ins, out]))[0];
      const whole = call((p) => kernel(...p, n, parameters));
      const split = call((p) => parallel.elementwise.map(name, batch, exampleFloats, parameters, p[0], p[1], p[2], p[3]));
      assert.ok(whole.every(Number.isFinite), `${name}: finite outputs`);
      const differs = split.findIndex((v, i) => !Object.is(v, whole[i]));
      if (differs >= 0) assert.unreachable(`${name} batch ${batch}: element ${differs} is ${split[differs]}, the whole-batch kernel gives ${whole[differs]}`);
    }
    if (parameters) memory.free(parameters);
  }
});

test.run();
