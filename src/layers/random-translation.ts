// Keras's RandomTranslation: while training, each image shifted by a fraction of its height and of
// its width drawn per example from [lower, upper] of heightFactor and widthFactor (each within
// [−1, 1]; a positive height shifts down, a positive width right), the uncovered part filled as
// fillMode says. Keras's map: input column c − dx, row r − dy.
import type { LayerConfig } from './layer.js';
import { type AffineFillOptions, type Factor, RandomAffineLayer, factorRange } from './random-affine.js';
import type { LayerDescriptor } from './descriptor.js';

export interface RandomTranslationOptions extends AffineFillOptions {
  /** Fraction of the height: f for [−f, f], or [lower, upper], within [−1, 1]. */
  heightFactor: Factor;
  /** Fraction of the width, as heightFactor. */
  widthFactor: Factor;
}

export class RandomTranslation extends RandomAffineLayer {
  readonly className = 'RandomTranslation';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number];

  constructor(options: RandomTranslationOptions) {
    super(options ?? {}, 'random_translation');
    this.heightFactor = options?.heightFactor;
    this.widthFactor = options?.widthFactor;
    this.heightRange = factorRange(this.name, 'heightFactor', this.heightFactor, -1, 1);
    this.widthRange = factorRange(this.name, 'widthFactor', this.widthFactor, -1, 1);
  }

  protected drawTransform(height: number, width: number, map: Float32Array): void {
    const down = this.uniform(...this.heightRange) * height, right = this.uniform(...this.widthRange) * width;
    map.set([1, 0, -right, 0, 1, -down]);
  }

  getConfig(): LayerConfig {
    return { ...this.fillConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

export const randomTranslationDescriptor: LayerDescriptor = {
  className: 'RandomTranslation',
  fromConfig: (c) => new RandomTranslation(c as unknown as RandomTranslationOptions),
};
