// Keras's RandomBrightness: while training, each image gets one delta added to all its values,
// drawn per example from [lower, upper]·(high − low) of valueRange (factor within [−1, 1]), and is
// clipped to valueRange. The delta does not depend on x: the gradient is dy where the clip passed.
import type { LayerConfig } from './layer.js';
import { type Factor, factorRange } from './random-affine.js';
import { type ColourOptions, RandomColourLayer } from './random-colour.js';
import type { LayerDescriptor } from './descriptor.js';

export interface RandomBrightnessOptions extends ColourOptions {
  /** Fraction of the value range: f for [−f, f], or [lower, upper], within [−1, 1]. */
  factor: Factor;
}

export class RandomBrightness extends RandomColourLayer {
  readonly className = 'RandomBrightness';
  readonly factor: Factor;
  private readonly range: [number, number];

  constructor(options: RandomBrightnessOptions) {
    super(options ?? {}, 'random_brightness');
    this.factor = options?.factor;
    this.range = factorRange(this.name, 'factor', this.factor, -1, 1);
  }

  protected draw(_x: number, batch: number): void {
    const { scales, offsets } = this.views(batch), span = this.valueRange[1] - this.valueRange[0];
    for (let b = 0; b < batch; b++) {
      scales[b] = 1;
      offsets.fill(this.uniform(...this.range) * span, b * this.channels, (b + 1) * this.channels);
    }
  }

  protected completeGradient(): void {}

  getConfig(): LayerConfig {
    return { ...this.colourConfig(), factor: this.factor };
  }
}

export const randomBrightnessDescriptor: LayerDescriptor = {
  className: 'RandomBrightness',
  fromConfig: (c) => new RandomBrightness(c as unknown as RandomBrightnessOptions),
};
