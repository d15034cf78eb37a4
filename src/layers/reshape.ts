// [any shape] per example → targetShape, with the same number of values in the same order, so
// nothing moves (as for Flatten). One dimension may be −1 (or null, as TensorFlow.js saves it): it
// takes whatever size makes the counts agree, as in Keras.
import { type Shape, formatShape, sizeOf } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type LayerConfig, checkSetting, isPositiveInteger } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';
import { SameMemoryLayer } from './same-memory.js';

export interface ReshapeOptions {
  /** The shape of one example, without the batch; one dimension may be −1. */
  targetShape: Array<number | null>;
  name?: string;
}

const isUnknown = (d: unknown) => d === -1 || d === null;

export class Reshape extends SameMemoryLayer {
  readonly className = 'Reshape';
  /** As given, with null read as −1. */
  readonly targetShape: number[];

  constructor(options: ReshapeOptions) {
    super(options.name, 'reshape');
    const target = options.targetShape;
    checkSetting(Array.isArray(target) && target.length > 0 && target.every((d) => isPositiveInteger(d) || isUnknown(d)), this.name,
      `targetShape must be a list of positive integers with at most one −1, got ${shownValue(target)}`);
    checkSetting(target.filter(isUnknown).length <= 1, this.name,
      `targetShape may leave one dimension unknown (−1), got ${shownValue(target)}`);
    this.targetShape = target.map((d) => (isUnknown(d) ? -1 : (d as number)));
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    const values = sizeOf(input);
    const known = sizeOf(this.targetShape.filter((d) => d !== -1));
    const fits = this.targetShape.includes(-1) ? values % known === 0 : values === known;
    checkSetting(fits, this.name, `cannot reshape ${formatShape(input)} (${values} values) to ${formatShape(this.targetShape)} ` +
      `(${this.targetShape.includes(-1) ? `a multiple of ${known}` : known} values); the sizes must agree`);
    return this.targetShape.map((d) => (d === -1 ? values / known : d));
  }

  /**
   * Once the input is known, the −1 is written as the size it stands for: TensorFlow.js 4 leaves a −1
   * unresolved in its output shape, and the layers after it (Flatten, Dense) then fail to build.
   */
  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, targetShape: this.outputShape.length ? [...this.outputShape] : this.targetShape };
  }
}

export const reshapeDescriptor: LayerDescriptor = {
  className: 'Reshape',
  fromConfig: (c) => new Reshape(c as unknown as ReshapeOptions),
  tfjs: { options: ['target_shape'] },
};
