// The SIMD ceiling: how many f32x4 multiplies and adds one core retires per second in wasm, on this
// machine, now: the same mul/add pair the convas kernels use (no fused multiply-add in Node 20).
// Each kernel keeps K independent dependency chains in registers, so it is bound by throughput,
// not latency. Two shapes, several K (too few chains wait on latency, too many spill registers):
//   chain K: acc = acc·m + a             (K chains of mul→add)
//   split K: p = p·m and s = s + a        (K mul chains beside K add chains)
// Both do K multiplies and K adds of 4 lanes per step: 8·K FLOPs. The runner takes each kernel's
// median over the repetitions, and the best kernel's median is the ceiling.
export const CEILING_KERNELS = [
  ...[8, 10, 12].map((k) => ({ name: `chain ${k}`, shape: 'chain', chains: k, m: 0.5, a: 1 })),
  ...[4, 5, 6].map((k) => ({ name: `split ${k}`, shape: 'split', chains: k, m: 1, a: 0 })),
];

export function ceilingSource({ shape, chains }) {
  const ids = Array.from({ length: chains }, (_, i) => i);
  const lines = (f) => ids.map(f).join('\n');
  const init = shape === 'chain'
    ? lines((i) => `  let p${i} = f32x4.splat(<f32>${i + 1});`)
    : lines((i) => `  let p${i} = f32x4.splat(<f32>${i + 1});\n  let s${i} = f32x4.splat(<f32>${i + 2});`);
  const step = shape === 'chain'
    ? lines((i) => `    p${i} = f32x4.add(f32x4.mul(p${i}, vm), va);`)
    : lines((i) => `    p${i} = f32x4.mul(p${i}, vm);\n    s${i} = f32x4.add(s${i}, va);`);
  const sum = lines((i) => `  sum = f32x4.add(sum, p${i});${shape === 'split' ? ` sum = f32x4.add(sum, s${i});` : ''}`);
  return `
export function run(iterations: i32, m: f32, a: f32): f32 {
  const vm = f32x4.splat(m);
  const va = f32x4.splat(a);
${init}
  for (let i = 0; i < iterations; i++) {
${step}
  }
  let sum = f32x4.splat(0);
${sum}
  return f32x4.extract_lane(sum, 0);
}
`;
}

/** Compiles every ceiling kernel with asc in-process; returns [{ ...kernel, binary }]. */
export async function compileCeilingKernels() {
  const { default: asc } = await import('assemblyscript/asc'); // only the build needs the compiler
  const out = [];
  for (const kernel of CEILING_KERNELS) {
    const { error, stderr, binary } = await asc.compileString(ceilingSource(kernel), {
      optimizeLevel: 3, shrinkLevel: 0, runtime: 'stub', noAssert: true, enable: ['simd'], use: ['abort='],
    });
    if (error) throw new Error(`ceiling kernel ${kernel.name} failed to compile: ${stderr.toString()}`);
    out.push({ ...kernel, binary });
  }
  return out;
}

export const ceilingFile = ({ shape, chains }) => `ceiling-${shape}-${chains}.wasm`;

/** FLOPs of one call of a kernel for `iterations` steps. */
export const ceilingFlops = ({ chains }, iterations) => 8 * chains * iterations;
