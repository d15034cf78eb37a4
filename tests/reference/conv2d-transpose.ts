// Naive reference for the transposed 2-D convolution (NHWC, kernel [kernelHeight, kernelWidth,
// filters, inChannels]), in f64, from its definition: every input pixel scatters x·kernel over a
// kernel-sized window of the output, windows `stride` apart, the whole shifted up and left by the
// padding before; what falls outside the output is dropped. Output sizes follow Keras's
// deconv_output_length ('valid', 'same', 'full') and, for explicit zeros, (in − 1)·stride + kernel − zeros.
import { type Padding, resolvePadding2d } from '../../src/window.js';

export interface TransposeGeometry {
  batch: number;
  inHeight: number;
  inWidth: number;
  inChannels: number;
  outHeight: number;
  outWidth: number;
  filters: number;
  kernel: [number, number];
  strides: [number, number];
  /** Padding before the output along each axis: how far the scattered windows are shifted up and left. */
  padTop: number;
  padLeft: number;
}

function outputLength(size: number, kernel: number, stride: number, padding: Padding, axis: number): number {
  switch (padding) {
    case 'valid': return size * stride + Math.max(kernel - stride, 0);
    case 'same': return size * stride;
    case 'full': return size * stride - (stride + kernel - 2);
    default: {
      const zeros = typeof padding === 'number' ? 2 * padding : padding[2 * axis] + padding[2 * axis + 1];
      return (size - 1) * stride + kernel - zeros;
    }
  }
}

/** The geometry of a Conv2DTranspose on [batch, inHeight, inWidth, inChannels]; undefined when it leaves no output. */
export function transposeGeometry(batch: number, [inHeight, inWidth, inChannels]: number[], filters: number,
  kernel: [number, number], strides: [number, number], padding: Padding): TransposeGeometry | undefined {
  const outHeight = outputLength(inHeight, kernel[0], strides[0], padding, 0);
  const outWidth = outputLength(inWidth, kernel[1], strides[1], padding, 1);
  if (outHeight < 1 || outWidth < 1) return undefined;
  // The padding before is where the forward convolution of the output with that padding would put it.
  const { top, left } = resolvePadding2d([outHeight, outWidth], kernel, strides, padding, 'reference');
  return { batch, inHeight, inWidth, inChannels, outHeight, outWidth, filters, kernel, strides, padTop: top, padLeft: left };
}

/** Calls visit(xIndex, kernelIndex, yIndex) for every input element, tap and filter that land inside the output. */
function forEachTap(g: TransposeGeometry, visit: (xi: number, ki: number, yi: number) => void) {
  const [kh, kw] = g.kernel, [sh, sw] = g.strides;
  for (let b = 0; b < g.batch; b++) {
    for (let iy = 0; iy < g.inHeight; iy++) {
      for (let ix = 0; ix < g.inWidth; ix++) {
        for (let ky = 0; ky < kh; ky++) {
          for (let kx = 0; kx < kw; kx++) {
            const oy = iy * sh + ky - g.padTop, ox = ix * sw + kx - g.padLeft;
            if (oy < 0 || oy >= g.outHeight || ox < 0 || ox >= g.outWidth) continue;
            for (let c = 0; c < g.inChannels; c++) {
              for (let f = 0; f < g.filters; f++) {
                visit(((b * g.inHeight + iy) * g.inWidth + ix) * g.inChannels + c, ((ky * kw + kx) * g.filters + f) * g.inChannels + c,
                  ((b * g.outHeight + oy) * g.outWidth + ox) * g.filters + f);
              }
            }
          }
        }
      }
    }
  }
}

/** y = x ⋆ᵀ kernel + bias (no activation). */
export function conv2dTransposeForward(x: Float32Array, kernel: Float32Array, bias: Float32Array | undefined, g: TransposeGeometry) {
  const y = new Float64Array(g.batch * g.outHeight * g.outWidth * g.filters);
  forEachTap(g, (xi, ki, yi) => { y[yi] += x[xi] * kernel[ki]; });
  if (bias) y.forEach((v, i) => { y[i] = v + bias[i % g.filters]; });
  return Float32Array.from(y);
}

/** The gradients of the input, the kernel (summed over the batch) and the bias from dy. */
export function conv2dTransposeBackward(x: Float32Array, kernel: Float32Array, dy: Float32Array, g: TransposeGeometry) {
  const dx = new Float64Array(x.length), dKernel = new Float64Array(kernel.length), dBias = new Float64Array(g.filters);
  forEachTap(g, (xi, ki, yi) => {
    dx[xi] += dy[yi] * kernel[ki];
    dKernel[ki] += dy[yi] * x[xi];
  });
  dy.forEach((v, i) => { dBias[i % g.filters] += v; });
  return { dx: Float32Array.from(dx), dKernel: Float32Array.from(dKernel), dBias: Float32Array.from(dBias) };
}
