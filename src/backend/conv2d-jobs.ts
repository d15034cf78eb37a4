// conv2d as layers call it: x [batch, inHeight, inWidth, inChannels] → y [batch, outHeight, outWidth,
// outChannels], each pass on the direct kernel or Winograd's, as usesWinograd (conv2d-algorithm.ts)
// says, as jobs over the batch (job-writer.ts). A call takes a workspace the layer planned
// (workspaceFloats): a small filter transformed for Winograd, kept there between the chunks of a
// predict call. What a call needs only while it runs — one scratch per thread for the largest of the
// passes planned (a layer that only predicts plans the forward pass's alone), a large transformed
// filter — lies in the scratch every layer shares (shared-scratch.ts; scratchBytes, reserved by the
// layer). backwardFilter sums over the batch into partial sums (partialSumsFloats): one per slice
// after the first, which writes the sum itself.
import { alignBytes } from './alignment.js';
import { MAX_SLICES } from './batch-slices.js';
import { type Conv2dPass, usesWinograd } from './conv2d-algorithm.js';
import { conv2dArgs } from './geometry-args.js';
import type { JobWriter } from './job-writer.js';
import type { JobKernel } from './kernel-jobs.js';
import { CONV2D_PASS, type PhaseArgs } from './kernels.js';
import { type PhasePlan, isDilated, planPhases } from './phases.js';
import { ELEMENTWISE_COST } from './work.js';
import { StateError } from '../errors.js';
import type { Conv2dGeometry } from '../window.js';

/** Transformed filters up to this size stay in the layer's workspace, where a predict call's chunks reuse them (holdWeights). */
const HELD_FILTER_BYTES = 2 ** 20;
/** Output rows and columns of a Winograd tile (assembly/winograd-transforms.ts): α = WINOGRAD_TILE + r − 1. */
const WINOGRAD_TILE = 4;

/**
 * A conv2d geometry's kernels (Winograd's or not, per pass) and where its scratch lies: the filter
 * transformed for Winograd in the layer's workspace when small (filterHeld), else first in the
 * shared scratch (shared-scratch.ts); then, in the shared scratch, one scratch per thread (runPass
 * says where), each at least the stride of the pass that needs most.
 */
interface Conv2dPlan {
  readonly forward: boolean;
  readonly backwardInput: boolean;
  readonly backwardFilter: boolean;
  readonly filterBytes: number;
  readonly filterHeld: boolean;
  /** Byte offset of thread 0's scratch in the shared scratch. */
  readonly scratchAt: number;
  /** Bytes of scratch a thread needs in each pass. */
  readonly scratchStrides: Readonly<Record<Conv2dPass, number>>;
  /** The filter last transformed into the workspace while weights were held (holdWeights), and how. */
  readonly held: { hold: number; filter: number; turned: number };
}

export class Conv2dJobs {
  /** The running holdWeights call, numbered from 1 (0: none runs). */
  private currentHold = 0;
  private holdCount = 0;
  /** The geometry of the job being written, as kernel arguments (reused). */
  private readonly args: number[] = [];
  private readonly plans = new WeakMap<Conv2dGeometry, Conv2dPlan>();
  /** How each dilated geometry runs on its phases, planned by workspaceFloats. */
  private readonly phasePlans = new WeakMap<Conv2dGeometry, PhasePlan>();

  constructor(private readonly jobs: JobWriter) {}

  /**
   * Floats of the layer's own workspace for the conv2d calls of `passes` on batches of up to
   * geometry.batch examples: a small filter transformed for Winograd (where a pass uses it). A
   * dilated geometry runs as undilated convolutions of the input's phases (phases.ts): this plans
   * them, for this geometry object, and the workspace holds them too. The calls' scratch lies in the
   * shared scratch (scratchBytes), which the layer reserves.
   */
  workspaceFloats(geometry: Conv2dGeometry, passes: readonly Conv2dPass[]): number {
    if (isDilated(geometry)) {
      const plan = planPhases(geometry, (phases) => this.workspaceFloats(phases, passes));
      this.phasePlans.set(geometry, plan);
      return plan.workspaceFloats;
    }
    const plan = this.plan(geometry);
    return plan.filterHeld ? plan.filterBytes / 4 : 0;
  }

  /**
   * Bytes of shared scratch the calls of `passes` need (at most geometry.batch examples;
   * workspaceFloats planned first), the threads' shares as far apart as threadScratchBytes says.
   */
  scratchBytes(geometry: Conv2dGeometry, passes: readonly Conv2dPass[]): number {
    if (isDilated(geometry)) return this.scratchBytes(this.phasePlan(geometry, geometry.batch).phases, passes);
    const plan = this.plan(geometry);
    return plan.scratchAt + this.jobs.threadScratchBytes(Math.max(...passes.map((pass) => plan.scratchStrides[pass]))) * this.jobs.threads;
  }

  /** Floats of the partial sums backwardFilter adds up (a dilated geometry's phases have the same filter). */
  partialSumsFloats(geometry: Conv2dGeometry): number {
    return (convPartialBytes(geometry) * (MAX_SLICES - 1)) / 4;
  }

  /** activation: a FUSED_ACTIVATION code (none, ReLU, ReLU6), applied on the way out. */
  forward(
    x: number, filter: number, bias: number, y: number, workspace: number, activation: number, geometry: Conv2dGeometry,
  ): void {
    if (isDilated(geometry)) {
      const plan = this.phasePlan(geometry);
      const xPhases = workspace + plan.xPhasesOffset, yPhases = workspace + plan.yPhasesOffset;
      this.phases('spaceToBatch', x, xPhases, plan.input);
      this.forward(xPhases, filter, bias, yPhases, workspace + plan.workspaceOffset, activation, plan.phases);
      this.phases('batchToSpace', yPhases, y, plan.output);
      return;
    }
    this.runForward(x, filter, bias, y, convOutFloats(geometry) * 4, false, 0, workspace, activation, geometry);
  }

  /** Whether forwardMaxPool takes the geometry: undilated, output channels in whole f32x4. */
  poolsOutput(geometry: Conv2dGeometry): boolean {
    return !isDilated(geometry) && geometry.outChannels % 4 === 0;
  }

  /**
   * forward followed by a 2×2 max pooling at stride 2 of its output, which is never written:
   * y and argmax (0 in inference) as PoolJobs.maxForward would write them, the same bits.
   */
  forwardMaxPool(
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
    const plan = this.plan(geometry);
    const weights = plan.forward ? this.transformFilter(filter, workspace, geometry, 0) : filter;
    const args = conv2dArgs(geometry, this.args);
    const slices = this.jobs.start(geometry.batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(x + this.jobs.first * inBytes).arg(weights).arg(bias).arg(y + this.jobs.first * yBytes);
      if (pooled) this.jobs.arg(argmax && argmax + this.jobs.first * yBytes);
      this.jobs.arg(0).arg(activation).geometryArgs(args);
    }
    const kernel = pooled ? (plan.forward ? 'conv2dWinogradForwardMaxPool' : 'conv2dForwardMaxPool')
      : plan.forward ? 'conv2dWinogradForward' : 'conv2dForward';
    // The scratch comes after the pointers (and argmax).
    this.runPass(kernel, pooled ? 5 : 4, geometry);
  }

  backwardInput(dy: number, filter: number, dx: number, workspace: number, geometry: Conv2dGeometry): void {
    if (isDilated(geometry)) {
      // Each input pixel lies in exactly one phase: its gradient is that phase's.
      const plan = this.phasePlan(geometry);
      const xPhases = workspace + plan.xPhasesOffset, yPhases = workspace + plan.yPhasesOffset;
      this.phases('spaceToBatch', dy, yPhases, plan.output);
      this.backwardInput(yPhases, filter, xPhases, workspace + plan.workspaceOffset, plan.phases);
      this.phases('batchToSpace', xPhases, dx, plan.input);
      return;
    }
    const batch = geometry.batch, inBytes = convInFloats(geometry) * 4, outBytes = convOutFloats(geometry) * 4;
    const plan = this.plan(geometry);
    const weights = plan.backwardInput ? this.transformFilter(filter, workspace, geometry, 1) : filter;
    const args = conv2dArgs(geometry, this.args);
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(dy + this.jobs.first * outBytes).arg(weights).arg(dx + this.jobs.first * inBytes).arg(0).geometryArgs(args);
    }
    this.runPass(plan.backwardInput ? 'conv2dWinogradBackwardInput' : 'conv2dBackwardInput', 3, geometry);
  }

  /**
   * dFilter (and dBias when ≠ 0) summed over the batch: slice 0 writes them, later slices a partial
   * sum each into `partials` (partialSumsFloats).
   */
  backwardFilter(x: number, dy: number, dFilter: number, dBias: number, partials: number, workspace: number, geometry: Conv2dGeometry): void {
    if (isDilated(geometry)) {
      // The phases of dy past the output are zero, so the extra outputs of a phase add nothing.
      const plan = this.phasePlan(geometry);
      const xPhases = workspace + plan.xPhasesOffset, yPhases = workspace + plan.yPhasesOffset;
      this.phases('spaceToBatch', x, xPhases, plan.input);
      this.phases('spaceToBatch', dy, yPhases, plan.output);
      this.backwardFilter(xPhases, yPhases, dFilter, dBias, partials, workspace + plan.workspaceOffset, plan.phases);
      return;
    }
    const batch = geometry.batch, inBytes = convInFloats(geometry) * 4, outBytes = convOutFloats(geometry) * 4;
    const plan = this.plan(geometry);
    const args = conv2dArgs(geometry, this.args);
    const filterFloats = convFilterFloats(geometry);
    const partialBytes = convPartialBytes(geometry);
    const slices = this.jobs.start(batch, false);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      const partial = partials + (s - 1) * partialBytes;
      this.jobs.arg(x + this.jobs.first * inBytes).arg(dy + this.jobs.first * outBytes).arg(s === 0 ? dFilter : partial)
        .arg(dBias && (s === 0 ? dBias : partial + filterFloats * 4)).arg(0).geometryArgs(args);
    }
    this.runPass(plan.backwardFilter ? 'conv2dWinogradBackwardFilter' : 'conv2dBackwardFilter', 4, geometry);
    this.jobs.addPartials(dFilter, partials, partialBytes, filterFloats, batch);
    if (dBias) this.jobs.addPartials(dBias, partials + filterFloats * 4, partialBytes, geometry.outChannels, batch);
  }

  /**
   * Which kernel each pass of the geometry runs, and where its scratch lies: worked out once
   * per geometry object (a layer keeps one, changing only its batch, which none of this depends on).
   */
  private plan(g: Conv2dGeometry): Conv2dPlan {
    const known = this.plans.get(g);
    if (known) return known;
    const k = this.jobs.kernels, r = g.kernelHeight, args = conv2dArgs(g, this.args);
    const forward = usesWinograd(g, 'forward'), backwardInput = usesWinograd(g, 'backwardInput'), backwardFilter = usesWinograd(g, 'backwardFilter');
    // The transformed filter is the larger of the ones that run, whichever passes a workspace is
    // planned for, so that the scratches of every pass of the geometry lie at the same place.
    const filterBytes = alignBytes(Math.max(forward ? k.winogradFilterBytes(r, g.inChannels, g.outChannels) : 0,
      backwardInput ? k.winogradFilterBytes(r, g.outChannels, g.inChannels) : 0));
    const filterHeld = filterBytes <= HELD_FILTER_BYTES;
    // Scratch per thread for a pass, on the kernel it uses (before a Winograd pass each thread
    // transforms its share of the filter in its scratch): sized for the whole batch, which covers any slice of it.
    const stride = (pass: Conv2dPass, winograd: boolean) => alignBytes(winograd
      ? Math.max(k.conv2dWinogradPassScratchBytes(CONV2D_PASS[pass], ...args), pass === 'backwardFilter' ? 0 : k.winogradFilterScratchBytes(r))
      : k.conv2dPassScratchBytes(CONV2D_PASS[pass], ...args));
    const plan: Conv2dPlan = {
      forward, backwardInput, backwardFilter, filterBytes, filterHeld,
      scratchAt: filterHeld ? 0 : filterBytes,
      scratchStrides: { forward: stride('forward', forward), backwardInput: stride('backwardInput', backwardInput),
        backwardFilter: stride('backwardFilter', backwardFilter) },
      held: { hold: 0, filter: 0, turned: 0 },
    };
    this.plans.set(g, plan);
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
   * The filter transformed for Winograd (turned = 1: for the backward-input pass) into the workspace
   * (a large one into the shared scratch), once per call, or, held in the workspace, once per
   * holdWeights; returns where. The threads share it by input channels, each in its share of the
   * scratch the pass then uses: a training step transforms every Winograd layer's filter twice, and
   * on one thread that took 4% of a VGG-style net's step, all while the other threads waited.
   */
  private transformFilter(filter: number, workspace: number, g: Conv2dGeometry, turned: number): number {
    const plan = this.plan(g), held = plan.held, scratch = this.jobs.scratch;
    const at = plan.filterHeld ? workspace : scratch.address;
    if (plan.filterHeld && this.currentHold !== 0 && held.hold === this.currentHold && held.filter === filter && held.turned === turned) return at;
    const ins = turned ? g.outChannels : g.inChannels, outs = turned ? g.inChannels : g.outChannels;
    const slices = this.jobs.start(Math.ceil(ins / 4) * 4, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(filter).arg(at).arg(0).arg(g.kernelHeight).arg(g.inChannels).arg(g.outChannels).arg(turned).arg(this.jobs.first).arg(this.jobs.count);
    }
    const r = g.kernelHeight, alpha = WINOGRAD_TILE + r - 1;
    // G·g (α×r by r×r) and then ·Gᵀ (α×r by r×α) for each pair of channels.
    const work = 2 * ins * outs * alpha * r * (r + alpha);
    this.jobs.runSharingScratch('winogradFilterTransformInputs', work, 2, scratch.address + plan.scratchAt, scratch.bytes - plan.scratchAt);
    held.hold = this.currentHold;
    held.filter = filter;
    held.turned = turned;
    return at;
  }

  /**
   * Runs the job written, each thread's scratch an equal share of the shared scratch past the
   * transformed filter (if there), not a pass's stride apart: the block holds every pass's stride
   * per thread, so a share is never less, and a thread's share then starts at the same place in every
   * pass of every layer whose filter is held (with a stride per pass, up to 250 KiB of the LeNet-style
   * net's Winograd scratch moved between cores at each call).
   */
  private runPass(kernel: JobKernel, scratchArg: number, geometry: Conv2dGeometry): void {
    const plan = this.plan(geometry), scratch = this.jobs.scratch;
    this.jobs.runSharingScratch(kernel, convWork(geometry), scratchArg, scratch.address + plan.scratchAt, scratch.bytes - plan.scratchAt);
  }

  /** The phase plan of a dilated geometry, set to `batch` (the geometry's). */
  private phasePlan(geometry: Conv2dGeometry, batch = geometry.batch): PhasePlan {
    const plan = this.phasePlans.get(geometry);
    if (!plan || batch > plan.capacity) {
      throw new StateError(`a dilated conv2d of ${batch} examples ran on a workspace planned for ${plan?.capacity ?? 'no batch'}: ` +
        'workspaceFloats(geometry) plans the workspace of this geometry object for its batch');
    }
    plan.setBatch(batch);
    return plan;
  }

  /** spaceToBatch or batchToSpace over the batch's examples, from one buffer to the other. */
  private phases(kernel: 'spaceToBatch' | 'batchToSpace', from: number, to: number, image: PhaseArgs): void {
    const [batch, height, width, channels, blockHeight, blockWidth, , , phaseHeight, phaseWidth] = image;
    const imageBytes = height * width * channels * 4, phasesBytes = blockHeight * blockWidth * phaseHeight * phaseWidth * channels * 4;
    const fromBytes = kernel === 'spaceToBatch' ? imageBytes : phasesBytes, toBytes = kernel === 'spaceToBatch' ? phasesBytes : imageBytes;
    const slices = this.jobs.start(batch, true);
    for (let s = 0; s < slices; s++) {
      this.jobs.beginSlice(s);
      this.jobs.arg(from + this.jobs.first * fromBytes).arg(to + this.jobs.first * toBytes).geometryArgs(image);
    }
    this.jobs.run(kernel, ELEMENTWISE_COST * batch * Math.max(imageBytes, phasesBytes) / 4);
  }
}

export const convInFloats = (g: Conv2dGeometry) => g.inHeight * g.inWidth * g.inChannels;
export const convOutFloats = (g: Conv2dGeometry) => g.outHeight * g.outWidth * g.outChannels;
const convFilterFloats = (g: Conv2dGeometry) => g.kernelHeight * g.kernelWidth * g.inChannels * g.outChannels;
/** A partial sum of backwardFilter: a filter gradient and a bias gradient. */
const convPartialBytes = (g: Conv2dGeometry) => alignBytes((convFilterFloats(g) + g.outChannels) * 4);

/** Flops of one conv2d pass: 2 per multiply-add of every output with its patch. */
export function convWork(g: Conv2dGeometry): number {
  return 2 * g.batch * g.outHeight * g.outWidth * g.outChannels * g.kernelHeight * g.kernelWidth * g.inChannels;
}
