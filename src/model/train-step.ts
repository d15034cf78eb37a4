// One training step of a graph model on a gathered batch: forward in training mode, the loss and
// its gradient, backward through the nodes that need it, then the optimizer on the trained weights.
import type { Parameter } from '../layers/layer.js';
import type { Random } from '../random.js';
import type { Tensor } from '../tensor.js';
import type { BatchBuffers } from './batch-buffers.js';
import type { ClassWeights } from './class-weights.js';
import type { LossReference } from './divergence.js';
import type { GraphExecutor } from './executor.js';
import { type Loss, type OutputRows, computeLoss, prepareTargets } from './losses.js';
import type { MetricSet } from './metric-set.js';
import type { Optimizer } from './optimizers.js';
import type { SampleWeights } from './sample-weights.js';

export interface TrainStepParts {
  executor: GraphExecutor;
  buffers: BatchBuffers;
  optimizer: Optimizer;
  loss: Loss;
  /** How the loss reads each example's output. */
  rows: OutputRows;
  rng: Random;
  /** The weights fit changes: the model's trainable weights when the step is made. */
  trained: Parameter[];
  /** State the layers update themselves in training (moving statistics): kept with the weights when a step is undone. */
  layerState: Parameter[];
  /** The first batch's loss since compile, which fit measures an exploding loss against. */
  lossReference: LossReference;
  /** The output activation when the loss takes its logits (softmax + cross-entropy), else undefined. */
  fusedActivation(): FusedActivation | undefined;
  plan(capacity: number): void;
  checkStillTraining(): void;
}

/** An output activation (ActivationFunction) as a fused loss uses it: its logits, and the mark backward reads. */
export interface FusedActivation {
  /** The logits of the last forward pass. */
  input: number;
  /** While set, backward passes the gradient through (the loss gave it at the logits). */
  fusedWithLoss: boolean;
}

export class TrainStep {
  readonly trainedWeights: Parameter[];
  readonly layerState: Parameter[];
  readonly lossReference: LossReference;
  private readonly trainedSet: ReadonlySet<Parameter>;
  private readonly outputGradients: number[];
  /** Class weights for this run's losses (fit's classWeight), if any. */
  classWeights?: ClassWeights;
  /** Sample weights for this run's losses (fit's sampleWeight; never with class weights), if any. */
  sampleWeights?: SampleWeights;

  constructor(private readonly parts: TrainStepParts) {
    this.trainedWeights = parts.trained;
    this.layerState = parts.layerState;
    this.lossReference = parts.lossReference;
    this.trainedSet = new Set(parts.trained);
    // What a step writes exists before the first one: the layers' backward buffers and the optimizer's state of the trained weights.
    parts.executor.prepareBackward(this.trainedSet, false);
    parts.optimizer.allocateState(this.trainedSet);
    this.outputGradients = [0];
  }

  get optimizer(): Optimizer {
    return this.parts.optimizer;
  }

  plan(capacity: number): void {
    this.parts.plan(capacity);
  }

  shuffle(order: Uint32Array): void {
    this.parts.rng.shuffle(order);
  }

  gather(xs: readonly Tensor[], y: Tensor, order: Uint32Array | undefined, from: number, size: number): void {
    this.parts.buffers.gather(xs, y, order, from, size);
    this.prepareTargets(size);
    this.sampleWeights?.fill(this.parts.buffers.rowWeights, order, from, size);
  }

  /** Readies the targets in the buffers for the loss (class ids one-hot) and weighs the rows by class (one row per example then). */
  prepareTargets(size: number): void {
    const { buffers, loss, rows } = this.parts;
    prepareTargets(loss, buffers.target, size, rows);
    this.classWeights?.fill(buffers.target, buffers.rowWeights, size);
  }

  /** Forward, loss and backward on the gathered batch: every trained weight's grad is set; returns the loss. */
  computeGradients(size: number): number {
    const { executor, buffers, loss, rows } = this.parts;
    executor.forward(buffers.inputs, size, true);
    const fused = this.parts.fusedActivation();
    const value = computeLoss(loss, executor.output(0), fused?.input ?? 0, buffers.target, buffers.outputGradient, size, rows,
      this.classWeights || this.sampleWeights ? buffers.rowWeights : 0);
    if (!Number.isFinite(value)) return value;
    this.outputGradients[0] = buffers.outputGradient;
    // The loss gave the gradient at the logits: backward skips the activation's derivative, for this
    // model's pass only (the layer may be shared with models trained with other losses).
    if (fused) fused.fusedWithLoss = true;
    try {
      executor.backward(this.outputGradients, size);
    } finally {
      if (fused) fused.fusedWithLoss = false;
    }
    return value;
  }

  applyGradients(): void {
    this.parts.optimizer.step(this.trainedSet);
  }

  /** Counts the last forward pass's outputs against the batch's targets in `metrics`. */
  countMetrics(metrics: MetricSet, size: number): void {
    metrics.add(this.parts.executor.output(0), this.parts.buffers.target, size);
  }

  checkStillTraining(): void {
    this.parts.checkStillTraining();
  }
}
