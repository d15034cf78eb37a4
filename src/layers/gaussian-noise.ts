// Keras's GaussianNoise: while training, y = x + stddev·z with z standard normal, drawn by the
// gaussianNoise kernel from a seed the layer's own stream gives each batch (its place is saved with
// the model, so a resumed run draws the same noise); at inference it passes the input through. The
// noise does not depend on x, so the gradient is dy.
import type { Shape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type LayerConfig, checkSetting } from './layer.js';
import { RandomLayer } from './random-layer.js';
import type { LayerDescriptor } from './descriptor.js';

export interface GaussianNoiseOptions {
  /** The noise's standard deviation, ≥ 0. */
  stddev: number;
  name?: string;
}

export class GaussianNoise extends RandomLayer {
  readonly className = 'GaussianNoise';
  readonly stddev: number;
  private y = 0;

  constructor(options: GaussianNoiseOptions) {
    super(options?.name, 'gaussian_noise');
    this.stddev = options?.stddev;
    checkSetting(typeof this.stddev === 'number' && Number.isFinite(this.stddev) && this.stddev >= 0, this.name,
      `stddev must be a finite number ≥ 0, got ${shownValue(options?.stddev)}`);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    return input;
  }

  protected planBuffers(capacity: number): void {
    this.y = this.trainingBuffer(capacity * this.inputSize);
  }

  forward([x]: number[], batch: number, training: boolean): number {
    if (!this.trains(training)) return x;
    this.kernels.gaussianNoise(x, this.y, batch * this.inputSize, this.stddev, this.stream.seed());
    return this.y;
  }

  protected backpropagate(dy: number): number[] {
    return this.inputGradient(dy);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, stddev: this.stddev };
  }
}

export const gaussianNoiseDescriptor: LayerDescriptor = {
  className: 'GaussianNoise',
  fromConfig: (c) => new GaussianNoise(c as unknown as GaussianNoiseOptions),
  tfjs: { options: ['stddev'] },
};
