// Depthwise 2-D convolution: each input channel convolved with its own depthMultiplier filters,
// y[…, c·depthMultiplier + m] = act(x[…, c] ⋆ kernel[:, :, c, m] + bias[c·depthMultiplier + m]), NHWC,
// kernel [kernelHeight, kernelWidth, channels, depthMultiplier] (TensorFlow.js's depthwise_kernel).
// Read flat, the kernel is [taps, outChannels] with the output channel last, as the bias is: scaling
// both per output channel (folding a batch normalisation in) is one pass over each.
import type { Initializer } from '../init.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type Conv2dGeometry, type Padding, conv2dGeometry, dilationPair, pair } from '../window.js';
import { ActivationFunction, type ActivationName, appliedByKernels, checkActivation, isReluLike } from './activation-function.js';
import { type LayerConfig, type WeightSpec, checkSetting, isPositiveInteger } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';
import { ConvolutionLayer } from './convolution-layer.js';

/** The depthwise step's settings, shared with SeparableConv2D. */
export interface DepthwiseOptions {
  kernelSize: number | [number, number];
  /** Filters per input channel: the output has channels·depthMultiplier channels. Default 1. */
  depthMultiplier?: number;
  strides?: number | [number, number];
  /** 'valid' (narrow), 'same', 'full' (wide), a number of zeros on every side, or [top, bottom, left, right]. */
  padding?: Padding;
  /** Taps this many pixels apart (atrous convolution); > 1 only with strides 1, as in Keras. Default 1. */
  dilationRate?: number | [number, number];
}

export interface DepthwiseConv2DOptions extends DepthwiseOptions {
  activation?: ActivationName;
  useBias?: boolean;
  name?: string;
}

/** The depthwise settings checked, with their defaults. */
export function depthwiseSettings(options: DepthwiseOptions, who: string) {
  const depthMultiplier = options.depthMultiplier ?? 1;
  checkSetting(isPositiveInteger(depthMultiplier), who, `depthMultiplier must be a positive integer, got ${shownValue(options.depthMultiplier)}`);
  const strides = pair(options.strides ?? 1, who, 'strides');
  return {
    kernelSize: pair(options.kernelSize, who, 'kernelSize'), depthMultiplier, strides,
    padding: options.padding ?? 'valid', dilationRate: dilationPair(options.dilationRate ?? 1, strides, who),
  };
}

/** The depthwise geometry for a per-example input [height, width, channels]. */
export function depthwiseGeometry(input: Shape, settings: ReturnType<typeof depthwiseSettings>, who: string, className: string): Conv2dGeometry {
  checkSetting(input.length === 3, who, `${className} takes [height, width, channels] per example, got ${formatShape(input)}`);
  const [h, w, c] = input;
  const { kernelSize, depthMultiplier, strides, padding, dilationRate } = settings;
  return conv2dGeometry([0, h, w, c], kernelSize, c * depthMultiplier, strides, padding, who, dilationRate);
}

/** Keras's initial depthwise kernel: its fans as for any kernel, fan-in kh·kw·channels, fan-out kh·kw·depthMultiplier. */
export const depthwiseKernelInitializer = ([kh, kw, channels, depthMultiplier]: number[], forRelu: boolean): Initializer =>
  ({ fanIn: kh * kw * channels, fanOut: kh * kw * depthMultiplier, forRelu });

export class DepthwiseConv2D extends ConvolutionLayer {
  readonly className = 'DepthwiseConv2D';
  readonly kernelSize: [number, number];
  readonly depthMultiplier: number;
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly dilationRate: [number, number];
  readonly useBias: boolean;
  readonly activation: ActivationFunction;
  private readonly settings: ReturnType<typeof depthwiseSettings>;
  private x = 0;
  private z = 0;
  private dx = 0;
  /** Scratch of the parallel depthwise backward input, and the backward filter's partial gradients. */
  private workspace = 0;
  private partials = 0;

  constructor(options: DepthwiseConv2DOptions) {
    super(options.name, 'depthwise_conv2d');
    this.settings = depthwiseSettings(options, this.name);
    ({ kernelSize: this.kernelSize, depthMultiplier: this.depthMultiplier, strides: this.strides, padding: this.padding,
      dilationRate: this.dilationRate } = this.settings);
    this.useBias = options.useBias ?? true;
    const activation = checkActivation(options.activation, this.name);
    this.activation = new ActivationFunction(activation, { appliedByKernel: appliedByKernels(activation) });
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    this.geometry = depthwiseGeometry(input, this.settings, this.name, 'depthwiseConv2d');
    return [this.geometry.outHeight, this.geometry.outWidth, this.geometry.outChannels];
  }

  protected weightShapes(): WeightSpec[] {
    const kernel = { name: 'depthwise_kernel', shape: [...this.kernelSize, this.inputShape[2], this.depthMultiplier] };
    return this.useBias ? [kernel, { name: 'bias', shape: [this.geometry.outChannels] }] : [kernel];
  }

  protected initializer(name: string, shape: number[]): Initializer {
    return name === 'bias' ? 0 : depthwiseKernelInitializer(shape, isReluLike(this.activation.name));
  }

  /** Read flat, the kernel is [taps, outChannels], so it folds as a convolution's does; without a bias, a fold gives it one. */
  protected readonly kernelAppliesActivations = true;

  protected get outputChannels(): number {
    return this.geometry.outChannels;
  }

  protected planBuffers(capacity: number): void {
    this.z = this.activation.zBuffer(capacity * this.outputSize, this.plannedBuffers);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    this.workspace = this.inputGradientBuffer(Math.max(...this.plannedGeometries(capacity).map((g) => this.parallel.depthwise.workspaceFloats(g))));
    this.partials = this.weightGradientBuffer(this.parallel.depthwise.partialSumsFloats(this.geometry));
    this.activation.plan(this.outputSize, this.geometry.outChannels, this.plannedBuffers, capacity);
  }

  protected convolve(x: number, training: boolean, geometry: Conv2dGeometry): number {
    this.x = x;
    this.parallel.depthwise.forward(x, this.forwardKernel(training), this.forwardBias(training), this.z, this.forwardActivation(training),
      geometry);
    return this.activation.forward(this.z, geometry.batch);
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean): number[] {
    const dz = this.activation.backward(dy, batch);
    const geometry = this.backwardGeometry(batch);
    if (needWeightGradients) this.parallel.depthwise.backwardFilter(this.x, dz, this.kernel.grad, this.bias?.grad ?? 0, this.partials, geometry);
    if (!needInputGradients) return this.inputGradient(0);
    this.parallel.depthwise.backwardInput(dz, this.kernel.value, this.dx, this.workspace, geometry);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return {
      className: this.className, name: this.name, kernelSize: this.kernelSize, depthMultiplier: this.depthMultiplier,
      strides: this.strides, padding: this.padding, dilationRate: this.dilationRate, activation: this.activation.name, useBias: this.useBias,
    };
  }
}

export const depthwiseConv2dDescriptor: LayerDescriptor = {
  className: 'DepthwiseConv2D',
  fromConfig: (c) => new DepthwiseConv2D(c as unknown as DepthwiseConv2DOptions),
  tfjs: { options: ['kernel_size', 'depth_multiplier', 'strides', 'padding', 'dilation_rate', 'activation', 'use_bias'], spatial: true },
};
