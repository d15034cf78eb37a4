// Expand and Tile of a tensor: its elements repeated along axes. PyTorch writes Expand for
// y.expand_as(x) — the gate [N, C, 1, 1] of a squeeze-and-excitation block written by hand, spread
// over the feature map before the product — and for x.expand(-1, 3, -1, -1), and Tile (after an
// Expand that changes nothing) for x.repeat(1, 3, 1, 1), a grey image made RGB. A single row or
// column of an image repeated is a nearest UpSampling2D (one layer, however many times); any other
// axis is the tensor concatenated with itself along it. The batch is never repeated.
import { layers } from '../../index.js';
import type { NodeContext, OpEntry } from '../context.js';
import { MAX_DIMENSION, MAX_PARTS, type TensorValue, formatDims, isImage } from '../values.js';
import { concatenated } from './shape.js';

/** x repeated whole `times[a]` times along each ONNX axis a after the batch (Tile's semantics). */
function tiled(ctx: NodeContext, x: TensorValue, times: number[]): TensorValue {
  const bad = times.findIndex((t, a) => a > 0 && !(Number.isInteger(t) && t >= 1 && x.dims[a] * t <= MAX_DIMENSION));
  if (bad > 0) ctx.refuse(`repeats axis ${bad} of ${formatDims(x.dims)} ${times[bad]} times; expected from 1 to ${MAX_DIMENSION} values along it`);
  let y = x;
  const left = [...times];
  const [, , height, width] = x.dims;
  const rows = left[2] ?? 1, columns = left[3] ?? 1;
  if (isImage(x) && rows * columns > 1 && (rows === 1 || height === 1) && (columns === 1 || width === 1)) {
    const size: [number, number] = [rows, columns];
    y = ctx.layer(() => layers.upSampling2d({ size, interpolation: 'nearest', name: ctx.layerName('_repeated') }), [y]).output;
    left[2] = left[3] = 1;
  }
  const copies = left.reduce((sum, t, a) => sum + (a > 0 && t > 1 ? t : 0), 0);
  if (copies > MAX_PARTS) ctx.refuse(`repeats ${formatDims(x.dims)} ${JSON.stringify(times)} times: ${copies} copies to join; convas joins at most ${MAX_PARTS}`);
  left.forEach((t, a) => {
    if (a > 0 && t > 1) y = concatenated(ctx, new Array<TensorValue>(t).fill(y), a);
  });
  return y;
}

/** Expand: x broadcast to a shape (NumPy's rules), which may hold the batch as it is or 1 there. */
function expandTensor(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  const shape = ctx.ints(1, 'shape');
  const rank = x.dims.length;
  if (shape.length > rank) ctx.refuse(`expands ${formatDims(x.dims)} to ${formatDims(shape)}, adding axes before the batch; convas keeps the batch first`);
  const aligned = [...new Array<number>(rank - shape.length).fill(1), ...shape];
  const batch = aligned[0];
  if (!(Number.isNaN(batch) || batch === 1 || batch === ctx.exportedBatch)) ctx.refuse(`expands the batch axis of ${formatDims(x.dims)} to ${batch}; convas keeps every example once`);
  const times = x.dims.map((d, a) => {
    if (a === 0 || aligned[a] === 1 || aligned[a] === d) return 1;
    if (d !== 1) ctx.refuse(`cannot expand ${formatDims(x.dims)} to ${formatDims(shape)}: axis ${a} is ${d}, not 1`);
    return aligned[a];
  });
  return tiled(ctx, x, times);
}

function tileTensor(ctx: NodeContext): TensorValue {
  const x = ctx.tensor(0);
  const repeats = ctx.ints(1, 'repeats');
  if (repeats.length !== x.dims.length) ctx.refuse(`repeats ${JSON.stringify(repeats)}: expected ${x.dims.length}, one per axis of ${formatDims(x.dims)}`);
  if (repeats[0] !== 1) ctx.refuse(`repeats the batch ${repeats[0]} times; convas keeps every example once`);
  return tiled(ctx, x, repeats);
}

export const repeatOperators: Record<string, OpEntry> = {
  Expand: { convert: expandTensor },
  Tile: { convert: tileTensor },
};
