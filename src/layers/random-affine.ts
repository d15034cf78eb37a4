// The base of Keras's RandomTranslation, RandomRotation and RandomZoom: while training, each image
// is sampled through a 2×3 affine map drawn per example from the layer's own seeded stream (its
// place is saved with the model, so a resumed run draws the same maps), by the
// affineTransformImages kernel, as TensorFlow's ImageProjectiveTransformV3 samples for Keras:
// Keras's fill modes and fillValue outside the image, nearest or bilinear. At inference the input
// passes through. The gradient is the sampling's transpose, scattered back by the kernel's backward.
import type { AffineImagesGeometry } from '../backend/resampling-jobs.js';
import { getBackend } from '../backend/wasm.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type InferenceOutput, type LayerConfig, checkSetting } from './layer.js';
import { RandomLayer } from './random-layer.js';

export type FillMode = 'constant' | 'nearest' | 'reflect' | 'wrap';
export type Interpolation = 'nearest' | 'bilinear';

/** In the kernel's numbering. */
const FILL_MODES: readonly FillMode[] = ['constant', 'nearest', 'reflect', 'wrap'];
const INTERPOLATIONS: readonly Interpolation[] = ['nearest', 'bilinear'];

/** A factor as Keras takes it: a number f for [−f, f], or [lower, upper]. */
export type Factor = number | [number, number];

export interface AffineFillOptions {
  /** How points outside the image are filled. Default 'reflect' (Keras's). */
  fillMode?: FillMode;
  /** Default 'bilinear'. */
  interpolation?: Interpolation;
  /** The value outside the image when fillMode is 'constant'. Default 0. */
  fillValue?: number;
  name?: string;
}

/** [lower, upper] of a factor, refused (naming the setting) unless lower ≤ upper, both finite, both within [min, max]. */
export function factorRange(layer: string, setting: string, factor: Factor, min: number, max: number): [number, number] {
  const range: [number, number] = typeof factor === 'number' ? [-factor, factor] : Array.isArray(factor) && factor.length === 2 ? [factor[0], factor[1]] : [NaN, NaN];
  checkSetting(range.every((v) => typeof v === 'number' && Number.isFinite(v)) && range[0] <= range[1] && range[0] >= min && range[1] <= max, layer,
    `${setting} must be a number f ≥ 0 (for [−f, f]) or [lower, upper] with ${min} ≤ lower ≤ upper${max === Infinity ? '' : ` ≤ ${max}`}, got ${shownValue(factor)}`);
  return range;
}

export abstract class RandomAffineLayer extends RandomLayer {
  readonly fillMode: FillMode;
  readonly interpolation: Interpolation;
  readonly fillValue: number;
  private transforms = 0;
  private fill = 0;
  private sampling!: AffineImagesGeometry;
  private y = 0;
  private dx = 0;
  private transformed = false;

  constructor(options: AffineFillOptions, prefix: string) {
    super(options.name, prefix);
    this.fillMode = options.fillMode ?? 'reflect';
    this.interpolation = options.interpolation ?? 'bilinear';
    this.fillValue = options.fillValue ?? 0;
    checkSetting(FILL_MODES.includes(this.fillMode), this.name, `fillMode must be one of ${FILL_MODES.join(', ')}, got ${shownValue(options.fillMode)}`);
    checkSetting(INTERPOLATIONS.includes(this.interpolation), this.name,
      `interpolation must be one of ${INTERPOLATIONS.join(', ')}, got ${shownValue(options.interpolation)}`);
    checkSetting(typeof this.fillValue === 'number' && Number.isFinite(this.fillValue), this.name, `fillValue must be a finite number, got ${shownValue(options.fillValue)}`);
  }

  /**
   * Draws one example's map from the stream into map[0..5]: a0 a1 a2 b0 b1 b2, output column c and
   * row r reading input column a0·c + a1·r + a2, row b0·c + b1·r + b2. A layer that draws per batch
   * overrides drawTransforms instead.
   */
  protected drawTransform?(height: number, width: number, map: Float32Array): void;

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `${this.className} takes images [height, width, channels], got ${formatShape(input)}`);
    return input;
  }

  /** Whether inference transforms the images too (RandomCrop's centred resize); the others pass them through. */
  protected get transformsInInference(): boolean {
    return false;
  }

  /** RandomCrop resizes in inference, unless the sizes match: then it hands its input on. */
  get inferenceOutput(): InferenceOutput {
    return this.transformsInInference ? 'either' : 'input';
  }

  protected planBuffers(capacity: number): void {
    const buffer = (length: number) => (this.transformsInInference ? this.buffer(length) : this.trainingBuffer(length));
    this.transforms = buffer(capacity * 6);
    this.fill = buffer(1);
    if (this.fill) getBackend().memory.f32(this.fill, 1)[0] = this.fillValue;
    const [height, width, channels] = this.inputShape;
    this.sampling = { height, width, channels, outHeight: this.outputShape[0], outWidth: this.outputShape[1],
      fillMode: FILL_MODES.indexOf(this.fillMode), interpolation: INTERPOLATIONS.indexOf(this.interpolation) };
    this.y = this.transformsInInference ? this.outputBuffer(capacity * this.outputSize) : this.trainingBuffer(capacity * this.outputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
  }

  /** Fills maps (6 per example) for this batch; false: the input passes through. Keras's layers draw only while training. */
  protected drawTransforms(maps: Float32Array, batch: number, training: boolean): boolean {
    if (!this.trains(training)) return false;
    const [height, width] = this.inputShape;
    for (let b = 0; b < batch; b++) this.drawTransform?.(height, width, maps.subarray(b * 6, b * 6 + 6));
    return true;
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.transformed = this.drawTransforms(getBackend().memory.f32(this.transforms, batch * 6), batch, training);
    if (!this.transformed) return x;
    this.parallel.resampling.affineTransformImages('affineTransformImages', x, this.y, this.transforms, batch, this.sampling, this.fill);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!this.transformed) return this.inputGradient(dy);
    if (!needInputGradients) return this.inputGradient(0);
    this.parallel.resampling.affineTransformImages('affineTransformImagesBackward', dy, this.dx, this.transforms, batch, this.sampling);
    return this.inputGradient(this.dx);
  }

  /** The fill settings, for the subclasses' configs. */
  protected fillConfig(): LayerConfig {
    return { className: this.className, name: this.name, fillMode: this.fillMode, interpolation: this.interpolation, fillValue: this.fillValue };
  }
}
