// The activation applied at the end of a layer (conv2d, dense, or a standalone activation layer).
// It owns its output and gradient buffers; every derivative is taken from the output.
import { getBackend } from '../backend/wasm.js';
import { ConfigError } from '../errors.js';

export const ACTIVATIONS = ['linear', 'relu', 'tanh', 'sigmoid', 'softmax'] as const;
export type ActivationName = (typeof ACTIVATIONS)[number];

export function checkActivation(name: unknown, layer: string): ActivationName {
  if (name === undefined) return 'linear';
  if (!ACTIVATIONS.includes(name as ActivationName)) {
    throw new ConfigError(`${layer}: unknown activation ${JSON.stringify(name)}; expected one of ${ACTIVATIONS.join(', ')}`);
  }
  return name as ActivationName;
}

/** The elementwise activations' kernels, run over the batch's examples in parallel. */
const ELEMENTWISE_FORWARD = { relu: 'reluForward', tanh: 'tanhForward', sigmoid: 'sigmoidForward' } as const;
const ELEMENTWISE_BACKWARD = { relu: 'reluBackward', tanh: 'tanhBackward', sigmoid: 'sigmoidBackward' } as const;

export class ActivationFunction {
  private exampleSize = 0;
  private axisSize = 0;
  private y = 0;
  private dz = 0;
  /** The input of the last forward: the logits, when this is the model's output softmax. */
  logits = 0;
  /**
   * Set by compile() when the loss takes the logits directly (softmax + cross-entropy): the loss
   * then hands back the gradient with respect to the logits and backward passes it through.
   */
  fusedWithLoss = false;
  /**
   * appliedByKernel: the layer's kernel applies this activation itself (conv2d with ReLU), so
   * forward hands the kernel's output through and backward takes the derivative from it.
   */
  constructor(readonly name: ActivationName, readonly appliedByKernel = false) {}

  /** Per-example size, and the size of the last axis (softmax normalises along it). */
  plan(exampleSize: number, axisSize: number, allocate: (length: number) => number, capacity: number): void {
    this.exampleSize = exampleSize;
    this.axisSize = axisSize;
    if (this.name === 'linear') return;
    if (!this.appliedByKernel) this.y = allocate(capacity * exampleSize);
    this.dz = allocate(capacity * exampleSize);
  }

  forward(z: number, batch: number): number {
    this.logits = z;
    if (this.appliedByKernel) {
      this.y = z;
      return z;
    }
    const { kernels, parallel } = getBackend();
    switch (this.name) {
      case 'linear': return z;
      case 'softmax': kernels.softmaxForward(z, this.y, (batch * this.exampleSize) / this.axisSize, this.axisSize); break;
      default: parallel.elementwise(ELEMENTWISE_FORWARD[this.name], batch, this.exampleSize, 0, z, this.y);
    }
    return this.y;
  }

  backward(dy: number, batch: number): number {
    if (this.name === 'linear' || this.fusedWithLoss) return dy;
    const { kernels, parallel } = getBackend();
    if (this.name === 'softmax') {
      kernels.softmaxBackward(this.y, dy, this.dz, (batch * this.exampleSize) / this.axisSize, this.axisSize);
    } else {
      parallel.elementwise(ELEMENTWISE_BACKWARD[this.name], batch, this.exampleSize, 0, this.y, dy, this.dz);
    }
    return this.dz;
  }
}
