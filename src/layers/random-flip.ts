// Keras's RandomFlip: while training, each image is mirrored left-right and/or top-bottom, each
// with probability ½, drawn per example from the layer's own seeded stream (its place is saved with
// the model, so a resumed run flips the same images); at inference it passes the input through.
// The flips are drawn independently per axis, as Keras 2 and torchvision draw them. The gradient
// is the same flip of dy.
import { getBackend } from '../backend/wasm.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type LayerConfig, checkSetting } from './layer.js';
import { RandomLayer } from './random-layer.js';
import type { LayerDescriptor } from './descriptor.js';

export type FlipMode = 'horizontal' | 'vertical' | 'horizontal_and_vertical';

export interface RandomFlipOptions {
  /** Which mirrorings may happen. Default 'horizontal_and_vertical' (Keras's). */
  mode?: FlipMode;
  name?: string;
}

const MODES: readonly FlipMode[] = ['horizontal', 'vertical', 'horizontal_and_vertical'];

export class RandomFlip extends RandomLayer {
  readonly className = 'RandomFlip';
  readonly mode: FlipMode;
  private flips = 0;
  private y = 0;
  private dx = 0;
  private flipped = false;

  constructor(options: RandomFlipOptions = {}) {
    super(options.name, 'random_flip');
    this.mode = options.mode ?? 'horizontal_and_vertical';
    checkSetting(MODES.includes(this.mode), this.name, `mode must be one of ${MODES.join(', ')}, got ${shownValue(options.mode)}`);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `RandomFlip takes images [height, width, channels], got ${formatShape(input)}`);
    return input;
  }

  protected planBuffers(capacity: number): void {
    this.flips = this.trainingBuffer(capacity);
    this.y = this.trainingBuffer(capacity * this.inputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.flipped = this.trains(training);
    if (!this.flipped) return x;
    const flips = getBackend().memory.i32(this.flips, batch);
    const columns = this.mode !== 'vertical', rows = this.mode !== 'horizontal';
    for (let b = 0; b < batch; b++) flips[b] = (columns && this.stream.next() < 0.5 ? 1 : 0) | (rows && this.stream.next() < 0.5 ? 2 : 0);
    this.flip(x, this.y, batch);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!this.flipped) return this.inputGradient(dy);
    if (!needInputGradients) return this.inputGradient(0);
    this.flip(dy, this.dx, batch);
    return this.inputGradient(this.dx);
  }

  private flip(from: number, to: number, batch: number): void {
    const [height, width, channels] = this.inputShape;
    this.kernels.flipImages(from, to, this.flips, batch, height, width, channels);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, mode: this.mode };
  }
}

export const randomFlipDescriptor: LayerDescriptor = {
  className: 'RandomFlip',
  fromConfig: (c) => new RandomFlip(c as RandomFlipOptions),
};
