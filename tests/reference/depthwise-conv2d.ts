// Naive references for depthwise 2-D convolution (NHWC, filter [kernelHeight, kernelWidth, channels,
// depthMultiplier], output channel c·depthMultiplier + m from input channel c): the definitions as sums
// over every output, tap and multiplier, in f64. Taps over the zero padding are skipped; tap (ky, kx)
// reads the input ky·dilationHeight rows and kx·dilationWidth columns from the window's corner.
import type { DepthwiseConv2dArgs } from '../../src/backend/kernels.js';

/** Calls visit(xIndex, filterIndex, yIndex) for every output element and every tap inside x. */
function forEachTap(g: DepthwiseConv2dArgs, visit: (xIndex: number, filterIndex: number, yIndex: number) => void) {
  const [batch, inH, inW, channels, outH, outW, dm, kH, kW, strideH, strideW, padTop, padLeft, dilationH, dilationW] = g;
  for (let n = 0; n < batch; n++) {
    for (let oy = 0; oy < outH; oy++) {
      for (let ox = 0; ox < outW; ox++) {
        for (let ky = 0; ky < kH; ky++) {
          for (let kx = 0; kx < kW; kx++) {
            const iy = oy * strideH - padTop + ky * dilationH, ix = ox * strideW - padLeft + kx * dilationW;
            if (iy < 0 || iy >= inH || ix < 0 || ix >= inW) continue;
            for (let c = 0; c < channels; c++) {
              for (let m = 0; m < dm; m++) {
                const o = c * dm + m;
                visit(((n * inH + iy) * inW + ix) * channels + c, (ky * kW + kx) * channels * dm + o, ((n * outH + oy) * outW + ox) * channels * dm + o);
              }
            }
          }
        }
      }
    }
  }
}

export const depthwiseSizes = (g: DepthwiseConv2dArgs) => ({
  x: g[0] * g[1] * g[2] * g[3], y: g[0] * g[4] * g[5] * g[3] * g[6], filter: g[7] * g[8] * g[3] * g[6], outChannels: g[3] * g[6],
});

export type FusedActivation = 'linear' | 'relu' | 'relu6';

/** y[n, oy, ox, c·dm + m] = act(bias + Σ over taps x[n, iy, ix, c]·filter[ky, kx, c, m]). */
export function depthwiseConv2dForward(x: Float32Array, filter: Float32Array, bias: Float32Array | undefined, g: DepthwiseConv2dArgs,
  activation: FusedActivation = 'linear') {
  const outChannels = depthwiseSizes(g).outChannels;
  const y = new Float64Array(depthwiseSizes(g).y);
  forEachTap(g, (xi, fi, yi) => { y[yi] += x[xi] * filter[fi]; });
  return Float32Array.from(y, (v, i) => {
    const z = bias ? v + bias[i % outChannels] : v;
    return activation === 'linear' ? z : Math.min(Math.max(z, 0), activation === 'relu6' ? 6 : Infinity);
  });
}

/** dx[xi] = Σ over the (output, tap) pairs that read xi of dy·filter. */
export function depthwiseConv2dBackwardInput(dy: Float32Array, filter: Float32Array, g: DepthwiseConv2dArgs) {
  const dx = new Float64Array(depthwiseSizes(g).x);
  forEachTap(g, (xi, fi, yi) => { dx[xi] += dy[yi] * filter[fi]; });
  return Float32Array.from(dx);
}

/** dFilter[fi] = Σ over the whole batch of x·dy; dBias[o] = Σ dy over batch and positions. */
export function depthwiseConv2dBackwardFilter(x: Float32Array, dy: Float32Array, g: DepthwiseConv2dArgs) {
  const { filter, outChannels } = depthwiseSizes(g);
  const dFilter = new Float64Array(filter);
  forEachTap(g, (xi, fi, yi) => { dFilter[fi] += x[xi] * dy[yi]; });
  const dBias = new Float64Array(outChannels);
  dy.forEach((v, i) => { dBias[i % outChannels] += v; });
  return { dFilter: Float32Array.from(dFilter), dBias: Float32Array.from(dBias) };
}
