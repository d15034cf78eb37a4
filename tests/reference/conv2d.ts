// Naive references for 2-D convolution (NHWC, filters [kernelHeight, kernelWidth, inChannels, outChannels]):
// the definitions as sums over every output position and kernel tap, in f64. A tap over the zero
// padding contributes nothing, so it is simply skipped. With dilation [dh, dw], tap (ky, kx) reads
// the input ky·dh rows and kx·dw columns from the window's corner.
import type { Conv2dArgs } from '../../src/backend/kernels.js';

export type Dilation = [number, number];

/** Calls visit(xIndex, filterIndex, yIndex) for every output element and every tap inside x. */
function forEachTap(geometry: Conv2dArgs, [dilationH, dilationW]: Dilation,
  visit: (xIndex: number, filterIndex: number, yIndex: number) => void) {
  const [batch, inH, inW, inC, outH, outW, outC, kH, kW, strideH, strideW, padTop, padLeft] = geometry;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < kH; ky++) {
          for (let kx = 0; kx < kW; kx++) {
            const iy = oy * strideH - padTop + ky * dilationH, ix = ox * strideW - padLeft + kx * dilationW;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
            for (let ci = 0; ci < inC; ci++) {
              for (let co = 0; co < outC; co++) {
                visit(((n * inH + iy) * inW + ix) * inC + ci, ((ky * kW + kx) * inC + ci) * outC + co,
                  ((n * outH + oy) * outW + ox) * outC + co);
              }
            }
          }
        }
      }
    }
  }
}

const inputLength = (g: Conv2dArgs) => g[0] * g[1] * g[2] * g[3];
const outputLength = (g: Conv2dArgs) => g[0] * g[4] * g[5] * g[6];
const filterLength = (g: Conv2dArgs) => g[7] * g[8] * g[3] * g[6];

/**
 * y[n, oy, ox, co] = act(bias[co] + Σ x[n, oy·sH − padTop + ky, ox·sW − padLeft + kx, ci]·filter[ky, kx, ci, co]),
 * act = ReLU when relu, else the identity.
 */
export function conv2dForward(x: Float32Array, filter: Float32Array, bias: Float32Array | undefined, g: Conv2dArgs, relu = false,
  dilation: Dilation = [1, 1]) {
  const y = new Float64Array(outputLength(g));
  forEachTap(g, dilation, (xi, fi, yi) => { y[yi] += x[xi] * filter[fi]; });
  if (bias) y.forEach((v, i) => { y[i] = v + bias[i % g[6]]; });
  if (relu) y.forEach((v, i) => { y[i] = Math.max(v, 0); });
  return Float32Array.from(y);
}

/** dx[xi] = Σ over the (output, tap) pairs that read xi of dy·filter. */
export function conv2dBackwardInput(dy: Float32Array, filter: Float32Array, g: Conv2dArgs, dilation: Dilation = [1, 1]) {
  const dx = new Float64Array(inputLength(g));
  forEachTap(g, dilation, (xi, fi, yi) => { dx[xi] += dy[yi] * filter[fi]; });
  return Float32Array.from(dx);
}

/** dFilter[fi] = Σ over the whole batch of x·dy; dBias[co] = Σ dy over batch and positions. */
export function conv2dBackwardFilter(x: Float32Array, dy: Float32Array, g: Conv2dArgs, dilation: Dilation = [1, 1]) {
  const dFilter = new Float64Array(filterLength(g));
  forEachTap(g, dilation, (xi, fi, yi) => { dFilter[fi] += x[xi] * dy[yi]; });
  const dBias = new Float64Array(g[6]);
  dy.forEach((v, i) => { dBias[i % g[6]] += v; });
  return { dFilter: Float32Array.from(dFilter), dBias: Float32Array.from(dBias) };
}
