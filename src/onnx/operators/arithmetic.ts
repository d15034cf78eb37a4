// Add, Sub, Mul and Div. Between two tensors of one shape: the add and multiply merge layers (a
// subtraction adds the second tensor negated); an image [N, C, 1, 1] against one [N, C, H, W] (the
// gate of a squeeze-and-excitation block) is first repeated to H×W by a nearest UpSampling2D, which
// copies it exactly; Sum, Mean and Max of tensors of one shape are the
// add, average and maximum merges. Between a tensor and a constant that is one number
// or one per channel (PyTorch's (x − mean) / std, a scale): a Rescaling layer, one for a whole
// chain of such nodes (each the only reader of the one before). Between constants: evaluated now,
// with NumPy broadcasting. A Mul of x by itself that starts x / x.norm(…) is read as unit
// normalisation (unit-norm.ts). Anything else is refused by name.
import { layers } from '../../index.js';
import type { Affine, NodeContext, OpEntry } from '../context.js';
import { type Constant, type TensorValue, formatDims, isImage, lastConvasAxis } from '../values.js';
import { activationLayer } from './activation.js';
import { broadcastConstants, holdsBatch, makeConstant } from './ndarray.js';
import { divisionBySumOfSquares } from './unit-norm.js';
import { withArticle } from '../../article.js';

type Op = 'Add' | 'Sub' | 'Mul' | 'Div';

const COMPUTE: Record<Op, (a: number, b: number) => number> = {
  Add: (a, b) => a + b, Sub: (a, b) => a - b, Mul: (a, b) => a * b, Div: (a, b) => a / b,
};

function fold(op: Op) {
  return (ctx: NodeContext): Constant => {
    const a = ctx.constant(0), b = ctx.constant(1);
    if (a.type !== b.type) ctx.refuse(`combines ${withArticle(a.type)} constant with a ${b.type} one; ONNX requires one type`);
    if (holdsBatch(a) || holdsBatch(b)) ctx.refuse('computes with the batch size, which convas does not know at load time');
    const { dims, values: [left, right] } = broadcastConstants(ctx, [a, b]);
    const integer = a.type === 'int';
    return makeConstant(a.type, dims, combine(left, right, (x, y) => {
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
 * The constant as Rescaling takes it, broadcast against the tensor x of `dims`: one number, or one
 * per channel (convas's last axis, ONNX's `channelAxis`: an image's channels, a flat tensor's
 * features). Anything that varies along another axis, or would grow x, is refused.
 */
function perChannel(ctx: NodeContext, c: Constant, dims: number[], channelAxis: number): number | number[] {
  const rank = dims.length, image = channelAxis === 1 && rank === 4;
  const channels = dims[channelAxis];
  const aligned = [...Array.from({ length: rank - c.dims.length }, () => 1), ...c.dims];
  if (c.type !== 'float') ctx.refuse(`combines a tensor with an integer constant; expected a float one`);
  const fits = c.dims.length <= rank && aligned.every((d, i) => d === 1 || (i === channelAxis && d === channels));
  if (!fits) {
    ctx.refuse(`combines ${formatDims(dims)} with a constant ${formatDims(c.dims)}; convas takes a constant that is one number ` +
      `or one per channel (${image ? `[${channels}, 1, 1]` : `[${channels}]`})`);
  }
  const values = Array.from(c.data);
  const bad = values.find((v) => !Number.isFinite(v));
  if (bad !== undefined) ctx.refuse(`the constant holds ${bad}; expected finite numbers`);
  return values.every((v) => v === values[0]) ? values[0] : values;
}

const map = (v: number | number[], f: (x: number) => number) => (Array.isArray(v) ? v.map(f) : f(v));
/** f of a and b elementwise, one number standing for every channel. */
function zip(a: number | number[], b: number | number[], f: (x: number, y: number) => number): number | number[] {
  if (!Array.isArray(a) && !Array.isArray(b)) return f(a, b);
  const n = Array.isArray(a) ? a.length : (b as number[]).length;
  return Array.from({ length: n }, (_, i) => f(Array.isArray(a) ? a[i] : a, Array.isArray(b) ? b[i] : b));
}

/** The node as y = scale·x + offset of its tensor input `input` (of `dims`), the other input a per-channel constant. */
function affine(op: Op) {
  return (ctx: NodeContext, input: string, dims: number[], channelAxis: number): Affine | undefined => {
    const at = [0, 1].find((i) => ctx.inputName(i) === input);
    const other = ctx.input(at === 0 ? 1 : 0);
    if (at === undefined || ctx.inputCount !== 2 || other?.kind !== 'constant') return undefined;
    const c = perChannel(ctx, other, dims, channelAxis);
    switch (op) {
      case 'Add': return { scale: 1, offset: c };
      case 'Mul': return { scale: c, offset: 0 };
      case 'Sub': return at === 0 ? { scale: 1, offset: map(c, (v) => -v) } : { scale: -1, offset: c };
      case 'Div':
        if (at !== 0) ctx.refuse('divides a constant by a tensor, which convas has no layer for');
        if (c === 0 || (Array.isArray(c) && c.includes(0))) ctx.refuse('divides by zero');
        return { scale: map(c, (v) => 1 / v), offset: 0 };
    }
  };
}

/** second(first(x)): s₂·(s₁·x + o₁) + o₂. */
const compose = (first: Affine, second: Affine): Affine => ({
  scale: zip(second.scale, first.scale, (a, b) => a * b),
  offset: zip(zip(second.scale, first.offset, (a, b) => a * b), second.offset, (a, b) => a + b),
});

/**
 * Two tensors of one shape: as they are, or an image of one pixel per channel [N, C, 1, 1] repeated
 * to the other's [N, C, H, W]; anything else is refused.
 */
function pixelsRepeated(ctx: NodeContext, x: TensorValue, y: TensorValue, op: Op): [TensorValue, TensorValue] {
  if (formatDims(x.dims) === formatDims(y.dims)) return [x, y];
  const onePixel = (t: TensorValue) => isImage(t) && t.dims[2] === 1 && t.dims[3] === 1;
  const [small, large] = onePixel(x) ? [x, y] : [y, x];
  if (!onePixel(small) || !isImage(large) || small.dims[1] !== large.dims[1]) {
    ctx.refuse(`broadcasts ${formatDims(x.dims)} with ${formatDims(y.dims)}; convas ${op === 'Mul' ? 'multiplies' : 'adds'} tensors of one shape, ` +
      'or an image [N, C, 1, 1] with one [N, C, H, W]');
  }
  const size: [number, number] = [large.dims[2], large.dims[3]];
  const repeated = ctx.layer(() => layers.upSampling2d({ size, interpolation: 'nearest', name: ctx.layerName('_repeated') }), [small]).output;
  return small === x ? [repeated, large] : [large, repeated];
}

const isSqrtHalf = (scale: number | number[]) => !Array.isArray(scale) && Math.abs(scale - Math.SQRT1_2) <= 1e-6;

/** One number when every channel has it. */
const simplest = (v: number | number[]) => (Array.isArray(v) && v.every((x) => x === v[0]) ? v[0] : v);

function rescale(ctx: NodeContext, x: TensorValue, scale: number | number[], offset: number | number[] = 0, suffix = ''): TensorValue {
  return ctx.layer(() => layers.rescaling({ scale: simplest(scale), offset: simplest(offset), name: ctx.layerName(suffix) }), [x]).output;
}

function convert(op: Op) {
  return (ctx: NodeContext): TensorValue => {
    const [a, b] = [ctx.input(0), ctx.input(1)];
    if (!a || !b) ctx.refuse('takes two inputs');
    if (a.kind === 'tensor' && b.kind === 'tensor') {
      // x·x that starts x / x.norm(dim, keepdim=True): unit normalisation.
      const unitNormalized = op === 'Mul' ? divisionBySumOfSquares(ctx) : undefined;
      if (unitNormalized) return unitNormalized;
      if (op === 'Div') ctx.refuse('divides a tensor by a tensor, which convas has no layer for');
      const [x, y] = pixelsRepeated(ctx, ctx.tensor(0), ctx.tensor(1), op);
      const second = op === 'Sub' ? rescale(ctx, y, -1, 0, '_negated') : y;
      const merge = op === 'Mul' ? layers.multiply : layers.add;
      return ctx.layer(() => merge({ name: ctx.layerName() }), [x, second]).output;
    }
    // Per channel, or elementwise: a channels-last image keeps its layout.
    const x = ctx.heldTensor(a.kind === 'tensor' ? 0 : 1), xName = ctx.inputName(a.kind === 'tensor' ? 0 : 1);
    const channelAxis = lastConvasAxis(x);
    const own = affine(op)(ctx, xName, x.dims, channelAxis)!;
    // x/√2 that starts x·Φ(x) written with Erf (PyTorch's nn.GELU, convas's own ONNX files): GELU.
    if (own.offset === 0 && isSqrtHalf(own.scale) && ctx.absorbGelu(xName)) return activationLayer(ctx, 'gelu', x);
    const chain = ctx.absorbChain((entry, next, input) => entry.affine?.(next, input, x.dims, channelAxis));
    const { scale, offset } = chain.reduce(compose, own);
    return ctx.inLayoutOf(x, rescale(ctx, x, scale, offset));
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
  ...Object.fromEntries((Object.keys(COMPUTE) as Op[]).map((op) => [op, { fold: fold(op), convert: convert(op), affine: affine(op) }])),
  Sum: { convert: variadic('add') },
  Mean: { convert: variadic('average') },
  Max: { convert: variadic('maximum') },
};
