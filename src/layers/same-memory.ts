// Layers that give the same values, in the same order, a new shape (Flatten, Reshape). NHWC memory
// already holds them in that order, so nothing moves: forward hands the input on, backward the gradient.
import { type InferenceOutput, Layer } from './layer.js';

export abstract class SameMemoryLayer extends Layer {
  protected planBuffers(): void {}

  get inferenceOutput(): InferenceOutput {
    return 'input';
  }

  forward([x]: number[]): number {
    return x;
  }

  protected backpropagate(dy: number): number[] {
    return this.inputGradient(dy);
  }
}
