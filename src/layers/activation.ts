// A standalone activation layer: layers.relu(), tanh(), sigmoid(), softmax(), activation({ activation }).
import type { Shape } from '../shape.js';
import { ActivationFunction, type ActivationName, checkActivation } from './activation-function.js';
import { Layer, type LayerConfig } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export class Activation extends Layer {
  readonly className = 'Activation';
  readonly activation: ActivationFunction;

  constructor(options: { activation: ActivationName; name?: string }) {
    super(options.name, options.activation ?? 'activation');
    this.activation = new ActivationFunction(checkActivation(options.activation, this.name));
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    return input;
  }

  protected planBuffers(capacity: number): void {
    this.activation.plan(this.inputSize, this.inputShape[this.inputShape.length - 1], (n) => this.buffer(n), capacity);
  }

  forward([x]: number[], batch: number): number {
    return this.activation.forward(x, batch);
  }

  backward(dy: number, batch: number): number[] {
    return this.inputGradient(this.activation.backward(dy, batch));
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, activation: this.activation.name };
  }
}

export const activationDescriptors: LayerDescriptor[] = [
  { className: 'Activation', fromConfig: (c) => new Activation(c as unknown as { activation: ActivationName }), tfjs: { options: ['activation'] } },
  // Keras's ReLU layer (with its defaults: no max value, slope or threshold) is a ReLU activation.
  { className: 'ReLU', fromConfig: (c) => new Activation({ name: c.name, activation: 'relu' }), tfjs: { options: [] } },
];
