// [h, w, c] per example → [h·w·c]. NHWC memory is already in that order, so nothing moves.
import { type Shape, sizeOf } from '../shape.js';
import type { LayerConfig } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';
import { SameMemoryLayer } from './same-memory.js';

export class Flatten extends SameMemoryLayer {
  readonly className = 'Flatten';

  constructor(options: { name?: string } = {}) {
    super(options.name, 'flatten');
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    return [sizeOf(input)];
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
