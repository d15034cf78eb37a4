// Transposed 2-D convolution (Keras's Conv2DTranspose): y = act(x ⋆ᵀ kernel + bias), NHWC, kernel
// [kernelHeight, kernelWidth, filters, inChannels] as TensorFlow.js and Keras store it. It is the
// backward-input pass of the conv2d that maps this layer's output shape back to its input shape
// (its filter [kernelHeight, kernelWidth, inChannels = filters, outChannels = this input's
// channels] is this kernel as it lies in memory). So the conv2d kernels serve with their roles
// swapped: forward is conv2d's backward input, backward input is conv2d's forward, and the kernel
// gradient is conv2d's filter gradient with x and dy exchanged. Bias and activation are passes of their own.
//
// Output size per axis, as Keras's deconv_output_length: 'valid' in·stride + max(kernel − stride, 0),
// 'same' in·stride, 'full' in·stride − (stride + kernel − 2). For n zeros, or explicit
// [top, bottom, left, right], the inverse of conv2d's geometry: (in − 1)·stride + kernel − (zeros
// before + after), the size whose conv2d with that padding gives `in` outputs with nothing left over.
import { plannedPasses } from '../backend/conv2d-algorithm.js';
import { FUSED_ACTIVATION } from '../backend/kernels.js';
import type { Initializer } from '../init.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type Conv2dGeometry, type Padding, conv2dGeometry, pair } from '../window.js';
import { ActivationFunction, type ActivationName, checkActivation } from './activation-function.js';
import { Layer, type LayerConfig, type Parameter, type WeightSpec, checkSetting, isPositiveInteger } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';
import { planConv2dWorkspace } from './conv2d-workspace.js';

export interface Conv2DTransposeOptions {
  filters: number;
  kernelSize: number | [number, number];
  strides?: number | [number, number];
  /** 'valid', 'same' or 'full' (Keras's sizes), n zeros on every side, or [top, bottom, left, right]. */
  padding?: Padding;
  activation?: ActivationName;
  useBias?: boolean;
  name?: string;
}

const isCount = (v: unknown) => Number.isInteger(v) && (v as number) >= 0;

/** The output length along one axis (see the top of this file); `zeros` is the explicit padding of that axis, before + after. */
function outputLength(size: number, kernel: number, stride: number, padding: Padding, zeros: number): number {
  if (padding === 'valid') return size * stride + Math.max(kernel - stride, 0);
  if (padding === 'same') return size * stride;
  return (size - 1) * stride + kernel - (padding === 'full' ? 2 * (kernel - 1) : zeros);
}

export class Conv2DTranspose extends Layer {
  readonly className = 'Conv2DTranspose';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: Padding;
  readonly useBias: boolean;
  readonly activation: ActivationFunction;
  /** The conv2d from this layer's output to its input; its batch is updated, so calls allocate nothing. */
  private geometry!: Conv2dGeometry;
  private x = 0;
  private z = 0;
  private dx = 0;
  /** Scratch of the parallel conv2d calls, and their partial kernel gradients. */
  private workspace = 0;
  private partials = 0;

  constructor(options: Conv2DTransposeOptions) {
    super(options.name, 'conv2d_transpose');
    checkSetting(isPositiveInteger(options.filters), this.name, `filters must be a positive integer, got ${shownValue(options.filters)}`);
    this.filters = options.filters;
    this.kernelSize = pair(options.kernelSize, this.name, 'kernelSize');
    this.strides = pair(options.strides ?? 1, this.name, 'strides');
    this.padding = options.padding ?? 'valid';
    const p = this.padding;
    checkSetting(p === 'valid' || p === 'same' || p === 'full' || isCount(p) || (Array.isArray(p) && p.length === 4 && p.every(isCount)),
      this.name, `padding must be 'valid', 'same', 'full', a non-negative integer or [top, bottom, left, right], got ${shownValue(p)}`);
    this.useBias = options.useBias ?? true;
    this.activation = new ActivationFunction(checkActivation(options.activation, this.name));
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `conv2dTranspose takes [height, width, channels] per example, got ${formatShape(input)}`);
    const [h, w, c] = input;
    const p = this.padding;
    const zeros = (axis: number) => (typeof p === 'number' ? 2 * p : Array.isArray(p) ? p[2 * axis] + p[2 * axis + 1] : 0);
    const outHeight = outputLength(h, this.kernelSize[0], this.strides[0], p, zeros(0));
    const outWidth = outputLength(w, this.kernelSize[1], this.strides[1], p, zeros(1));
    checkSetting(outHeight >= 1 && outWidth >= 1, this.name, `padding ${shownValue(p)} leaves no output for the ${h}×${w} input ` +
      `(${outHeight}×${outWidth} = (in − 1)·stride + kernel − zeros); use less padding, a larger kernel or larger strides`);
    this.geometry = conv2dGeometry([0, outHeight, outWidth, this.filters], this.kernelSize, c, this.strides, p, this.name);
    return [outHeight, outWidth, this.filters];
  }

  protected weightShapes(): WeightSpec[] {
    const kernel = { name: 'kernel', shape: [...this.kernelSize, this.filters, this.inputShape[2]] };
    return this.useBias ? [kernel, { name: 'bias', shape: [this.filters] }] : [kernel];
  }

  /** Keras's fans for a kernel [kh, kw, filters, inChannels]: kh·kw·filters in, kh·kw·inChannels out. */
  protected initializer(name: string, [kh, kw, filters, inChannels]: number[]): Initializer {
    return name === 'bias' ? 0 : { fanIn: kh * kw * filters, fanOut: kh * kw * inChannels, forRelu: this.activation.name === 'relu' };
  }

  private get kernel(): Parameter {
    return this.params[0];
  }

  private get bias(): Parameter | undefined {
    return this.params[1];
  }

  protected planBuffers(capacity: number): void {
    this.z = this.activation.zBuffer(capacity * this.outputSize, this.plannedBuffers);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    this.geometry.batch = capacity;
    // Forward is the convolution's backward-input pass, and the input gradient its forward pass.
    this.workspace = planConv2dWorkspace(this.parallel, this.plannedBuffers,
      plannedPasses('backwardInput', [['forward', this.plansInputGradients], ['backwardFilter', this.plansWeightGradients]]), [this.geometry]);
    this.partials = this.weightGradientBuffer(this.parallel.conv2d.partialSumsFloats(this.geometry));
    this.activation.plan(this.outputSize, this.filters, this.plannedBuffers, capacity);
  }

  forward([x]: number[], batch: number): number {
    this.x = x;
    this.geometry.batch = batch;
    this.parallel.conv2d.backwardInput(x, this.kernel.value, this.z, this.workspace, this.geometry);
    if (this.bias) this.kernels.addBias(this.z, this.bias.value, batch * this.outputSize / this.filters, this.filters);
    return this.activation.forward(this.z, batch);
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean): number[] {
    const dz = this.activation.backward(dy, batch);
    this.geometry.batch = batch;
    if (needWeightGradients) {
      this.parallel.conv2d.backwardFilter(dz, this.x, this.kernel.grad, 0, this.partials, this.workspace, this.geometry);
      if (this.bias) this.kernels.sumRows(dz, batch * this.outputSize / this.filters, this.filters, this.bias.grad);
    }
    if (!needInputGradients) return this.inputGradient(0);
    this.parallel.conv2d.forward(dz, this.kernel.value, 0, this.dx, this.workspace, FUSED_ACTIVATION.none, this.geometry);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return {
      className: this.className, name: this.name, filters: this.filters, kernelSize: this.kernelSize, strides: this.strides,
      padding: this.padding, activation: this.activation.name, useBias: this.useBias,
    };
  }
}

export const conv2dTransposeDescriptor: LayerDescriptor = {
  className: 'Conv2DTranspose',
  fromConfig: (c) => new Conv2DTranspose(c as unknown as Conv2DTransposeOptions),
  tfjs: { options: ['filters', 'kernel_size', 'strides', 'padding', 'activation', 'use_bias'], spatial: true },
};
