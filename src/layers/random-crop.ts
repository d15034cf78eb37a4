// Keras's RandomCrop (tf.keras's): while training, one window [height, width] at a random place in
// the images, the same for the whole batch (Keras draws one per call); at inference Keras's
// smart_resize: the largest centred box of the target's aspect ratio, resized bilinearly to
// [height, width] (half-pixel centres, as tf.image.resize). Both are maps of the affine sampling
// kernel: the window a shift by whole pixels, the resize a scale whose taps stay in the box (the
// images are at least the target's size, so the box is never enlarged), read with edges clamped.
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type LayerConfig, checkSetting, isPositiveInteger } from './layer.js';
import { RandomAffineLayer } from './random-affine.js';
import type { LayerDescriptor } from './descriptor.js';

export interface RandomCropOptions {
  height: number;
  width: number;
  name?: string;
}

export class RandomCrop extends RandomAffineLayer {
  readonly className = 'RandomCrop';
  readonly height: number;
  readonly width: number;

  constructor(options: RandomCropOptions) {
    super({ name: options?.name, fillMode: 'nearest', interpolation: 'bilinear' }, 'random_crop');
    this.height = options?.height;
    this.width = options?.width;
    checkSetting(isPositiveInteger(this.height) && isPositiveInteger(this.width), this.name,
      `height and width must be integers ≥ 1, got ${shownValue(options?.height)} and ${shownValue(options?.width)}`);
  }

  protected computeOutputShape(inputs: Shape[]): Shape {
    const [height, width, channels] = super.computeOutputShape(inputs);
    checkSetting(height >= this.height && width >= this.width, this.name,
      `RandomCrop takes images at least [${this.height}, ${this.width}] (smaller ones Keras enlarges, which convas does not), got ${formatShape(inputs[0])}`);
    return [this.height, this.width, channels];
  }

  protected get transformsInInference(): boolean {
    return true;
  }

  protected drawTransforms(maps: Float32Array, batch: number, training: boolean): boolean {
    const [height, width] = this.inputShape;
    if (height === this.height && width === this.width) return false;
    let map: number[];
    if (this.trains(training)) {
      const top = this.stream.int(0, height - this.height), left = this.stream.int(0, width - this.width);
      map = [1, 0, left, 0, 1, top];
    } else {
      const boxHeight = Math.min(height, Math.trunc((width * this.height) / this.width));
      const boxWidth = Math.min(width, Math.trunc((height * this.width) / this.height));
      const top = Math.trunc((height - boxHeight) / 2), left = Math.trunc((width - boxWidth) / 2);
      const sx = boxWidth / this.width, sy = boxHeight / this.height;
      map = [sx, 0, left + 0.5 * sx - 0.5, 0, sy, top + 0.5 * sy - 0.5];
    }
    for (let b = 0; b < batch; b++) maps.set(map, b * 6);
    return true;
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, height: this.height, width: this.width };
  }
}

export const randomCropDescriptor: LayerDescriptor = {
  className: 'RandomCrop',
  fromConfig: (c) => new RandomCrop(c as unknown as RandomCropOptions),
};
