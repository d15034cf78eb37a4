// Which kernel computes each pass of a convolution: the direct one (assembly/conv2d.ts), or
// Winograd F(4×4, r×r) (assembly/winograd.ts), which does 2–3× fewer operations on 3×3 and 5×5
// stride-1 convolutions with enough channels, at the cost of a few ulps more rounding (README,
// "Winograd convolution"). The one place the choice is made: a function of the geometry alone (not
// of the batch), so every batch size, thread count and run takes the same kernel, and so the same bits.
import type { Conv2dGeometry } from '../window.js';

export type Conv2dPass = 'forward' | 'backwardInput' | 'backwardFilter';

/** Every pass: what a layer that trains runs. */
export const CONV2D_PASSES: readonly Conv2dPass[] = ['forward', 'backwardInput', 'backwardFilter'];

/**
 * The passes a layer runs its convolution in, which its workspace is planned for: `run` (forward's),
 * then each of `backward`'s whose gradients the layer computes (a frozen layer no filter gradient,
 * a layer that nothing trained lies before no input gradient).
 */
export function plannedPasses(run: Conv2dPass, backward: ReadonlyArray<readonly [Conv2dPass, boolean]>): Conv2dPass[] {
  return [run, ...backward.filter(([, planned]) => planned).map(([pass]) => pass)];
}

/**
 * Whether `pass` of the convolution `g` runs on Winograd's kernels. They take stride 1 and square
 * 3×3 or 5×5 kernels. Each 4×4 tile of output costs the same whatever part of it lies inside the
 * map, and the transforms cost per channel: Winograd pays where the tiles waste little and each
 * product sums over enough channels. The thresholds come from timing both kernels on every pass over
 * maps of 2 to 28 pixels, 1 to 32 channels each side (kept where Winograd was faster throughout).
 */
export function usesWinograd(g: Conv2dGeometry, pass: Conv2dPass): boolean {
  if (g.strideHeight !== 1 || g.strideWidth !== 1 || g.kernelHeight !== g.kernelWidth) return false;
  if (g.kernelHeight !== 3 && g.kernelHeight !== 5) return false;
  // The map the pass's tiles cover, and the channels each of its products sums over.
  const backwardInput = pass === 'backwardInput';
  const waste = tileWaste(backwardInput ? g.inHeight : g.outHeight, backwardInput ? g.inWidth : g.outWidth);
  const channels = backwardInput ? g.outChannels : g.inChannels;
  // The backward filter's products sum over tiles, not channels: it needs fewer channels to pay.
  const fewest = pass === 'backwardFilter' ? 4 : 8;
  if (waste <= 1.4) return channels >= fewest;
  if (waste <= 1.8) return channels >= 2 * fewest;
  return false;
}

/** Area of the 4×4 tiles that cover a height × width map, over the map's area. */
function tileWaste(height: number, width: number): number {
  return (Math.ceil(height / 4) * Math.ceil(width / 4) * 16) / (height * width);
}
