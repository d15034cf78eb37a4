// Keras's RandomContrast: while training, each channel of each image becomes (x − mean)·f + mean,
// mean that channel's mean over the image, f drawn per example from [1 − lower, 1 + upper] (factor
// f for lower = upper = f; 0 ≤ lower ≤ 1, upper ≥ 0), then clipped to valueRange (Keras 3's).
// Computed as x·f + mean·(1 − f): with g = dy where the clip passed, dx = g·f + (1 − f)·mean(g).
import { shownValue } from '../shown-value.js';
import type { LayerConfig } from './layer.js';
import { checkSetting } from './layer.js';
import type { Factor } from './random-affine.js';
import { type ColourOptions, RandomColourLayer } from './random-colour.js';
import type { LayerDescriptor } from './descriptor.js';
import { getBackend } from '../backend/wasm.js';

export interface RandomContrastOptions extends ColourOptions {
  /** f for a contrast factor in [1 − f, 1 + f], or [lower, upper] for [1 − lower, 1 + upper]. */
  factor: Factor;
}

export class RandomContrast extends RandomColourLayer {
  readonly className = 'RandomContrast';
  readonly factor: Factor;
  private readonly lower: number;
  private readonly upper: number;
  private means = 0;

  constructor(options: RandomContrastOptions) {
    super(options ?? {}, 'random_contrast');
    this.factor = options?.factor;
    const [lower, upper] = typeof this.factor === 'number' ? [this.factor, this.factor] : Array.isArray(this.factor) && this.factor.length === 2 ? this.factor : [NaN, NaN];
    checkSetting(Number.isFinite(lower) && Number.isFinite(upper) && lower >= 0 && lower <= 1 && upper >= 0, this.name,
      `factor must be a number 0 ≤ f ≤ 1 or [lower, upper] with 0 ≤ lower ≤ 1 and upper ≥ 0, got ${shownValue(options?.factor)}`);
    this.lower = lower;
    this.upper = upper;
  }

  protected planBuffers(capacity: number): void {
    super.planBuffers(capacity);
    this.means = this.trainingBuffer(capacity * this.channels);
  }

  /** offsets[b, c] = (1 − scales[b])·means[b, c]. */
  private offsetsFromMeans(batch: number): void {
    const { scales, offsets } = this.views(batch), means = getBackend().memory.f32(this.means, batch * this.channels);
    for (let i = 0; i < offsets.length; i++) offsets[i] = (1 - scales[Math.floor(i / this.channels)]) * means[i];
  }

  protected draw(x: number, batch: number): void {
    const { scales } = this.views(batch);
    for (let b = 0; b < batch; b++) scales[b] = this.uniform(1 - this.lower, 1 + this.upper);
    this.kernels.globalAvgPoolForward(x, this.means, batch, this.pixels, this.channels);
    this.offsetsFromMeans(batch);
  }

  protected completeGradient(batch: number): void {
    this.kernels.globalAvgPoolForward(this.dx, this.means, batch, this.pixels, this.channels);
    this.offsetsFromMeans(batch);
    this.kernels.scaleShiftClip(this.dx, this.dx, this.scales, this.offsets, batch, this.pixels, this.channels, -Infinity, Infinity);
  }

  getConfig(): LayerConfig {
    return { ...this.colourConfig(), factor: this.factor };
  }
}

export const randomContrastDescriptor: LayerDescriptor = {
  className: 'RandomContrast',
  fromConfig: (c) => new RandomContrast(c as unknown as RandomContrastOptions),
};
