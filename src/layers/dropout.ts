// Inverted dropout: while training, zero each value with probability `rate` and scale the rest by
// 1/(1−rate); at inference, pass through. Masks come from the layer's own seeded stream.
import type { Shape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type LayerConfig, checkSetting } from './layer.js';
import { RandomLayer } from './random-layer.js';
import type { LayerDescriptor } from './descriptor.js';

export class Dropout extends RandomLayer {
  readonly className = 'Dropout';
  readonly rate: number;
  private mask = 0;
  private y = 0;
  private dx = 0;
  private appliedMask = false;

  constructor(options: { rate: number; name?: string }) {
    super(options.name, 'dropout');
    this.rate = options.rate;
    checkSetting(typeof this.rate === 'number' && this.rate >= 0 && this.rate < 1, this.name,
      `rate must be a number in [0, 1), got ${shownValue(options.rate)}`);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    return input;
  }

  protected planBuffers(capacity: number): void {
    this.mask = this.trainingBuffer(capacity * this.inputSize);
    this.y = this.trainingBuffer(capacity * this.inputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.appliedMask = this.trains(training) && this.rate > 0;
    if (!this.appliedMask) return x;
    const n = batch * this.inputSize;
    this.kernels.dropoutMask(this.mask, n, this.rate, this.stream.seed());
    this.kernels.multiply(x, this.mask, this.y, n);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number): number[] {
    if (!this.appliedMask) return this.inputGradient(dy);
    this.kernels.multiply(dy, this.mask, this.dx, batch * this.inputSize);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, rate: this.rate };
  }
}

export const dropoutDescriptor: LayerDescriptor = {
  className: 'Dropout',
  fromConfig: (c) => new Dropout(c as unknown as { rate: number }),
  tfjs: { options: ['rate'] },
};
