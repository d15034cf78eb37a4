// DepthToSpace and SpaceToDepth: blocks of r×r pixels moved between an image's channels and its
// rows and columns. PyTorch's nn.PixelShuffle(r) is DepthToSpace in mode CRD (output channel c,
// block offset (i, j) read from input channel c·r² + i·r + j), the super-resolution nets' last
// step; TensorFlow's depth_to_space is mode DCR (channel (i·r + j)·C + c), and SpaceToDepth is its
// inverse. Before opset 11 PyTorch writes pixel_shuffle, and at any opset pixel_unshuffle (CRD's
// inverse), as a Reshape to six axes, a Transpose and a Reshape back, read here as one. Each is
// convas's Reshape and Permute layers on the image as convas holds it, [H, W, ·]: no values
// change, every Permute moves at most four axes (the kernel's limit), and the gradient goes back
// through the same moves.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import type { onnx } from '../proto/onnx.js';
import { type TensorValue, formatDims, isImage } from '../values.js';
import { reshapeTarget } from './reshape-target.js';

/** One move: a Reshape of each example to `reshape`, or a Permute of its axes by `permute` (from 1). */
type Move = { reshape: number[] } | { permute: number[] };
type Mode = 'CRD' | 'DCR';

/** The moves applied in order, as layers named after the node (the last with its plain name). */
function moved(ctx: NodeContext, x: TensorValue, moves: Move[]): TensorValue {
  if (!moves.length) return x;
  return moves.reduce((value, move, k) => {
    const name = ctx.layerName(k === moves.length - 1 ? '' : `_${k}`);
    const layer = () => ('reshape' in move ? layers.reshape({ targetShape: move.reshape, name }) : layers.permute({ dims: move.permute, name }));
    return ctx.layer(layer, [value]).output;
  }, x);
}

/** Each pixel's `channels`·r² values [H, W, ·] from CRD's order (c, i, j) to DCR's (i, j, c), or back; nothing with one channel. */
function regrouped(height: number, width: number, channels: number, r: number, from: Mode): Move[] {
  if (channels === 1) return [];
  const blocks = r * r;
  const [split, joined] = from === 'CRD' ? [[height, width, channels, blocks], [height, width, blocks * channels]] : [[height, width, blocks, channels], [height, width, channels * blocks]];
  return [{ reshape: split }, { permute: [1, 2, 4, 3] }, { reshape: joined }];
}

/** An image [H, W, C·r²] to [H·r, W·r, C]: the depth's (i, j, c) as DCR, then rows i among the rows and columns j among the columns. */
function depthToSpaceMoves(height: number, width: number, channels: number, r: number, mode: Mode): Move[] {
  const toDcr = mode === 'CRD' ? regrouped(height, width, channels, r, 'CRD').slice(0, 2) : [];
  return [...toDcr, { reshape: [height, width, r, r * channels] }, { permute: [1, 3, 2, 4] }, { reshape: [height * r, width * r, channels] }];
}

/** An image [H·r, W·r, C] to [H, W, C·r²] in the depth order of `mode`: depthToSpaceMoves undone. */
function spaceToDepthMoves(rows: number, columns: number, channels: number, r: number, mode: Mode): Move[] {
  const dcr: Move[] = [{ reshape: [rows, r, columns, r * channels] }, { permute: [1, 3, 2, 4] }, { reshape: [rows, columns, r * r * channels] }];
  return mode === 'CRD' && channels > 1 ? [...dcr.slice(0, 2), ...regrouped(rows, columns, channels, r, 'DCR')] : dcr;
}

/** The blocksize attribute, a whole number of which fits `what` (the channels, or the rows and columns). */
function blocksize(ctx: NodeContext, fits: (r: number) => boolean, what: string): number {
  const r = ctx.int('blocksize', 0);
  if (!Number.isInteger(r) || r < 1) ctx.refuse(`blocksize ${r}; expected a positive integer`);
  if (!fits(r)) ctx.refuse(`blocksize ${r} does not divide ${what}`);
  return r;
}

function image(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  if (!isImage(x)) ctx.refuse(`moves ${formatDims(x.dims)}; expected an image [N, C, H, W]`);
  return x;
}

function depthToSpace(ctx: NodeContext): TensorValue {
  const x = image(ctx), [, depth, height, width] = x.dims;
  const mode = ctx.string('mode', 'DCR');
  if (mode !== 'CRD' && mode !== 'DCR') ctx.refuse(`mode ${JSON.stringify(mode)} is not supported; convas reads CRD (PyTorch's PixelShuffle) and DCR (TensorFlow's)`);
  const r = blocksize(ctx, (b) => depth % (b * b) === 0, `the ${depth} channels into blocks of its square`);
  return r === 1 ? x : moved(ctx, x, depthToSpaceMoves(height, width, depth / (r * r), r, mode));
}

/** SpaceToDepth, in DCR order (the only one ONNX has). */
function spaceToDepth(ctx: NodeContext): TensorValue {
  const x = image(ctx), [, channels, height, width] = x.dims;
  const r = blocksize(ctx, (b) => height % b === 0 && width % b === 0, `the image's ${height} rows and ${width} columns`);
  return r === 1 ? x : moved(ctx, x, spaceToDepthMoves(height / r, width / r, channels, r, 'DCR'));
}

/** The one node that reads `node`'s only output, which is no graph output; undefined when there is none or more. */
function soleReader(ctx: NodeContext, node: onnx.NodeProto.$Properties) {
  const outputs = node.output ?? [];
  if (outputs.length !== 1 || ctx.graph.isOutput(outputs[0])) return undefined;
  const readers = ctx.graph.readers(outputs[0]);
  return readers.length === 1 && (readers[0].node.input ?? [])[0] === outputs[0] ? readers[0] : undefined;
}

/**
 * For a Reshape (`ctx`) of the image x to per-example `dims` of five axes: when it starts PyTorch's
 * pixel_shuffle ([C, r, r, H, W], Transpose 0, 1, 4, 2, 5, 3, Reshape to [C, H·r, W·r]) or
 * pixel_unshuffle ([C, H, r, W, r], Transpose 0, 1, 3, 5, 2, 4, Reshape to [C·r², H, W]), each node
 * reading the one before alone, the result of the three, which the other two take; else undefined.
 */
export function pixelShuffled(ctx: NodeContext, x: TensorValue, dims: number[]): TensorValue | undefined {
  if (!isImage(x) || x.channelsLast || dims.length !== 5) return undefined;
  const [, depth, height, width] = x.dims, [c, a, b, d, e] = dims;
  const shuffle = a === b && d === height && e === width && c * a * b === depth;
  const unshuffle = c === depth && b === e && a * b === height && d * e === width;
  if (!shuffle && !unshuffle) return undefined;
  const r = shuffle ? a : b;
  const [perm, result] = shuffle ? ['0,1,4,2,5,3', [c, height * r, width * r]] : ['0,1,3,5,2,4', [depth * r * r, a, d]];
  const transpose = soleReader(ctx, ctx.node);
  const transposed = transpose && ctx.graph.inspect(transpose.node, transpose.index, (_, t) => (t.op === 'Transpose' ? t.intList('perm', []).join() : undefined));
  const back = transposed === perm ? soleReader(ctx, transpose!.node) : undefined;
  const sixAxes = [x.dims[0], ...perm.split(',').slice(1).map((p) => dims[Number(p) - 1])];
  const target = back && ctx.graph.inspect(back.node, back.index, (_, next) => (next.op === 'Reshape' ? reshapeTarget(next, sixAxes).join() : undefined));
  if (target !== result.join()) return undefined;
  const output = (ctx.node.output ?? [])[0];
  ctx.graph.absorb(transpose!.index, output);
  ctx.graph.absorb(back!.index, output);
  const moves = shuffle ? depthToSpaceMoves(height, width, c, r, 'CRD') : spaceToDepthMoves(a, d, depth, r, 'CRD');
  return r === 1 ? x : moved(ctx, x, moves);
}

export const depthToSpaceOperators: Record<string, OpEntry> = {
  DepthToSpace: { convert: depthToSpace },
  SpaceToDepth: { convert: spaceToDepth },
};
