// Fully connected: y = act(x·W + b), x flattened per example, W of shape [in, out] (TensorFlow.js).
import type { Initializer } from '../init.js';
import { type Shape, formatShape, sizeOf } from '../shape.js';
import { ActivationFunction, type ActivationName, checkActivation, isReluLike } from './activation-function.js';
import { type LayerConfig, type WeightSpec, checkSetting, isPositiveInteger } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';
import { KernelLayer } from './channel-affine-folding.js';

export interface DenseOptions {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  name?: string;
}

export class Dense extends KernelLayer {
  readonly className = 'Dense';
  readonly units: number;
  readonly useBias: boolean;
  readonly activation: ActivationFunction;
  private x = 0;
  private z = 0;
  private dx = 0;
  /** The products' scratch. */
  private workspace = 0;
  /** The batch slices' partial weight gradients. */
  private partials = 0;

  constructor(options: DenseOptions) {
    super(options.name, 'dense');
    checkSetting(isPositiveInteger(options.units), this.name, `units must be a positive integer, got ${JSON.stringify(options.units)}`);
    this.units = options.units;
    this.useBias = options.useBias ?? true;
    this.activation = new ActivationFunction(checkActivation(options.activation, this.name));
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 1, this.name,
      `dense takes a flat input per example, got ${formatShape(input)}; Keras applies a dense along the last axis of a larger input, ` +
      `which convas does not (for an image, a conv2d with kernelSize 1 computes that); to connect every value instead, put layers.flatten() before it`);
    return [this.units];
  }

  protected readonly kernelAppliesActivations = false;

  protected get outputChannels(): number {
    return this.units;
  }

  protected weightShapes(): WeightSpec[] {
    const kernel = { name: 'kernel', shape: [sizeOf(this.inputShape), this.units] };
    return this.useBias ? [kernel, { name: 'bias', shape: [this.units] }] : [kernel];
  }

  protected initializer(name: string, [inputs]: number[]): Initializer {
    return name === 'bias' ? 0 : { fanIn: inputs, fanOut: this.units, forRelu: isReluLike(this.activation.name) };
  }

  protected planBuffers(capacity: number): void {
    this.z = this.activation.zBuffer(capacity * this.units, this.plannedBuffers);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    this.workspace = this.buffer(this.parallel.dense.workspaceFloats(capacity, this.inputSize, this.units, this.plansBackward));
    this.partials = this.weightGradientBuffer(this.parallel.dense.partialSumsFloats(this.inputSize, this.units));
    this.activation.plan(this.units, this.units, this.plannedBuffers, capacity);
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.x = x;
    this.parallel.dense.matMulByRows(x, this.forwardKernel(training), this.z, batch, this.inputSize, this.units, 0, this.workspace);
    const bias = this.forwardBias(training);
    if (bias) this.kernels.addBias(this.z, bias, batch, this.units);
    return this.activation.forward(this.z, batch);
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean): number[] {
    const dz = this.activation.backward(dy, batch);
    if (needWeightGradients) {
      this.parallel.dense.weightGradient(this.x, dz, this.kernel.grad, this.partials, batch, this.inputSize, this.units, this.workspace);
      if (this.bias) this.kernels.sumRows(dz, batch, this.units, this.bias.grad);
    }
    if (!needInputGradients) return this.inputGradient(0);
    this.parallel.dense.matMulByRows(dz, this.kernel.value, this.dx, batch, this.units, this.inputSize, 1, this.workspace);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, units: this.units, activation: this.activation.name, useBias: this.useBias };
  }
}

export const denseDescriptor: LayerDescriptor = {
  className: 'Dense',
  fromConfig: (c) => new Dense(c as unknown as DenseOptions),
  tfjs: { options: ['units', 'activation', 'use_bias'] },
};
