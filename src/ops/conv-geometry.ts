// Geometry of a 2-D sliding window (convolution or pooling): the zeros added on each side and the
// output size, per axis: out = floor((in + before + after − kernel) / stride) + 1.
// Pure arithmetic: the caller validates (a window larger than the padded input gives out ≤ 0).

/** 'valid' (no zeros), 'same' (out = ceil(in / stride), TensorFlow's split: the odd zero goes after),
 * 'full' (kernel − 1 zeros each side), n zeros on every side, or explicit [top, bottom, left, right]. */
export type Padding = 'valid' | 'same' | 'full' | number | [top: number, bottom: number, left: number, right: number];

export interface ConvGeometry {
  padTop: number;
  padBottom: number;
  padLeft: number;
  padRight: number;
  outHeight: number;
  outWidth: number;
}

/** Zeros before and after one axis, and the output size along it. */
function resolveAxis(padding: Padding, axis: 0 | 1, size: number, kernel: number, stride: number) {
  let before: number, after: number;
  if (padding === 'valid') {
    before = after = 0;
  } else if (padding === 'full') {
    before = after = kernel - 1;
  } else if (padding === 'same') {
    const total = Math.max((Math.ceil(size / stride) - 1) * stride + kernel - size, 0);
    before = Math.floor(total / 2);
    after = total - before;
  } else if (typeof padding === 'number') {
    before = after = padding;
  } else {
    [before, after] = axis === 0 ? [padding[0], padding[1]] : [padding[2], padding[3]];
  }
  return { before, after, out: Math.floor((size + before + after - kernel) / stride) + 1 };
}

/** Resolves padding for an input of [height, width] under a kernel and stride of [height, width]. */
export function resolveConvGeometry(
  padding: Padding, [inHeight, inWidth]: [number, number],
  [kernelHeight, kernelWidth]: [number, number], [strideHeight, strideWidth]: [number, number],
): ConvGeometry {
  const rows = resolveAxis(padding, 0, inHeight, kernelHeight, strideHeight);
  const cols = resolveAxis(padding, 1, inWidth, kernelWidth, strideWidth);
  return {
    padTop: rows.before, padBottom: rows.after, padLeft: cols.before, padRight: cols.after,
    outHeight: rows.out, outWidth: cols.out,
  };
}
