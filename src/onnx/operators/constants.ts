// Operators evaluated while the model loads: constants, and the shape arithmetic torch.onnx.export
// writes around a view or a reshape (Shape → Gather → Unsqueeze → Concat → Reshape, a Pad's pads
// built with ConstantOfShape, Slice and Gather (slice.ts) and Transpose; x.expand(-1, …)'s target
// chosen by Equal and Where). The batch size, unknown until the model runs,
// is BATCH (NaN) in shapes: moving it around is fine, computing with it is refused.
import type { NodeContext, OpEntry } from '../context.js';
import { sizeOfDims } from '../tensors.js';
import { type Constant, type Value, formatDims } from '../values.js';
import { axisIndex, broadcastConstants, checkComputedSize, gather, holdsBatch, makeConstant, strides } from './ndarray.js';
import { withArticle } from '../../article.js';

/** TensorProto.DataType codes a Cast may target, by the kind of number they hold. */
const CAST_TARGETS: Record<number, Constant['type']> = { 1: 'float', 11: 'float', 2: 'int', 3: 'int', 6: 'int', 7: 'int', 9: 'int' };

async function constantNode(ctx: NodeContext): Promise<Constant> {
  const tensor = await ctx.tensorAttribute('value');
  if (tensor) return tensor;
  if (ctx.has('value_float')) return makeConstant('float', [], Float32Array.of(ctx.float('value_float', 0)));
  if (ctx.has('value_floats')) {
    const values = ctx.floatList('value_floats', []);
    return makeConstant('float', [values.length], Float32Array.from(values));
  }
  if (ctx.has('value_int')) return makeConstant('int', [], [ctx.int('value_int', 0)]);
  if (ctx.has('value_ints')) {
    const values = ctx.intList('value_ints', []);
    return makeConstant('int', [values.length], values);
  }
  ctx.refuse(ctx.has('sparse_value') ? 'holds a sparse tensor, which convas does not read' : 'has no value; expected value, value_float(s) or value_int(s)');
}

/** A value's dims as a constant (of a tensor, with the batch as BATCH), from start to end (opset 15). */
function shapeOf(ctx: NodeContext): Constant {
  const value = ctx.input(0);
  if (!value) ctx.refuse('input 0 is missing');
  const { dims } = value;
  const clamp = (axis: number) => Math.max(0, Math.min(dims.length, axis < 0 ? axis + dims.length : axis));
  const start = clamp(ctx.int('start', 0)), end = clamp(ctx.int('end', dims.length));
  return makeConstant('int', [Math.max(0, end - start)], dims.slice(start, Math.max(start, end)));
}

function cast(ctx: NodeContext): Value {
  const to = ctx.int('to', 0);
  const type = CAST_TARGETS[to];
  const value = ctx.input(0);
  if (!value) ctx.refuse('input 0 is missing');
  if (value.kind === 'tensor') {
    if (to !== 1) ctx.refuse(`casts a tensor to type ${to}; convas computes in FLOAT (1) only`);
    return value;
  }
  if (!type) ctx.refuse(`casts to type ${to}; convas evaluates casts to FLOAT, DOUBLE, INT8, UINT8, INT32, INT64 and BOOL`);
  checkComputedSize(ctx, value.dims, [value], 'casts a constant');
  if (type === 'float') return makeConstant('float', value.dims, Float32Array.from(value.data));
  const data = Array.from(value.data, (v) => (to === 9 ? Number(v !== 0) : Math.trunc(v)));
  return makeConstant('int', value.dims, data);
}

export function transposeConstant(ctx: NodeContext): Constant {
  const data = ctx.constant(0, 'data');
  const rank = data.dims.length;
  const perm = ctx.intList('perm', data.dims.map((_, i) => rank - 1 - i));
  if (perm.length !== rank || [...perm].sort((a, b) => a - b).some((p, i) => p !== i)) ctx.refuse(`perm ${JSON.stringify(perm)} is not a permutation of 0…${rank - 1}`);
  const s = strides(data.dims), dims = perm.map((p) => data.dims[p]);
  checkComputedSize(ctx, dims, [data], `transposes ${formatDims(data.dims)}`);
  return gather(data, dims, (at) => at.reduce((index, c, a) => index + c * s[perm[a]], 0));
}

async function constantOfShape(ctx: NodeContext): Promise<Constant> {
  const dims = ctx.ints(0, 'shape');
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) ctx.refuse(`shape [${dims}] must be non-negative integers known at load time (not the batch size)`);
  checkComputedSize(ctx, dims, [], 'repeats one value');
  const value = (await ctx.tensorAttribute('value')) ?? makeConstant('float', [1], Float32Array.of(0));
  if (value.data.length !== 1) ctx.refuse('value must hold one number');
  const count = sizeOfDims(dims);
  return makeConstant(value.type, dims, value.type === 'float' ? new Float32Array(count).fill(value.data[0]) : new Array<number>(count).fill(value.data[0]));
}

/** Equal of two constants, 1 where they are equal (ONNX's BOOL, held as integers). */
function equal(ctx: NodeContext): Constant {
  const a = ctx.constant(0), b = ctx.constant(1);
  if (holdsBatch(a) || holdsBatch(b)) ctx.refuse('compares the batch size, which convas does not know at load time');
  const { dims, values: [x, y] } = broadcastConstants(ctx, [a, b]);
  return makeConstant('int', dims, Array.from(x, (v, i) => Number(v === y[i])));
}

/** Where of constants: x where the condition holds, y elsewhere. */
function where(ctx: NodeContext): Constant {
  const condition = ctx.constant(0, 'condition'), x = ctx.constant(1, 'X'), y = ctx.constant(2, 'Y');
  if (x.type !== y.type) ctx.refuse(`chooses between ${withArticle(x.type)} constant and a ${y.type} one; ONNX requires one type`);
  if (holdsBatch(condition)) ctx.refuse('chooses by the batch size, which convas does not know at load time');
  const { dims, values: [c, a, b] } = broadcastConstants(ctx, [condition, x, y]);
  const data = Array.from(c, (v, i) => (v ? a[i] : b[i]));
  return makeConstant(x.type, dims, x.type === 'float' ? Float32Array.from(data) : data);
}

export const constantOperators: Record<string, OpEntry> = {
  Constant: { fold: constantNode },
  Identity: { fold: (ctx) => ctx.constant(0), convert: (ctx) => ctx.tensor(0) },
  Shape: { fold: shapeOf, convert: shapeOf },
  Cast: { fold: cast, convert: cast },
  ConstantOfShape: { fold: constantOfShape },
  Equal: { fold: equal },
  Where: { fold: where },
};

