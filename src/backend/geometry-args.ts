// The one place the named geometry fields (window.ts) are put in the order the kernels take them.
// `into` lets a caller reuse one array, so calls that run every training step allocate nothing.
import type { Conv2dGeometry, Pool2dGeometry } from '../window.js';
import type { Conv2dArgs, DepthwiseConv2dArgs, Pool2dArgs } from './kernels.js';

export function conv2dArgs(g: Conv2dGeometry, into: number[] = []): Conv2dArgs {
  into[0] = g.batch; into[1] = g.inHeight; into[2] = g.inWidth; into[3] = g.inChannels;
  into[4] = g.outHeight; into[5] = g.outWidth; into[6] = g.outChannels;
  into[7] = g.kernelHeight; into[8] = g.kernelWidth;
  into[9] = g.strideHeight; into[10] = g.strideWidth; into[11] = g.padTop; into[12] = g.padLeft;
  return into as Conv2dArgs;
}

export function pool2dArgs(g: Pool2dGeometry, into: number[] = []): Pool2dArgs {
  into[0] = g.batch; into[1] = g.inHeight; into[2] = g.inWidth; into[3] = g.channels;
  into[4] = g.outHeight; into[5] = g.outWidth;
  into[6] = g.poolHeight; into[7] = g.poolWidth;
  into[8] = g.strideHeight; into[9] = g.strideWidth; into[10] = g.padTop; into[11] = g.padLeft;
  return into as Pool2dArgs;
}

export function depthwiseConv2dArgs(g: Conv2dGeometry, into: number[] = []): DepthwiseConv2dArgs {
  into[0] = g.batch; into[1] = g.inHeight; into[2] = g.inWidth; into[3] = g.inChannels;
  into[4] = g.outHeight; into[5] = g.outWidth; into[6] = g.outChannels / g.inChannels;
  into[7] = g.kernelHeight; into[8] = g.kernelWidth;
  into[9] = g.strideHeight; into[10] = g.strideWidth; into[11] = g.padTop; into[12] = g.padLeft;
  into[13] = g.dilationHeight; into[14] = g.dilationWidth;
  return into as DepthwiseConv2dArgs;
}
