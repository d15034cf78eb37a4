// The sliding-window attributes Conv and the pools share: kernel, strides, dilations, and the
// zeros around the image — pads [top, left, bottom, right] or auto_pad — as convas's explicit
// padding [top, bottom, left, right].
import { resolvePadding2d } from '../../index.js';
import type { NodeContext } from '../context.js';
import { type TensorValue, formatDims } from '../values.js';
import { withArticle } from '../../article.js';

export type Pads = [number, number, number, number];

/** A two-number attribute (one per spatial axis) of positive integers. */
export function pairAttribute(ctx: NodeContext, name: string, fallback: [number, number]): [number, number] {
  const value = ctx.intList(name, fallback);
  if (value.length !== 2 || !value.every((v) => Number.isInteger(v) && v >= 1)) {
    ctx.refuse(`${name} ${JSON.stringify(value)}: convas takes two positive integers (a 2-D window over an image)`);
  }
  return value as [number, number];
}

/** The image input of a windowed node: a 4-D tensor [N, C, H, W]. */
export function imageInput(ctx: NodeContext, padded = false): TensorValue {
  const x = padded ? ctx.paddedTensor(0) : ctx.tensor(0);
  if (x.dims.length !== 4) ctx.refuse(`reads ${withArticle(`${x.dims.length}-D`)} tensor ${formatDims(x.dims)}; convas takes an image here, a 4-D tensor [N, C, H, W]`);
  return x;
}

/** Zeros around the image, from auto_pad or pads, as convas's [top, bottom, left, right]. */
export function windowPadding(ctx: NodeContext, [height, width]: [number, number], kernel: [number, number],
  strides: [number, number], dilations: [number, number] = [1, 1]): Pads {
  const autoPad = ctx.string('auto_pad', 'NOTSET');
  const pads = ctx.intList('pads', [0, 0, 0, 0]);
  if (autoPad === 'NOTSET') {
    if (pads.length !== 4 || !pads.every((p) => Number.isInteger(p) && p >= 0)) {
      ctx.refuse(`pads ${JSON.stringify(pads)}: expected four non-negative integers [top, left, bottom, right]`);
    }
    return [pads[0], pads[2], pads[1], pads[3]];
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') ctx.refuse(`auto_pad ${JSON.stringify(autoPad)} is not one ONNX defines`);
  // SAME: out = ceil(in / stride); the odd zero goes after (UPPER) or before (LOWER).
  const axis = (size: number, k: number, s: number, d: number): [number, number] => {
    const total = Math.max(0, (Math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size);
    const small = Math.floor(total / 2);
    return autoPad === 'SAME_UPPER' ? [small, total - small] : [total - small, small];
  };
  return [...axis(height, kernel[0], strides[0], dilations[0]), ...axis(width, kernel[1], strides[1], dilations[1])] as Pads;
}

/**
 * Padding as convas's layers take it: 'valid' for none, 'same' where the zeros are the ones 'same'
 * puts (so the model also saves in the TF.js format), else explicit.
 */
export function layerPadding(pads: Pads, size: [number, number], kernel: [number, number], strides: [number, number],
  dilations: [number, number] = [1, 1]): 'valid' | 'same' | Pads {
  if (pads.every((v) => v === 0)) return 'valid';
  const same = resolvePadding2d(size, kernel, strides, 'same', 'same', dilations);
  return [same.top, same.bottom, same.left, same.right].every((v, i) => v === pads[i]) ? 'same' : pads;
}
