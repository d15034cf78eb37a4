// The batch-heavy kernels as layers call them: each call is split into the fixed batch slices of
// batch-slices.ts and run as a job, on one thread or many. Every output element is computed by
// the same kernel code in either case (a slice's examples are independent of the other slices'),
// and sums over the batch are kept as one partial sum per slice, added in slice order afterwards,
// so results are the same bit for bit at any thread count.
//
// Calls that need scratch or partial sums take a workspace planned by the layer (…WorkspaceFloats):
// (MAX_SLICES − 1) partial sums (slice 0 writes the output itself), then one scratch per thread.
import { MAX_SLICES, largestSlice, sliceCount, sliceStart } from './batch-slices.js';
import type { JobRunner } from './job-runner.js';
import { JOB_HEADER, JOB_KERNELS, type JobKernel, MAX_JOB_ARGS } from './kernel-jobs.js';
import type { Conv2dGeometry, Kernels, Pool2dGeometry } from './kernels.js';

const ALIGN_BYTES = 64; // as the allocator: each partial sum and scratch starts on a cache line
const alignBytes = (bytes: number) => Math.ceil(bytes / ALIGN_BYTES) * ALIGN_BYTES;

/** The scratch argument of a job: its position, and where thread t's region starts (base + t·stride). */
interface JobScratch {
  arg: number;
  base: number;
  stride: number;
}

export class ParallelKernels {
  constructor(private readonly kernels: Kernels, private readonly runner: JobRunner) {}

  get threads(): number {
    return this.runner.threads;
  }

  // --- conv2d: x [batch, inHeight, inWidth, inChannels] → y [batch, outHeight, outWidth, outChannels]

  /** Floats of workspace the conv2d calls need for batches of up to geometry[0] examples. */
  conv2dWorkspaceFloats(geometry: Conv2dGeometry): number {
    return (this.conv2dPartialBytes(geometry) * (MAX_SLICES - 1) + this.conv2dScratchStride(geometry) * this.threads) / 4;
  }

  /** activation as conv2dForward's code: 0 none, 1 ReLU. */
  conv2dForward(
    x: number, filter: number, bias: number, y: number, workspace: number, activation: number, geometry: Conv2dGeometry,
  ): void {
    const [batch, inFloats, outFloats] = convSizes(geometry);
    this.runSlices('conv2dForward', batch, convWork(geometry), this.conv2dScratch(4, workspace, geometry),
      (first, count) => [x + first * inFloats * 4, filter, bias, y + first * outFloats * 4, 0, activation, ...withBatch(geometry, count)]);
  }

  conv2dBackwardInput(dy: number, filter: number, dx: number, workspace: number, geometry: Conv2dGeometry): void {
    const [batch, inFloats, outFloats] = convSizes(geometry);
    this.runSlices('conv2dBackwardInput', batch, convWork(geometry), this.conv2dScratch(3, workspace, geometry),
      (first, count) => [dy + first * outFloats * 4, filter, dx + first * inFloats * 4, 0, ...withBatch(geometry, count)]);
  }

  /** dFilter (and dBias when ≠ 0) summed over the batch: slice 0 writes them, later slices a partial sum each. */
  conv2dBackwardFilter(x: number, dy: number, dFilter: number, dBias: number, workspace: number, geometry: Conv2dGeometry): void {
    const [batch, inFloats, outFloats] = convSizes(geometry);
    const filterFloats = geometry[7] * geometry[8] * geometry[3] * geometry[6];
    const partialBytes = this.conv2dPartialBytes(geometry);
    const partial = (s: number) => workspace + (s - 1) * partialBytes;
    this.runSlices('conv2dBackwardFilter', batch, convWork(geometry), this.conv2dScratch(4, workspace, geometry),
      (first, count, s) => [
        x + first * inFloats * 4, dy + first * outFloats * 4,
        s === 0 ? dFilter : partial(s), dBias && (s === 0 ? dBias : partial(s) + filterFloats * 4),
        0, ...withBatch(geometry, count),
      ]);
    this.addPartials(dFilter, partial, filterFloats, batch);
    if (dBias) this.addPartials(dBias, (s) => partial(s) + filterFloats * 4, geometry[6], batch);
  }

  /** A partial sum holds a filter gradient and a bias gradient. */
  private conv2dPartialBytes(g: Conv2dGeometry): number {
    return alignBytes((g[7] * g[8] * g[3] * g[6] + g[6]) * 4);
  }

  private conv2dScratchStride(geometry: Conv2dGeometry): number {
    return alignBytes(this.kernels.conv2dScratchBytes(...withBatch(geometry, largestSlice(geometry[0]))));
  }

  private conv2dScratch(arg: number, workspace: number, geometry: Conv2dGeometry): JobScratch {
    return { arg, base: workspace + this.conv2dPartialBytes(geometry) * (MAX_SLICES - 1), stride: this.conv2dScratchStride(geometry) };
  }

  // --- pooling: x [batch, inHeight, inWidth, channels] → y [batch, outHeight, outWidth, channels]

  /**
   * argmax indexes into each slice's own part of x: maxPoolBackward here reads it slice by slice too.
   * argmax = 0 (inference) stays 0 in every slice.
   */
  maxPoolForward(x: number, y: number, argmax: number, geometry: Pool2dGeometry): void {
    const [batch, inFloats, outFloats] = poolSizes(geometry);
    this.runSlices('maxPoolForward', batch, poolWork(geometry), undefined,
      (first, count) => [x + first * inFloats * 4, y + first * outFloats * 4, argmax && argmax + first * outFloats * 4, ...withBatch(geometry, count)]);
  }

  maxPoolBackward(dy: number, argmax: number, dx: number, geometry: Pool2dGeometry): void {
    const [batch, inFloats, outFloats] = poolSizes(geometry);
    this.runSlices('maxPoolBackward', batch, poolWork(geometry), undefined,
      (first, count) => [dy + first * outFloats * 4, argmax + first * outFloats * 4, dx + first * inFloats * 4, count * outFloats, count * inFloats]);
  }

  avgPoolForward(x: number, y: number, average: number, geometry: Pool2dGeometry): void {
    const [batch, inFloats, outFloats] = poolSizes(geometry);
    this.runSlices('avgPoolForward', batch, poolWork(geometry), undefined,
      (first, count) => [x + first * inFloats * 4, y + first * outFloats * 4, average, ...withBatch(geometry, count)]);
  }

  avgPoolBackward(dy: number, dx: number, average: number, geometry: Pool2dGeometry): void {
    const [batch, inFloats, outFloats] = poolSizes(geometry);
    this.runSlices('avgPoolBackward', batch, poolWork(geometry), undefined,
      (first, count) => [dy + first * outFloats * 4, dx + first * inFloats * 4, average, ...withBatch(geometry, count)]);
  }

  // --- matrix products of dense layers

  /** C[m, n] = A·op(B), A stored [m, k], split by rows of A and C (op(B) = Bᵀ when transposeB ≠ 0). */
  matMulByRows(a: number, b: number, c: number, m: number, k: number, n: number, transposeB: number): void {
    this.runSlices('matMul', m, 2 * m * k * n, undefined,
      (first, count) => [a + first * k * 4, b, c + first * n * 4, count, k, n, 0, transposeB, 0]);
  }

  /** Floats of workspace weightGradient needs. */
  weightGradientWorkspaceFloats(inputs: number, outputs: number): number {
    return (alignBytes(inputs * outputs * 4) * (MAX_SLICES - 1)) / 4;
  }

  /** dW[inputs, outputs] = xᵀ·dy summed over the batch, x [batch, inputs] and dy [batch, outputs]. */
  weightGradient(x: number, dy: number, dW: number, batch: number, inputs: number, outputs: number, workspace: number): void {
    const partial = (s: number) => workspace + (s - 1) * alignBytes(inputs * outputs * 4);
    this.runSlices('matMul', batch, 2 * batch * inputs * outputs, undefined,
      (first, count, s) => [x + first * inputs * 4, dy + first * outputs * 4, s === 0 ? dW : partial(s), inputs, count, outputs, 1, 0, 0]);
    this.addPartials(dW, partial, inputs * outputs, batch);
  }

  // --- jobs

  /** Writes one call of `kernel` per slice of the batch (arguments from argsOf) and runs them. */
  private runSlices(
    kernel: JobKernel, batch: number, work: number, scratch: JobScratch | undefined,
    argsOf: (first: number, count: number, slice: number) => number[],
  ): void {
    const { header, args } = this.runner;
    const slices = sliceCount(batch);
    let argCount = 0;
    for (let s = 0; s < slices; s++) {
      const first = sliceStart(batch, s);
      const sliceArgs = argsOf(first, sliceStart(batch, s + 1) - first, s);
      args.set(sliceArgs, s * MAX_JOB_ARGS);
      argCount = sliceArgs.length;
    }
    header[JOB_HEADER.kernel] = JOB_KERNELS.indexOf(kernel);
    header[JOB_HEADER.sliceCount] = slices;
    header[JOB_HEADER.argCount] = argCount;
    header[JOB_HEADER.scratchArg] = scratch ? scratch.arg : -1;
    header[JOB_HEADER.scratchBase] = scratch ? scratch.base : 0;
    header[JOB_HEADER.scratchStride] = scratch ? scratch.stride : 0;
    this.runner.run(work);
  }

  /** target += partial(1) + … in slice order (the partial sums of slices 1 … of the batch). */
  private addPartials(target: number, partial: (slice: number) => number, length: number, batch: number): void {
    for (let s = 1; s < sliceCount(batch); s++) this.kernels.add(target, partial(s), target, length);
  }
}

function withBatch<G extends Conv2dGeometry | Pool2dGeometry>(geometry: G, batch: number): G {
  const g = [...geometry] as G;
  g[0] = batch;
  return g;
}

/** [batch, floats per input example, floats per output example]. */
function convSizes(g: Conv2dGeometry): [number, number, number] {
  return [g[0], g[1] * g[2] * g[3], g[4] * g[5] * g[6]];
}

function poolSizes(g: Pool2dGeometry): [number, number, number] {
  return [g[0], g[1] * g[2] * g[3], g[4] * g[5] * g[3]];
}

/** Flops of one conv2d pass: 2 per multiply-add of every output with its patch. */
export function convWork(g: Conv2dGeometry): number {
  return 2 * g[0] * g[4] * g[5] * g[6] * g[7] * g[8] * g[3];
}

/** Comparisons or additions of one pooling pass, in flops: the pooling loops are scalar. */
export function poolWork(g: Pool2dGeometry): number {
  const SCALAR_COST = 8;
  return SCALAR_COST * g[0] * g[4] * g[5] * g[3] * g[6] * g[7];
}
