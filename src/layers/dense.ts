// Fully connected: y = act(x·W + b) along the input's last axis, W of shape [in, out] (TensorFlow.js):
// a flat input per example is one row; a larger one ([h, w, c], [steps, features]) is a row per
// position, as Keras applies Dense, so every product runs over batch × positions rows. The weight
// gradient's sum over those rows is split in slices by the row count alone (batch-slices.ts), so
// its bits do not depend on the threads.
import type { Initializer } from '../init.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
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
  /** The products' scratch, and its size. */
  private workspace = 0;
  private workspaceFloats = 0;
  /** The batch slices' partial weight gradients. */
  private partials = 0;

  constructor(options: DenseOptions) {
    super(options.name, 'dense');
    checkSetting(isPositiveInteger(options.units), this.name, `units must be a positive integer, got ${shownValue(options.units)}`);
    this.units = options.units;
    this.useBias = options.useBias ?? true;
    this.activation = new ActivationFunction(checkActivation(options.activation, this.name));
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length >= 1, this.name, `dense takes an input of at least one axis per example, got ${formatShape(input)}`);
    return [...input.slice(0, -1), this.units];
  }

  /** The length of the input's last axis, which the kernel connects to the units. */
  private get features(): number {
    return this.inputShape[this.inputShape.length - 1];
  }

  /** Rows of the products per example: the positions along the input's other axes (1 for a flat input). */
  private get positions(): number {
    return this.inputSize / this.features;
  }

  protected readonly kernelAppliesActivations = false;

  protected get outputChannels(): number {
    return this.units;
  }

  protected weightShapes(): WeightSpec[] {
    const kernel = { name: 'kernel', shape: [this.features, this.units] };
    return this.useBias ? [kernel, { name: 'bias', shape: [this.units] }] : [kernel];
  }

  protected initializer(name: string, [inputs]: number[]): Initializer {
    return name === 'bias' ? 0 : { fanIn: inputs, fanOut: this.units, forRelu: isReluLike(this.activation.name) };
  }

  protected planBuffers(capacity: number): void {
    const { features, units } = this;
    this.z = this.activation.zBuffer(capacity * this.outputSize, this.plannedBuffers);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    this.workspaceFloats = this.parallel.dense.workspaceFloats(capacity * this.positions, features, units, this.plansBackward);
    this.workspace = this.buffer(this.workspaceFloats);
    this.partials = this.weightGradientBuffer(this.parallel.dense.partialSumsFloats(features, units));
    this.activation.plan(this.outputSize, units, this.plannedBuffers, capacity);
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.x = x;
    const rows = batch * this.positions;
    this.parallel.dense.matMulByRows(x, this.forwardKernel(training), this.z, rows, this.features, this.units, 0, this.workspace, this.workspaceFloats);
    const bias = this.forwardBias(training);
    if (bias) this.kernels.addBias(this.z, bias, rows, this.units);
    return this.activation.forward(this.z, batch);
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, needWeightGradients: boolean): number[] {
    const dz = this.activation.backward(dy, batch);
    const rows = batch * this.positions, { features, units } = this;
    if (needWeightGradients) {
      this.parallel.dense.weightGradient(this.x, dz, this.kernel.grad, this.partials, rows, features, units, this.workspace, this.workspaceFloats);
      if (this.bias) this.kernels.sumRows(dz, rows, units, this.bias.grad);
    }
    if (!needInputGradients) return this.inputGradient(0);
    this.parallel.dense.matMulByRows(dz, this.kernel.value, this.dx, rows, units, features, 1, this.workspace, this.workspaceFloats);
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
