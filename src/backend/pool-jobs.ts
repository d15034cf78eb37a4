// Pooling as layers call it, as jobs over the batch (job-writer.ts): windows of x [batch, inHeight,
// inWidth, channels] → y [batch, outHeight, outWidth, channels], and global pooling of x [batch,
// positions, channels] → y [batch, channels]. Examples are independent: any split gives the same bits.
import { pool2dArgs } from './geometry-args.js';
import type { JobWriter } from './job-writer.js';
import type { JobKernel } from './kernel-jobs.js';
import type { Pool2dGeometry } from '../window.js';

export class PoolJobs {
  /** The geometry of the job being written, as kernel arguments (reused). */
  private readonly args: number[] = [];

  constructor(private readonly jobs: JobWriter) {}

  /**
   * argmax indexes into each slice's own part of x: maxBackward here reads it slice by slice too.
   * argmax = 0 (inference) stays 0 in every slice.
   */
  maxForward(x: number, y: number, argmax: number, geometry: Pool2dGeometry): void {
    const batch = geometry.batch, inBytes = poolInFloats(geometry) * 4, outBytes = poolOutFloats(geometry) * 4;
    const args = pool2dArgs(geometry, this.args);
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(x + this.jobs.first * inBytes).arg(y + this.jobs.first * outBytes).arg(argmax && argmax + this.jobs.first * outBytes).geometryArgs(args);
    }
    this.jobs.run('maxPoolForward', poolWork(geometry));
  }

  /** positive: the pooling's output y to take a ReLU before it in (gradients only to maxima > 0), or 0. */
  maxBackward(dy: number, argmax: number, dx: number, positive: number, geometry: Pool2dGeometry): void {
    const batch = geometry.batch, inBytes = poolInFloats(geometry) * 4, outBytes = poolOutFloats(geometry) * 4;
    const args = pool2dArgs(geometry, this.args);
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(dy + this.jobs.first * outBytes).arg(argmax + this.jobs.first * outBytes).arg(dx + this.jobs.first * inBytes)
        .arg(positive && positive + this.jobs.first * outBytes).geometryArgs(args);
    }
    this.jobs.run('maxPoolBackward', poolWork(geometry));
  }

  avgForward(x: number, y: number, average: number, geometry: Pool2dGeometry): void {
    this.averagePool('avgPoolForward', x, y, average, geometry, false);
  }

  avgBackward(dy: number, dx: number, average: number, geometry: Pool2dGeometry): void {
    this.averagePool('avgPoolBackward', dy, dx, average, geometry, true);
  }

  /** Forward reads x and writes y; backward reads dy (output-sized) and writes dx (input-sized). */
  private averagePool(kernel: JobKernel, from: number, to: number, average: number, geometry: Pool2dGeometry, backward: boolean): void {
    const batch = geometry.batch, inBytes = poolInFloats(geometry) * 4, outBytes = poolOutFloats(geometry) * 4;
    const args = pool2dArgs(geometry, this.args);
    const fromBytes = backward ? outBytes : inBytes, toBytes = backward ? inBytes : outBytes;
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(from + this.jobs.first * fromBytes).arg(to + this.jobs.first * toBytes).arg(average).geometryArgs(args);
    }
    this.jobs.run(kernel, poolWork(geometry));
  }

  // --- global pooling: x [batch, positions, channels] → y [batch, channels]

  /** Average pooling's forward (x → y) or backward (dy → dx). */
  globalAvg(kernel: 'globalAvgPoolForward' | 'globalAvgPoolBackward', from: number, to: number,
    batch: number, positions: number, channels: number): void {
    const inBytes = positions * channels * 4, outBytes = channels * 4;
    const backward = kernel === 'globalAvgPoolBackward';
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(from + this.jobs.first * (backward ? outBytes : inBytes)).arg(to + this.jobs.first * (backward ? inBytes : outBytes))
        .arg(this.jobs.count).arg(positions).arg(channels);
    }
    this.jobs.run(kernel, batch * positions * channels);
  }

  /** argmax (i32, [batch, channels]) holds positions within each example, so slices need no offsets into it beyond their own rows. */
  globalMaxForward(x: number, y: number, argmax: number, batch: number, positions: number, channels: number): void {
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(x + this.jobs.first * positions * channels * 4).arg(y + this.jobs.first * channels * 4).arg(argmax && argmax + this.jobs.first * channels * 4)
        .arg(this.jobs.count).arg(positions).arg(channels);
    }
    this.jobs.run('globalMaxPoolForward', batch * positions * channels);
  }

  globalMaxBackward(dy: number, argmax: number, dx: number, batch: number, positions: number, channels: number): void {
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(dy + this.jobs.first * channels * 4).arg(argmax + this.jobs.first * channels * 4).arg(dx + this.jobs.first * positions * channels * 4)
        .arg(this.jobs.count).arg(positions).arg(channels);
    }
    this.jobs.run('globalMaxPoolBackward', batch * positions * channels);
  }
}

const poolInFloats = (g: Pool2dGeometry) => g.inHeight * g.inWidth * g.channels;
const poolOutFloats = (g: Pool2dGeometry) => g.outHeight * g.outWidth * g.channels;

/** Comparisons or additions of one pooling pass, in flops: the pooling loops are scalar. */
export function poolWork(g: Pool2dGeometry): number {
  const SCALAR_COST = 8;
  return SCALAR_COST * g.batch * g.outHeight * g.outWidth * g.channels * g.poolHeight * g.poolWidth;
}
