// A convolution dilated by (dh, dw), with strides 1, as undilated ones (TensorFlow's space-to-batch
// identity): output row oy = py + dh·a (phase py = oy mod dh) reads the padded input rows
// py + dh·(a + ky), which are rows a + ky of the input's phase py. So the dh·dw phases of the padded
// input (assembly/space-to-batch.ts), as a batch dh·dw times larger, convolved 'valid' with the
// undilated filter, give the output's phases. Every phase is given ⌈outHeight/dh⌉ × ⌈outWidth/dw⌉
// outputs, so one geometry serves them all; the few outputs past the real ones are dropped (forward),
// and zero in dy's phases (backward), so they add nothing. The tuned conv2d kernels run unchanged.
import type { Conv2dGeometry } from '../window.js';
import type { PhaseArgs } from './kernels.js';

export const isDilated = (g: Conv2dGeometry) => g.dilationHeight > 1 || g.dilationWidth > 1;

/** How a dilated geometry runs on its phases; its workspace holds the two phase buffers, then the convolution's own. */
export interface PhasePlan {
  /** The most examples the workspace holds. */
  readonly capacity: number;
  readonly workspaceFloats: number;
  /** Byte offsets in the workspace: x's (and dx's) phases, y's (and dy's), the phase convolution's workspace. */
  readonly xPhasesOffset: number;
  readonly yPhasesOffset: number;
  readonly workspaceOffset: number;
  /** The undilated 'valid' convolution of the phases. */
  readonly phases: Conv2dGeometry;
  /** The input and the output with their phases, as spaceToBatch and batchToSpace take them. */
  readonly input: PhaseArgs;
  readonly output: PhaseArgs;
  /** Sets the batch of every part (phases: dh·dw per example); allocates nothing. */
  setBatch(batch: number): void;
}

/**
 * Plans `g` (dilated, strides 1) for batches of up to g.batch examples; convWorkspaceFloats sizes the
 * phase convolution's own workspace.
 */
export function planPhases(g: Conv2dGeometry, convWorkspaceFloats: (phases: Conv2dGeometry) => number): PhasePlan {
  const dh = g.dilationHeight, dw = g.dilationWidth, blocks = dh * dw, capacity = g.batch;
  const outHeight = Math.ceil(g.outHeight / dh), outWidth = Math.ceil(g.outWidth / dw);
  const phases: Conv2dGeometry = {
    batch: capacity * blocks, inHeight: outHeight + g.kernelHeight - 1, inWidth: outWidth + g.kernelWidth - 1, inChannels: g.inChannels,
    outHeight, outWidth, outChannels: g.outChannels, kernelHeight: g.kernelHeight, kernelWidth: g.kernelWidth,
    strideHeight: 1, strideWidth: 1, padTop: 0, padLeft: 0, dilationHeight: 1, dilationWidth: 1,
  };
  const input: PhaseArgs = [capacity, g.inHeight, g.inWidth, g.inChannels, dh, dw, g.padTop, g.padLeft, phases.inHeight, phases.inWidth];
  const output: PhaseArgs = [capacity, g.outHeight, g.outWidth, g.outChannels, dh, dw, 0, 0, outHeight, outWidth];
  const xPhasesFloats = phases.batch * phases.inHeight * phases.inWidth * phases.inChannels;
  const yPhasesFloats = phases.batch * outHeight * outWidth * phases.outChannels;
  // Each part starts on a 64-byte line, as the allocator's buffers do.
  const align = (floats: number) => Math.ceil(floats / 16) * 16;
  const workspaceOffset = align(xPhasesFloats) + align(yPhasesFloats);
  return {
    capacity, phases, input, output,
    xPhasesOffset: 0,
    yPhasesOffset: align(xPhasesFloats) * 4,
    workspaceOffset: workspaceOffset * 4,
    workspaceFloats: workspaceOffset + convWorkspaceFloats(phases),
    setBatch(batch: number) {
      input[0] = output[0] = batch;
      phases.batch = batch * blocks;
    },
  };
}
