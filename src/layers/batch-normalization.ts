// Batch normalisation over the channels (Keras's BatchNormalization): y = γ·(x − μ)/√(σ² + ε) + β per
// channel, the last axis. In training (fit, when the layer is trainable) μ and σ² are the batch's,
// over every axis but the channels, and the moving statistics take a step towards them; otherwise
// (predict, evaluate, and in fit too a frozen layer or a call fixed in inference mode, apply(x,
// { training: false }): Keras's rules for fine-tuning) the moving statistics are used and stay as
// they are, while γ and β still train unless frozen. The sums over the batch run in the fixed slices of
// job-writer.ts, so the bits are the same at any thread count (assembly/batch-norm.ts).
//
// The moving variance follows Keras (TF2): a 4-D (or 5-D) batch goes through TensorFlow's fused
// kernel, which moves it towards the unbiased batch variance, n/(n − 1)·σ², n the values per channel;
// other ranks towards the biased σ². (TF.js 4.22 always takes the biased one.)
import { FUSED_ACTIVATION } from '../backend/kernels.js';
import type { Initializer } from '../init.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Layer, type LayerConfig, type Parameter, type WeightSpec, checkSetting } from './layer.js';
import { type LayerDescriptor, kerasInitializer } from './descriptor.js';
import { type AffineNormalizationOptions, affineNormalizationSettings, affineWeightSpecs, singleAxis, betaOf, gammaOf } from './normalization-settings.js';

export interface BatchNormalizationOptions extends AffineNormalizationOptions {
  /** The channel axis, counted with the batch (-1, or the last axis): the only one convas normalises over. */
  axis?: number | [number];
  momentum?: number;
  name?: string;
}

export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  readonly axis: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  /** Set while predict folds this layer into the convolution before it: inference passes its input on. */
  foldedIntoInput = false;
  private channels = 0;
  /** Rows of channels per example: height·width for an image, 1 for a flat input. */
  private exampleRows = 0;
  private besselCorrection = 0;
  private x = 0;
  /** Whether the last forward pass normalised with the batch's statistics (training) or the moving ones. */
  private batchStatistics = false;
  private y = 0;
  private dx = 0;
  /** Per channel: the batch mean, 1/√(σ² + ε), γ/√(σ² + ε), and backward's factors for the input gradient. */
  private mean = 0;
  private invStd = 0;
  private factor = 0;
  private dyScale = 0;
  private centredScale = 0;
  private dyShift = 0;
  /** Each batch slice's sums (normalization-jobs.ts). */
  private workspace = 0;

  constructor(options: BatchNormalizationOptions = {}) {
    super(options.name, 'batch_normalization');
    const axis = singleAxis(options.axis);
    checkSetting(Number.isInteger(axis), this.name,
      `axis must be an integer (the channel axis, -1), got ${shownValue(options.axis)}; convas normalises over one axis, the channels`);
    this.axis = axis as number;
    this.momentum = options.momentum ?? 0.99;
    ({ epsilon: this.epsilon, center: this.center, scale: this.scale } = affineNormalizationSettings(options, this.name));
    checkSetting(typeof this.momentum === 'number' && this.momentum >= 0 && this.momentum <= 1, this.name,
      `momentum must be a number in [0, 1], got ${shownValue(options.momentum)}`);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    // Keras counts axes with the batch: the channels are axis input.length (or −1).
    const rank = input.length + 1;
    checkSetting(this.axis === -1 || this.axis === rank - 1, this.name,
      `axis ${this.axis} is not the channel axis of its input ${formatShape(input)} per example (batch included, axis ${rank - 1}, or -1); ` +
      'convas normalises over the channels only');
    this.channels = input[input.length - 1];
    this.exampleRows = input.slice(0, -1).reduce((a, b) => a * b, 1);
    this.besselCorrection = rank === 4 || rank === 5 ? 1 : 0;
    return input;
  }

  protected weightShapes(): WeightSpec[] {
    const shape = [this.channels];
    return [
      ...affineWeightSpecs(this, this.channels),
      { name: 'moving_mean', shape, trainable: false },
      { name: 'moving_variance', shape, trainable: false },
    ];
  }

  protected initializer(name: string): Initializer {
    return name === 'gamma' || name === 'moving_variance' ? 1 : 0;
  }

  private get gamma(): Parameter | undefined {
    return gammaOf(this);
  }

  private get beta(): Parameter | undefined {
    return betaOf(this);
  }

  private get movingMean(): Parameter {
    return this.params[this.params.length - 2];
  }

  private get movingVariance(): Parameter {
    return this.params[this.params.length - 1];
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.inputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    // 1/σ and γ/σ serve inference too; the batch mean, backward's per-channel terms and the sums only training.
    [this.invStd, this.factor] = [this.buffer(this.channels), this.buffer(this.channels)];
    [this.mean, this.dyScale, this.centredScale, this.dyShift] = Array.from({ length: 4 }, () => this.trainingBuffer(this.channels));
    this.workspace = this.trainingBuffer(this.parallel.normalization.channelSumsWorkspaceFloats(this.channels));
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.x = x;
    this.batchStatistics = this.trains(training) && this.trainsInRun;
    if (this.foldedIntoInput && !training) return x;
    const centre = this.batchStatistics ? this.computeBatchStatistics(x, batch) : this.inferenceAffine().centre;
    this.parallel.normalization.channelAffine(x, centre, this.factor, this.beta?.value ?? 0, this.y, batch, this.exampleRows, this.channels, FUSED_ACTIVATION.none);
    return this.y;
  }

  /**
   * Inference mode as (x − centre)·scale + shift per channel, from the moving statistics: scale and
   * the layer's buffers are valid until its next forward pass. What folding puts into a convolution.
   */
  inferenceAffine(): { centre: number; scale: number; shift: number } {
    this.kernels.batchNormInferenceStatistics(this.movingVariance.value, this.gamma?.value ?? 0, this.epsilon, this.channels, this.invStd, this.factor);
    return { centre: this.movingMean.value, scale: this.factor, shift: this.beta?.value ?? 0 };
  }

  /** The batch mean (returned), 1/σ and γ/σ, and the moving statistics' step. */
  private computeBatchStatistics(x: number, batch: number): number {
    const { parallel, channels, exampleRows } = this;
    const count = batch * exampleRows, stride = parallel.normalization.channelSumsStride(channels);
    // The first example's first row centres the first pass (x itself points at it).
    const slices = parallel.normalization.batchNormSums(x, x, 0, this.workspace, batch, exampleRows, channels);
    this.kernels.batchNormMean(this.workspace, slices, stride, channels, count, x, this.mean);
    parallel.normalization.batchNormSums(x, this.mean, 1, this.workspace, batch, exampleRows, channels);
    this.kernels.batchNormTrainingStatistics(this.workspace, slices, stride, channels, count, this.mean, this.gamma?.value ?? 0,
      this.epsilon, this.momentum, this.besselCorrection, this.movingMean.value, this.movingVariance.value, this.invStd, this.factor);
    return this.mean;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean): number[] {
    const { parallel, channels, exampleRows } = this;
    if (!needWeightGradients && !this.batchStatistics) {
      // Fixed statistics and no weight gradients (a frozen layer): the gradient is dy·γ/σ.
      if (needInputGradients) parallel.normalization.channelAffine(dy, 0, this.factor, 0, this.dx, batch, exampleRows, channels, FUSED_ACTIVATION.none);
      return this.inputGradient(needInputGradients ? this.dx : 0);
    }
    const centre = this.batchStatistics ? this.mean : this.movingMean.value;
    const slices = parallel.normalization.batchNormBackwardSums(this.x, dy, centre, this.workspace, batch, exampleRows, channels);
    this.kernels.batchNormBackwardStatistics(this.workspace, slices, parallel.normalization.channelSumsStride(channels), channels, batch * exampleRows,
      this.invStd, this.gamma?.value ?? 0, this.batchStatistics ? 1 : 0,
      needWeightGradients ? this.gamma?.grad ?? 0 : 0, needWeightGradients ? this.beta?.grad ?? 0 : 0,
      this.dyScale, this.centredScale, this.dyShift);
    if (!needInputGradients) return this.inputGradient(0);
    parallel.normalization.batchNormBackwardInput(dy, this.x, centre, this.dyScale, this.centredScale, this.dyShift, this.dx, batch, exampleRows, channels);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return {
      className: this.className, name: this.name, axis: this.axis, momentum: this.momentum, epsilon: this.epsilon,
      center: this.center, scale: this.scale,
    };
  }
}

export const batchNormalizationDescriptor: LayerDescriptor = {
  className: 'BatchNormalization',
  fromConfig: (c) => new BatchNormalization(c as BatchNormalizationOptions),
  tfjs: {
    options: ['axis', 'momentum', 'epsilon', 'center', 'scale'],
    // How TF.js writes the initializers and the settings convas lacks (every one at its default).
    written: {
      beta_initializer: kerasInitializer('Zeros'), gamma_initializer: kerasInitializer('Ones'),
      moving_mean_initializer: kerasInitializer('Zeros'), moving_variance_initializer: kerasInitializer('Ones'),
      beta_regularizer: null, gamma_regularizer: null, beta_constraint: null, gamma_constraint: null,
    },
  },
};
