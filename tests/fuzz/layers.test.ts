// Seeded fuzz of layer stacks and of graph models. Stacks: random stacks of conv (plain, dilated,
// depthwise, separable), transposed conv, pooling, global pooling, up-sampling, padding, cropping,
// reshape, batch and layer normalisation, dense, flatten and activation layers, input shapes and batch sizes
// run forward and backward in wasm and in the naive reference (tests/reference/stack.ts); outputs,
// the input gradient and every weight gradient must agree, with room for f32 rounding where a value
// is ill-conditioned (tests/rounding.ts). Graphs: random graph models
// (tests/graphs.ts: fan-out, merges, concatenations, nested and frozen models, several inputs)
// against the whole-graph reference (tests/reference/graph.ts). Settings and graphs that cannot work
// are drawn on purpose too: they must be refused with a ConvasError while the model is built, before
// any kernel runs. A failing case is shrunk to a smallest one and printed. FUZZ_SECONDS (default 20,
// half for stacks and half for graphs) bounds the run, FUZZ_SEED picks the stream.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { ConvasError, type LayerConfig, layerFromConfig, sequential, tensor } from '../../src/index.js';
import { type Shape, sizeOf } from '../../src/shape.js';
import { type GraphCase, compareGraph, describeCase, shrinkGraphCase } from '../graph-check.js';
import { type DrawOptions, drawGraph, spoilGraph } from '../graphs.js';
import { SCALE_FLOOR, gradientOf, kernels, mismatch, random, randomPadding } from '../helpers.js';
import { type Nudge, agreesWith, largest, nudger } from '../rounding.js';
import { type StackLayer, layerBackward, layerForward, layerOutputShape, stackBackward, stackForward } from '../reference/stack.js';

const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
/** Each test fuzzes for half the time. */
const HALF = SECONDS / 2;
const SEED = Number(process.env.FUZZ_SEED ?? 20240611);

/**
 * Outputs and gradients of one layer, with the layer fed the wasm's own input, differ from f64 only
 * by f32 rounding in sums of at most a few hundred terms: 1e-4 of the array's largest value (see
 * mismatch()). The whole stack run freely in the reference compounds that rounding through every
 * layer: 1e-3.
 */
const LAYER_TOLERANCE = 1e-4;
const STACK_TOLERANCE = 1e-3;
/**
 * A whole graph run freely in the reference: 1e-4, as tests/model/graph-reference.test.ts, on larger
 * graphs (images up to 12 on a side, models three deep, products of products). Where large terms
 * cancel in f32 sums, or a saturated sigmoid's y(1 − y) is a few roundings of y, the room comes from
 * the nudged reference (tests/graph-check.ts), which moves every node's output and gradient.
 */
const GRAPH_TOLERANCE = 1e-4;
const GRAPH_OPTIONS: DrawOptions = { maxSide: 12, maxValues: 400, maxDepth: 3 };

type Rng = ReturnType<typeof random>;

interface FuzzCase {
  inputShape: number[];
  batch: number;
  layers: LayerConfig[];
  /** Set when a setting was made impossible on purpose: building must fail. */
  impossible?: string;
}

const ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax', 'logSoftmax',
  'relu6', 'elu', 'selu', 'softplus', 'softsign', 'swish', 'gelu', 'hardSigmoid', 'hardSwish'] as const;

/**
 * A Keras activation layer with options, on an example of `rank` axes. ReLU's threshold stays 0:
 * there the function jumps, and the reference run freely through the stack may land on the other
 * side of it (the kernel tests and gradient checks cover the threshold).
 */
function drawActivationLayer(rng: Rng, rank: number): LayerConfig {
  switch (rng.int(0, 4)) {
    case 0: return { className: 'ReLU', maxValue: rng.pick([null, 6, 0.5 + rng.next()]), negativeSlope: rng.pick([0, rng.next() * 0.5]), threshold: 0 };
    case 1: return { className: 'LeakyReLU', alpha: rng.next() - 0.5 };
    case 2: return { className: 'ELU', alpha: rng.next() * 2 - 0.5 };
    case 3: return { className: 'Softmax', axis: rng.pick([-1, rank]) };
    default: return { className: 'PReLU', sharedAxes: rng.pick([null, [1], Array.from({ length: rank }, (_, i) => i + 1).slice(0, rng.int(1, rank))]) };
  }
}

/** The largest example a drawn layer may output. */
const MAX_EXAMPLE_VALUES = 6000;

const size = (rng: Rng, max: number) => (rng.next() < 0.5 ? rng.int(1, max) : [rng.int(1, max), rng.int(1, max)]);

/** Batch normalisation over the channels, its axis given either way, γ or β sometimes left out. */
const drawBatchNorm = (rng: Rng, rank: number): LayerConfig => ({
  className: 'BatchNormalization', axis: rng.pick([-1, rank]), epsilon: rng.pick([1e-3, 1e-2, 0.1]), momentum: rng.pick([0.99, 0.5, 0]),
  center: rng.next() < 0.8, scale: rng.next() < 0.8,
});

/**
 * Layer normalisation over the last axis, given as -1, as its index or as [index]; γ or β sometimes
 * left out; ε down to PyTorch's 1e-5, where with two channels dx is 1e-5·σ⁻² of the terms that make it.
 */
const drawLayerNorm = (rng: Rng, rank: number): LayerConfig => ({
  className: 'LayerNormalization', axis: rng.pick([-1, rank, [rank]]), epsilon: rng.pick([1e-5, 1e-3, 1e-2, 0.1]),
  center: rng.next() < 0.8, scale: rng.next() < 0.8,
});

/** Zeros added or rows removed at the borders, in one of the three forms Keras takes. */
function drawBorders(rng: Rng): unknown {
  switch (rng.int(0, 2)) {
    case 0: return rng.int(0, 2);
    case 1: return [rng.int(0, 2), rng.int(0, 2)];
    default: return [[rng.int(0, 2), rng.int(0, 2)], [rng.int(0, 2), rng.int(0, 2)]];
  }
}

/** Strides, or (a third of the time) a dilation with strides 1: Keras takes one or the other above 1. */
const stridesOrDilation = (rng: Rng) => (rng.next() < 0.67 ? { strides: size(rng, 3) } : { dilationRate: size(rng, 3) });

/** Group normalisation: groups 1, one per channel (-1 or the count) or a divisor of the channels between; γ or β sometimes left out. */
function drawGroupNorm(rng: Rng, shape: Shape): LayerConfig {
  const channels = shape[shape.length - 1], divisors = Array.from({ length: channels }, (_, i) => i + 1).filter((g) => channels % g === 0);
  return { className: 'GroupNormalization', groups: rng.pick([1, -1, channels, rng.pick(divisors)]), epsilon: rng.pick([1e-3, 1e-2, 0.1]),
    center: rng.next() < 0.8, scale: rng.next() < 0.8 };
}

function drawLayer(rng: Rng, shape: Shape): LayerConfig {
  if (rng.next() < 0.12) return drawBatchNorm(rng, shape.length);
  if (rng.next() < 0.08) return drawLayerNorm(rng, shape.length);
  if (rng.next() < 0.05) return drawGroupNorm(rng, shape);
  if (shape.length !== 3) {
    const r = rng.next();
    if (r < 0.55) return { className: 'Dense', units: rng.int(1, 12), activation: rng.pick(ACTIVATIONS), useBias: rng.next() < 0.8 };
    if (r < 0.7) return { className: 'Activation', activation: rng.pick(ACTIVATIONS) };
    if (r < 0.85) return drawActivationLayer(rng, shape.length);
    // Back to an image, so image layers follow a flat one.
    return { className: 'Reshape', targetShape: rng.pick([[1, 1, -1], [-1, 1, 1], [1, -1, 1]]) };
  }
  const r = rng.next();
  if (r < 0.3) {
    const conv: LayerConfig = { className: 'Conv2D', filters: rng.int(1, 12), kernelSize: size(rng, 5), ...stridesOrDilation(rng),
      padding: randomPadding(rng), activation: rng.pick(ACTIVATIONS), useBias: rng.next() < 0.8 };
    const kind = rng.next();
    if (kind < 0.25) return { ...conv, className: 'DepthwiseConv2D', filters: undefined, depthMultiplier: rng.int(1, 3) };
    if (kind < 0.4) return { ...conv, className: 'SeparableConv2D', depthMultiplier: rng.int(1, 3) };
    return conv;
  }
  if (r < 0.45) {
    return { className: rng.pick(['MaxPooling2D', 'AveragePooling2D', 'SumPooling2D']), poolSize: size(rng, 3),
      strides: size(rng, 3), padding: rng.pick(['valid', 'same']) };
  }
  // Along the channels of each pixel, as Keras applies Dense to an image.
  if (r < 0.48) return { className: 'Dense', units: rng.int(1, 12), activation: rng.pick(ACTIVATIONS), useBias: rng.next() < 0.8 };
  if (r < 0.5) return { className: 'Activation', activation: rng.pick(ACTIVATIONS) };
  if (r < 0.55) return drawActivationLayer(rng, 3);
  if (r < 0.61) return { className: 'Flatten' };
  if (r < 0.71) {
    return { className: 'Conv2DTranspose', filters: rng.int(1, 9), kernelSize: size(rng, 4), strides: size(rng, 3), padding: randomPadding(rng),
      activation: rng.pick(ACTIVATIONS), useBias: rng.next() < 0.8 };
  }
  if (r < 0.74) return { className: 'UpSampling2D', size: size(rng, 3), interpolation: rng.pick(['nearest', 'bilinear']) };
  if (r < 0.78) {
    return { className: 'Resizing', height: rng.int(1, 12), width: rng.int(1, 12), interpolation: rng.pick(['nearest', 'bilinear', 'bicubic']),
      coordinates: rng.pick(['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric']) };
  }
  if (r < 0.83) return { className: rng.pick(['GlobalAveragePooling2D', 'GlobalMaxPooling2D']), keepdims: rng.next() < 0.3 };
  if (r < 0.89) return { className: 'ZeroPadding2D', padding: drawBorders(rng) };
  if (r < 0.95) return { className: 'Cropping2D', cropping: drawBorders(rng) };
  const [h, w, c] = shape;
  return { className: 'Reshape', targetShape: rng.pick([[w, h, -1], [-1, c], [h * w, -1], [-1]]) };
}

/**
 * An axis of a batch of `shape` (batch included) that is not the channels (the last, `shape.length`):
 * the batch, an axis before the channels, or past the end.
 */
function rngAxis(shape: Shape): number {
  const axes = [...Array.from({ length: shape.length }, (_, i) => i), -2, shape.length + 1];
  return axes[shape[0] % axes.length];
}

/** Settings that cannot work for an input of `shape`, each with what is wrong. */
function impossibleLayers(shape: Shape): Array<[string, LayerConfig]> {
  const conv = { className: 'Conv2D', filters: 2, kernelSize: 1 };
  const pool = { className: 'MaxPooling2D', poolSize: 1 };
  const spatial: Array<[string, LayerConfig]> = shape.length === 3 ? [
    ['kernel larger than the padded input', { ...conv, kernelSize: [shape[0] + 3, 1], padding: 1 }],
    ['kernel larger than the input', { ...conv, kernelSize: shape[1] + 1 }],
    ['pool larger than the input', { ...pool, poolSize: [1, shape[1] + 1] }],
    ['a crop larger than the input', { className: 'Cropping2D', cropping: [[shape[0], 0], [0, 0]] }],
    ['a crop of every column', { className: 'Cropping2D', cropping: [0, Math.ceil(shape[1] / 2)] }],
    ['conv2dTranspose padding that leaves no output', { className: 'Conv2DTranspose', filters: 2, kernelSize: 1, padding: shape[0] }],
    ['softmax along an axis other than the last', { className: 'Softmax', axis: 2 }],
    ['PReLU sharing slopes along an axis that does not lead', { className: 'PReLU', sharedAxes: [1, 3] }],
  ] : [['conv2d on a flat input', conv], ['pooling on a flat input', pool],
    ['global pooling of a flat input', { className: 'GlobalMaxPooling2D' }], ['up-sampling a flat input', { className: 'UpSampling2D' }],
    ['resizing a flat input', { className: 'Resizing', height: 2, width: 2 }],
    ['padding a flat input', { className: 'ZeroPadding2D' }], ['conv2dTranspose on a flat input', { ...conv, className: 'Conv2DTranspose' }]];
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
    ['an unknown activation', { className: 'Activation', activation: 'no-such-activation' }],
    ['a reshape whose sizes disagree', { className: 'Reshape', targetShape: [sizeOf(shape) + 1] }],
    ['a reshape to a size that does not divide', { className: 'Reshape', targetShape: [sizeOf(shape) + 1, -1] }],
    ['a reshape with two unknown dimensions', { className: 'Reshape', targetShape: [-1, -1] }],
    ['negative zero padding', { className: 'ZeroPadding2D', padding: [[0, -1], [0, 0]] }],
    ['negative cropping', { className: 'Cropping2D', cropping: -1 }],
    ['up-sampling by 0', { className: 'UpSampling2D', size: 0 }],
    ['an unknown interpolation', { className: 'UpSampling2D', interpolation: 'bicubic' }],
    ['resizing to no rows', { className: 'Resizing', height: 0, width: 2 }],
    ['an unknown coordinate mode', { className: 'Resizing', height: 2, width: 2, coordinates: 'tf_crop_and_resize' }],
    ['an unknown resizing interpolation', { className: 'Resizing', height: 2, width: 2, interpolation: 'lanczos3' }],
    ['resizing scales of 0', { className: 'Resizing', height: 2, width: 2, scales: [0, 1] }],
    ['resizing scales of one axis', { className: 'Resizing', height: 2, width: 2, scales: [1.5] }],
    ['a cubic coefficient not a number', { className: 'Resizing', height: 2, width: 2, interpolation: 'bicubic', cubicCoefficient: 'keys' }],
    ['cubicTable not a boolean', { className: 'Resizing', height: 2, width: 2, interpolation: 'bicubic', cubicTable: 1 }],
    ['0 filters in conv2dTranspose', { className: 'Conv2DTranspose', filters: 0, kernelSize: 1 }],
    ['negative conv2dTranspose padding', { className: 'Conv2DTranspose', filters: 1, kernelSize: 1, padding: [0, 0, -1, 0] }],
    ['batch normalisation over an axis other than the channels', { className: 'BatchNormalization', axis: rngAxis(shape) }],
    ['batch normalisation with epsilon 0', { className: 'BatchNormalization', epsilon: 0 }],
    ['batch normalisation with momentum above 1', { className: 'BatchNormalization', momentum: 1.5 }],
    ['batch normalisation with center not a boolean', { className: 'BatchNormalization', center: 'yes' }],
    ['layer normalisation over an axis other than the last', { className: 'LayerNormalization', axis: [0, -2, shape.length + 1][shape[0] % 3] }],
    ['layer normalisation over two axes', { className: 'LayerNormalization', axis: [shape.length - 1, shape.length] }],
    ['layer normalisation with epsilon 0', { className: 'LayerNormalization', epsilon: 0 }],
    ['layer normalisation with scale not a boolean', { className: 'LayerNormalization', scale: 1 }],
    ['group normalisation with groups 0', { className: 'GroupNormalization', groups: 0 }],
    ['group normalisation with groups that do not divide the channels', { className: 'GroupNormalization', groups: shape[shape.length - 1] + 1 }],
    ['an unknown activation', { className: 'Dense', units: 2, activation: 'swoosh' }],
    ['a ReLU with a negative maxValue', { className: 'ReLU', maxValue: -1 }],
    ['a ReLU with a negative negativeSlope', { className: 'ReLU', negativeSlope: -0.1 }],
    ['a ReLU with a negative threshold', { className: 'ReLU', threshold: -1 }],
    ['a non-finite LeakyReLU alpha', { className: 'LeakyReLU', alpha: Infinity }],
    ['a non-finite ELU alpha', { className: 'ELU', alpha: NaN }],
    ['a PReLU sharing axis 0 (the batch)', { className: 'PReLU', sharedAxes: [0] }],
    ['a PReLU with an unknown initializer', { className: 'PReLU', alphaInitializer: 'glorotUniform' }],
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
    const config = drawLayer(rng, shape);
    const next = outputShapeOf(config, shape);
    // Up-sampling and transposed convolutions grow images: the stack stops before the naive reference would crawl.
    if (layers.length > 0 && next && sizeOf(next) > MAX_EXAMPLE_VALUES) break;
    layers.push(config);
    shape = next;
  }
  const fuzzCase: FuzzCase = { inputShape, batch: rng.int(1, 6), layers };
  if (shape && rng.next() < 0.2) {
    const [what, config] = rng.pick(impossibleLayers(shape));
    layers.push(config);
    fuzzCase.impossible = what;
  }
  return fuzzCase;
}

/** agreesWith, the reference computed from `input` and from it nudged. */
function agrees(actual: Float32Array, reference: (input: Float32Array) => Float32Array, input: Float32Array, nudge: Nudge,
  tolerance: number, what: string): string | undefined {
  return agreesWith(actual, reference(input), reference(nudge(input)), tolerance, what);
}

/**
 * The stack in the reference with every value that crosses from layer to layer nudged (x and each
 * layer's output as the next layer reads it, dy and each layer's input gradient as the layer before
 * reads it), as each wasm kernel's f32 rounding of its output moves it: where a later layer's sums
 * cancel, what a nudge of the inputs alone cannot show (a batch normalisation's input gradient sums
 * to exactly zero per channel, whatever its inputs, and a resize's backward sums it: wasm's rounding
 * of each term leaves a residue the size of the terms', not zero). A layer's own backward reads its
 * output as its nudged input gave it, so that a derivative read from an output (a clamp's, at its
 * bound) moves with its input, not apart from it.
 */
function nudgedStack(stack: StackLayer[], x: Float32Array, dy: Float32Array, batch: number, nudge: Nudge) {
  const inputs: Float32Array[] = [], outputs: Float32Array[] = [];
  stack.forEach((layer, i) => {
    inputs.push(nudge(i === 0 ? x : outputs[i - 1]));
    outputs.push(layerForward(layer, inputs[i], batch));
  });
  let gradient = dy;
  for (let i = stack.length - 1; i >= 0; i--) gradient = layerBackward(stack[i], inputs[i], outputs[i], nudge(gradient), batch).dx;
  return { output: outputs[stack.length - 1], dx: gradient };
}

/** What each layer gave in inference mode (predict's), in wasm: the layers driven directly. */
function runWasmInference(model: ReturnType<typeof sequential>, x: Float32Array, batch: number): Float32Array[] {
  const memory = getBackend().memory;
  const xPtr = memory.alloc(x.length * 4);
  memory.f32(xPtr, x.length).set(x);
  try {
    let current = xPtr;
    return model.layers.map((layer) => {
      current = layer.forward([current], batch, false);
      return memory.f32(current, batch * layer.outputSize).slice();
    });
  } finally {
    memory.free(xPtr);
  }
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
  // The layers run one by one here, each on its own: the model is told so as activations() tells it
  // (no padding read in place by its convolution, no convolution run inside its pooling).
  model.activations(tensor(x, [batch, ...model.inputShapes[0]])).forEach((t) => t.dispose());
  try {
    const inputs: Float32Array[] = [], outputs: Float32Array[] = [];
    let current = xPtr;
    for (const layer of model.layers) {
      layer.planBackward(true);
      layer.plan(batch);
      inputs.push(memory.f32(current, batch * layer.inputSize).slice());
      current = layer.forward([current], batch, true);
      outputs.push(memory.f32(current, batch * layer.outputSize).slice());
    }
    const outputGradients: Float32Array[] = [];
    let gradient = dyPtr;
    for (let i = model.layers.length - 1; i >= 0; i--) {
      outputGradients[i] = memory.f32(gradient, batch * model.layers[i].outputSize).slice();
      [gradient] = model.layers[i].backward(gradient, batch, true);
    }
    // Layer i's input gradient is the output gradient of the layer before it (the first's, the stack's).
    const inputGradients = [memory.f32(gradient, x.length).slice(), ...outputGradients.slice(0, -1)];
    return {
      inputs, outputs, outputGradients, inputGradients, dx: inputGradients[0],
      grads: model.layers.map((l) => l.params.map(gradientOf)),
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
    // Layer and group normalisation's γ and β start as ones and zeros, under which a kernel that ignored them would pass: random values instead.
    for (const p of model.layers.filter((l) => ['LayerNormalization', 'GroupNormalization'].includes(l.className)).flatMap((l) => l.params)) {
      getBackend().memory.f32(p.value, p.size).set(rng.array(p.size, -2, 2));
    }
    const wasm = runWasm(model, x, dy, c.batch);
    const stack: StackLayer[] = model.layers.map((l) => ({ config: l.getConfig(), inputShape: [...l.inputShape],
      weights: l.params.map((p) => getBackend().memory.f32(p.value, p.size).slice()) }));
    const nudge = nudger(seed);
    const name = (i: number) => `layer ${i + 1} (${stack[i].config.className})`;
    const problems: Array<string | undefined> = stack.map((layer, i) => agrees(wasm.outputs[i],
      (inputs) => layerForward(layer, inputs, c.batch), wasm.inputs[i], nudge, LAYER_TOLERANCE, `${name(i)} output`));
    stack.forEach((layer, i) => {
      const shape = layerOutputShape(layer), built = model.layers[i].outputShape;
      if (String(shape) !== String(built)) problems.push(`${name(i)} output shape: reference [${shape}], convas [${built}]`);
    });
    const nudgedChain = nudgedStack(stack, x, dy, c.batch, nudge);
    problems.push(agreesWith(wasm.outputs[stack.length - 1], stackForward(stack, x, c.batch)[stack.length - 1], nudgedChain.output,
      STACK_TOLERANCE, 'stack output'));
    // Backward as forward: the whole chain, then each layer on the gradient wasm gave it. A layer's
    // nudged reference takes the output its nudged input gives, as the chain's does.
    problems.push(agreesWith(wasm.dx, stackBackward(stack, wasm.inputs, wasm.outputs, dy, c.batch).dx, nudgedChain.dx,
      STACK_TOLERANCE, 'stack input gradient'));
    stack.forEach((layer, i) => {
      const reference = layerBackward(layer, wasm.inputs[i], wasm.outputs[i], wasm.outputGradients[i], c.batch);
      const input = nudge(wasm.inputs[i]);
      const nudged = layerBackward(layer, input, layerForward(layer, input, c.batch), nudge(wasm.outputGradients[i]), c.batch);
      problems.push(agreesWith(wasm.inputGradients[i], reference.dx, nudged.dx, LAYER_TOLERANCE, `${name(i)} input gradient`));
      // A weight gradient sums a term per row of the layer's output (example and position), each made of
      // the gradient there times the input it meets (a kernel's; 1 for a bias); where they cancel (a
      // bias before a batch normalisation gets exactly zero), rounding noise remains, which grows with
      // the terms' size and the square root of their number.
      const built = model.layers[i], rows = (c.batch * built.outputSize) / built.outputShape[built.outputShape.length - 1];
      const noise = largest(wasm.outputGradients[i], SCALE_FLOOR) * largest(wasm.inputs[i], 1) * Math.sqrt(rows);
      reference.grads.forEach((g, j) => problems.push(agreesWith(wasm.grads[i][j], g, nudged.grads[j], LAYER_TOLERANCE,
        `${name(i)} ${built.params[j].name} gradient`, noise)));
    });
    // Inference mode (batch normalisation then uses its moving statistics, which training just moved).
    const inference = runWasmInference(model, x, c.batch);
    const inferenceStack = model.layers.map((l, i) => ({ ...stack[i], weights: l.params.map((p) => getBackend().memory.f32(p.value, p.size).slice()) }));
    const inferenceInputs = [x, ...inference.slice(0, -1)];
    inferenceStack.forEach((layer, i) => problems.push(agrees(inference[i], (inputs) => layerForward(layer, inputs, c.batch, false),
      inferenceInputs[i], nudge, LAYER_TOLERANCE, `${name(i)} output in inference mode`)));
    const predicted = model.predict(tensor(x, [c.batch, ...c.inputShape])).dataSync();
    problems.push(mismatch(predicted, inference[stack.length - 1], 0, 'predict'));
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

test(`random layer stacks agree with the reference, impossible ones are refused (seed ${SEED}, ${HALF} s)`, async () => {
  await kernels();
  console.log(`layer fuzz: seed ${SEED} (set FUZZ_SEED to replay), ${HALF} s (half of FUZZ_SECONDS)`);
  const rng = random(SEED);
  const counts = { matched: 0, refused: 0, impossible: 0 };
  const deadline = performance.now() + HALF * 1000;
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
  // The run is bounded by time, not cases (thousands match in 10 s): the floor is only a sanity
  // check that fuzzing happened at all, which a machine many times slower still clears.
  assert.ok(counts.matched >= 5, `only ${counts.matched} stacks ran; the fuzz proves little`);
});

test(`random graphs agree with the whole-graph reference, impossible ones are refused (seed ${SEED}, ${HALF} s)`, async () => {
  await kernels();
  console.log(`graph fuzz: seed ${SEED} (set FUZZ_SEED to replay), ${HALF} s (half of FUZZ_SECONDS)`);
  const rng = random(SEED);
  const counts = { matched: 0, impossible: 0 };
  const deadline = performance.now() + HALF * 1000;
  while (performance.now() < deadline) {
    const seed = rng.seed();
    const drawn: GraphCase = { spec: drawGraph(rng, GRAPH_OPTIONS), batch: rng.int(1, 6), seed };
    const spoiled = rng.next() < 0.15 ? spoilGraph(rng, drawn.spec) : undefined;
    const c = spoiled ? { ...drawn, spec: spoiled.spec } : drawn;
    let outcome;
    try {
      outcome = compareGraph(c, GRAPH_TOLERANCE);
    } catch (error) {
      outcome = { kind: 'mismatch', detail: `threw ${(error as Error)?.name}, not a ConvasError: ${(error as Error)?.message}` } as const;
    }
    if (spoiled) {
      assert.is(outcome.kind, 'refused', `seed ${SEED}: ${spoiled.what} was not refused; case ${describeCase(c)}`);
      counts.impossible++;
    } else if (outcome.kind === 'refused') {
      assert.unreachable(`seed ${SEED}: convas refused a valid graph (${outcome.error.message}); case ${describeCase(c)}`);
    } else if (outcome.kind === 'mismatch') {
      const { smallest, detail } = shrinkGraphCase(c, GRAPH_TOLERANCE);
      assert.unreachable(`seed ${SEED}: wasm and reference disagree (${outcome.detail}) on case ${describeCase(c)}\n` +
        `smallest failing case (${detail}): ${describeCase(smallest)}`);
    } else {
      counts.matched++;
    }
  }
  console.log(`graph fuzz: ${counts.matched + counts.impossible} graphs: ${counts.matched} matched the reference, ` +
    `${counts.impossible} impossible graphs refused`);
  assert.ok(counts.matched >= 5, `only ${counts.matched} graphs ran; the fuzz proves little`);
});

test.run();
