// The batch-heavy kernels as layers call them: each call is split into slices of the batch
// (batch-slices.ts) and run as a job, on one thread or many. Every output element is computed by
// the same kernel code whatever the split (a slice's examples are independent of the other
// slices'), and sums over the batch are kept as one partial sum per slice of a split that depends
// on the batch size alone, added in slice order afterwards, so results are the same bit for bit at
// any thread count.
//
// Calls that need scratch take a workspace planned by the layer (…WorkspaceFloats) for the passes it
// runs: one scratch per thread, for the largest of those passes (a layer that only predicts plans
// the forward pass's alone). Calls that sum over the batch (weight gradients) also take the partial
// sums (…PartialSumsFloats): one per slice after the first, which writes the sum itself (fewer for a
// dense layer of millions of weights, batch-slices.ts).
//
// A training step calls these many times, so they allocate nothing: each slice's arguments are
// written straight into the job table (beginSlice, then arg … in the kernel's order).
import { ALIGN_BYTES } from './alignment.js';
import { INDEPENDENT_SLICES_PER_THREAD, MAX_SLICES, sliceCount, sliceStart, sumSlices } from './batch-slices.js';
import type { JobRunner } from './job-runner.js';
import { type ElementwiseKernel, JOB_HEADER, JOB_KERNELS, type JobKernel, MAX_JOB_ARGS } from './kernel-jobs.js';
import { StateError } from '../errors.js';
import type { Conv2dGeometry, Pool2dGeometry } from '../window.js';
import { conv2dArgs, depthwiseConv2dArgs, pool2dArgs } from './geometry-args.js';
import { type Conv2dPass, usesWinograd } from './conv2d-algorithm.js';
import { CONV2D_PASS, type Conv2dArgs, type DepthwiseConv2dArgs, type Kernels, type PhaseArgs, type Pool2dArgs } from './kernels.js';
import { type PhasePlan, isDilated, planPhases } from './phases.js';

/** The images and the sampling of affineTransformImages (fillMode and interpolation in its numbering). */
export interface AffineImagesGeometry {
  height: number;
  width: number;
  channels: number;
  outHeight: number;
  outWidth: number;
  fillMode: number;
  interpolation: number;
}

/** Resizing to any size (up-sampling: by whole factors); `batch` is the one field that changes from call to call. */
export interface ResizeGeometry {
  batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
}

/**
 * A conv2d geometry's kernels (Winograd's or not, per pass) and its workspace's layout, in bytes from
 * its start: the filter transformed for Winograd, then the scratches, one per thread a pass's stride apart.
 */
interface Conv2dPlan {
  readonly forward: boolean;
  readonly backwardInput: boolean;
  readonly backwardFilter: boolean;
  readonly scratchAt: number;
  readonly scratchStrides: Readonly<Record<Conv2dPass, number>>;
  /** The filter last transformed into the workspace while weights were held (holdWeights), and how. */
  readonly held: { hold: number; filter: number; turned: number };
}

// As the allocator: each partial sum and scratch starts on a cache line.
const alignBytes = (bytes: number) => Math.ceil(bytes / ALIGN_BYTES) * ALIGN_BYTES;

export class ParallelKernels {
  /** The running holdWeights call, numbered from 1 (0: none runs). */
  private currentHold = 0;
  private holdCount = 0;
  /** The job being written: its batch, how finely it splits, and the slice whose arguments come next. */
  private batch = 0;
  private maxSlices = MAX_SLICES;
  private slice = 0;
  private argIndex = 0;
  private first = 0;
  private count = 0;
  /** The geometry of the job being written, as kernel arguments: one array each, reused. */
  private readonly convArgs: number[] = [];
  private readonly conv2dPlans = new WeakMap<Conv2dGeometry, Conv2dPlan>();
  private readonly poolArgs: number[] = [];
  private readonly depthwiseArgs: number[] = [];
  /** How each dilated conv2d geometry runs on its phases, planned by conv2dWorkspaceFloats. */
  private readonly phasePlans = new WeakMap<Conv2dGeometry, PhasePlan>();

  constructor(private readonly kernels: Kernels, private readonly runner: JobRunner) {}

  get threads(): number {
    return this.runner.threads;
  }

  // --- conv2d: x [batch, inHeight, inWidth, inChannels] → y [batch, outHeight, outWidth, outChannels]
  // Each pass runs the direct kernel or Winograd's, as usesWinograd (conv2d-algorithm.ts) says.

  /**
   * Floats of workspace the conv2d calls of `passes` need for batches of up to geometry.batch
   * examples: the filter transformed for Winograd (where a pass uses it), then the scratches. A
   * dilated geometry runs as undilated convolutions of the input's phases (phases.ts): this plans
   * them, for this geometry object, and the workspace holds them too.
   */
  conv2dWorkspaceFloats(geometry: Conv2dGeometry, passes: readonly Conv2dPass[]): number {
    if (isDilated(geometry)) {
      const plan = planPhases(geometry, (phases) => this.conv2dWorkspaceFloats(phases, passes));
      this.phasePlans.set(geometry, plan);
      return plan.workspaceFloats;
    }
    const plan = this.conv2dPlan(geometry);
    return (plan.scratchAt + Math.max(...passes.map((pass) => plan.scratchStrides[pass])) * this.threads) / 4;
  }

  /** Floats of the partial sums conv2dBackwardFilter adds up (a dilated geometry's phases have the same filter). */
  conv2dPartialSumsFloats(geometry: Conv2dGeometry): number {
    return (convPartialBytes(geometry) * (MAX_SLICES - 1)) / 4;
  }

  /** activation: a FUSED_ACTIVATION code (none, ReLU, ReLU6), applied on the way out. */
  conv2dForward(
    x: number, filter: number, bias: number, y: number, workspace: number, activation: number, geometry: Conv2dGeometry,
  ): void {
    if (isDilated(geometry)) {
      const plan = this.phasePlan(geometry);
      const xPhases = workspace + plan.xPhasesOffset, yPhases = workspace + plan.yPhasesOffset;
      this.phases('spaceToBatch', x, xPhases, plan.input);
      this.conv2dForward(xPhases, filter, bias, yPhases, workspace + plan.workspaceOffset, activation, plan.phases);
      this.phases('batchToSpace', yPhases, y, plan.output);
      return;
    }
    this.runForward(x, filter, bias, y, convOutFloats(geometry) * 4, false, 0, workspace, activation, geometry);
  }

  /** Whether conv2dForwardMaxPool takes the geometry: undilated, output channels in whole f32x4. */
  poolsConv2dOutput(geometry: Conv2dGeometry): boolean {
    return !isDilated(geometry) && geometry.outChannels % 4 === 0;
  }

  /**
   * conv2dForward followed by a 2×2 max pooling at stride 2 of its output, which is never written:
   * y and argmax (0 in inference) as maxPoolForward would write them, the same bits.
   */
  conv2dForwardMaxPool(
    x: number, filter: number, bias: number, y: number, argmax: number, workspace: number, activation: number, geometry: Conv2dGeometry,
  ): void {
    const pooledBytes = (geometry.outHeight >> 1) * (geometry.outWidth >> 1) * geometry.outChannels * 4;
    this.runForward(x, filter, bias, y, pooledBytes, true, argmax, workspace, activation, geometry);
  }

  /**
   * The forward job of an undilated geometry, on the direct kernel or Winograd's (its filter
   * transformed first), pooled or not: yBytes is an example's output, argmax (pooled only) its own.
   */
  private runForward(
    x: number, filter: number, bias: number, y: number, yBytes: number, pooled: boolean, argmax: number,
    workspace: number, activation: number, geometry: Conv2dGeometry,
  ): void {
    const inBytes = convInFloats(geometry) * 4;
    const plan = this.conv2dPlan(geometry);
    const weights = plan.forward ? this.transformFilter(filter, workspace, geometry, 0) : filter;
    const args = conv2dArgs(geometry, this.convArgs);
    const slices = this.startJob(geometry.batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(x + this.first * inBytes).arg(weights).arg(bias).arg(y + this.first * yBytes);
      if (pooled) this.arg(argmax && argmax + this.first * yBytes);
      this.arg(0).arg(activation).geometryArgs(args);
    }
    const kernel = pooled ? (plan.forward ? 'conv2dWinogradForwardMaxPool' : 'conv2dForwardMaxPool')
      : plan.forward ? 'conv2dWinogradForward' : 'conv2dForward';
    // The scratch comes after the pointers (and argmax).
    this.runConv2d(kernel, pooled ? 5 : 4, workspace, geometry, 'forward');
  }

  conv2dBackwardInput(dy: number, filter: number, dx: number, workspace: number, geometry: Conv2dGeometry): void {
    if (isDilated(geometry)) {
      // Each input pixel lies in exactly one phase: its gradient is that phase's.
      const plan = this.phasePlan(geometry);
      const xPhases = workspace + plan.xPhasesOffset, yPhases = workspace + plan.yPhasesOffset;
      this.phases('spaceToBatch', dy, yPhases, plan.output);
      this.conv2dBackwardInput(yPhases, filter, xPhases, workspace + plan.workspaceOffset, plan.phases);
      this.phases('batchToSpace', xPhases, dx, plan.input);
      return;
    }
    const batch = geometry.batch, inBytes = convInFloats(geometry) * 4, outBytes = convOutFloats(geometry) * 4;
    const plan = this.conv2dPlan(geometry);
    const weights = plan.backwardInput ? this.transformFilter(filter, workspace, geometry, 1) : filter;
    const args = conv2dArgs(geometry, this.convArgs);
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(dy + this.first * outBytes).arg(weights).arg(dx + this.first * inBytes).arg(0).geometryArgs(args);
    }
    this.runConv2d(plan.backwardInput ? 'conv2dWinogradBackwardInput' : 'conv2dBackwardInput', 3, workspace, geometry, 'backwardInput');
  }

  /**
   * dFilter (and dBias when ≠ 0) summed over the batch: slice 0 writes them, later slices a partial
   * sum each into `partials` (conv2dPartialSumsFloats).
   */
  conv2dBackwardFilter(x: number, dy: number, dFilter: number, dBias: number, partials: number, workspace: number, geometry: Conv2dGeometry): void {
    if (isDilated(geometry)) {
      // The phases of dy past the output are zero, so the extra outputs of a phase add nothing.
      const plan = this.phasePlan(geometry);
      const xPhases = workspace + plan.xPhasesOffset, yPhases = workspace + plan.yPhasesOffset;
      this.phases('spaceToBatch', x, xPhases, plan.input);
      this.phases('spaceToBatch', dy, yPhases, plan.output);
      this.conv2dBackwardFilter(xPhases, yPhases, dFilter, dBias, partials, workspace + plan.workspaceOffset, plan.phases);
      return;
    }
    const batch = geometry.batch, inBytes = convInFloats(geometry) * 4, outBytes = convOutFloats(geometry) * 4;
    const plan = this.conv2dPlan(geometry);
    const args = conv2dArgs(geometry, this.convArgs);
    const filterFloats = convFilterFloats(geometry);
    const partialBytes = convPartialBytes(geometry);
    const slices = this.startJob(batch, false);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      const partial = partials + (s - 1) * partialBytes;
      this.arg(x + this.first * inBytes).arg(dy + this.first * outBytes).arg(s === 0 ? dFilter : partial)
        .arg(dBias && (s === 0 ? dBias : partial + filterFloats * 4)).arg(0).geometryArgs(args);
    }
    this.runConv2d(plan.backwardFilter ? 'conv2dWinogradBackwardFilter' : 'conv2dBackwardFilter', 4, workspace, geometry, 'backwardFilter');
    this.addPartials(dFilter, partials, partialBytes, filterFloats, batch);
    if (dBias) this.addPartials(dBias, partials + filterFloats * 4, partialBytes, geometry.outChannels, batch);
  }

  /**
   * Which kernel each pass of the geometry runs, and where its workspace puts what: worked out once
   * per geometry object (a layer keeps one, changing only its batch, which none of this depends on).
   */
  private conv2dPlan(g: Conv2dGeometry): Conv2dPlan {
    const known = this.conv2dPlans.get(g);
    if (known) return known;
    const k = this.kernels, r = g.kernelHeight, args = conv2dArgs(g, this.convArgs);
    const forward = usesWinograd(g, 'forward'), backwardInput = usesWinograd(g, 'backwardInput'), backwardFilter = usesWinograd(g, 'backwardFilter');
    // The transformed filter is the larger of the ones that run, whichever passes a workspace is
    // planned for, so that every workspace of the geometry has its scratches at the same place.
    const transformedBytes = alignBytes(Math.max(forward ? k.winogradFilterBytes(r, g.inChannels, g.outChannels) : 0,
      backwardInput ? k.winogradFilterBytes(r, g.outChannels, g.inChannels) : 0));
    // Scratch per thread for a pass, on the kernel it uses (a Winograd pass transforms its filter in
    // thread 0's scratch first): sized for the whole batch, which covers any slice of it.
    const stride = (pass: Conv2dPass, winograd: boolean) => alignBytes(winograd
      ? Math.max(k.conv2dWinogradPassScratchBytes(CONV2D_PASS[pass], ...args), pass === 'backwardFilter' ? 0 : k.winogradFilterScratchBytes(r))
      : k.conv2dPassScratchBytes(CONV2D_PASS[pass], ...args));
    const plan: Conv2dPlan = {
      forward, backwardInput, backwardFilter,
      scratchAt: transformedBytes,
      scratchStrides: { forward: stride('forward', forward), backwardInput: stride('backwardInput', backwardInput),
        backwardFilter: stride('backwardFilter', backwardFilter) },
      held: { hold: 0, filter: 0, turned: 0 },
    };
    this.conv2dPlans.set(g, plan);
    return plan;
  }

  /**
   * Runs `passes` (the chunks of one predict or evaluate call) with the weights held: nothing writes
   * them meanwhile, so a filter transformed for Winograd by the first chunk serves the others.
   */
  holdWeights(passes: () => void): void {
    this.currentHold = ++this.holdCount;
    try {
      passes();
    } finally {
      this.currentHold = 0;
    }
  }

  /**
   * The filter transformed for Winograd (turned = 1: for the backward-input pass) into the workspace,
   * once per call on this thread (thread 0's scratch is free until the job starts), or once per
   * holdWeights; returns where.
   */
  private transformFilter(filter: number, workspace: number, g: Conv2dGeometry, turned: number): number {
    const plan = this.conv2dPlan(g), held = plan.held;
    if (this.currentHold !== 0 && held.hold === this.currentHold && held.filter === filter && held.turned === turned) return workspace;
    this.kernels.winogradFilterTransform(filter, workspace, workspace + plan.scratchAt, g.kernelHeight, g.inChannels, g.outChannels, turned);
    held.hold = this.currentHold;
    held.filter = filter;
    held.turned = turned;
    return workspace;
  }

  private runConv2d(kernel: JobKernel, scratchArg: number, workspace: number, geometry: Conv2dGeometry, pass: Conv2dPass): void {
    const plan = this.conv2dPlan(geometry);
    this.run(kernel, convWork(geometry), scratchArg, workspace + plan.scratchAt, plan.scratchStrides[pass]);
  }

  /** The phase plan of a dilated geometry, set to the geometry's batch. */
  private phasePlan(geometry: Conv2dGeometry): PhasePlan {
    const plan = this.phasePlans.get(geometry);
    if (!plan || geometry.batch > plan.capacity) {
      throw new StateError(`a dilated conv2d of ${geometry.batch} examples ran on a workspace planned for ${plan?.capacity ?? 'no batch'}: ` +
        'conv2dWorkspaceFloats(geometry) plans the workspace of this geometry object for its batch');
    }
    plan.setBatch(geometry.batch);
    return plan;
  }

  /** spaceToBatch or batchToSpace over the batch's examples, from one buffer to the other. */
  private phases(kernel: 'spaceToBatch' | 'batchToSpace', from: number, to: number, image: PhaseArgs): void {
    const [batch, height, width, channels, blockHeight, blockWidth, , , phaseHeight, phaseWidth] = image;
    const imageBytes = height * width * channels * 4, phasesBytes = blockHeight * blockWidth * phaseHeight * phaseWidth * channels * 4;
    const fromBytes = kernel === 'spaceToBatch' ? imageBytes : phasesBytes, toBytes = kernel === 'spaceToBatch' ? phasesBytes : imageBytes;
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(from + this.first * fromBytes).arg(to + this.first * toBytes).geometryArgs(image);
    }
    this.run(kernel, ELEMENTWISE_COST * batch * Math.max(imageBytes, phasesBytes) / 4);
  }

  // --- depthwise conv2d: x [batch, inHeight, inWidth, channels] → y [batch, outHeight, outWidth, channels·depthMultiplier]

  /** Floats of workspace depthwiseConv2dBackwardInput needs (the forward pass needs none). */
  depthwiseConv2dWorkspaceFloats(geometry: Conv2dGeometry): number {
    return (this.depthwiseScratchStride(geometry) * this.threads) / 4;
  }

  /** Floats of the partial sums depthwiseConv2dBackwardFilter adds up. */
  depthwiseConv2dPartialSumsFloats(geometry: Conv2dGeometry): number {
    return (this.depthwisePartialBytes(geometry) * (MAX_SLICES - 1)) / 4;
  }

  /** activation as depthwiseConv2dForward's code (FUSED_ACTIVATION). */
  depthwiseConv2dForward(x: number, filter: number, bias: number, y: number, activation: number, geometry: Conv2dGeometry): void {
    const inBytes = convInFloats(geometry) * 4, outBytes = convOutFloats(geometry) * 4;
    const args = depthwiseConv2dArgs(geometry, this.depthwiseArgs);
    const slices = this.startJob(geometry.batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(x + this.first * inBytes).arg(filter).arg(bias).arg(y + this.first * outBytes).arg(activation).geometryArgs(args);
    }
    this.run('depthwiseConv2dForward', depthwiseWork(geometry));
  }

  depthwiseConv2dBackwardInput(dy: number, filter: number, dx: number, workspace: number, geometry: Conv2dGeometry): void {
    const inBytes = convInFloats(geometry) * 4, outBytes = convOutFloats(geometry) * 4;
    const args = depthwiseConv2dArgs(geometry, this.depthwiseArgs);
    const slices = this.startJob(geometry.batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(dy + this.first * outBytes).arg(filter).arg(dx + this.first * inBytes).arg(0).geometryArgs(args);
    }
    this.run('depthwiseConv2dBackwardInput', depthwiseWork(geometry), 3, workspace, this.depthwiseScratchStride(geometry));
  }

  /**
   * dFilter (and dBias when ≠ 0) summed over the batch: slice 0 writes them, later slices a partial
   * sum each into `partials` (depthwiseConv2dPartialSumsFloats).
   */
  depthwiseConv2dBackwardFilter(x: number, dy: number, dFilter: number, dBias: number, partials: number, geometry: Conv2dGeometry): void {
    const batch = geometry.batch, inBytes = convInFloats(geometry) * 4, outBytes = convOutFloats(geometry) * 4;
    const args = depthwiseConv2dArgs(geometry, this.depthwiseArgs);
    const filterFloats = depthwiseFilterFloats(geometry);
    const partialBytes = this.depthwisePartialBytes(geometry);
    const slices = this.startJob(batch, false);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      const partial = partials + (s - 1) * partialBytes;
      this.arg(x + this.first * inBytes).arg(dy + this.first * outBytes).arg(s === 0 ? dFilter : partial)
        .arg(dBias && (s === 0 ? dBias : partial + filterFloats * 4)).geometryArgs(args);
    }
    this.run('depthwiseConv2dBackwardFilter', depthwiseWork(geometry));
    this.addPartials(dFilter, partials, partialBytes, filterFloats, batch);
    if (dBias) this.addPartials(dBias, partials + filterFloats * 4, partialBytes, geometry.outChannels, batch);
  }

  /** A partial sum holds a filter gradient and a bias gradient. */
  private depthwisePartialBytes(g: Conv2dGeometry): number {
    return alignBytes((depthwiseFilterFloats(g) + g.outChannels) * 4);
  }

  /** Backward input's scratch per thread: the filter turned 180°. */
  private depthwiseScratchStride(g: Conv2dGeometry): number {
    return alignBytes(g.kernelHeight * g.kernelWidth * g.inChannels * 4);
  }

  // --- pooling: x [batch, inHeight, inWidth, channels] → y [batch, outHeight, outWidth, channels]

  /**
   * argmax indexes into each slice's own part of x: maxPoolBackward here reads it slice by slice too.
   * argmax = 0 (inference) stays 0 in every slice.
   */
  maxPoolForward(x: number, y: number, argmax: number, geometry: Pool2dGeometry): void {
    const batch = geometry.batch, inBytes = poolInFloats(geometry) * 4, outBytes = poolOutFloats(geometry) * 4;
    const args = pool2dArgs(geometry, this.poolArgs);
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(x + this.first * inBytes).arg(y + this.first * outBytes).arg(argmax && argmax + this.first * outBytes).geometryArgs(args);
    }
    this.run('maxPoolForward', poolWork(geometry));
  }

  /** positive: the pooling's output y to take a ReLU before it in (gradients only to maxima > 0), or 0. */
  maxPoolBackward(dy: number, argmax: number, dx: number, positive: number, geometry: Pool2dGeometry): void {
    const batch = geometry.batch, inBytes = poolInFloats(geometry) * 4, outBytes = poolOutFloats(geometry) * 4;
    const args = pool2dArgs(geometry, this.poolArgs);
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(dy + this.first * outBytes).arg(argmax + this.first * outBytes).arg(dx + this.first * inBytes)
        .arg(positive && positive + this.first * outBytes).geometryArgs(args);
    }
    this.run('maxPoolBackward', poolWork(geometry));
  }

  avgPoolForward(x: number, y: number, average: number, geometry: Pool2dGeometry): void {
    this.averagePool('avgPoolForward', x, y, average, geometry, false);
  }

  avgPoolBackward(dy: number, dx: number, average: number, geometry: Pool2dGeometry): void {
    this.averagePool('avgPoolBackward', dy, dx, average, geometry, true);
  }

  /** Forward reads x and writes y; backward reads dy (output-sized) and writes dx (input-sized). */
  private averagePool(kernel: JobKernel, from: number, to: number, average: number, geometry: Pool2dGeometry, backward: boolean): void {
    const batch = geometry.batch, inBytes = poolInFloats(geometry) * 4, outBytes = poolOutFloats(geometry) * 4;
    const args = pool2dArgs(geometry, this.poolArgs);
    const fromBytes = backward ? outBytes : inBytes, toBytes = backward ? inBytes : outBytes;
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(from + this.first * fromBytes).arg(to + this.first * toBytes).arg(average).geometryArgs(args);
    }
    this.run(kernel, poolWork(geometry));
  }

  // --- activations, element by element

  /**
   * An elementwise kernel over a batch of examples of exampleFloats each: its two to four arrays
   * (p2 and p3 when ≠ 0), in the kernel's order — forward (x, y), backward (y or x, dy, dx) or
   * (x, y, dy, dx) — and the address of its parameters (0: none).
   */
  elementwise(kernel: ElementwiseKernel, batch: number, exampleFloats: number, parameters: number,
    p0: number, p1: number, p2 = 0, p3 = 0): void {
    const bytes = exampleFloats * 4;
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      const offset = this.first * bytes;
      this.arg(p0 + offset).arg(p1 + offset);
      if (p2) this.arg(p2 + offset);
      if (p3) this.arg(p3 + offset);
      this.arg(this.count * exampleFloats).arg(parameters);
    }
    this.run(kernel, ELEMENTWISE_COST * batch * exampleFloats);
  }

  // --- PReLU: slopes repeating every alphaLength elements of each example

  preluForward(x: number, alpha: number, y: number, batch: number, exampleFloats: number, alphaLength: number): void {
    const bytes = exampleFloats * 4;
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(x + this.first * bytes).arg(alpha).arg(y + this.first * bytes).arg(this.count * exampleFloats).arg(alphaLength);
    }
    this.run('preluForward', ELEMENTWISE_COST * batch * exampleFloats);
  }

  /** Floats of the partial slope gradients preluBackward adds up. */
  preluPartialSumsFloats(alphaLength: number): number {
    return (alignBytes(alphaLength * 4) * (MAX_SLICES - 1)) / 4;
  }

  /**
   * dx (when ≠ 0), and dAlpha summed over the batch (when ≠ 0): slice 0 writes it, later slices a
   * partial sum each into `partials` (preluPartialSumsFloats), added in slice order.
   */
  preluBackward(x: number, alpha: number, dy: number, dx: number, dAlpha: number, partials: number,
    batch: number, exampleFloats: number, alphaLength: number): void {
    const bytes = exampleFloats * 4, partialBytes = alignBytes(alphaLength * 4);
    const slices = this.startJob(batch, false);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      const offset = this.first * bytes;
      this.arg(x + offset).arg(alpha).arg(dy + offset).arg(dx && dx + offset)
        .arg(dAlpha && (s === 0 ? dAlpha : partials + (s - 1) * partialBytes)).arg(this.count * exampleFloats).arg(alphaLength);
    }
    this.run('preluBackward', ELEMENTWISE_COST * batch * exampleFloats);
    if (dAlpha) this.addPartials(dAlpha, partials, partialBytes, alphaLength, batch);
  }

  // --- matrix products of dense layers

  /**
   * Floats of workspace a dense layer of inputs → outputs needs for batches of up to `batch`: one
   * matMul scratch per thread, for x·W, and with `backward` for the largest of its three products.
   */
  denseWorkspaceFloats(batch: number, inputs: number, outputs: number, backward: boolean): number {
    const stride = backward ? this.denseScratchStride(batch, inputs, outputs) : this.matMulScratchStride(inputs, outputs);
    return (stride * this.threads) / 4;
  }

  /** Floats of the partial weight gradients weightGradient adds up. */
  densePartialSumsFloats(inputs: number, outputs: number): number {
    return (this.densePartialBytes(inputs, outputs) * (sumSlices(inputs * outputs) - 1)) / 4;
  }

  /**
   * C[m, n] = A·op(B), A stored [m, k], split by rows of A and C (op(B) = Bᵀ when transposeB ≠ 0): one
   * of a dense layer's products, its scratch from the layer's workspace (denseWorkspaceFloats).
   */
  matMulByRows(a: number, b: number, c: number, m: number, k: number, n: number, transposeB: number, workspace: number): void {
    // Slices are whole groups of the kernel's 4-row tiles: a slice of fewer rows would compute a full tile anyway.
    const slices = this.startJob(Math.ceil(m / MATMUL_TILE_ROWS), true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      const first = this.first * MATMUL_TILE_ROWS, rows = Math.min((this.first + this.count) * MATMUL_TILE_ROWS, m) - first;
      this.arg(a + first * k * 4).arg(b).arg(c + first * n * 4).arg(0).arg(rows).arg(k).arg(n).arg(0).arg(transposeB).arg(0);
    }
    this.runMatMul(2 * m * k * n, workspace, k, n);
  }

  /**
   * dW[inputs, outputs] = xᵀ·dy summed over the batch, x [batch, inputs] and dy [batch, outputs]:
   * slice 0 writes it, later slices a partial sum each into `partials` (densePartialSumsFloats).
   */
  weightGradient(x: number, dy: number, dW: number, partials: number, batch: number, inputs: number, outputs: number, workspace: number): void {
    const partialBytes = this.densePartialBytes(inputs, outputs), sums = sumSlices(inputs * outputs);
    const slices = this.startJob(batch, false, sums);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(x + this.first * inputs * 4).arg(dy + this.first * outputs * 4).arg(s === 0 ? dW : partials + (s - 1) * partialBytes).arg(0)
        .arg(inputs).arg(this.count).arg(outputs).arg(1).arg(0).arg(0);
    }
    this.runMatMul(2 * batch * inputs * outputs, workspace, batch, outputs);
    this.addPartials(dW, partials, partialBytes, inputs * outputs, batch, sums);
  }

  private densePartialBytes(inputs: number, outputs: number): number {
    return alignBytes(inputs * outputs * 4);
  }

  /** Scratch per thread for the dense products: x·W (op(B) [inputs, outputs]), dy·Wᵀ ([outputs, inputs]) and xᵀ·dy ([batch, outputs]). */
  private denseScratchStride(batch: number, inputs: number, outputs: number): number {
    return Math.max(this.matMulScratchStride(inputs, outputs), this.matMulScratchStride(outputs, inputs), this.matMulScratchStride(batch, outputs));
  }

  private matMulScratchStride(k: number, n: number): number {
    return alignBytes(this.kernels.matMulScratchBytes(k, n));
  }

  /**
   * Runs the matMul job written, op(B) of [k, n]: each thread takes its scratch in the workspace, a
   * stride for this product apart (at most the one denseWorkspaceFloats planned).
   */
  private runMatMul(work: number, workspace: number, k: number, n: number): void {
    this.run('matMul', work, MATMUL_SCRATCH_ARG, workspace, this.matMulScratchStride(k, n));
  }

  // --- nearest up-sampling: x [batch, inHeight, inWidth, channels] → y [batch, outHeight, outWidth, channels],
  //     outHeight and outWidth whole multiples of inHeight and inWidth

  /** Forward reads x and writes y; backward reads dy (output-sized) and writes dx (input-sized). */
  upSampling2d(kernel: 'upSampling2dForward' | 'upSampling2dBackward', from: number, to: number, g: ResizeGeometry): void {
    const inBytes = g.inHeight * g.inWidth * g.channels * 4, outBytes = g.outHeight * g.outWidth * g.channels * 4;
    const backward = kernel === 'upSampling2dBackward';
    const fromBytes = backward ? outBytes : inBytes, toBytes = backward ? inBytes : outBytes;
    const slices = this.startJob(g.batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(from + this.first * fromBytes).arg(to + this.first * toBytes)
        .arg(this.count).arg(g.inHeight).arg(g.inWidth).arg(g.channels).arg(g.outHeight / g.inHeight).arg(g.outWidth / g.inWidth);
    }
    this.run(kernel, g.batch * outBytes / 4);
  }

  // --- resizing: x [batch, inHeight, inWidth, channels] → y [batch, outHeight, outWidth, channels]

  /** Forward reads x and writes y; backward reads dy (output-sized) and writes dx (input-sized). */
  resize(kernel: 'resizeForward' | 'resizeBackward', from: number, to: number, bilinear: number, coordinates: number,
    g: ResizeGeometry): void {
    const inBytes = g.inHeight * g.inWidth * g.channels * 4, outBytes = g.outHeight * g.outWidth * g.channels * 4;
    const backward = kernel === 'resizeBackward';
    const fromBytes = backward ? outBytes : inBytes, toBytes = backward ? inBytes : outBytes;
    const slices = this.startJob(g.batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(from + this.first * fromBytes).arg(to + this.first * toBytes).arg(bilinear).arg(coordinates)
        .arg(this.count).arg(g.inHeight).arg(g.inWidth).arg(g.channels).arg(g.outHeight).arg(g.outWidth);
    }
    // Bilinear reads four pixels per output element, nearest one (backward also clears dx).
    this.run(kernel, (bilinear ? 8 : 1) * g.batch * outBytes / 4 + (backward ? g.batch * inBytes / 4 : 0));
  }

  // --- affine image sampling: x [batch, height, width, channels] → y [batch, outHeight, outWidth, channels]

  /**
   * affineTransformImages (x → y) or its backward (dy → dx) over the batch's examples, each with its
   * own 6-float map in transforms; `fill` is the f32 fill value's address (forward only).
   */
  affineTransformImages(kernel: 'affineTransformImages' | 'affineTransformImagesBackward', from: number, to: number, transforms: number,
    batch: number, g: AffineImagesGeometry, fill = 0): void {
    const inBytes = g.height * g.width * g.channels * 4, outBytes = g.outHeight * g.outWidth * g.channels * 4;
    const backward = kernel === 'affineTransformImagesBackward';
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(from + this.first * (backward ? outBytes : inBytes)).arg(to + this.first * (backward ? inBytes : outBytes))
        .arg(transforms + this.first * 24).arg(this.count).arg(g.height).arg(g.width).arg(g.channels).arg(g.outHeight).arg(g.outWidth)
        .arg(g.fillMode).arg(g.interpolation).arg(fill);
    }
    // Bilinear reads four pixels per output element, nearest one.
    this.run(kernel, (g.interpolation ? 4 : 1) * batch * outBytes / 4);
  }

  // --- global pooling: x [batch, positions, channels] → y [batch, channels]

  /** Average pooling's forward (x → y) or backward (dy → dx). */
  globalAvgPool(kernel: 'globalAvgPoolForward' | 'globalAvgPoolBackward', from: number, to: number,
    batch: number, positions: number, channels: number): void {
    const inBytes = positions * channels * 4, outBytes = channels * 4;
    const backward = kernel === 'globalAvgPoolBackward';
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(from + this.first * (backward ? outBytes : inBytes)).arg(to + this.first * (backward ? inBytes : outBytes))
        .arg(this.count).arg(positions).arg(channels);
    }
    this.run(kernel, batch * positions * channels);
  }

  /** argmax (i32, [batch, channels]) holds positions within each example, so slices need no offsets into it beyond their own rows. */
  globalMaxPoolForward(x: number, y: number, argmax: number, batch: number, positions: number, channels: number): void {
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(x + this.first * positions * channels * 4).arg(y + this.first * channels * 4).arg(argmax && argmax + this.first * channels * 4)
        .arg(this.count).arg(positions).arg(channels);
    }
    this.run('globalMaxPoolForward', batch * positions * channels);
  }

  globalMaxPoolBackward(dy: number, argmax: number, dx: number, batch: number, positions: number, channels: number): void {
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(dy + this.first * channels * 4).arg(argmax + this.first * channels * 4).arg(dx + this.first * positions * channels * 4)
        .arg(this.count).arg(positions).arg(channels);
    }
    this.run('globalMaxPoolBackward', batch * positions * channels);
  }

  // --- the normalisations' per-channel sums over the batch: one slice's f64 sums and their f32
  //     scratch each (assembly/channel-sums.ts), in a workspace the layer plans

  /** Bytes between the slices' sums in the workspace: the kernels' `stride`. */
  channelSumsStride(channels: number): number {
    return alignBytes(channels * CHANNEL_SUMS_BYTES_PER_CHANNEL);
  }

  /** Floats of workspace the per-channel sums need: every slice's sums and scratch. */
  channelSumsWorkspaceFloats(channels: number): number {
    return (this.channelSumsStride(channels) * MAX_SLICES) / 4;
  }

  // --- batch normalisation: [batch, …, channels] data as rows of channels, exampleRows rows per example

  /** Σ(x − centre), or its square when squares ≠ 0, per slice of the fixed split, into the workspace; returns the slice count. */
  batchNormSums(x: number, centre: number, squares: number, workspace: number, batch: number, exampleRows: number, channels: number): number {
    const exampleBytes = exampleRows * channels * 4, stride = this.channelSumsStride(channels);
    const slices = this.startJob(batch, false);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      this.arg(x + this.first * exampleBytes).arg(centre).arg(workspace + s * stride).arg(this.count * exampleRows).arg(channels).arg(squares);
    }
    this.run('batchNormSums', NORMALISATION_PASS_COST * batch * exampleRows * channels);
    return slices;
  }

  /** Σdy and Σdy·(x − mean) per slice of the fixed split, into the workspace; returns the slice count. */
  batchNormBackwardSums(x: number, dy: number, mean: number, workspace: number, batch: number, exampleRows: number, channels: number): number {
    const exampleBytes = exampleRows * channels * 4, stride = this.channelSumsStride(channels);
    const slices = this.startJob(batch, false);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      const at = this.first * exampleBytes;
      this.arg(x + at).arg(dy + at).arg(mean).arg(workspace + s * stride).arg(this.count * exampleRows).arg(channels);
    }
    this.run('batchNormBackwardSums', NORMALISATION_PASS_COST * batch * exampleRows * channels);
    return slices;
  }

  /** y = act((x − centre)·scale + shift) per channel, split by examples. */
  channelAffine(x: number, centre: number, scale: number, shift: number, y: number, batch: number, exampleRows: number, channels: number,
    activation: number): void {
    const exampleBytes = exampleRows * channels * 4;
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      const at = this.first * exampleBytes;
      this.arg(x + at).arg(centre).arg(scale).arg(shift).arg(y + at).arg(this.count * exampleRows).arg(channels).arg(activation);
    }
    this.run('channelAffine', NORMALISATION_PASS_COST * batch * exampleRows * channels);
  }

  /** dx = dy·dyScale + (x − mean)·centredScale + dyShift per channel, split by examples. */
  batchNormBackwardInput(dy: number, x: number, mean: number, dyScale: number, centredScale: number, dyShift: number, dx: number,
    batch: number, exampleRows: number, channels: number): void {
    const exampleBytes = exampleRows * channels * 4;
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      const at = this.first * exampleBytes;
      this.arg(dy + at).arg(x + at).arg(mean).arg(dyScale).arg(centredScale).arg(dyShift).arg(dx + at).arg(this.count * exampleRows).arg(channels);
    }
    this.run('batchNormBackwardInput', NORMALISATION_PASS_COST * batch * exampleRows * channels);
  }

  // --- layer normalisation: [batch, …, channels] data as rows of channels, exampleRows rows per
  //     example, each row normalised by its own statistics (meanFromFirst and invStd: a float per row)

  /** The rows normalised, γ and β applied (0: absent), their statistics written; `epsilon` is the address of ε. Split by examples. */
  layerNormForward(x: number, gamma: number, beta: number, y: number, meanFromFirst: number, invStd: number, epsilon: number,
    batch: number, exampleRows: number, channels: number): void {
    const exampleBytes = exampleRows * channels * 4, statisticsBytes = exampleRows * 4;
    const slices = this.startJob(batch, true);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      const at = this.first * exampleBytes, rowAt = this.first * statisticsBytes;
      this.arg(x + at).arg(gamma).arg(beta).arg(y + at).arg(meanFromFirst + rowAt).arg(invStd + rowAt)
        .arg(this.count * exampleRows).arg(channels).arg(epsilon);
    }
    // Three passes over each row: the mean, the variance, the normalisation.
    this.run('layerNormForward', 3 * NORMALISATION_PASS_COST * batch * exampleRows * channels);
  }

  /**
   * dx (when ≠ 0), and dγ and dβ summed over the batch (each when ≠ 0): then each slice of the fixed
   * split sums into the workspace (channelSumsWorkspaceFloats), and the slices are added in order.
   */
  layerNormBackward(x: number, dy: number, gamma: number, meanFromFirst: number, invStd: number, dx: number, dGamma: number, dBeta: number,
    workspace: number, batch: number, exampleRows: number, channels: number): void {
    const exampleBytes = exampleRows * channels * 4, statisticsBytes = exampleRows * 4, stride = this.channelSumsStride(channels);
    const sums = dGamma !== 0 || dBeta !== 0;
    const slices = this.startJob(batch, !sums);
    for (let s = 0; s < slices; s++) {
      this.beginSlice(s);
      const at = this.first * exampleBytes, rowAt = this.first * statisticsBytes;
      this.arg(x + at).arg(dy + at).arg(gamma).arg(meanFromFirst + rowAt).arg(invStd + rowAt).arg(dx && dx + at)
        .arg(sums ? workspace + s * stride : 0).arg(this.count * exampleRows).arg(channels);
    }
    // Two passes over each row for dx, one for the sums.
    this.run('layerNormBackward', 3 * NORMALISATION_PASS_COST * batch * exampleRows * channels);
    if (sums) this.kernels.layerNormParameterGradients(workspace, slices, stride, channels, dGamma, dBeta);
  }

  // --- jobs

  /**
   * Starts writing a job over `batch` examples; returns its slice count. A job that sums over the
   * batch takes the fixed split of `sums` slices (MAX_SLICES, fewer for the largest partial sums:
   * sumSlices), one of independent examples a split for balance.
   */
  private startJob(batch: number, independent: boolean, sums = MAX_SLICES): number {
    this.batch = batch;
    this.maxSlices = !independent ? sums : this.threads === 1 ? 1 : INDEPENDENT_SLICES_PER_THREAD * this.threads;
    return sliceCount(batch, this.maxSlices);
  }

  /** Starts writing slice `s` of the job: first and count are its examples. */
  private beginSlice(s: number): void {
    this.slice = s;
    this.argIndex = 0;
    this.first = sliceStart(this.batch, s, this.maxSlices);
    this.count = sliceStart(this.batch, s + 1, this.maxSlices) - this.first;
  }

  /** Writes the next argument of the current slice. */
  private arg(value: number): this {
    this.runner.args[this.slice * MAX_JOB_ARGS + this.argIndex++] = value;
    return this;
  }

  /** The geometry's kernel arguments, with the current slice's example count as their batch. */
  private geometryArgs(args: Conv2dArgs | Pool2dArgs | DepthwiseConv2dArgs | PhaseArgs): this {
    this.arg(this.count);
    for (let i = 1; i < args.length; i++) this.arg(args[i]);
    return this;
  }

  /** Runs the job whose slices were written; `work` (flops) tells whether it pays to wake other threads. */
  private run(kernel: JobKernel, work: number, scratchArg = -1, scratchBase = 0, scratchStride = 0): void {
    const header = this.runner.header;
    header[JOB_HEADER.kernel] = JOB_KERNELS.indexOf(kernel);
    header[JOB_HEADER.sliceCount] = sliceCount(this.batch, this.maxSlices);
    header[JOB_HEADER.scratchArg] = scratchArg;
    header[JOB_HEADER.scratchBase] = scratchBase;
    header[JOB_HEADER.scratchStride] = scratchStride;
    this.runner.run(work);
  }

  /** target += partial sums of slices 1 … (at first + (s − 1)·stride), in slice order. */
  private addPartials(target: number, first: number, stride: number, length: number, batch: number, sums = MAX_SLICES): void {
    for (let s = 1; s < sliceCount(batch, sums); s++) this.kernels.add(target, first + (s - 1) * stride, target, length);
  }
}

const convInFloats = (g: Conv2dGeometry) => g.inHeight * g.inWidth * g.inChannels;
const convOutFloats = (g: Conv2dGeometry) => g.outHeight * g.outWidth * g.outChannels;
const convFilterFloats = (g: Conv2dGeometry) => g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels;
/** A partial sum of conv2dBackwardFilter: a filter gradient and a bias gradient. */
const convPartialBytes = (g: Conv2dGeometry) => alignBytes((convFilterFloats(g) + g.outChannels) * 4);
const depthwiseFilterFloats = (g: Conv2dGeometry) => g.kernelHeight * g.kernelWidth * g.outChannels;
const poolInFloats = (g: Pool2dGeometry) => g.inHeight * g.inWidth * g.channels;
const poolOutFloats = (g: Pool2dGeometry) => g.outHeight * g.outWidth * g.channels;

/** Flops of one conv2d pass: 2 per multiply-add of every output with its patch. */
export function convWork(g: Conv2dGeometry): number {
  return 2 * g.batch * g.outHeight * g.outWidth * g.outChannels * g.kernelHeight * g.kernelWidth * g.inChannels;
}

/** Flops of one depthwise pass: 2 per multiply-add of every output with its taps. */
export function depthwiseWork(g: Conv2dGeometry): number {
  return 2 * g.batch * g.outHeight * g.outWidth * g.outChannels * g.kernelHeight * g.kernelWidth;
}

/** Rows of matMul's register tile (assembly/gemm.ts). */
const MATMUL_TILE_ROWS = 4;
/** matMul's argument that is its scratch. */
const MATMUL_SCRATCH_ARG = 3;

/** Bytes per channel of one slice's sums and their scratch: two f64 sums and two f32 blocks (batch normalisation's backward sums need the most). */
const CHANNEL_SUMS_BYTES_PER_CHANNEL = 24;

/** Flops a normalisation pass costs per element, as the pool's minimum work counts them (loads and stores dominate). */
const NORMALISATION_PASS_COST = 4;

/** Flops an elementwise kernel costs per element, as the pool's minimum work counts them (tanh and sigmoid call exp). */
const ELEMENTWISE_COST = 4;

/** Comparisons or additions of one pooling pass, in flops: the pooling loops are scalar. */
export function poolWork(g: Pool2dGeometry): number {
  const SCALAR_COST = 8;
  return SCALAR_COST * g.batch * g.outHeight * g.outWidth * g.channels * g.poolHeight * g.poolWidth;
}
