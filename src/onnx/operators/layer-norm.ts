// Layer normalisation → a LayerNormalization layer, where it normalises the axis convas holds last:
// the features of [N, F] or [N, L, F], an image's channels, or the channels of an image transposed
// channels-last (ConvNeXt's permute, LayerNorm, permute back: shape.ts reads the permutes as no
// layers). Two forms: the LayerNormalization operator (opset 17), and the nodes exporters write
// before it (PyTorch's nn.LayerNorm below opset 17, convas's own files): ReduceMean, Sub, Pow (or
// Mul of the difference by itself), ReduceMean, Add ε, Sqrt, Div, then Mul by γ and Add of β. An
// image normalised over its width (ONNX's last axis, not convas's) is moved to put it last and back.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { sameOrder } from '../layer-weight.js';
import { type TensorValue, type Value, formatDims, isImage, lastConvasAxis } from '../values.js';
import { axisIndex, reducedAxes } from './ndarray.js';
import { type Reader, isPlain, outputOf, readersOf, soleReader } from './node-matching.js';

/**
 * γ or β as one value per feature of `axis` of a tensor of `dims`: a constant with that many values
 * along `axis` and 1 along every other (one number: the same for every feature); else undefined.
 */
export function perFeature(value: Value | undefined, dims: number[], axis: number): Float32Array | undefined {
  if (value?.kind !== 'constant' || value.type !== 'float' || value.dims.length > dims.length) return undefined;
  const features = dims[axis], aligned = [...Array.from({ length: dims.length - value.dims.length }, () => 1), ...value.dims];
  if (value.data.length === 1) return new Float32Array(features).fill(value.data[0]);
  return aligned.every((d, i) => d === 1 || (i === axis && d === features)) && value.data.length === features ? Float32Array.from(value.data) : undefined;
}

/** x (as heldTensor gives it) normalised over ONNX axis `axis` by a LayerNormalization layer with these settings and weights. */
function normalised(ctx: NodeContext, x: TensorValue, axis: number, epsilon: number, gamma?: Float32Array, beta?: Float32Array): TensorValue {
  const normalise = (input: TensorValue) => {
    const { layer, output } = ctx.layer(() => layers.layerNormalization({ epsilon, center: beta !== undefined, scale: gamma !== undefined,
      name: ctx.layerName() }), [input]);
    ctx.setWeights(layer, { ...(gamma ? { gamma: sameOrder(gamma) } : {}), ...(beta ? { beta: sameOrder(beta) } : {}) });
    return output;
  };
  if (axis === lastConvasAxis(x)) return ctx.inLayoutOf(x, normalise(x));
  if (!isImage(x) || x.channelsLast || axis !== 3) {
    ctx.refuse(`normalises axis ${axis} of ${formatDims(x.dims)}; convas normalises over the axis it holds last: an image's channels ` +
      '(or an image transposed channels-last, over its last axis), any other tensor\'s last axis');
  }
  // Over an image's width: put the width last, normalise, put it back ([h, w, c] ↔ [h, c, w]).
  const swap = (input: TensorValue, suffix: string) => ctx.layer(() => layers.permute({ dims: [1, 3, 2], name: ctx.layerName(suffix) }), [input]).output;
  return swap(normalise(swap(x, '_width_last')), '_width_back');
}

function layerNormalization(ctx: NodeContext): TensorValue {
  const x = ctx.heldTensor(0);
  const rank = x.dims.length, axis = axisIndex(ctx, ctx.int('axis', -1), rank);
  if (axis !== rank - 1) {
    ctx.refuse(`normalises axes ${axis} to ${rank - 1} of ${formatDims(x.dims)} together; convas normalises over one axis, the last (axis -1)`);
  }
  const stash = ctx.int('stash_type', 1);
  if (stash !== 1) ctx.refuse(`stash_type ${stash} (statistics in another type than float) is not supported; convas computes them in float`);
  const weights = (i: number, what: string) => {
    const values = perFeature(ctx.input(i), x.dims, axis);
    if (!values) ctx.refuse(`${what} has dims ${formatDims(ctx.constant(i, what).dims)}; expected [${x.dims[axis]}], one per feature of the last axis`);
    return values;
  };
  return normalised(ctx, x, axis, ctx.float('epsilon', 1e-5), weights(1, 'the scale'), ctx.input(2) ? weights(2, 'the bias (B)') : undefined);
}

// --- the decomposed form, matched from its first ReduceMean

/** Whether inputs are `value` and one other, in either order, that `other` accepts. */
const withOther = (value: string, other: (name: string) => boolean) => (inputs: string[]) =>
  inputs.length === 2 && inputs.includes(value) && other(inputs[inputs[0] === value ? 1 : 0]);

/**
 * For a ReduceMean of x over one axis (this node): when the rest of a layer normalisation follows,
 * each node read only by the next, those nodes are absorbed (they take this node's output, which
 * becomes x normalised) and the normalisation is returned. Nothing is absorbed unless the whole
 * pattern is there; γ and β are optional, one per feature.
 */
export function decomposedLayerNorm(ctx: NodeContext): TensorValue | undefined {
  const x = ctx.input(0), graph = ctx.graph;
  if (x?.kind !== 'tensor' || ctx.int('keepdims', 1) !== 1) return undefined;
  const rank = x.dims.length, axes = reducedAxes(ctx, rank), xName = ctx.inputName(0), mean = outputOf(ctx);
  if (axes?.length !== 1) return undefined;
  const axis = axes[0];
  const number = (name: string) => {
    const c = graph.value(name);
    return c?.kind === 'constant' && c.data.length === 1 ? (c.data[0] as number) : undefined;
  };
  // x − mean, read by its square and by the division.
  const centred = soleReader(graph, mean, 'Sub', (i) => i.length === 2 && i[0] === xName && i[1] === mean);
  const difference = centred ? outputOf(centred) : '';
  const differenceReaders = difference ? readersOf(graph, difference) : [];
  const square = differenceReaders.find((r) => isPlain(r, 'Pow', (i) => i.length === 2 && i[0] === difference && number(i[1]) === 2) ||
    isPlain(r, 'Mul', (i) => i.length === 2 && i[0] === difference && i[1] === difference));
  if (!centred || !square || differenceReaders.length !== 2) return undefined;
  // The variance: the mean of the square over the same axis, + ε, its root; the difference divided by it.
  const [variance] = readersOf(graph, outputOf(square));
  const sameMean = readersOf(graph, outputOf(square)).length === 1 && graph.inspect(variance.node, variance.index, (_, next) =>
    next.op === 'ReduceMean' && next.inputName(0) === outputOf(square) && next.int('keepdims', 1) === 1 &&
    reducedAxes(next, rank)?.join() === axes.join() ? true : undefined);
  const plusEpsilon = sameMean && soleReader(graph, outputOf(variance), 'Add', withOther(outputOf(variance), (name) => (number(name) ?? -1) >= 0));
  const root = plusEpsilon && soleReader(graph, outputOf(plusEpsilon), 'Sqrt', (i) => i.length === 1);
  const division = root && soleReader(graph, outputOf(root), 'Div', (i) => i.length === 2 && i[0] === difference && i[1] === outputOf(root));
  if (!plusEpsilon || !division || !differenceReaders.some((r) => r.index === division.index)) return undefined;
  const epsilon = number((plusEpsilon.node.input ?? []).find((n) => n !== outputOf(variance))!)!;
  // Then, each optional: · γ and + β, one value per feature.
  const perFeatureStep = (after: Reader, op: string) => {
    let weights: Float32Array | undefined;
    const reader = soleReader(graph, outputOf(after), op, withOther(outputOf(after), (name) => (weights = perFeature(graph.value(name), x.dims, axis)) !== undefined));
    return reader && { reader, weights: weights! };
  };
  const scaled = perFeatureStep(division, 'Mul');
  const shifted = perFeatureStep(scaled?.reader ?? division, 'Add');
  ctx.nameLayersAfter((shifted?.reader ?? scaled?.reader ?? division).node);
  const output = normalised(ctx, ctx.heldTensor(0), axis, epsilon, scaled?.weights, shifted?.weights);
  for (const step of [centred, square, variance, plusEpsilon, root, division, scaled?.reader, shifted?.reader]) {
    if (step) graph.absorb(step.index, mean);
  }
  return output;
}

export const layerNormOperators: Record<string, OpEntry> = {
  LayerNormalization: { convert: layerNormalization },
};
