// Layer normalisation over the last axis (Keras's LayerNormalization, PyTorch's nn.LayerNorm): each
// position of each example — an image's pixel, a vector's features — is normalised by the mean and
// biased variance of its own values, y = γ·(x − μ)/√(σ² + ε) + β, γ and β one per channel. Unlike
// batch normalisation it keeps no statistics: training and inference compute alike, and examples
// never mix. Rows are split over threads freely; dγ and dβ sum in the fixed slices of
// job-writer.ts, so the bits are the same at any thread count (assembly/layer-norm.ts).
import { getBackend } from '../backend/wasm.js';
import type { Shape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Layer, type LayerConfig, type Parameter, type WeightSpec, checkSetting } from './layer.js';
import { type LayerDescriptor, kerasInitializer } from './descriptor.js';
import { type AffineNormalizationOptions, affineNormalizationSettings, affineWeightSpecs, checkLastAxis, singleAxis, betaOf, gammaOf } from './normalization-settings.js';

export interface LayerNormalizationOptions extends AffineNormalizationOptions {
  /** The axis normalised over, counted with the batch: -1 (the last axis, which files may write as its index or [index]) only. */
  axis?: number | [number];
  name?: string;
}

export class LayerNormalization extends Layer {
  readonly className = 'LayerNormalization';
  readonly axis: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  private channels = 0;
  /** Rows of channels per example: height·width for an image, 1 for a flat input. */
  private exampleRows = 0;
  private x = 0;
  private y = 0;
  private dx = 0;
  /** Per row, from the forward pass in training, for backward alone: its mean less its first value, and 1/√(σ² + ε). */
  private meanFromFirst = 0;
  private invStd = 0;
  /** ε as an f32 in wasm memory, where the kernel reads it. */
  private epsilonAddress = 0;
  /** Each batch slice's sums for dγ and dβ. */
  private workspace = 0;

  constructor(options: LayerNormalizationOptions = {}) {
    super(options.name, 'layer_normalization');
    const axis = singleAxis(options.axis);
    checkSetting(Number.isInteger(axis), this.name,
      `axis must be an integer (the last axis, -1), got ${shownValue(options.axis)}; convas normalises over one axis, the last`);
    this.axis = axis as number;
    ({ epsilon: this.epsilon, center: this.center, scale: this.scale } = affineNormalizationSettings(options, this.name));
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkLastAxis(this.axis, input, this.name, 'normalises over');
    this.channels = input[input.length - 1];
    this.exampleRows = input.slice(0, -1).reduce((a, b) => a * b, 1);
    return input;
  }

  protected weightShapes(): WeightSpec[] {
    return affineWeightSpecs(this, this.channels);
  }

  protected initialValues(name: string, shape: number[]): Float32Array {
    return new Float32Array(shape[0]).fill(name === 'gamma' ? 1 : 0);
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
    this.meanFromFirst = this.backwardBuffer(capacity * this.exampleRows);
    this.invStd = this.backwardBuffer(capacity * this.exampleRows);
    this.epsilonAddress = this.buffer(1);
    getBackend().memory.f32(this.epsilonAddress, 1)[0] = this.epsilon;
    this.workspace = this.weightGradientBuffer(this.parallel.normalization.channelSumsWorkspaceFloats(this.channels));
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.x = x;
    // Inference writes no statistics: only backward reads them (and 0 when backward never reaches the layer).
    this.parallel.normalization.layerNormForward(x, this.gamma?.value ?? 0, this.beta?.value ?? 0, this.y, training ? this.meanFromFirst : 0,
      this.invStd, this.epsilonAddress, batch, this.exampleRows, this.channels);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean): number[] {
    const dx = needInputGradients ? this.dx : 0;
    const dGamma = needWeightGradients ? this.gamma?.grad ?? 0 : 0, dBeta = needWeightGradients ? this.beta?.grad ?? 0 : 0;
    if (dx || dGamma || dBeta) {
      this.parallel.normalization.layerNormBackward(this.x, dy, this.gamma?.value ?? 0, this.meanFromFirst, this.invStd, this.epsilonAddress, dx, dGamma,
        dBeta, this.workspace, batch, this.exampleRows, this.channels);
    }
    return this.inputGradient(dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, axis: this.axis, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}

export const layerNormalizationDescriptor: LayerDescriptor = {
  className: 'LayerNormalization',
  fromConfig: (c) => new LayerNormalization(c as LayerNormalizationOptions),
  tfjs: {
    options: ['axis', 'epsilon', 'center', 'scale'],
    // How TF.js writes the settings convas lacks (every one at its default).
    written: { beta_initializer: kerasInitializer('Zeros'), gamma_initializer: kerasInitializer('Ones'), beta_regularizer: null, gamma_regularizer: null },
  },
};
