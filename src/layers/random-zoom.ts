// Keras's RandomZoom: while training, each image scaled about its centre: the map reads 1 + f times
// as far, f drawn per example from [lower, upper] of heightFactor (positive: zoom out, negative: in;
// lower ≥ −1) and of widthFactor, or the same f for both when widthFactor is null (Keras's default,
// which keeps the aspect ratio). The uncovered part is filled as fillMode says.
import type { LayerConfig } from './layer.js';
import { type AffineFillOptions, type Factor, RandomAffineLayer, factorRange } from './random-affine.js';
import type { LayerDescriptor } from './descriptor.js';

export interface RandomZoomOptions extends AffineFillOptions {
  /** Vertical zoom: f for [−f, f], or [lower, upper], lower ≥ −1. */
  heightFactor: Factor;
  /** Horizontal zoom, as heightFactor; null (default): the vertical zoom. */
  widthFactor?: Factor | null;
}

export class RandomZoom extends RandomAffineLayer {
  readonly className = 'RandomZoom';
  readonly heightFactor: Factor;
  readonly widthFactor: Factor | null;
  private readonly heightRange: [number, number];
  private readonly widthRange: [number, number] | null;

  constructor(options: RandomZoomOptions) {
    super(options ?? {}, 'random_zoom');
    this.heightFactor = options?.heightFactor;
    this.widthFactor = options?.widthFactor ?? null;
    this.heightRange = factorRange(this.name, 'heightFactor', this.heightFactor, -1, Infinity);
    this.widthRange = this.widthFactor === null ? null : factorRange(this.name, 'widthFactor', this.widthFactor, -1, Infinity);
  }

  protected drawTransform(height: number, width: number, map: Float32Array): void {
    const zy = 1 + this.uniform(...this.heightRange), zx = this.widthRange ? 1 + this.uniform(...this.widthRange) : zy;
    map.set([zx, 0, ((width - 1) / 2) * (1 - zx), 0, zy, ((height - 1) / 2) * (1 - zy)]);
  }

  getConfig(): LayerConfig {
    return { ...this.fillConfig(), heightFactor: this.heightFactor, widthFactor: this.widthFactor };
  }
}

export const randomZoomDescriptor: LayerDescriptor = {
  className: 'RandomZoom',
  fromConfig: (c) => new RandomZoom(c as unknown as RandomZoomOptions),
};
