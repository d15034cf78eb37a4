// Add, Sub, Mul and Div. Between two tensors of one shape: the add and multiply merge layers (a
// subtraction adds the second tensor negated); Sum, Mean and Max of tensors of one shape are the
// add, average and maximum merges. Between a tensor and a constant that is one number
// or one per channel (PyTorch's (x − mean) / std, a scale): a Rescaling layer. Between constants:
// evaluated now, with NumPy broadcasting. Anything else is refused by name.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { type Constant, type TensorValue, formatDims, isImage } from '../values.js';
import { broadcastDims, broadcastIndex, gather, holdsBatch, makeConstant } from './ndarray.js';

type Op = 'Add' | 'Sub' | 'Mul' | 'Div';

const COMPUTE: Record<Op, (a: number, b: number) => number> = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Div: (a, b) => a / b,
};

function fold(op: Op) {
  return (ctx: NodeContext): Constant => {
    const a = ctx.constant(0), b = ctx.constant(1);
    if (a.type !== b.type) ctx.refuse(`combines a ${a.type} constant with a ${b.type} one; ONNX requires one type`);
    if (holdsBatch(a) || holdsBatch(b)) ctx.refuse('computes with the batch size, which convas does not know at load time');
    const dims = broadcastDims(a.dims, b.dims);
    if (!dims) ctx.refuse(`cannot broadcast ${formatDims(a.dims)} with ${formatDims(b.dims)}`);
    const integer = a.type === 'int';
    const left = gather(a, dims, broadcastIndex(a, dims)), right = gather(b, dims, broadcastIndex(b, dims));
    return makeConstant(a.type, dims, combine(left.data, right.data, (x, y) => {
      if (integer && op === 'Div' && y === 0) ctx.refuse('divides an integer by zero');
      const z = COMPUTE[op](x, y);
      return integer && op === 'Div' ? Math.trunc(z) : z;
    }));
  };
}

function combine(a: Float32Array | number[], b: Float32Array | number[], f: (x: number, y: number) => number): Float32Array | number[] {
  const out = a instanceof Float32Array ? new Float32Array(a.length) : new Array<number>(a.length);
  for (let i = 0; i < a.length; i++) out[i] = f(a[i], b[i]);
  return out;
}

/**
 * The constant as Rescaling takes it, broadcast against the tensor x: one number, or one per
 * channel (convas's last axis: an image's channels, a flat tensor's features). Anything that varies
 * along another axis, or would grow x, is refused.
 */
function perChannel(ctx: NodeContext, c: Constant, x: TensorValue): number | number[] {
  const rank = x.dims.length;
  const channelAxis = isImage(x) ? 1 : rank - 1;
  const channels = x.dims[channelAxis];
  const aligned = [...Array.from({ length: rank - c.dims.length }, () => 1), ...c.dims];
  if (c.type !== 'float') ctx.refuse(`combines a tensor with an integer constant; expected a float one`);
  const fits = c.dims.length <= rank && aligned.every((d, i) => d === 1 || (i === channelAxis && d === channels));
  if (!fits) {
    ctx.refuse(`combines ${formatDims(x.dims)} with a constant ${formatDims(c.dims)}; convas takes a constant that is one number ` +
      `or one per channel (${isImage(x) ? `[${channels}, 1, 1]` : `[${channels}]`})`);
  }
  const values = Array.from(c.data);
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) ctx.refuse(`the constant holds ${bad}; expected finite numbers`);
  return values.every((v) => v === values[0]) ? values[0] : values;
}

const map = (v: number | number[], f: (x: number) => number) => (Array.isArray(v) ? v.map(f) : f(v));

function rescale(ctx: NodeContext, x: TensorValue, scale: number | number[], offset: number | number[] = 0, suffix = ''): TensorValue {
  return ctx.layer(() => layers.rescaling({ scale, offset, name: ctx.layerName(suffix) }), [x]).output;
}

function convert(op: Op) {
  return (ctx: NodeContext): TensorValue => {
    const [a, b] = [ctx.input(0), ctx.input(1)];
    if (!a || !b) ctx.refuse('takes two inputs');
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      const [x, y] = [ctx.tensor(0), ctx.tensor(1)];
      if (formatDims(x.dims) !== formatDims(y.dims)) {
        ctx.refuse(`broadcasts ${formatDims(x.dims)} with ${formatDims(y.dims)}; convas ${op === 'Mul' ? 'multiplies' : 'adds'} tensors of one shape`);
      }
      if (op === 'Div') ctx.refuse('divides a tensor by a tensor, which convas has no layer for');
      const second = op === 'Sub' ? rescale(ctx, y, -1, 0, '_negated') : y;
      const merge = op === 'Mul' ? layers.multiply : layers.add;
      return ctx.layer(() => merge({ name: ctx.layerName() }), [x, second]).output;
    }
    const tensorFirst = a.kind === 'tensor';
    const x = ctx.tensor(tensorFirst ? 0 : 1);
    const c = perChannel(ctx, ctx.constant(tensorFirst ? 1 : 0, 'the constant'), x);
    switch (op) {
      case 'Add': return rescale(ctx, x, 1, c);
      case 'Mul': return rescale(ctx, x, c);
      case 'Sub': return tensorFirst ? rescale(ctx, x, 1, map(c, (v) => -v)) : rescale(ctx, x, -1, c);
      case 'Div':
        if (!tensorFirst) ctx.refuse('divides a constant by a tensor, which convas has no layer for');
        if (c === 0 || (Array.isArray(c) && c.includes(0))) ctx.refuse('divides by zero');
        return rescale(ctx, x, map(c, (v) => 1 / v));
    }
  };
}

/** Sum, Mean, Max: a merge of tensors of one shape (one tensor passes as it is). */
function variadic(merge: 'add' | 'average' | 'maximum') {
  return (ctx: NodeContext): TensorValue => {
    const parts = Array.from({ length: ctx.inputCount }, (_, i) => ctx.tensor(i));
    const other = parts.find((p) => formatDims(p.dims) !== formatDims(parts[0].dims));
    if (other) ctx.refuse(`broadcasts ${formatDims(parts[0].dims)} with ${formatDims(other.dims)}; convas merges tensors of one shape`);
    if (parts.length === 1) return parts[0];
    return ctx.layer(() => layers[merge]({ name: ctx.layerName() }), parts).output;
  };
}

export const arithmeticOperators: Record<string, OpEntry> = {
  ...Object.fromEntries((Object.keys(COMPUTE) as Op[]).map((op) => [op, { fold: fold(op), convert: convert(op) }])),
  Sum: { convert: variadic('add') },
  Mean: { convert: variadic('average') },
  Max: { convert: variadic('maximum') },
};
