// The activation kernels beyond relu, tanh and sigmoid against their f64 definitions
// (tests/reference/elementwise.ts): lengths of every residue mod 4 so the tails run, inputs from
// 0 to far into both ends, ±∞ (each function's limit) and NaN.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Kernels } from '../../src/backend/kernels.js';
import { getBackend } from '../../src/backend/wasm.js';
import { kernels, random, withBuffers } from '../helpers.js';
import * as ref from '../reference/elementwise.js';

const rng = random(21);
const lengths = [1, 2, 3, 4, 5, 6, 7, 9, 17, 31, 64, 1023, ...Array.from({ length: 60 }, () => rng.int(1, 2000))];
const SPECIAL = [-Infinity, Infinity, NaN, -1e30, 1e30, -100, 100, 0, -0, 1e-30, -1e-30, 1e-7, -1e-7, 3, -3, 2.5, -2.5, 6];
const SELU = [1.7580993408473768, 1.0507009873554805];

/**
 * |actual − expected| ≤ 1e-4·|expected| + floor; equal infinities and NaNs agree. The floor stands
 * for f32 rounding where a result nears a zero of the function and digits cancel (2e-7 forward;
 * 1e-6·|dy| for gradients); the tails test below holds the small values to pure relative error.
 */
function assertRelative(actual: Float32Array, expected: ArrayLike<number>, floors: ArrayLike<number> | number, what: string) {
  assert.is(actual.length, expected.length, `${what}: length`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i], e = expected[i], floor = typeof floors === 'number' ? floors : floors[i];
    const ok = a === e || (Number.isNaN(a) && Number.isNaN(e)) || Math.abs(a - e) <= 1e-4 * Math.abs(e) + floor;
    if (!ok) assert.unreachable(`${what}: element ${i} is ${a}, expected ${e}`);
  }
}

interface Case {
  name: string;
  forward: keyof Kernels;
  backward: keyof Kernels;
  /** What backward reads besides dy. */
  reads: 'x' | 'y' | 'xy';
  parameters?: number[];
  expect: { forward(x: Float32Array): ArrayLike<number>; backward(x: Float32Array, y: Float32Array, dy: Float32Array): ArrayLike<number> };
}

function leakyCase(max: number, slope: number, threshold: number): Case {
  return {
    name: `leakyRelu max ${max} slope ${slope} threshold ${threshold}`, forward: 'leakyReluForward', backward: 'leakyReluBackward', reads: 'x',
    parameters: [max, slope, threshold],
    expect: {
      forward: (x) => ref.leakyReluForward(x, max, slope, threshold),
      backward: (x, _, dy) => ref.leakyReluBackward(x, dy, max, slope, threshold),
    },
  };
}

function clipCase(low: number, high: number): Case {
  return {
    name: `clip [${low}, ${high}]`, forward: 'clipForward', backward: 'clipBackward', reads: 'x', parameters: [low, high],
    expect: { forward: (x) => ref.clipForward(x, low, high), backward: (x, _, dy) => ref.clipBackward(x, dy, low, high) },
  };
}

function eluCase(scaleAlpha: number, scale: number): Case {
  return {
    name: `elu sα ${scaleAlpha} s ${scale}`, forward: 'eluForward', backward: 'eluBackward', reads: 'xy', parameters: [scaleAlpha, scale],
    expect: { forward: (x) => ref.eluForward(x, scaleAlpha, scale), backward: (x, _, dy) => ref.eluBackward(x, dy, scaleAlpha, scale) },
  };
}

const fromX = (forward: (x: Float32Array) => ArrayLike<number>, backward: (x: Float32Array, dy: Float32Array) => ArrayLike<number>) =>
  ({ forward, backward: (x: Float32Array, _: Float32Array, dy: Float32Array) => backward(x, dy) });
const fromY = (forward: (x: Float32Array) => ArrayLike<number>, backward: (y: Float32Array, dy: Float32Array) => ArrayLike<number>) =>
  ({ forward, backward: (_: Float32Array, y: Float32Array, dy: Float32Array) => backward(y, dy) });

const CASES: Case[] = [
  { name: 'relu6', forward: 'relu6Forward', backward: 'relu6Backward', reads: 'y', expect: fromY(ref.relu6Forward, ref.relu6Backward) },
  eluCase(1, 1), eluCase(0.3, 1), eluCase(-0.7, 1), eluCase(SELU[0], SELU[1]),
  { name: 'softplus', forward: 'softplusForward', backward: 'softplusBackward', reads: 'x', expect: fromX(ref.softplusForward, ref.softplusBackward) },
  { name: 'softsign', forward: 'softsignForward', backward: 'softsignBackward', reads: 'x', expect: fromX(ref.softsignForward, ref.softsignBackward) },
  { name: 'swish', forward: 'swishForward', backward: 'swishBackward', reads: 'x', expect: fromX(ref.swishForward, ref.swishBackward) },
  { name: 'gelu', forward: 'geluForward', backward: 'geluBackward', reads: 'x', expect: fromX(ref.geluForward, ref.geluBackward) },
  {
    name: 'hardSigmoid', forward: 'hardSigmoidForward', backward: 'hardSigmoidBackward', reads: 'y',
    expect: fromY(ref.hardSigmoidForward, ref.hardSigmoidBackward),
  },
  { name: 'hardSwish', forward: 'hardSwishForward', backward: 'hardSwishBackward', reads: 'x', expect: fromX(ref.hardSwishForward, ref.hardSwishBackward) },
  leakyCase(Infinity, 0.3, 0), leakyCase(Infinity, -0.5, 0), leakyCase(6, 0, 0.5), leakyCase(1, 0.1, 2), leakyCase(0, 0.2, 0),
  clipCase(-1, 1), clipCase(-3, 2.5), clipCase(-Infinity, -2.5), clipCase(3, Infinity), clipCase(2, -1),
];

type KernelFunction = (...args: number[]) => void;

/** Runs a case's forward and backward kernels on x and dy; its parameters, if any, in wasm memory. */
function run(k: Kernels, c: Case, x: Float32Array, dy: Float32Array) {
  const memory = getBackend().memory;
  const parameters = c.parameters ? memory.alloc(c.parameters.length * 4) : 0;
  if (c.parameters) memory.f32(parameters, c.parameters.length).set(c.parameters);
  try {
    const n = x.length, forward = k[c.forward] as KernelFunction, backward = k[c.backward] as KernelFunction;
    const [y] = withBuffers([x], [n], ([px], [py]) => forward(px, py, n, parameters));
    const inputs = c.reads === 'xy' ? [x, y, dy] : [c.reads === 'x' ? x : y, dy];
    const [dx] = withBuffers(inputs, [n], (pointers, [pdx]) => backward(...pointers, pdx, n, parameters));
    return { y, dx };
  } finally {
    if (parameters) memory.free(parameters);
  }
}

test('the f64 erfc of the reference agrees with known values', () => {
  const known: Array<[number, number]> = [[0.1, 0.8875370839817152], [0.5, 0.4795001221869535], [1, 0.15729920705028513],
    [2, 0.004677734981047265], [3, 2.2090496998585438e-5], [4.5, 1.9661604415428873e-10], [8, 1.1224297172982928e-29],
    [10, 2.088487583762545e-45], [-1, 1.842700792949715]];
  for (const [x, value] of known) assert.ok(Math.abs(ref.erfc(x) - value) <= 1e-13 * value, `erfc(${x}) = ${ref.erfc(x)}, expected ${value}`);
});

for (const c of CASES) {
  test(`${c.name} forward and backward match the reference on ${lengths.length} lengths, ±∞ and NaN included`, async () => {
    const k = await kernels();
    for (const n of lengths) {
      const x = rng.array(n, -12, 12), dy = rng.array(n, -2, 2);
      // A few values near 0, a few large ones and the specials, wherever they fall (a tail or not).
      for (let j = 0; j < Math.min(n, 8); j++) x[rng.int(0, n - 1)] = rng.pick([rng.next() * 1e-3, rng.next() * 200 - 100, ...SPECIAL]);
      const { y, dx } = run(k, c, x, dy);
      assertRelative(y, c.expect.forward(x), 2e-7, `${c.name} forward n=${n}`);
      assertRelative(dx, c.expect.backward(x, y, dy), dy.map((g) => 1e-6 * Math.abs(g)), `${c.name} backward n=${n}`);
    }
  });
}

test('far into the tails, where results are tiny, they are still right to 1e-4 relative (until f32 underflows)', async () => {
  const k = await kernels();
  const tails = ['softplus', 'softsign', 'swish', 'gelu'];
  for (const c of CASES.filter((c) => tails.includes(c.name))) {
    const x = Float32Array.from({ length: 4001 }, (_, i) => -40 + i * 0.01 + (i % 2 ? 30 : 0)); // [−40, 0) and [5, 40]
    const dy = new Float32Array(x.length).fill(1);
    const { y, dx } = run(k, c, x, dy);
    // Subnormal results keep a few bits only: compared to within a few of the smallest (1.4e-45).
    const normal = (v: number) => (Math.abs(v) >= 1.2e-38 ? 0 : 1e-43);
    const expectedY = c.expect.forward(x), expectedDx = c.expect.backward(x, y, dy);
    assertRelative(y, expectedY, Array.from(expectedY, normal), `${c.name} forward`);
    assertRelative(dx, expectedDx, Array.from(expectedDx, normal), `${c.name} backward`);
  }
});

test('preluForward and preluBackward match the reference: slopes per channel, per element, one for all', async () => {
  const k = await kernels();
  for (let trial = 0; trial < 60; trial++) {
    const alphaLength = rng.pick([1, 2, 3, 4, 5, 7, 8, 13, 16, rng.int(1, 70)]), rows = rng.int(1, 40);
    const n = alphaLength * rows;
    const x = rng.array(n, -3, 3), alpha = rng.array(alphaLength, -0.5, 1.5), dy = rng.array(n);
    if (n > 2) x[rng.int(0, n - 1)] = 0;
    const [y] = withBuffers([x, alpha], [n], ([px, pa], [py]) => k.preluForward(px, pa, py, n, alphaLength));
    assertRelative(y, ref.preluForward(x, alpha), 0, `prelu forward ${rows}×${alphaLength}`);
    const expected = ref.preluBackward(x, alpha, dy);
    const [dx, dAlpha] = withBuffers([x, alpha, dy], [n, alphaLength], ([px, pa, pdy], [pdx, pda]) =>
      k.preluBackward(px, pa, pdy, pdx, pda, n, alphaLength));
    assertRelative(dx, expected.dx, 0, `prelu dx ${rows}×${alphaLength}`);
    assertRelative(dAlpha, expected.dAlpha, 1e-5 * rows, `prelu dAlpha ${rows}×${alphaLength}`);
    // Either output alone, the other pointer 0.
    const [onlyDx] = withBuffers([x, alpha, dy], [n], ([px, pa, pdy], [pdx]) => k.preluBackward(px, pa, pdy, pdx, 0, n, alphaLength));
    const [onlyDAlpha] = withBuffers([x, alpha, dy], [alphaLength], ([px, pa, pdy], [pda]) => k.preluBackward(px, pa, pdy, 0, pda, n, alphaLength));
    assert.equal([...onlyDx], [...dx], 'dx without dAlpha');
    assert.equal([...onlyDAlpha], [...dAlpha], 'dAlpha without dx');
  }
});

test.run();
