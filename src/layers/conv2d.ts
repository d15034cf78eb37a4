// 2-D convolution: y = act(x ⋆ kernel + bias), NHWC, kernel [kernelHeight, kernelWidth, inChannels, filters];
// with groups (Keras's), [kernelHeight, kernelWidth, inChannels / groups, filters], each group of
// filters reading its own group of channels (grouped-kernel.ts).
import { plannedPasses } from '../backend/conv2d-algorithm.js';
import type { Initializer } from '../init.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type Conv2dGeometry, type Padding, conv2dGeometry, dilationPair, pair } from '../window.js';
import { ActivationFunction, type ActivationName, appliedByKernels, checkActivation, isReluLike } from './activation-function.js';
import { type InferenceOutput, type LayerConfig, type WeightSpec, checkSetting, isPositiveInteger } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';
import { ConvolutionLayer } from './convolution-layer.js';
import { planConv2dWorkspace } from './conv2d-workspace.js';
import { GroupedKernel } from './grouped-kernel.js';
import type { Pool2D } from './pool2d.js';

export interface Conv2DOptions {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  /** 'valid' (narrow), 'same', 'full' (wide), a number of zeros on every side, or [top, bottom, left, right]. */
  padding?: Padding;
  /** Taps this many pixels apart (atrous convolution); > 1 only with strides 1, as in Keras. Default 1. */
  dilationRate?: number | [number, number];
  activation?: ActivationName;
  useBias?: boolean;
  /** Groups the channels and filters split into, each group of filters reading one of channels (ResNeXt's). Default 1. */
  groups?: number;
  name?: string;
}

export class Conv2D extends ConvolutionLayer {
  readonly className = 'Conv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly useBias: boolean;
  readonly groups: number;
  readonly activation: ActivationFunction;
  /** With groups, the full kernel the conv2d kernels take. */
  private grouped?: GroupedKernel;
  private x = 0;
  private z = 0;
  private dx = 0;
  /** Scratch of the parallel conv2d calls, and their partial filter gradients. */
  private workspace = 0;
  private partials = 0;
  /** The max pooling a graph runs with this layer as one kernel (forwardPooled), and whether its own output is read all the same. */
  private pooling?: Pool2D;
  private outputRead = false;

  constructor(options: Conv2DOptions) {
    super(options.name, 'conv2d');
    checkSetting(isPositiveInteger(options.filters), this.name, `filters must be a positive integer, got ${shownValue(options.filters)}`);
    this.filters = options.filters;
    this.kernelSize = pair(options.kernelSize, this.name, 'kernelSize');
    this.strides = pair(options.strides ?? 1, this.name, 'strides');
    this.padding = options.padding ?? 'valid';
    this.dilationRate = dilationPair(options.dilationRate ?? 1, this.strides, this.name);
    this.useBias = options.useBias ?? true;
    this.groups = options.groups ?? 1;
    checkSetting(isPositiveInteger(this.groups) && this.filters % this.groups === 0, this.name,
      `groups must be a positive integer that divides the ${this.filters} filters, got ${shownValue(options.groups)}`);
    const activation = checkActivation(options.activation, this.name);
    this.activation = new ActivationFunction(activation, { appliedByKernel: appliedByKernels(activation) });
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `conv2d takes [height, width, channels] per example, got ${formatShape(input)}`);
    const [h, w, c] = input;
    checkSetting(c % this.groups === 0, this.name, `groups ${this.groups} must divide the ${c} input channels`);
    this.geometry = conv2dGeometry([0, h, w, c], this.kernelSize, this.filters, this.strides, this.padding, this.name, this.dilationRate);
    this.grouped = this.groups > 1 ? new GroupedKernel(this.kernelSize[0] * this.kernelSize[1], c, this.filters, this.groups) : undefined;
    return [this.geometry.outHeight, this.geometry.outWidth, this.filters];
  }

  protected weightShapes(): WeightSpec[] {
    const kernel = { name: 'kernel', shape: [...this.kernelSize, this.inputShape[2] / this.groups, this.filters] };
    return this.useBias ? [kernel, { name: 'bias', shape: [this.filters] }] : [kernel];
  }

  protected initializer(name: string, [kh, kw, inC]: number[]): Initializer {
    return name === 'bias' ? 0 : { fanIn: kh * kw * inC, fanOut: kh * kw * this.filters, forRelu: isReluLike(this.activation.name) };
  }

  protected readonly kernelAppliesActivations = true;

  protected get outputChannels(): number {
    return this.filters;
  }

  protected planBuffers(capacity: number): void {
    this.z = this.writesOutput ? this.activation.zBuffer(capacity * this.outputSize, this.plannedBuffers) : 0;
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    this.workspace = planConv2dWorkspace(this.parallel, this.plannedBuffers,
      plannedPasses('forward', [['backwardInput', this.plansInputGradients], ['backwardFilter', this.plansWeightGradients]]),
      this.plannedGeometries(capacity));
    this.partials = this.weightGradientBuffer(this.parallel.conv2d.partialSumsFloats(this.geometry));
    this.activation.plan(this.outputSize, this.filters, this.plannedBuffers, capacity);
    const grouped = this.grouped;
    if (grouped) grouped.plan(this.buffer(grouped.fullSize), this.weightGradientBuffer(grouped.fullSize));
  }

  /** The kernel a forward pass runs (forwardKernel's), made full when grouped. */
  private passKernel(training: boolean): number {
    const kernel = this.forwardKernel(training);
    return this.grouped ? this.grouped.expand(kernel) : kernel;
  }

  protected convolve(x: number, training: boolean, geometry: Conv2dGeometry): number {
    this.x = x;
    this.parallel.conv2d.forward(x, this.passKernel(training), this.forwardBias(training), this.z, this.workspace,
      this.forwardActivation(training), geometry);
    return this.activation.forward(this.z, geometry.batch);
  }

  get outputRelu(): boolean {
    return this.activation.name === 'relu';
  }

  /**
   * Whether forwardPooled can run this layer with `pool` after it: a 2×2 max pooling at stride 2, an
   * activation the kernel applies (or none), output channels in whole f32x4, and, in training, none
   * whose derivative would read the output that forwardPooled does not write (ReLU's is folded into
   * the pooling's backward: Layer.backward).
   */
  canPoolInto(pool: Pool2D, training: boolean): boolean {
    const activation = this.activation.name;
    return pool.takesPooledConvolution && this.parallel.conv2d.poolsOutput(this.geometry) &&
      (activation === 'linear' || activation === 'relu' || (!training && this.activation.appliedByKernel));
  }

  /**
   * Called by a graph's executor: `pool` alone reads this layer's output, and runs with it as one
   * kernel wherever canPoolInto says; in the passes where it always does, no output is planned.
   */
  pairWith(pool: Pool2D): void {
    // A layer shared by two models may be paired with two poolings: the other model's runs apart.
    if (this.pooling && this.pooling !== pool) this.keepOutput();
    this.pooling = pool;
  }

  /** Called where the output is read after all: a graph that holds the layer without its pooling, or activations(). */
  keepOutput(): void {
    if (this.outputRead) return;
    this.outputRead = true;
    this.replan();
  }

  /** Paired with a pooling it always runs with, it writes the pooling's output, not its own. */
  get inferenceOutput(): InferenceOutput {
    return this.writesOutput ? 'own' : 'input';
  }

  /** Whether forward may write the layer's own output: always, unless paired with a pooling it runs with in every pass planned. */
  private get writesOutput(): boolean {
    const pool = this.pooling;
    return !pool || this.outputRead || !this.canPoolInto(pool, false) || (this.plansTraining && !this.canPoolInto(pool, true));
  }

  /**
   * forward (forwardUnpadded when `unpadded`) and then `pool`'s, as one kernel that never writes this
   * layer's output (the executor pairs them); returns the pooling's output.
   */
  forwardPooled([x]: number[], batch: number, training: boolean, pool: Pool2D, unpadded: boolean): number {
    const geometry = this.passGeometry(unpadded, batch);
    this.x = x;
    // Only the pooling's backward reads argmax: inference skips it, as the pooling does.
    this.parallel.conv2d.forwardMaxPool(x, this.passKernel(training), this.forwardBias(training), pool.outputAddress,
      training ? pool.argmaxAddress : 0, this.workspace, this.forwardActivation(training), geometry);
    return pool.outputAddress;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean, reluFolded: boolean): number[] {
    const dz = this.activation.backward(dy, batch, reluFolded);
    const geometry = this.backwardGeometry(batch);
    const grouped = this.grouped;
    if (needWeightGradients) {
      this.parallel.conv2d.backwardFilter(this.x, dz, grouped?.gradient ?? this.kernel.grad, this.bias?.grad ?? 0, this.partials, this.workspace, geometry);
      grouped?.gatherGradient(this.kernel.grad);
    }
    if (!needInputGradients) return this.inputGradient(0);
    // The full kernel as the forward pass made it: the weights have not moved since.
    this.parallel.conv2d.backwardInput(dz, grouped?.expanded ?? this.kernel.value, this.dx, this.workspace, geometry);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return {
      className: this.className, name: this.name, filters: this.filters, kernelSize: this.kernelSize, strides: this.strides,
      padding: this.padding, dilationRate: this.dilationRate, activation: this.activation.name, useBias: this.useBias, groups: this.groups,
    };
  }
}

export const conv2dDescriptor: LayerDescriptor = {
  className: 'Conv2D',
  fromConfig: (c) => new Conv2D(c as unknown as Conv2DOptions),
  tfjs: {
    options: ['filters', 'kernel_size', 'strides', 'padding', 'dilation_rate', 'activation', 'use_bias', 'groups'], spatial: true,
    // Keras's groups, which TensorFlow.js's Conv2D does not have: read from Keras's files; 1 is left out of TF.js's.
    convasOnly: ['groups'],
    inexpressible: (c) => ((c.groups ?? 1) !== 1 ? `has groups ${c.groups}, which TensorFlow.js's Conv2D does not have` : undefined),
  },
};
