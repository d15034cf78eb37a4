// DepthToSpace and SpaceToDepth: blocks of r×r pixels moved between an image's channels and its
// rows and columns. PyTorch's nn.PixelShuffle(r) is DepthToSpace in mode CRD (output channel c,
// block offset (i, j) read from input channel c·r² + i·r + j), the super-resolution nets' last
// step; TensorFlow's depth_to_space is mode DCR (channel (i·r + j)·C + c), and SpaceToDepth is its
// inverse. Each is convas's Reshape and Permute layers on the image as convas holds it, [H, W, ·]:
// no values change, and the gradient goes back through the same moves.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import type { TensorValue } from '../values.js';

/** One move: a Reshape of each example to `reshape`, or a Permute of its axes by `permute` (from 1). */
type Move = { reshape: number[] } | { permute: number[] };

/** The moves applied in order, as layers named after the node (the last with its plain name). */
function moved(ctx: NodeContext, x: TensorValue, moves: Move[]): TensorValue {
  return moves.reduce((value, move, k) => {
    const name = ctx.layerName(k === moves.length - 1 ? '' : `_${k}`);
    const layer = () => ('reshape' in move ? layers.reshape({ targetShape: move.reshape, name }) : layers.permute({ dims: move.permute, name }));
    return ctx.layer(layer, [value]).output;
  }, x);
}

/** The blocksize attribute, a whole number of which fits `what` (the channels, or the rows and columns). */
function blocksize(ctx: NodeContext, fits: (r: number) => boolean, what: string): number {
  const r = ctx.int('blocksize', 0);
  if (!Number.isInteger(r) || r < 1) ctx.refuse(`blocksize ${r}; expected a positive integer`);
  if (!fits(r)) ctx.refuse(`blocksize ${r} does not divide ${what}`);
  return r;
}

function depthToSpace(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  if (x.dims.length !== 4) ctx.refuse('expected an image [N, C, H, W]');
  const [, depth, height, width] = x.dims;
  const mode = ctx.string('mode', 'DCR');
  if (mode !== 'CRD' && mode !== 'DCR') ctx.refuse(`mode ${JSON.stringify(mode)} is not supported; convas reads CRD (PyTorch's PixelShuffle) and DCR (TensorFlow's)`);
  const r = blocksize(ctx, (b) => depth % (b * b) === 0, `the ${depth} channels into blocks of its square`);
  const channels = depth / (r * r);
  if (r === 1) return x;
  // Each pixel's depth as [i, j, c] (DCR's order; CRD's [c, i, j] moved there first), then rows i among
  // the image's rows and columns j among its columns: [H, W, r, r·C] → [H, r, W, r·C] → [H·r, W·r, C].
  const toDcr: Move[] = mode === 'CRD' && channels > 1 ? [{ reshape: [height, width, channels, r * r] }, { permute: [1, 2, 4, 3] }] : [];
  return moved(ctx, x, [...toDcr, { reshape: [height, width, r, r * channels] }, { permute: [1, 3, 2, 4] }, { reshape: [height * r, width * r, channels] }]);
}

/** SpaceToDepth (DCR order, the only one ONNX has): DepthToSpace's DCR moves undone in reverse. */
function spaceToDepth(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  if (x.dims.length !== 4) ctx.refuse('expected an image [N, C, H, W]');
  const [, channels, height, width] = x.dims;
  const r = blocksize(ctx, (b) => height % b === 0 && width % b === 0, `the image's ${height} rows and ${width} columns`);
  if (r === 1) return x;
  const [rows, columns] = [height / r, width / r];
  return moved(ctx, x, [{ reshape: [rows, r, columns, r * channels] }, { permute: [1, 3, 2, 4] }, { reshape: [rows, columns, r * r * channels] }]);
}

export const depthToSpaceOperators: Record<string, OpEntry> = {
  DepthToSpace: { convert: depthToSpace },
  SpaceToDepth: { convert: spaceToDepth },
};
