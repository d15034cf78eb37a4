// The SIMD ceiling as a peer of its own, so its measurements interleave with the layer timings.
import { readFileSync } from 'node:fs';
import { serve, timeBox } from './child.mjs';
import { CEILING_KERNELS, ceilingFile, ceilingFlops } from './ceiling.mjs';

const dir = process.argv[2] ?? new URL('./.build/', import.meta.url).pathname;
const kernels = await Promise.all(CEILING_KERNELS.map(async (kernel) => {
  const { instance } = await WebAssembly.instantiate(readFileSync(`${dir}/${ceilingFile(kernel)}`), {});
  return { ...kernel, run: instance.exports.run };
}));
const ITERATIONS = 1 << 20;

serve({
  /** Every kernel for an equal share of `seconds`: { name → FLOP per second of CPU time }. */
  ceiling: async ({ seconds }) => {
    const rates = {};
    for (const kernel of kernels) {
      const r = await timeBox(seconds / kernels.length, () => kernel.run(ITERATIONS, kernel.m, kernel.a));
      rates[kernel.name] = (r.units * ceilingFlops(kernel, ITERATIONS)) / r.cpuSeconds;
    }
    return rates;
  },
});
