// The dims a Reshape node asks for: its target with 0 (copy) and −1 (the rest) resolved, and, for a
// tensor, the batch kept first. The Reshape entry reads them, and so does the pixel shuffle's
// pattern, of the Reshape that ends it.
import type { NodeContext } from '../context.js';
import { sizeOfDims } from '../tensors.js';
import { formatDims } from '../values.js';

/** Reshape's target with 0 (copy, unless allowzero) and −1 (the rest) resolved against `dims`; NaN (the batch) is kept. */
export function resolveShape(ctx: NodeContext, dims: number[], target: number[]): number[] {
  const allowZero = ctx.opset >= 14 && ctx.int('allowzero', 0) !== 0;
  const resolved = target.map((d, i) => (d === 0 && !allowZero ? dims[i] : d));
  if (resolved.some((d, i) => i > 0 && Number.isNaN(d))) ctx.refuse(`reshapes to ${formatDims(target)}, which puts the batch size elsewhere than first`);
  const unknown = resolved.filter((d) => d === -1).length;
  if (unknown > 1 || resolved.some((d) => !Number.isNaN(d) && d !== -1 && (!Number.isInteger(d) || d < 0))) {
    ctx.refuse(`shape ${formatDims(target)} is not a valid target`);
  }
  if (unknown === 1) {
    const known = sizeOfDims(resolved.filter((d) => d !== -1));
    const rest = sizeOfDims(dims) / known;
    if (!Number.isInteger(rest)) ctx.refuse(`cannot reshape ${formatDims(dims)} to ${formatDims(target)}`);
    resolved[resolved.indexOf(-1)] = rest;
  }
  return resolved;
}


/** The per-example dims a Reshape (`ctx`) of a tensor of ONNX `dims` asks for; the first target dim must be the batch. */
export function reshapeTarget(ctx: NodeContext, dims: number[]): number[] {
  const target = ctx.ints(1, 'shape');
  const [first, ...rest] = target;
  // The batch: BATCH from a Shape node, 0 (copy), −1 with every other dim known, or the batch the model was exported with.
  const batch = Number.isNaN(first) || (first === 0 && !(ctx.opset >= 14 && ctx.int('allowzero', 0) !== 0)) ||
    (first === -1 && !rest.includes(-1)) || first === ctx.exportedBatch;
  if (!batch) ctx.refuse(`reshapes ${formatDims(dims)} to ${formatDims(target)}, which changes the batch axis`);
  const resolved = resolveShape(ctx, [1, ...dims.slice(1)], [1, ...rest]);
  if (sizeOfDims(resolved) !== sizeOfDims(dims.slice(1))) ctx.refuse(`cannot reshape ${formatDims(dims)} to ${formatDims(target)}`);
  return resolved.slice(1);
}
