// [h, w, c] per example → [h·w·c]. NHWC memory is already in that order, so nothing moves.
import { type Shape, sizeOf } from '../shape.js';
import { Layer, type LayerConfig } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export class Flatten extends Layer {
  readonly className = 'Flatten';

  constructor(options: { name?: string } = {}) {
    super(options.name, 'flatten');
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    return [sizeOf(input)];
  }

  protected planBuffers(): void {}

  forward([x]: number[]): number {
    return x;
  }

  backward(dy: number): number[] {
    return this.inputGradient(dy);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name };
  }
}

export const flattenDescriptor: LayerDescriptor = {
  className: 'Flatten',
  fromConfig: (c) => new Flatten(c),
  tfjs: { options: [], spatial: true },
};
