// Elementwise activations and softmax → Activation layers (or the activation of the conv2d or
// dense layer before them, which then applies it on its way out). Clip from 0 is a ReLU (to 6, a
// ReLU6). Softmax must run over what convas's softmax runs over: the last axis in convas's layout
// (an image's channels).
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { int64 } from '../decode.js';
import type { onnx } from '../proto/onnx.js';
import { type TensorValue, formatDims, isImage } from '../values.js';
import { axisIndex } from './ndarray.js';

type Activation = Parameters<typeof layers.activation>[0]['activation'];

/** ONNX operators that are convas activations as they are. */
export const ELEMENTWISE_ACTIVATIONS: Record<string, string> = { Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh' };

function activationLayer(ctx: NodeContext, activation: string, x: TensorValue = ctx.tensor(0)): TensorValue {
  return ctx.layer(() => layers.activation({ activation: activation as Activation, name: ctx.layerName() }), [x]).output;
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

/** Softmax's axis attribute (its default changed at opset 13). */
const softmaxAxis = (node: onnx.NodeProto.$Properties, opset: number) => {
  const attribute = (node.attribute ?? []).find((a) => a.name === 'axis');
  return attribute ? int64(attribute.i) : opset >= 13 ? -1 : 1;
};

function softmax(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  const axis = axisIndex(ctx, ctx.int('axis', ctx.opset >= 13 ? -1 : 1), x.dims.length);
  if (!softmaxIsLastAxis(x.dims, axis, ctx.opset)) {
    ctx.refuse(`softmax over axis ${axis} of ${formatDims(x.dims)} is not supported; convas normalises over the ` +
      `${isImage(x) ? 'channels (axis 1)' : 'last axis'}`);
  }
  return activationLayer(ctx, 'softmax', x);
}

/** Softmax read only by the layer before it, normalising over convas's last axis: fusable into it. */
export const fusableSoftmax = (dims: number[], opset: number) => (node: onnx.NodeProto.$Properties) =>
  node.opType !== 'Softmax' || softmaxIsLastAxis(dims, softmaxAxis(node, opset), opset);

/** Clip's bounds: inputs from opset 11, attributes before. */
function clip(ctx: NodeContext): TensorValue {
  const low = ctx.opset >= 11 ? ctx.scalar(1, 'min', -Infinity) : ctx.float('min', -Infinity);
  const high = ctx.opset >= 11 ? ctx.scalar(2, 'max', Infinity) : ctx.float('max', Infinity);
  if (low === 0 && high === Infinity) return activationLayer(ctx, 'relu');
  if (low === 0 && high === 6) return activationLayer(ctx, 'relu6');
  ctx.refuse(`clips to [${low}, ${high}]; convas has ReLU ([0, ∞)) and ReLU6 ([0, 6])`);
}

export const activationOperators: Record<string, OpEntry> = {
  ...Object.fromEntries(Object.entries(ELEMENTWISE_ACTIVATIONS).map(([op, activation]) => [op, { convert: (ctx: NodeContext) => activationLayer(ctx, activation) }])),
  Softmax: { convert: softmax },
  Clip: { convert: clip },
};
