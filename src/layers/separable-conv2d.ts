// Depthwise separable 2-D convolution (Xception, MobileNet's blocks as one layer): a depthwise
// convolution (no bias, no activation), then a pointwise 1×1 convolution that mixes the channels,
// y = act(pointwise(depthwise(x)) + bias). Weights as TensorFlow.js names and orders them:
// depthwise_kernel [kh, kw, channels, depthMultiplier], pointwise_kernel [1, 1, channels·depthMultiplier, filters], bias [filters].
import { plannedPasses } from '../backend/conv2d-algorithm.js';
import type { Initializer } from '../init.js';
import type { Shape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type Conv2dGeometry, type Padding, conv2dGeometry } from '../window.js';
import { ActivationFunction, type ActivationName, appliedByKernels, checkActivation, isReluLike } from './activation-function.js';
import { type DepthwiseOptions, depthwiseGeometry, depthwiseKernelInitializer, depthwiseSettings } from './depthwise-conv2d.js';
import { Layer, type LayerConfig, type Parameter, type WeightSpec, checkSetting, isPositiveInteger } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';
import { planConv2dWorkspace } from './conv2d-workspace.js';

export interface SeparableConv2DOptions extends DepthwiseOptions {
  filters: number;
  activation?: ActivationName;
  useBias?: boolean;
  name?: string;
}

export class SeparableConv2D extends Layer {
  readonly className = 'SeparableConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly depthMultiplier: number;
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly useBias: boolean;
  readonly activation: ActivationFunction;
  private readonly settings: ReturnType<typeof depthwiseSettings>;
  /** Each kept as one object whose batch is updated, so calls allocate nothing. */
  private depthwise!: Conv2dGeometry;
  private pointwise!: Conv2dGeometry;
  private x = 0;
  /** The depthwise step's output, and its gradient. */
  private middle = 0;
  private dMiddle = 0;
  private z = 0;
  private dx = 0;
  /** Each step's scratch, and its partial filter gradients. */
  private depthwiseWorkspace = 0;
  private pointwiseWorkspace = 0;
  private depthwisePartials = 0;
  private pointwisePartials = 0;

  constructor(options: SeparableConv2DOptions) {
    super(options.name, 'separable_conv2d');
    checkSetting(isPositiveInteger(options.filters), this.name, `filters must be a positive integer, got ${shownValue(options.filters)}`);
    this.filters = options.filters;
    this.settings = depthwiseSettings(options, this.name);
    ({ kernelSize: this.kernelSize, depthMultiplier: this.depthMultiplier, strides: this.strides, padding: this.padding,
      dilationRate: this.dilationRate } = this.settings);
    this.useBias = options.useBias ?? true;
    const activation = checkActivation(options.activation, this.name);
    this.activation = new ActivationFunction(activation, { appliedByKernel: appliedByKernels(activation) });
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    const d = this.depthwise = depthwiseGeometry(input, this.settings, this.name, 'separableConv2d');
    this.pointwise = conv2dGeometry([0, d.outHeight, d.outWidth, d.outChannels], [1, 1], this.filters, [1, 1], 'valid', this.name);
    return [d.outHeight, d.outWidth, this.filters];
  }

  protected weightShapes(): WeightSpec[] {
    const kernels = [
      { name: 'depthwise_kernel', shape: [...this.kernelSize, this.inputShape[2], this.depthMultiplier] },
      { name: 'pointwise_kernel', shape: [1, 1, this.depthwise.outChannels, this.filters] },
    ];
    return this.useBias ? [...kernels, { name: 'bias', shape: [this.filters] }] : kernels;
  }

  /** The activation follows the pointwise step: He there before a ReLU; the depthwise kernel is Glorot's. */
  protected initializer(name: string, shape: number[]): Initializer {
    if (name === 'bias') return 0;
    if (name === 'depthwise_kernel') return depthwiseKernelInitializer(shape, false);
    return { fanIn: shape[2], fanOut: this.filters, forRelu: isReluLike(this.activation.name) };
  }

  private get depthwiseKernel(): Parameter {
    return this.params[0];
  }

  private get pointwiseKernel(): Parameter {
    return this.params[1];
  }

  private get bias(): Parameter | undefined {
    return this.params[2];
  }

  protected planBuffers(capacity: number): void {
    const middleSize = this.depthwise.outHeight * this.depthwise.outWidth * this.depthwise.outChannels;
    this.middle = this.buffer(capacity * middleSize);
    this.dMiddle = this.backwardBuffer(capacity * middleSize);
    this.z = this.activation.zBuffer(capacity * this.outputSize, this.plannedBuffers);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    this.depthwise.batch = this.pointwise.batch = capacity;
    this.depthwiseWorkspace = this.inputGradientBuffer(this.parallel.depthwise.workspaceFloats(this.depthwise));
    // The pointwise convolution's input gradient feeds the depthwise one's gradients, whichever backward computes.
    this.pointwiseWorkspace = planConv2dWorkspace(this.parallel, this.plannedBuffers,
      plannedPasses('forward', [['backwardInput', this.plansBackward], ['backwardFilter', this.plansWeightGradients]]), [this.pointwise]);
    this.depthwisePartials = this.weightGradientBuffer(this.parallel.depthwise.partialSumsFloats(this.depthwise));
    this.pointwisePartials = this.weightGradientBuffer(this.parallel.conv2d.partialSumsFloats(this.pointwise));
    this.activation.plan(this.outputSize, this.filters, this.plannedBuffers, capacity);
  }

  forward([x]: number[], batch: number): number {
    this.x = x;
    this.depthwise.batch = this.pointwise.batch = batch;
    this.parallel.depthwise.forward(x, this.depthwiseKernel.value, 0, this.middle, 0, this.depthwise);
    this.parallel.conv2d.forward(this.middle, this.pointwiseKernel.value, this.bias?.value ?? 0, this.z, this.pointwiseWorkspace,
      this.activation.kernelCode, this.pointwise);
    return this.activation.forward(this.z, batch);
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean): number[] {
    const dz = this.activation.backward(dy, batch);
    this.depthwise.batch = this.pointwise.batch = batch;
    if (needWeightGradients) {
      this.parallel.conv2d.backwardFilter(this.middle, dz, this.pointwiseKernel.grad, this.bias?.grad ?? 0, this.pointwisePartials,
        this.pointwiseWorkspace, this.pointwise);
    }
    if (!needInputGradients && !needWeightGradients) return this.inputGradient(0);
    this.parallel.conv2d.backwardInput(dz, this.pointwiseKernel.value, this.dMiddle, this.pointwiseWorkspace, this.pointwise);
    if (needWeightGradients) {
      this.parallel.depthwise.backwardFilter(this.x, this.dMiddle, this.depthwiseKernel.grad, 0, this.depthwisePartials, this.depthwise);
    }
    if (!needInputGradients) return this.inputGradient(0);
    this.parallel.depthwise.backwardInput(this.dMiddle, this.depthwiseKernel.value, this.dx, this.depthwiseWorkspace, this.depthwise);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return {
      className: this.className, name: this.name, filters: this.filters, kernelSize: this.kernelSize, depthMultiplier: this.depthMultiplier,
      strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, activation: this.activation.name, useBias: this.useBias,
    };
  }
}

export const separableConv2dDescriptor: LayerDescriptor = {
  className: 'SeparableConv2D',
  fromConfig: (c) => new SeparableConv2D(c as unknown as SeparableConv2DOptions),
  // TF.js writes no depth_multiplier for this class: io/tfjs-depth-multipliers.ts reads it from the depthwise kernel's shape.
  tfjs: { options: ['filters', 'kernel_size', 'depth_multiplier', 'strides', 'padding', 'dilation_rate', 'activation', 'use_bias'], spatial: true },
};
