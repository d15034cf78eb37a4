// The base of Keras's RandomBrightness and RandomContrast: while training, each channel of each
// image scaled and shifted by amounts drawn per example from the layer's own seeded stream (saved
// with the model), then clipped to valueRange, by the scaleShiftClip kernel; at inference the
// input passes through. The gradient passes where the clip did not bite, then the subclass adds
// what its shift owes to x.
import { getBackend } from '../backend/wasm.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type LayerConfig, checkSetting } from './layer.js';
import { RandomLayer } from './random-layer.js';

export interface ColourOptions {
  /** [low, high]: the range of the images' values, which the output is clipped to. Default [0, 255] (Keras's). */
  valueRange?: [number, number];
  name?: string;
}

export abstract class RandomColourLayer extends RandomLayer {
  readonly valueRange: [number, number];
  protected scales = 0;
  protected offsets = 0;
  private y = 0;
  protected dx = 0;
  private x = 0;
  private adjusted = false;

  constructor(options: ColourOptions, prefix: string) {
    super(options.name, prefix);
    this.valueRange = options.valueRange ?? [0, 255];
    const [low, high] = Array.isArray(this.valueRange) && this.valueRange.length === 2 ? this.valueRange : [NaN, NaN];
    checkSetting(Number.isFinite(low) && Number.isFinite(high) && low < high, this.name,
      `valueRange must be [low, high] with finite low < high, got ${shownValue(options.valueRange)}`);
  }

  /** Fills scales[b] and offsets[b·channels + c] for the batch of images at x, drawing from the stream. */
  protected abstract draw(x: number, batch: number): void;

  /** dx holds dy where the clip passed: the subclass completes the input gradient in place. */
  protected abstract completeGradient(batch: number): void;

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `${this.className} takes images [height, width, channels], got ${formatShape(input)}`);
    return input;
  }

  protected get pixels(): number {
    return this.inputShape[0] * this.inputShape[1];
  }

  protected get channels(): number {
    return this.inputShape[2];
  }

  protected planBuffers(capacity: number): void {
    this.scales = this.trainingBuffer(capacity);
    this.offsets = this.trainingBuffer(capacity * this.channels);
    this.y = this.trainingBuffer(capacity * this.inputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
  }

  /** The per-example scales and the per-example, per-channel offsets, as f32 views. */
  protected views(batch: number): { scales: Float32Array; offsets: Float32Array } {
    const memory = getBackend().memory;
    return { scales: memory.f32(this.scales, batch), offsets: memory.f32(this.offsets, batch * this.channels) };
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.adjusted = this.trains(training);
    if (!this.adjusted) return x;
    this.x = x;
    this.draw(x, batch);
    this.kernels.scaleShiftClip(x, this.y, this.scales, this.offsets, batch, this.pixels, this.channels, this.valueRange[0], this.valueRange[1]);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!this.adjusted) return this.inputGradient(dy);
    if (!needInputGradients) return this.inputGradient(0);
    this.kernels.scaleShiftClipGradient(this.x, dy, this.dx, this.scales, this.offsets, batch, this.pixels, this.channels,
      this.valueRange[0], this.valueRange[1]);
    this.completeGradient(batch);
    return this.inputGradient(this.dx);
  }

  protected colourConfig(): LayerConfig {
    return { className: this.className, name: this.name, valueRange: this.valueRange };
  }
}
