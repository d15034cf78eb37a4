// Fully connected: y = act(x·W + b), x flattened per example, W of shape [in, out] (TensorFlow.js).
import { initialWeights } from '../init.js';
import type { Random } from '../random.js';
import { type Shape, formatShape, sizeOf } from '../shape.js';
import { ActivationFunction, type ActivationName, checkActivation } from './activation-function.js';
import { Layer, type LayerConfig, type Parameter, checkSetting, isPositiveInteger } from './layer.js';

export interface DenseOptions {
  units: number;
  activation?: ActivationName;
  useBias?: boolean;
  name?: string;
}

export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly useBias: boolean;
  readonly activation: ActivationFunction;
  private kernel!: Parameter;
  private bias?: Parameter;
  private x = 0;
  private z = 0;
  private dx = 0;

  constructor(options: DenseOptions) {
    super(options.name, 'dense');
    checkSetting(isPositiveInteger(options.units), this.name, `units must be a positive integer, got ${JSON.stringify(options.units)}`);
    this.units = options.units;
    this.useBias = options.useBias ?? true;
    this.activation = new ActivationFunction(checkActivation(options.activation, this.name));
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 1, this.name,
      `dense takes a flat input per example, got ${formatShape(input)}: put layers.flatten() before it`);
    return [this.units];
  }

  protected initParameters(rng: Random): void {
    const inputs = sizeOf(this.inputShape);
    this.kernel = this.addParameter('kernel', [inputs, this.units],
      initialWeights(inputs * this.units, inputs, this.units, this.activation.name === 'relu', rng));
    if (this.useBias) this.bias = this.addParameter('bias', [this.units], new Float32Array(this.units));
  }

  protected planBuffers(capacity: number): void {
    this.z = this.buffer(capacity * this.units);
    this.dx = this.buffer(capacity * this.inputSize);
    this.activation.plan(this.units, this.units, (n) => this.buffer(n), capacity);
  }

  forward([x]: number[], batch: number): number {
    this.x = x;
    this.kernels.matMul(x, this.kernel.value, this.z, batch, this.inputSize, this.units, 0, 0, 0);
    if (this.bias) this.kernels.addBias(this.z, this.bias.value, batch, this.units);
    return this.activation.forward(this.z, batch);
  }

  backward(dy: number, batch: number, needInputGradients: boolean): number[] {
    const k = this.kernels;
    const dz = this.activation.backward(dy, batch);
    k.matMul(this.x, dz, this.kernel.grad, this.inputSize, batch, this.units, 1, 0, 0);
    if (this.bias) k.sumRows(dz, batch, this.units, this.bias.grad);
    if (!needInputGradients) return [0];
    k.matMul(dz, this.kernel.value, this.dx, batch, this.units, this.inputSize, 0, 1, 0);
    return [this.dx];
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, units: this.units, activation: this.activation.name, useBias: this.useBias };
  }
}
