// Elementwise activations and softmax. A node that computes one of convas's activations exactly
// (its `activation` entry says which, from its settings) becomes an Activation layer, or the
// activation of the convolution or dense layer before it, which applies it on its way out
// (NodeContext.fusedActivation). Others become the layers that have their settings: LeakyRelu, Elu with another
// alpha, PRelu, Clip to [0, max] (ReLU with maxValue) or to other bounds (a Clip layer). PyTorch's Hardsigmoid (x/6 + ½, clipped)
// is Keras 2's hard sigmoid (0.2x + ½) of x scaled by 5/6 first; x·σ(x) and x·hardσ(x), as PyTorch
// writes SiLU and Hardswish at opset 13, are swish and hardSwish. Softmax and LogSoftmax must run
// over what convas's softmax and logSoftmax run over: the last axis in its layout (an image's channels).
import { type ActivationName, layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { type LayerWeight, sameOrder, transposed } from '../layer-weight.js';
import { type TensorValue, formatDims, isImage } from '../values.js';
import { axisIndex } from './ndarray.js';

/** An Activation layer on x (input 0 by default); elementwise, it keeps a channels-last image's layout (softmax takes a moved one). */
export function activationLayer(ctx: NodeContext, activation: ActivationName, x: TensorValue = ctx.heldTensor(0)): TensorValue {
  return ctx.inLayoutOf(x, ctx.layer(() => layers.activation({ activation, name: ctx.layerName() }), [x]).output);
}

/** ONNX's Selu defaults, which are TensorFlow's constants (as float32): convas's selu. */
const SELU = { alpha: Math.fround(1.6732632423543772), gamma: Math.fround(1.0507009873554805) };
/** Keras 2's hard sigmoid, 0.2x + ½: ONNX's HardSigmoid defaults (as float32). */
const KERAS_HARD_SIGMOID = { alpha: Math.fround(0.2), beta: 0.5 };
/** PyTorch's Hardsigmoid, x/6 + ½, as its exporter writes it. */
const PYTORCH_HARD_SIGMOID = { alpha: Math.fround(1 / 6), beta: 0.5 };

const hardSigmoidSettings = (ctx: NodeContext) => ({ alpha: ctx.float('alpha', KERAS_HARD_SIGMOID.alpha), beta: ctx.float('beta', KERAS_HARD_SIGMOID.beta) });
const isHardSigmoid = (s: { alpha: number; beta: number }, of: { alpha: number; beta: number }) => s.alpha === of.alpha && s.beta === of.beta;

/** Clip's bounds as the file gives them: inputs from opset 11, attributes before. */
export function givenClipBounds(ctx: NodeContext): [number, number] {
  return ctx.opset >= 11 ? [ctx.scalar(1, 'min', -Infinity), ctx.scalar(2, 'max', Infinity)] : [ctx.float('min', -Infinity), ctx.float('max', Infinity)];
}

/**
 * The bounds a Clip clips to. A Clip of a Relu's output from below 0 clips from 0: PyTorch writes
 * F.relu6 before opset 11, and clamp(relu(x), max=m) at any, as a Relu then a Clip with a max alone.
 */
function clipBounds(ctx: NodeContext): [number, number] {
  const [low, high] = givenClipBounds(ctx);
  return low < 0 && ctx.inputOp(0) === 'Relu' ? [0, high] : [low, high];
}

/**
 * Whether softmax over `axis` of a tensor of `dims` is convas's softmax over the last axis in its
 * layout. Before opset 13, softmax flattens the dims from the axis on and normalises over all of them.
 */
function softmaxIsLastAxis(dims: number[], axis: number, opset: number): boolean {
  const rank = dims.length, at = axis < 0 ? axis + rank : axis;
  const image = rank === 4;
  if (opset >= 13) return image ? at === 1 : at === rank - 1;
  // Coerced to 2-D: normalises over dims[at…]; convas's last axis is all of them when the rest are 1.
  if (image) return at === 1 && dims[2] * dims[3] === 1;
  return at === rank - 1;
}

const softmaxAxis = (ctx: NodeContext, rank: number) => axisIndex(ctx, ctx.int('axis', ctx.opset >= 13 ? -1 : 1), rank);

/** The convas activation each operator is, with its settings (undefined: not one as they are). */
const ACTIVATIONS: Record<string, (ctx: NodeContext, dims: number[]) => ActivationName | undefined> = {
  Relu: () => 'relu',
  Sigmoid: () => 'sigmoid',
  Tanh: () => 'tanh',
  Softplus: () => 'softplus',
  Softsign: () => 'softsign',
  HardSwish: () => 'hardSwish',
  Elu: (ctx) => (ctx.float('alpha', 1) === 1 ? 'elu' : undefined),
  Selu: (ctx) => (ctx.float('alpha', SELU.alpha) === SELU.alpha && ctx.float('gamma', SELU.gamma) === SELU.gamma ? 'selu' : undefined),
  HardSigmoid: (ctx) => (isHardSigmoid(hardSigmoidSettings(ctx), KERAS_HARD_SIGMOID) ? 'hardSigmoid' : undefined),
  Clip: (ctx) => {
    const [low, high] = clipBounds(ctx);
    return low === 0 && high === Infinity ? 'relu' : low === 0 && high === 6 ? 'relu6' : undefined;
  },
  Softmax: (ctx, dims) => (softmaxIsLastAxis(dims, softmaxAxis(ctx, dims.length), ctx.opset) ? 'softmax' : undefined),
  LogSoftmax: (ctx, dims) => (softmaxIsLastAxis(dims, softmaxAxis(ctx, dims.length), ctx.opset) ? 'logSoftmax' : undefined),
};

/**
 * The activation of x·gate(x), when `node` is the gate: swish for a Sigmoid, hardSwish for PyTorch's
 * Hardsigmoid (x·relu6(x + 3)/6 is x·clip(x/6 + ½, 0, 1)).
 */
function gateActivation(ctx: NodeContext): ActivationName | undefined {
  if (ctx.op === 'Sigmoid') return 'swish';
  if (ctx.op === 'HardSigmoid' && isHardSigmoid(hardSigmoidSettings(ctx), PYTORCH_HARD_SIGMOID)) return 'hardSwish';
  return undefined;
}

/** Sigmoid and HardSigmoid as the gate of x·gate(x) (a Mul reading x and the gate alone): swish or hardSwish of x. */
function gated(ctx: NodeContext): TensorValue | undefined {
  const activation = gateActivation(ctx);
  return activation && ctx.absorbGateProduct() ? activationLayer(ctx, activation) : undefined;
}

/**
 * Clip to constant bounds: ReLU and ReLU6 as activations, [0, max] as Keras's ReLU with maxValue
 * (which TF.js files hold too), any other bounds (torch.clamp, nn.Hardtanh) as a Clip layer.
 */
function clip(ctx: NodeContext): TensorValue {
  const activation = ACTIVATIONS.Clip(ctx, []);
  if (activation) return activationLayer(ctx, activation);
  const [low, high] = clipBounds(ctx);
  if (Number.isNaN(low) || Number.isNaN(high)) ctx.refuse(`clips to [${low}, ${high}]; expected bounds that are numbers`);
  // The Clip layer's bounds are finite or absent: a min of +∞ or a max of −∞ would reach it as a setting it refuses.
  if (low === Infinity || high === -Infinity) ctx.refuse(`clips to [${low}, ${high}]; convas clips to a min below Infinity and a max above -Infinity`);
  const x = ctx.heldTensor(0);
  const layer = low === 0 && high > 0
    ? () => layers.reLU({ maxValue: high, name: ctx.layerName() })
    : () => layers.clip({ min: low === -Infinity ? null : low, max: high === Infinity ? null : high, name: ctx.layerName() });
  return ctx.inLayoutOf(x, ctx.layer(layer, [x]).output);
}

function hardSigmoid(ctx: NodeContext): TensorValue {
  const gate = gated(ctx);
  if (gate) return gate;
  const { alpha, beta } = hardSigmoidSettings(ctx);
  if (isHardSigmoid({ alpha, beta }, KERAS_HARD_SIGMOID)) return activationLayer(ctx, 'hardSigmoid');
  // clip(αx + β) = clip(0.2·(5αx + 5(β − ½)) + ½).
  const scaled = ctx.layer(() => layers.rescaling({ scale: 5 * alpha, offset: 5 * (beta - 0.5), name: ctx.layerName('_scaled') }), [ctx.tensor(0)]).output;
  return activationLayer(ctx, 'hardSigmoid', scaled);
}

function elu(ctx: NodeContext): TensorValue {
  const alpha = ctx.float('alpha', 1);
  if (alpha === 1) return activationLayer(ctx, 'elu');
  return ctx.layer(() => layers.elu({ alpha, name: ctx.layerName() }), [ctx.tensor(0)]).output;
}

function selu(ctx: NodeContext): TensorValue {
  if (ACTIVATIONS.Selu(ctx, [])) return activationLayer(ctx, 'selu');
  ctx.refuse(`alpha ${ctx.float('alpha', SELU.alpha)} and gamma ${ctx.float('gamma', SELU.gamma)} are not SELU's constants ` +
    `(${SELU.alpha}, ${SELU.gamma}), which convas's selu has`);
}

/** PRelu: slopes that are one number, one per channel, or one per element become PReLU's alpha (shared along the leading axes). */
function prelu(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  const slope = ctx.constant(1, 'the slope');
  const dims = x.dims.slice(1), rank = dims.length;
  if (slope.type !== 'float' || slope.dims.length > rank) ctx.refuse(`the slope has dims ${formatDims(slope.dims)}; expected float slopes that broadcast to ${formatDims(x.dims)}`);
  const aligned = [...Array.from({ length: rank - slope.dims.length }, () => 1), ...slope.dims];
  const channels = isImage(x) ? dims[0] : dims[rank - 1];
  const perChannel = isImage(x) ? aligned.every((d, i) => (i === 0 ? d === channels : d === 1)) : aligned.every((d, i) => d === 1 || (i === rank - 1 && d === channels));
  const values = slope.data as Float32Array;
  let sharedAxes: number[] | undefined, alpha: LayerWeight;
  if (values.length === 1) {
    sharedAxes = dims.map((_, i) => i + 1);
    alpha = sameOrder(values);
  } else if (perChannel) {
    sharedAxes = dims.slice(1).map((_, i) => i + 1);
    alpha = sameOrder(values);
  } else if (aligned.every((d, i) => d === dims[i])) {
    // One slope per element: an image's [C, H·W] as convas's [H·W, C].
    alpha = isImage(x) ? transposed(values, dims[0], dims[1] * dims[2]) : sameOrder(values);
  } else {
    ctx.refuse(`the slope has dims ${formatDims(slope.dims)}; convas's PReLU takes one slope, one per channel or one per element of ${formatDims(x.dims)}`);
  }
  const { layer, output } = ctx.layer(() => layers.prelu({ sharedAxes, name: ctx.layerName() }), [x]);
  ctx.setWeights(layer, { alpha });
  return output;
}

/** Softmax and LogSoftmax: the activation over convas's last axis, which must be the node's. */
const normalised = (activation: 'softmax' | 'logSoftmax') => (ctx: NodeContext): TensorValue => {
  // An image transposed channels-last, over its last axis (alone at any opset): over its channels.
  const held = ctx.heldTensor(0);
  if (held.channelsLast && softmaxAxis(ctx, 4) === 3) return activationLayer(ctx, activation, held);
  const x = ctx.tensor(0);
  if (!ACTIVATIONS[ctx.op](ctx, x.dims)) {
    const rank = x.dims.length, axis = softmaxAxis(ctx, rank);
    // Before opset 13 softmax normalises over every axis from `axis` on, together.
    const over = ctx.opset < 13 && axis < rank - 1 ? `axes ${axis} to ${rank - 1} together (as before opset 13)` : `axis ${axis}`;
    const channels = held.channelsLast ? 'channels (axis 3, as this tensor is transposed)' : isImage(x) ? 'channels (axis 1)' : 'last axis';
    ctx.refuse(`${activation === 'softmax' ? 'softmax' : 'log softmax'} over ${over} of ${formatDims(held.dims)} is not supported; ` +
      `convas normalises over the ${channels} alone`);
  }
  return activationLayer(ctx, activation, x);
};

/** A node that is an activation as it is: an Activation layer. */
const plain = (op: string) => (ctx: NodeContext) => activationLayer(ctx, ACTIVATIONS[op](ctx, [])!);

export const activationOperators: Record<string, OpEntry> = {
  ...Object.fromEntries(['Relu', 'Tanh', 'Softplus', 'Softsign', 'HardSwish'].map((op) => [op, { activation: ACTIVATIONS[op], convert: plain(op) }])),
  Sigmoid: { activation: ACTIVATIONS.Sigmoid, gate: gateActivation, convert: (ctx) => gated(ctx) ?? activationLayer(ctx, 'sigmoid') },
  HardSigmoid: { activation: ACTIVATIONS.HardSigmoid, gate: gateActivation, convert: hardSigmoid },
  Elu: { activation: ACTIVATIONS.Elu, convert: elu },
  Selu: { activation: ACTIVATIONS.Selu, convert: selu },
  Clip: { activation: ACTIVATIONS.Clip, convert: clip },
  Softmax: { activation: ACTIVATIONS.Softmax, convert: normalised('softmax') },
  LogSoftmax: { activation: ACTIVATIONS.LogSoftmax, convert: normalised('logSoftmax') },
  LeakyRelu: { convert: (ctx) => ctx.layer(() => layers.leakyReLU({ alpha: ctx.float('alpha', 0.01), name: ctx.layerName() }), [ctx.tensor(0)]).output },
  PRelu: { convert: prelu },
};
