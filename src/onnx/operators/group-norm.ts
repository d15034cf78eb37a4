// Instance and group normalisation of images → a GroupNormalization layer. InstanceNormalization
// normalises each channel of each example over its positions (PyTorch's nn.InstanceNorm2d): one
// group per channel. PyTorch 1.13 writes nn.GroupNorm(G, C), at every opset, as a Reshape to
// [N, G, −1], an InstanceNormalization of those G rows with scale 1 and B 0, a Reshape back to the
// input's Shape, then Mul by γ and Add of β ([C, 1, 1]): matched from the first Reshape, each node
// read only by the next, and read as one layer (nothing is absorbed unless the whole pattern is there).
// Opset 18's GroupNormalization operator is read too: its scale and bias are one per group (opset 21,
// beyond what convas reads, made them one per channel), each repeated over its group's channels.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { sameOrder } from '../layer-weight.js';
import type { onnx } from '../proto/onnx.js';
import { type TensorValue, formatDims, isImage } from '../values.js';
import { perFeature } from './layer-norm.js';
import { type Reader, outputOf, readersOf } from './node-matching.js';

/** The image x ([N, C, H, W]) normalised in `groups` groups of channels, γ and β one per channel. */
function groupNormalized(ctx: NodeContext, x: TensorValue, groups: number, epsilon: number, gamma: Float32Array, beta: Float32Array): TensorValue {
  if (!(epsilon > 0)) ctx.refuse(`has epsilon ${epsilon}; expected a positive number`);
  const { layer, output } = ctx.layer(() => layers.groupNormalization({ groups, epsilon, name: ctx.layerName() }), [x]);
  ctx.setWeights(layer, { gamma: sameOrder(gamma), beta: sameOrder(beta) });
  return output;
}

function instanceNormalization(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  if (!isImage(x)) ctx.refuse(`normalises a tensor of dims ${formatDims(x.dims)}; convas normalises images [N, C, H, W] (nn.InstanceNorm2d)`);
  const channels = x.dims[1];
  const [gamma, beta] = ['scale', 'B'].map((what, k) => {
    const c = ctx.constant(k + 1, `the ${what}`);
    if (c.type !== 'float' || c.data.length !== channels || c.dims.length !== 1) {
      ctx.refuse(`the ${what} has dims ${formatDims(c.dims)}; expected [${channels}], one per channel`);
    }
    return Float32Array.from(c.data);
  });
  return groupNormalized(ctx, x, channels, ctx.float('epsilon', 1e-5), gamma, beta);
}

function groupNormalization(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  if (!isImage(x)) ctx.refuse(`normalises a tensor of dims ${formatDims(x.dims)}; convas normalises images [N, C, H, W]`);
  const channels = x.dims[1], groups = ctx.int('num_groups', 0);
  if (!(groups >= 1 && channels % groups === 0)) ctx.refuse(`num_groups ${groups} does not divide the ${channels} channels; expected a divisor of ${channels}`);
  const [gamma, beta] = ['scale', 'bias'].map((what, k) => {
    const c = ctx.constant(k + 1, `the ${what}`);
    if (c.type !== 'float' || c.data.length !== groups || c.dims.length !== 1) {
      ctx.refuse(`the ${what} has dims ${formatDims(c.dims)}; expected [${groups}], one per group (opset 18)`);
    }
    return Float32Array.from({ length: channels }, (_, channel) => c.data[Math.floor((channel * groups) / channels)]);
  });
  return groupNormalized(ctx, x, groups, ctx.float('epsilon', 1e-5), gamma, beta);
}

/** The one node reading `value` (no graph output), when it is `op` of the standard domain with one output; its attributes are checked apart. */
function onlyReader(ctx: NodeContext, value: string, op: string): Reader | undefined {
  const readers = readersOf(ctx.graph, value);
  const [reader] = readers;
  return readers.length === 1 && reader.node.opType === op && !reader.node.domain && (reader.node.output ?? []).length === 1 ? reader : undefined;
}

/** The node's attributes by name, when it has only those of `allowed` (and then their values, floats or ints). */
function attributesOf(node: onnx.NodeProto.$Properties, allowed: string[]): Record<string, number> | undefined {
  const found: Record<string, number> = {};
  for (const a of node.attribute ?? []) {
    if (!allowed.includes(a.name ?? '')) return undefined;
    found[a.name!] = Number(a.type === 1 ? a.f : a.i);
  }
  return found;
}

/** Whether `name` holds `length` floats, each `value`. */
function isFilled(ctx: NodeContext, name: string | undefined, length: number, value: number): boolean {
  const c = name ? ctx.graph.value(name) : undefined;
  return c?.kind === 'constant' && c.type === 'float' && c.data.length === length && Array.prototype.every.call(c.data, (v: number) => v === value);
}

/**
 * For a Reshape of an image x to [N, G, −1] (this node): when the rest of PyTorch's nn.GroupNorm
 * follows, the nodes after it are absorbed (they take this node's output, which becomes x
 * normalised) and the normalisation is returned; else undefined, and the Reshape is read as one.
 */
export function decomposedGroupNorm(ctx: NodeContext): TensorValue | undefined {
  const x = ctx.input(0), shape = ctx.input(1), graph = ctx.graph;
  if (x?.kind !== 'tensor' || !isImage(x) || x.channelsLast || shape?.kind !== 'constant' || shape.data.length !== 3) return undefined;
  const [, channels, height, width] = x.dims;
  const [batch, groups, rest] = Array.from(shape.data);
  // allowzero read through ctx, which refuses an attribute never read: PyTorch writes allowzero 0 from opset 14.
  const attributes = attributesOf(ctx.node, ['allowzero']);
  if (!attributes || ctx.int('allowzero', 0) || !(batch === 0 || batch === x.dims[0]) || !Number.isInteger(groups) || groups < 1 ||
    channels % groups !== 0 || !(rest === -1 || rest === (channels / groups) * height * width)) return undefined;
  // The instance normalisation of the G rows, with scale 1 and B 0.
  const norm = onlyReader(ctx, outputOf(ctx), 'InstanceNormalization');
  const normAttributes = norm && attributesOf(norm.node, ['epsilon']);
  const normInputs = norm?.node.input ?? [];
  if (!norm || !normAttributes || normInputs.length !== 3 || !isFilled(ctx, normInputs[1], groups, 1) || !isFilled(ctx, normInputs[2], groups, 0)) return undefined;
  // The Reshape back to the input's dims: its Shape, or those dims as a constant.
  const back = onlyReader(ctx, outputOf(norm), 'Reshape');
  const backAttributes = back && attributesOf(back.node, ['allowzero']);
  const [, backShape] = back?.node.input ?? [];
  const shapeWriter = backShape ? graph.writer(backShape) : undefined;
  const dims = backShape ? graph.value(backShape) : undefined;
  const sameDims = (shapeWriter?.opType === 'Shape' && !shapeWriter.domain && !(shapeWriter.attribute ?? []).length &&
    (shapeWriter.input ?? [])[0] === ctx.inputName(0)) ||
    (dims?.kind === 'constant' && dims.data.length === 4 && x.dims.every((d, i) => i === 0 || d === dims.data[i]));
  if (!back || !backAttributes || backAttributes.allowzero || (back.node.input ?? [])[0] !== outputOf(norm) || !sameDims) return undefined;
  // Then · γ and + β, one per channel (PyTorch writes ones and zeros for affine=False).
  const perChannelStep = (after: Reader, op: string) => {
    const reader = onlyReader(ctx, outputOf(after), op), inputs = reader?.node.input ?? [];
    const other = inputs.length === 2 && inputs.includes(outputOf(after)) && !(reader!.node.attribute ?? []).length ?
      inputs[inputs[0] === outputOf(after) ? 1 : 0] : undefined;
    const weights = other === undefined ? undefined : perFeature(graph.value(other), x.dims, 1);
    return reader && weights && { reader, weights };
  };
  const scaled = perChannelStep(back, 'Mul');
  const shifted = perChannelStep(scaled?.reader ?? back, 'Add');
  ctx.nameLayersAfter((shifted?.reader ?? scaled?.reader ?? back).node);
  const output = groupNormalized(ctx, ctx.tensor(0), groups, normAttributes.epsilon ?? 1e-5,
    scaled?.weights ?? new Float32Array(channels).fill(1), shifted?.weights ?? new Float32Array(channels));
  for (const step of [norm, back, scaled?.reader, shifted?.reader]) if (step) graph.absorb(step.index, outputOf(ctx));
  return output;
}

export const groupNormOperators: Record<string, OpEntry> = {
  InstanceNormalization: { convert: instanceNormalization },
  GroupNormalization: { convert: groupNormalization },
};
