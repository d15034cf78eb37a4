// x divided by its L2 norm over one axis → a UnitNormalization layer, where the axis is the one
// convas holds last (an image's channels, the features of [N, F]). PyTorch 1.13 writes
// F.normalize(x, dim, eps=ε) as ReduceL2 (keepdims) → Clip(min ε) → Expand to Shape(x) → Div(x, ·),
// and x / x.norm(dim=…, keepdim=True) as Mul(x, x) → ReduceSum → Sqrt → Div(x, ·) (ReduceL2 → Div
// for x.norm(p=2, …)); the Clip and the Expand are each optional. The Clip's ε is the layer's
// minNorm, so rows of norm below ε come out as PyTorch's (x/ε) whatever ε the file holds; without a Clip
// there is no floor (a row of zeros gives NaN, as in PyTorch). Any other use of ReduceL2 or
// ReduceSum is refused, naming the node.
import { layers } from '../../index.js';
import type { Graph, NodeContext, OpEntry } from '../context.js';
import { type TensorValue, formatDims, lastConvasAxis } from '../values.js';
import { givenClipBounds } from './activation.js';
import { type Reader, outputOf, readersOf, soleReader } from './node-matching.js';
import { reducedAxes } from './ndarray.js';

/** The one axis a reduction with keepdims (this node, or one inspected) sums over, or undefined. */
function keptAxis(ctx: NodeContext, rank: number, inputFrom?: number): number | undefined {
  const axes = ctx.int('keepdims', 1) === 1 ? reducedAxes(ctx, rank, inputFrom) : undefined;
  return axes?.length === 1 ? axes[0] : undefined;
}

/**
 * After the norm of x (`norm`, the value holding it): an optional Clip from below by ε ≥ 0, an
 * optional Expand to x's shape, then the Div of x by it, each node the only reader of the one
 * before (no graph output). The nodes, and the floor they put on the norm (0 without a Clip).
 */
function divisionByNorm(graph: Graph, x: string, norm: string): { steps: Reader[]; minNorm: number } | undefined {
  const [clip] = readersOf(graph, norm);
  const floor = readersOf(graph, norm).length === 1 && clip.node.opType === 'Clip' && (clip.node.input ?? [])[0] === norm
    ? graph.inspect(clip.node, clip.index, (_, next) => {
      const [low, high] = givenClipBounds(next);
      return Number.isFinite(low) && low >= 0 && high === Infinity ? low : undefined;
    }) : undefined;
  const floored = floor === undefined ? norm : outputOf(clip);
  const isShapeOfX = (name: string) => {
    const writer = graph.writer(name);
    return writer?.opType === 'Shape' && !writer.domain && !(writer.attribute ?? []).length && (writer.input ?? []).join() === x;
  };
  const expand = soleReader(graph, floored, 'Expand', (i) => i.length === 2 && i[0] === floored && isShapeOfX(i[1]));
  const divisor = expand ? outputOf(expand) : floored;
  const division = soleReader(graph, divisor, 'Div', (i) => i.length === 2 && i[0] === x && i[1] === divisor);
  if (!division) return undefined;
  return { steps: [...(floor === undefined ? [] : [clip]), ...(expand ? [expand] : []), division], minNorm: floor ?? 0 };
}

/** x (input 0 of this node) as the UnitNormalization layer over ONNX axis `axis`, the division's nodes absorbed. */
function unitNormalized(ctx: NodeContext, axis: number, steps: Reader[], minNorm: number): TensorValue {
  const x = ctx.heldTensor(0);
  if (axis !== lastConvasAxis(x)) {
    ctx.refuse(`divides ${formatDims(x.dims)} by its L2 norm over axis ${axis}; convas normalises over the axis it holds last: ` +
      `an image's channels (axis 1), any other tensor's last axis (${x.dims.length - 1})`);
  }
  ctx.nameLayersAfter(steps[steps.length - 1].node);
  const { output } = ctx.layer(() => layers.unitNormalization({ minNorm, name: ctx.layerName() }), [x]);
  for (const step of steps) ctx.graph.absorb(step.index, outputOf(ctx));
  return ctx.inLayoutOf(x, output);
}

/** ReduceL2: F.normalize or x / x.norm(p=2, …); anything else is refused. */
function reduceL2(ctx: NodeContext): TensorValue {
  const x = ctx.heldTensor(0), axis = keptAxis(ctx, x.dims.length);
  const division = axis === undefined ? undefined : divisionByNorm(ctx.graph, ctx.inputName(0), outputOf(ctx));
  if (axis === undefined || !division) {
    return ctx.refuse(`computes the L2 norm of ${formatDims(x.dims)} for another use than dividing by it; convas reads ReduceL2 over one axis ` +
      'with keepdims, followed by the Div of the same tensor by it (F.normalize(x, dim), x / x.norm(dim=…, keepdim=True))');
  }
  return unitNormalized(ctx, axis, division.steps, division.minNorm);
}

/**
 * For a Mul of x by itself (this node): when the sum of the squares over one axis follows, its
 * root, and x divided by it, those nodes are absorbed and x divided by its norm returned; else undefined.
 */
export function divisionBySumOfSquares(ctx: NodeContext): TensorValue | undefined {
  const x = ctx.input(0), xName = ctx.inputName(0), graph = ctx.graph;
  if (x?.kind !== 'tensor' || ctx.inputName(1) !== xName) return undefined;
  const readers = readersOf(graph, outputOf(ctx));
  if (readers.length !== 1 || readers[0].node.opType !== 'ReduceSum' || (readers[0].node.input ?? [])[0] !== outputOf(ctx)) return undefined;
  const [sum] = readers;
  const axis = graph.inspect(sum.node, sum.index, (_, next) => keptAxis(next, x.dims.length, 13));
  const root = axis === undefined ? undefined : soleReader(graph, outputOf(sum), 'Sqrt', (i) => i.length === 1);
  const division = root && divisionByNorm(graph, xName, outputOf(root));
  if (!division) return undefined;
  return unitNormalized(ctx, axis!, [sum, root!, ...division.steps], division.minNorm);
}

export const unitNormOperators: Record<string, OpEntry> = {
  ReduceL2: { convert: reduceL2 },
  // Inspected within x / x.norm(…) (read from its Mul); on its own, refused by name.
  ReduceSum: {
    convert: (ctx) => ctx.refuse('is a sum convas does not compute: it reads ReduceSum only as the sum of squares ' +
      'of x / x.norm(dim=…, keepdim=True) (Mul of x by itself, ReduceSum over one axis, Sqrt, Div of x by it)'),
  },
};
