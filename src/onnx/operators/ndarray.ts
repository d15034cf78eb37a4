// Small N-dimensional helpers for the constants evaluated at load time (shapes, axes, weights):
// row-major strides, axes counted from the end, gathers by coordinates, and NumPy broadcasting.
import type { NodeContext } from '../context.js';
import { type Constant, sizeOfDims } from '../tensors.js';
import { formatDims } from '../values.js';

/**
 * The most values a constant computed at load time may hold beyond its inputs' own (a weight scaled
 * by a number stays the weight's size): a few bytes of dims could otherwise ask for billions.
 */
export const MAX_COMPUTED_VALUES = 1 << 24;

/**
 * The most values all the constants computed while one file loads may hold together, beyond as many
 * as its initializers hold (a file of weights computed from others pays for them in bytes): each
 * within MAX_COMPUTED_VALUES, a chain of hundreds would still take minutes and gigabytes. Shape
 * arithmetic holds a few values; twice the largest constant leaves room to work through one.
 */
export const MAX_COMPUTED_TOTAL = 2 * MAX_COMPUTED_VALUES;

export const strides = (dims: readonly number[]) => dims.map((_, i) => sizeOfDims(dims.slice(i + 1)));

/** An axis in [−rank, rank) as an index in [0, rank); out of range is the node's error. */
export function axisIndex(ctx: NodeContext, axis: number, rank: number, what = 'axis'): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) ctx.refuse(`${what} ${axis} is out of range for rank ${rank}`);
  return axis < 0 ? axis + rank : axis;
}

/** Axes in [−rank, rank) as indices in [0, rank), each named once (ONNX defines no node that takes an axis twice). */
export function distinctAxes(ctx: NodeContext, given: number[], rank: number): number[] {
  const axes = given.map((a) => axisIndex(ctx, a, rank));
  // A Set, not indexOf: a file's list of axes may be long, and each is checked against every other.
  const seen = new Set<number>();
  const repeated = axes.findIndex((a) => seen.size === seen.add(a).size);
  if (repeated >= 0) {
    // The file's own axes (a negative one counts from the end), and the ones that name the same axis.
    const same = given.filter((_, i) => axes[i] === axes[repeated]);
    ctx.refuse(`axes ${JSON.stringify(given)} name axis ${axes[repeated]} twice (${same.join(' and ')}); expected each axis once`);
  }
  return axes;
}

/**
 * The axes a Reduce node (ReduceMean, ReduceMax) reduces of a tensor of `rank`, as indices in [0,
 * rank), sorted, each named once; none listed means all, or none (undefined: the node passes its input
 * on) with noop_with_empty_axes. An attribute until opset `inputFrom`, an input (and
 * noop_with_empty_axes) from it: 18, but 13 for ReduceSum.
 */
export function reducedAxes(ctx: NodeContext, rank: number, inputFrom = 18): number[] | undefined {
  const axes = ctx.opset >= inputFrom ? ctx.ints(1, 'axes', []) : ctx.intList('axes', []);
  if (ctx.opset >= inputFrom && ctx.int('noop_with_empty_axes', 0) !== 0 && axes.length === 0) return undefined;
  return distinctAxes(ctx, axes, rank).sort((a, b) => a - b);
}

export const makeConstant = (type: Constant['type'], dims: number[], data: Float32Array | number[]): Constant => ({ kind: 'constant', type, dims, data });

/** A constant of `dims` whose element at each output position comes from `c` at source(coordinates). */
export function gather(c: Constant, dims: number[], source: (coordinates: number[]) => number): Constant {
  const count = sizeOfDims(dims);
  const data = c.type === 'float' ? new Float32Array(count) : new Array<number>(count);
  const at = new Array<number>(dims.length).fill(0);
  for (let i = 0; i < count; i++) {
    data[i] = c.data[source(at)];
    for (let a = dims.length - 1; a >= 0; a--) {
      if (++at[a] < dims[a]) break;
      at[a] = 0;
    }
  }
  return makeConstant(c.type, dims, data);
}

/** The broadcast dims of a and b (NumPy rules), or undefined if they do not broadcast. */
function broadcastDims(a: readonly number[], b: readonly number[]): number[] | undefined {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const x = a[a.length - rank + i] ?? 1, y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return undefined;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** c read as if of the broadcast `dims`: the index into c of each output element's coordinates. */
function broadcastIndex(c: Constant, dims: readonly number[]): (coordinates: number[]) => number {
  const offset = dims.length - c.dims.length;
  const s = strides(c.dims);
  return (at) => c.dims.reduce((index, d, i) => index + (d === 1 ? 0 : at[i + offset] * s[i]), 0);
}

/**
 * Refuses, naming the node, a constant of `dims` computed from `inputs` (`what` says how) that would
 * hold more than MAX_COMPUTED_VALUES values and more than any input, or take the file's computed
 * constants past their budget (Graph.computed): checked before it is made, which every fold that
 * makes new values does. Its values are then counted against that budget.
 */
export function checkComputedSize(ctx: NodeContext, dims: readonly number[], inputs: readonly Constant[], what: string): void {
  const count = sizeOfDims(dims);
  if (count > inputs.reduce((most, c) => Math.max(most, c.data.length), MAX_COMPUTED_VALUES)) {
    ctx.refuse(`${what} to ${formatDims(dims)}, ${count} values; convas computes constants of at most ${MAX_COMPUTED_VALUES} values at load time`);
  }
  const budget = ctx.graph.computed;
  if (budget.values + count > MAX_COMPUTED_TOTAL + budget.initializerValues) {
    ctx.refuse(`${what} to ${formatDims(dims)}, ${count} values, after ${budget.values} in the constants computed before it; convas computes ` +
      `constants of at most ${MAX_COMPUTED_TOTAL} values in all while a file loads, plus as many as its initializers hold (${budget.initializerValues})`);
  }
  budget.values += count;
}

/**
 * The constants' common dims (NumPy's broadcasting), and each one's values read at those dims;
 * refused by name when they do not broadcast, or when the result would be too large (checkComputedSize).
 */
export function broadcastConstants(ctx: NodeContext, parts: Constant[]): { dims: number[]; values: Array<Float32Array | number[]> } {
  const dims = parts.reduce<number[] | undefined>((d, p) => d && broadcastDims(d, p.dims), []);
  const named = parts.map((p) => formatDims(p.dims)).join(' with ');
  if (!dims) ctx.refuse(`cannot broadcast ${named}`);
  checkComputedSize(ctx, dims, parts, `broadcasts ${named}`);
  return { dims, values: parts.map((p) => gather(p, dims, broadcastIndex(p, dims)).data) };
}

/** Whether the constant holds the batch size (NaN) anywhere: arithmetic on it has no meaning at load time. */
export const holdsBatch = (c: Constant) => c.type === 'int' && (c.data as number[]).some(Number.isNaN);
