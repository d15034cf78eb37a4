// Group normalisation (Keras 3's GroupNormalization, PyTorch's nn.GroupNorm): the channels split into
// `groups` runs of equal width, and each example's run normalised by the mean and biased variance
// of its values at every position, y = γ·(x − μ)/√(σ² + ε) + β, γ and β one per channel. One channel
// a group (groups −1, Keras's spelling, or the channel count) is instance normalisation (PyTorch's
// nn.InstanceNorm2d), one group normalises each example whole. Like layer normalisation it keeps no
// statistics and examples never mix; dγ and dβ sum in the fixed slices of job-writer.ts, so the
// bits are the same at any thread count (assembly/group-norm.ts).
import { getBackend } from '../backend/wasm.js';
import type { Initializer } from '../init.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type LayerDescriptor } from './descriptor.js';
import { Layer, type LayerConfig, type Parameter, type WeightSpec, checkSetting } from './layer.js';
import { type AffineNormalizationOptions, affineNormalizationSettings, affineWeightSpecs, checkLastAxis, singleAxis, betaOf, gammaOf } from './normalization-settings.js';

export interface GroupNormalizationOptions extends AffineNormalizationOptions {
  /** Groups the channels split into (32), dividing the channel count; -1: one per channel. */
  groups?: number;
  /** The channel axis, counted with the batch: -1 (the last axis, which files may write as its index or [index]) only. */
  axis?: number | [number];
  name?: string;
}

export class GroupNormalization extends Layer {
  readonly className = 'GroupNormalization';
  readonly groups: number;
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private channels = 0;
  /** The groups of the built layer: `groups`, or the channel count for -1. */
  private groupCount = 0;
  /** Positions per example: height·width for an image, 1 for a flat input. */
  private exampleRows = 0;
  private x = 0;
  private y = 0;
  private dx = 0;
  /** Per example and group, from the forward pass in training, for backward alone: the mean and 1/√(σ² + ε). */
  private mean = 0;
  private invStd = 0;
  /** ε as an f32 in wasm memory, where the kernel reads it. */
  private epsilonAddress = 0;
  /** Each batch slice's scratch and sums for dγ and dβ. */
  private workspace = 0;

  constructor(options: GroupNormalizationOptions = {}) {
    super(options.name, 'group_normalization');
    this.groups = options.groups ?? 32;
    checkSetting(this.groups === -1 || (Number.isInteger(this.groups) && this.groups >= 1), this.name,
      `groups must be a positive integer dividing the channels, or -1 (one group per channel), got ${shownValue(options.groups)}`);
    const axis = singleAxis(options.axis);
    checkSetting(Number.isInteger(axis), this.name,
      `axis must be an integer (the channel axis, -1), got ${shownValue(options.axis)}; convas normalises groups of the last axis`);
    this.axis = axis as number;
    ({ epsilon: this.epsilon, center: this.center, scale: this.scale } = affineNormalizationSettings(options, this.name));
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkLastAxis(this.axis, input, this.name, 'normalises groups of');
    this.channels = input[input.length - 1];
    this.groupCount = this.groups === -1 ? this.channels : this.groups;
    checkSetting(this.channels % this.groupCount === 0, this.name,
      `groups ${this.groups} does not divide the ${this.channels} channels of its input ${formatShape(input)}; expected a divisor of ${this.channels} or -1`);
    this.exampleRows = input.slice(0, -1).reduce((a, b) => a * b, 1);
    return input;
  }

  protected weightShapes(): WeightSpec[] {
    return affineWeightSpecs(this, this.channels);
  }

  protected initializer(name: string): Initializer {
    return name === 'gamma' ? 1 : 0;
  }

  private get gamma(): Parameter | undefined {
    return gammaOf(this);
  }

  private get beta(): Parameter | undefined {
    return betaOf(this);
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.inputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    this.mean = this.backwardBuffer(capacity * this.groupCount);
    this.invStd = this.backwardBuffer(capacity * this.groupCount);
    this.epsilonAddress = this.buffer(1);
    getBackend().memory.f32(this.epsilonAddress, 1)[0] = this.epsilon;
    this.workspace = this.buffer(this.parallel.normalization.groupNormWorkspaceFloats(this.channels));
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.x = x;
    // Inference writes no statistics: only backward reads them (and 0 when backward never reaches the layer).
    this.parallel.normalization.groupNormForward(x, this.gamma?.value ?? 0, this.beta?.value ?? 0, this.y, training ? this.mean : 0,
      this.invStd, this.epsilonAddress, this.workspace, batch, this.exampleRows, this.channels, this.groupCount);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean): number[] {
    const dx = needInputGradients ? this.dx : 0;
    const dGamma = needWeightGradients ? this.gamma?.grad ?? 0 : 0, dBeta = needWeightGradients ? this.beta?.grad ?? 0 : 0;
    if (dx || dGamma || dBeta) {
      this.parallel.normalization.groupNormBackward(this.x, dy, this.gamma?.value ?? 0, this.mean, this.invStd, dx, dGamma, dBeta, this.workspace,
        batch, this.exampleRows, this.channels, this.groupCount);
    }
    return this.inputGradient(dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, groups: this.groups, axis: this.axis, epsilon: this.epsilon, center: this.center,
      scale: this.scale };
  }
}

/** TensorFlow.js has no GroupNormalization: the convas and ONNX formats hold it. */
export const groupNormalizationDescriptor: LayerDescriptor = {
  className: 'GroupNormalization',
  fromConfig: (c) => new GroupNormalization(c as GroupNormalizationOptions),
};
