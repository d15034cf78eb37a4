// Depthwise conv2d as layers call it: x [batch, inHeight, inWidth, channels] → y [batch, outHeight,
// outWidth, channels·depthMultiplier], as jobs over the batch (job-writer.ts). backwardInput takes a
// workspace (workspaceFloats), backwardFilter partial sums (partialSumsFloats), one per slice after the first.
import { alignBytes } from './alignment.js';
import { MAX_SLICES } from './batch-slices.js';
import { convInFloats, convOutFloats } from './conv2d-jobs.js';
import { depthwiseConv2dArgs } from './geometry-args.js';
import type { JobWriter } from './job-writer.js';
import type { Conv2dGeometry } from '../window.js';

export class DepthwiseConv2dJobs {
  /** The geometry of the job being written, as kernel arguments (reused). */
  private readonly args: number[] = [];

  constructor(private readonly jobs: JobWriter) {}

  /** Floats of workspace backwardInput needs (the forward pass needs none). */
  workspaceFloats(geometry: Conv2dGeometry): number {
    return (this.scratchStride(geometry) * this.jobs.threads) / 4;
  }

  /** Floats of the partial sums backwardFilter adds up. */
  partialSumsFloats(geometry: Conv2dGeometry): number {
    return (this.partialBytes(geometry) * (MAX_SLICES - 1)) / 4;
  }

  /** activation as the depthwiseConv2dForward kernel's code (FUSED_ACTIVATION). */
  forward(x: number, filter: number, bias: number, y: number, activation: number, geometry: Conv2dGeometry): void {
    const inBytes = convInFloats(geometry) * 4, outBytes = convOutFloats(geometry) * 4;
    const args = depthwiseConv2dArgs(geometry, this.args);
    const slices = this.jobs.start(geometry.batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(x + this.jobs.first * inBytes).arg(filter).arg(bias).arg(y + this.jobs.first * outBytes).arg(activation).geometryArgs(args);
    }
    this.jobs.run('depthwiseConv2dForward', depthwiseWork(geometry));
  }

  backwardInput(dy: number, filter: number, dx: number, workspace: number, geometry: Conv2dGeometry): void {
    const inBytes = convInFloats(geometry) * 4, outBytes = convOutFloats(geometry) * 4;
    const args = depthwiseConv2dArgs(geometry, this.args);
    const slices = this.jobs.start(geometry.batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(dy + this.jobs.first * outBytes).arg(filter).arg(dx + this.jobs.first * inBytes).arg(0).geometryArgs(args);
    }
    this.jobs.run('depthwiseConv2dBackwardInput', depthwiseWork(geometry), 3, workspace, this.scratchStride(geometry));
  }

  /**
   * dFilter (and dBias when ≠ 0) summed over the batch: slice 0 writes them, later slices a partial
   * sum each into `partials` (partialSumsFloats).
   */
  backwardFilter(x: number, dy: number, dFilter: number, dBias: number, partials: number, geometry: Conv2dGeometry): void {
    const batch = geometry.batch, inBytes = convInFloats(geometry) * 4, outBytes = convOutFloats(geometry) * 4;
    const args = depthwiseConv2dArgs(geometry, this.args);
    const filterFloats = depthwiseFilterFloats(geometry);
    const partialBytes = this.partialBytes(geometry);
    const slices = this.jobs.start(batch, false);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const partial = partials + (s - 1) * partialBytes;
      this.jobs.arg(x + this.jobs.first * inBytes).arg(dy + this.jobs.first * outBytes).arg(s === 0 ? dFilter : partial)
        .arg(dBias && (s === 0 ? dBias : partial + filterFloats * 4)).geometryArgs(args);
    }
    this.jobs.run('depthwiseConv2dBackwardFilter', depthwiseWork(geometry));
    this.jobs.addPartials(dFilter, partials, partialBytes, filterFloats, batch);
    if (dBias) this.jobs.addPartials(dBias, partials + filterFloats * 4, partialBytes, geometry.outChannels, batch);
  }

  /** A partial sum holds a filter gradient and a bias gradient. */
  private partialBytes(g: Conv2dGeometry): number {
    return alignBytes((depthwiseFilterFloats(g) + g.outChannels) * 4);
  }

  /** Backward input's scratch per thread: the filter turned 180°. */
  private scratchStride(g: Conv2dGeometry): number {
    return alignBytes(g.kernelHeight * g.kernelWidth * g.inChannels * 4);
  }
}

const depthwiseFilterFloats = (g: Conv2dGeometry) => g.kernelHeight * g.kernelWidth * g.outChannels;

/** Flops of one depthwise pass: 2 per multiply-add of every output with its taps. */
export function depthwiseWork(g: Conv2dGeometry): number {
  return 2 * g.batch * g.outHeight * g.outWidth * g.outChannels * g.kernelHeight * g.kernelWidth;
}
