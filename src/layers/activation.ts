// Layers that apply an activation function to their input and nothing else: Activation here
// (layers.relu(), tanh(), sigmoid(), activation({ activation })), and the Keras layers with options
// of their own in advanced-activations.ts, and Clip (clip.ts).
import type { Shape } from '../shape.js';
import { ActivationFunction, type ActivationName, checkActivation } from './activation-function.js';
import { type InferenceOutput, Layer, type LayerConfig } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export abstract class ActivationLayer extends Layer {
  abstract readonly activation: ActivationFunction;
  /** Set while predict runs this activation inside the convolution before it (batch-norm-folding.ts): inference passes its input on. */
  foldedIntoInput = false;

  protected computeOutputShape([input]: Shape[]): Shape {
    return input;
  }

  protected planBuffers(capacity: number): void {
    this.activation.plan(this.inputSize, this.inputShape[this.inputShape.length - 1], this.plannedBuffers, capacity);
  }

  /** A linear one hands its input on. (Folded, any hands it on: the graph that folds it plans for that.) */
  get inferenceOutput(): InferenceOutput {
    return this.activation.ownsOutput ? 'own' : 'input';
  }

  forward([x]: number[], batch: number, training: boolean): number {
    if (this.foldedIntoInput && !training) return x;
    return this.activation.forward(x, batch);
  }

  get outputRelu(): boolean {
    return this.activation.name === 'relu';
  }

  protected backpropagate(dy: number, batch: number, _needInputGradients: boolean, _needWeightGradients: boolean, reluFolded: boolean): number[] {
    return this.inputGradient(this.activation.backward(dy, batch, reluFolded));
  }
}

export class Activation extends ActivationLayer {
  readonly className = 'Activation';
  readonly activation: ActivationFunction;

  constructor(options: { activation: ActivationName; name?: string }) {
    super(options.name, options.activation ?? 'activation');
    this.activation = new ActivationFunction(checkActivation(options.activation, this.name));
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, activation: this.activation.name };
  }
}

export const activationDescriptors: LayerDescriptor[] = [
  { className: 'Activation', fromConfig: (c) => new Activation(c as unknown as { activation: ActivationName }), tfjs: { options: ['activation'] } },
];
