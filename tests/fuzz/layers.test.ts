// Seeded fuzz of layer stacks: random conv (plain, dilated, depthwise, separable)/pool/dense/flatten/activation stacks, input shapes and
// batch sizes run forward and backward in wasm and in the naive reference (tests/reference/stack.ts);
// outputs, the input gradient and every weight gradient must agree. Settings that cannot work are
// drawn on purpose too: they must be refused with a ConvasError while the model is built, before any
// kernel runs. FUZZ_SECONDS (default 20) bounds the run, FUZZ_SEED picks the stream.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { ConvasError, type LayerConfig, layerFromConfig, sequential, tensor } from '../../src/index.js';
import type { Shape } from '../../src/shape.js';
import { kernels, random } from '../helpers.js';
import { type StackLayer, layerForward, stackBackward, stackForward } from '../reference/stack.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
const SEED = Number(process.env.FUZZ_SEED ?? 20240611);

/**
 * Outputs and gradients of one layer, with the layer fed the wasm's own input, differ from f64 only
 * by f32 rounding in sums of at most a few hundred terms: 1e-4 of the array's largest value. The
 * whole stack run freely in the reference compounds that rounding through every layer: 1e-3.
 * Values drawn are of order 1, so an array whose largest value is below SCALE_FLOOR is rounding
 * noise around zero (a softmax over one class has zero gradient): it is compared at that scale.
 */
const LAYER_TOLERANCE = 1e-4;
const STACK_TOLERANCE = 1e-3;
const SCALE_FLOOR = 1e-2;

type Rng = ReturnType<typeof random>;

interface FuzzCase {
  inputShape: number[];
  batch: number;
  layers: LayerConfig[];
  /** Set when a setting was made impossible on purpose: building must fail. */
  impossible?: string;
}

const ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'] as const;

function drawPadding(rng: Rng): unknown {
  switch (rng.int(0, 4)) {
    case 0: return 'valid';
    case 1: return 'same';
    case 2: return 'full';
    case 3: return rng.int(0, 2);
    default: return [rng.int(0, 2), rng.int(0, 2), rng.int(0, 2), rng.int(0, 2)];
  }
}

const size = (rng: Rng, max: number) => (rng.next() < 0.5 ? rng.int(1, max) : [rng.int(1, max), rng.int(1, max)]);

/** Strides, or (a third of the time) a dilation with strides 1: Keras takes one or the other above 1. */
const stridesOrDilation = (rng: Rng) => (rng.next() < 0.67 ? { strides: size(rng, 3) } : { dilationRate: size(rng, 3) });

function drawLayer(rng: Rng, rank: number): LayerConfig {
  if (rank !== 3) {
    return rng.next() < 0.7
      ? { className: 'Dense', units: rng.int(1, 12), activation: rng.pick(ACTIVATIONS), useBias: rng.next() < 0.8 }
      : { className: 'Activation', activation: rng.pick(ACTIVATIONS) };
  }
  const r = rng.next();
  if (r < 0.4) {
    const conv: LayerConfig = { className: 'Conv2D', filters: rng.int(1, 12), kernelSize: size(rng, 5), ...stridesOrDilation(rng),
      padding: drawPadding(rng), activation: rng.pick(ACTIVATIONS), useBias: rng.next() < 0.8 };
    const kind = rng.next();
    if (kind < 0.25) return { ...conv, className: 'DepthwiseConv2D', filters: undefined, depthMultiplier: rng.int(1, 3) };
    if (kind < 0.4) return { ...conv, className: 'SeparableConv2D', depthMultiplier: rng.int(1, 3) };
    return conv;
  }
  if (r < 0.65) {
    return { className: rng.pick(['MaxPooling2D', 'AveragePooling2D', 'SumPooling2D']), poolSize: size(rng, 3),
      strides: size(rng, 3), padding: rng.pick(['valid', 'same']) };
  }
  if (r < 0.8) return { className: 'Activation', activation: rng.pick(ACTIVATIONS) };
  return { className: 'Flatten' };
}

/** Settings that cannot work for an input of `shape`, each with what is wrong. */
function impossibleLayers(shape: Shape): Array<[string, LayerConfig]> {
  const conv = { className: 'Conv2D', filters: 2, kernelSize: 1 };
  const pool = { className: 'MaxPooling2D', poolSize: 1 };
  const spatial: Array<[string, LayerConfig]> = shape.length === 3 ? [
    ['kernel larger than the padded input', { ...conv, kernelSize: [shape[0] + 3, 1], padding: 1 }],
    ['kernel larger than the input', { ...conv, kernelSize: shape[1] + 1 }],
    ['pool larger than the input', { ...pool, poolSize: [1, shape[1] + 1] }],
    ['dense on a rank-3 input', { className: 'Dense', units: 3 }],
  ] : [['conv2d on a flat input', conv], ['pooling on a flat input', pool]];
  return [...spatial,
    ['strides 0', { ...conv, strides: 0 }],
    ['negative strides', { ...pool, strides: [1, -1] }],
    ['negative padding', { ...conv, padding: -1 }],
    ['a negative side in explicit padding', { ...conv, padding: [0, 0, -2, 0] }],
    ['explicit padding of three sides', { ...conv, padding: [1, 1, 1] }],
    ['fractional padding', { ...conv, padding: 0.5 }],
    ['infinite padding', { ...conv, padding: Infinity }],
    ["'full' padding on a pool", { ...pool, padding: 'full' }],
    ['0 filters', { ...conv, filters: 0 }],
    ['dilation with strides 2', { ...conv, strides: 2, dilationRate: 2 }],
    ['dilation 0', { ...conv, dilationRate: [1, 0] }],
    ['fractional dilation', { className: 'DepthwiseConv2D', kernelSize: 1, dilationRate: 1.5 }],
    ['a dilated kernel larger than the padded input', { ...conv, kernelSize: 2, dilationRate: 40, padding: 1 }],
    ['depthMultiplier 0', { className: 'DepthwiseConv2D', kernelSize: 1, depthMultiplier: 0 }],
    ['fractional depthMultiplier', { className: 'SeparableConv2D', filters: 2, kernelSize: 1, depthMultiplier: 1.5 }],
    ['0 filters in a separable convolution', { className: 'SeparableConv2D', filters: 0, kernelSize: 1 }],
    ['more weights than memory holds', { ...conv, kernelSize: 1, filters: 2 ** 31 }],
    ['a larger output than memory holds', { ...conv, padding: 2 ** 16, filters: 2 ** 4 }],
    ['fractional kernelSize', { ...conv, kernelSize: 2.5 }],
    ['NaN kernelSize', { ...conv, kernelSize: NaN }],
    ['0 units', { className: 'Dense', units: 0 }],
    ['an unknown activation', { className: 'Activation', activation: 'swish' }],
    ['an unknown layer', { className: 'Conv3D' }],
  ];
}

/** The per-example output shape of `config` on `shape`, or undefined when the library refuses it. */
function outputShapeOf(config: LayerConfig, shape: Shape): Shape | undefined {
  try {
    return layerFromConfig(config).describe([shape]).outputShape;
  } catch {
    return undefined;
  }
}

function drawCase(rng: Rng): FuzzCase {
  const inputShape = rng.next() < 0.9 ? [rng.int(1, 14), rng.int(1, 14), rng.int(1, 5)] : [rng.int(1, 40)];
  const layers: LayerConfig[] = [];
  let shape: Shape | undefined = inputShape;
  const count = rng.int(1, 5);
  for (let i = 0; i < count && shape; i++) {
    const config = drawLayer(rng, shape.length);
    layers.push(config);
    shape = outputShapeOf(config, shape);
  }
  const fuzzCase: FuzzCase = { inputShape, batch: rng.int(1, 6), layers };
  if (shape && rng.next() < 0.2) {
    const [what, config] = rng.pick(impossibleLayers(shape));
    layers.push(config);
    fuzzCase.impossible = what;
  }
  return fuzzCase;
}

/** Where |actual − expected| > tolerance·(largest |expected|), or undefined when they agree. */
function mismatch(actual: Float32Array, expected: Float32Array, tolerance: number, what: string): string | undefined {
  if (actual.length !== expected.length) return `${what}: ${actual.length} values, expected ${expected.length}`;
  const scale = expected.reduce((m, v) => Math.max(m, Math.abs(v)), SCALE_FLOOR);
  for (let i = 0; i < expected.length; i++) {
    if (!(Math.abs(actual[i] - expected[i]) <= tolerance * scale)) {
      return `${what} differs at index ${i}: wasm ${actual[i]}, reference ${expected[i]} (largest |value| ${scale})`;
    }
  }
  return undefined;
}

/** What each layer saw and gave, forward then backward, in wasm: the layers driven directly. */
function runWasm(model: ReturnType<typeof sequential>, x: Float32Array, dy: Float32Array, batch: number) {
  const memory = getBackend().memory;
  const copyIn = (values: Float32Array) => {
    const ptr = memory.alloc(values.length * 4);
    memory.f32(ptr, values.length).set(values);
    return ptr;
  };
  const xPtr = copyIn(x), dyPtr = copyIn(dy);
  try {
    const inputs: Float32Array[] = [], outputs: Float32Array[] = [];
    let current = xPtr;
    for (const layer of model.layers) {
      layer.plan(batch);
      inputs.push(memory.f32(current, batch * layer.inputSize).slice());
      current = layer.forward([current], batch, true);
      outputs.push(memory.f32(current, batch * layer.outputSize).slice());
    }
    let gradient = dyPtr;
    for (let i = model.layers.length - 1; i >= 0; i--) [gradient] = model.layers[i].backward(gradient, batch, true);
    return {
      inputs, outputs, dx: memory.f32(gradient, x.length).slice(),
      grads: model.layers.map((l) => l.params.map((p) => memory.f32(p.grad, p.size).slice())),
    };
  } finally {
    memory.free(xPtr);
    memory.free(dyPtr);
  }
}

type Outcome = { kind: 'refused'; error: ConvasError } | { kind: 'matched' } | { kind: 'mismatch'; detail: string };

/** Builds and runs one case; anything but a ConvasError or an agreement is thrown or reported. */
function runCase(c: FuzzCase, seed: number): Outcome {
  let model;
  try {
    model = sequential({ inputShape: c.inputShape, layers: c.layers, seed });
  } catch (error) {
    if (error instanceof ConvasError) return { kind: 'refused', error };
    throw error;
  }
  try {
    const rng = random(seed);
    const inputSize = c.inputShape.reduce((a, b) => a * b, 1);
    const x = rng.array(c.batch * inputSize, -2, 2);
    const dy = rng.array(c.batch * model.layers[model.layers.length - 1].outputSize);
    const wasm = runWasm(model, x, dy, c.batch);
    const stack: StackLayer[] = model.layers.map((l) => ({ config: l.getConfig(), inputShape: [...l.inputShape],
      weights: l.params.map((p) => getBackend().memory.f32(p.value, p.size).slice()) }));
    const problems: Array<string | undefined> = stack.map((layer, i) =>
      mismatch(wasm.outputs[i], layerForward(layer, wasm.inputs[i], c.batch), LAYER_TOLERANCE, `layer ${i + 1} (${layer.config.className}) output`));
    problems.push(mismatch(wasm.outputs[stack.length - 1], stackForward(stack, x, c.batch)[stack.length - 1], STACK_TOLERANCE, 'stack output'));
    const reference = stackBackward(stack, wasm.inputs, wasm.outputs, dy, c.batch);
    problems.push(mismatch(wasm.dx, reference.dx, LAYER_TOLERANCE, 'input gradient'));
    reference.grads.forEach((grads, i) => grads.forEach((g, j) =>
      problems.push(mismatch(wasm.grads[i][j], g, LAYER_TOLERANCE, `${model.layers[i].params[j].name} gradient`))));
    const predicted = model.predict(tensor(x, [c.batch, ...c.inputShape])).dataSync();
    problems.push(mismatch(predicted, wasm.outputs[stack.length - 1], 0, 'predict'));
    const detail = problems.find((p) => p !== undefined);
    return detail ? { kind: 'mismatch', detail } : { kind: 'matched' };
  } finally {
    model.dispose();
  }
}

/** Smaller variants of a case: a layer dropped, a smaller batch, input or layer size. */
function* smaller(c: FuzzCase): Generator<FuzzCase> {
  for (let i = 0; i < c.layers.length; i++) yield { ...c, layers: c.layers.filter((_, j) => j !== i) };
  if (c.batch > 1) yield { ...c, batch: c.batch - 1 };
  for (let d = 0; d < c.inputShape.length; d++) {
    if (c.inputShape[d] > 1) yield { ...c, inputShape: c.inputShape.map((v, k) => (k === d ? v - 1 : v)) };
  }
  for (let i = 0; i < c.layers.length; i++) {
    for (const key of ['filters', 'units'] as const) {
      const value = c.layers[i][key] as number | undefined;
      if (value && value > 1) yield { ...c, layers: c.layers.map((l, j) => (j === i ? { ...l, [key]: value - 1 } : l)) };
    }
  }
}

/** Shrinks a mismatching case while the mismatch persists. */
function shrink(c: FuzzCase, seed: number): { fuzzCase: FuzzCase; detail: string } {
  let best = c;
  let detail = (runCase(c, seed) as { detail: string }).detail;
  for (let improved = true; improved;) {
    improved = false;
    for (const candidate of smaller(best)) {
      if (candidate.layers.length === 0) continue;
      const outcome = runCase(candidate, seed);
      if (outcome.kind === 'mismatch') {
        best = candidate;
        detail = outcome.detail;
        improved = true;
        break;
      }
    }
  }
  return { fuzzCase: best, detail };
}

test(`random layer stacks agree with the reference, impossible ones are refused (seed ${SEED}, ${SECONDS} s)`, async () => {
  await kernels();
  console.log(`layer fuzz: seed ${SEED} (set FUZZ_SEED to replay), ${SECONDS} s (FUZZ_SECONDS)`);
  const rng = random(SEED);
  const counts = { matched: 0, refused: 0, impossible: 0 };
  const deadline = performance.now() + SECONDS * 1000;
  while (performance.now() < deadline) {
    const caseSeed = rng.seed();
    const c = drawCase(rng);
    let outcome: Outcome;
    try {
      outcome = runCase(c, caseSeed);
    } catch (error) {
      assert.unreachable(`seed ${SEED}, case ${JSON.stringify(c)} (model seed ${caseSeed}) threw ${(error as Error)?.name}, ` +
        `not a ConvasError: ${(error as Error)?.message}`);
      return;
    }
    if (c.impossible) {
      assert.is(outcome.kind, 'refused', `seed ${SEED}: ${c.impossible} was not refused: ${JSON.stringify(c)}`);
      counts.impossible++;
    } else if (outcome.kind === 'mismatch') {
      const { fuzzCase, detail } = shrink(c, caseSeed);
      assert.unreachable(`seed ${SEED}: wasm and reference disagree; smallest case ${JSON.stringify(fuzzCase)} ` +
        `(model seed ${caseSeed}): ${detail}`);
    } else {
      counts[outcome.kind]++;
    }
  }
  console.log(`layer fuzz: ${counts.matched + counts.refused + counts.impossible} cases: ${counts.matched} matched the reference, ` +
    `${counts.refused} drawn settings refused, ${counts.impossible} impossible settings refused`);
  // The run is bounded by time, not cases (~14000 match in 20 s here): the floor is only a sanity
  // check that fuzzing happened at all, which a machine many times slower still clears.
  assert.ok(counts.matched >= 5, `only ${counts.matched} stacks ran; the fuzz proves little`);
});

test.run();
