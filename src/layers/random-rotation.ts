// Keras's RandomRotation: while training, each image turned about its centre by factor·2π radians,
// factor drawn per example from [lower, upper] (positive: counter-clockwise), the corners filled as
// fillMode says. The map is tf.keras's: input = R(θ)·output about the centre ((w − 1)/2, (h − 1)/2).
import type { LayerConfig } from './layer.js';
import { type AffineFillOptions, type Factor, RandomAffineLayer, factorRange } from './random-affine.js';
import type { LayerDescriptor } from './descriptor.js';

export interface RandomRotationOptions extends AffineFillOptions {
  /** Fraction of a full turn: f for [−f, f], or [lower, upper]. */
  factor: Factor;
}

export class RandomRotation extends RandomAffineLayer {
  readonly className = 'RandomRotation';
  readonly factor: Factor;
  private readonly range: [number, number];

  constructor(options: RandomRotationOptions) {
    super(options ?? {}, 'random_rotation');
    this.factor = options?.factor;
    this.range = factorRange(this.name, 'factor', this.factor, -Infinity, Infinity);
  }

  protected drawTransform(height: number, width: number, map: Float32Array): void {
    const angle = this.uniform(...this.range) * 2 * Math.PI, cos = Math.cos(angle), sin = Math.sin(angle);
    const w = width - 1, h = height - 1;
    map.set([cos, -sin, (w - (cos * w - sin * h)) / 2, sin, cos, (h - (sin * w + cos * h)) / 2]);
  }

  getConfig(): LayerConfig {
    return { ...this.fillConfig(), factor: this.factor };
  }
}

export const randomRotationDescriptor: LayerDescriptor = {
  className: 'RandomRotation',
  fromConfig: (c) => new RandomRotation(c as unknown as RandomRotationOptions),
};
