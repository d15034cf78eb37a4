// Up-sampling by whole factors: [height, width, channels] → [height·size[0], width·size[1], channels].
// 'nearest' repeats each pixel; 'bilinear' interpolates as Keras does (tf.image.resize with
// half-pixel centres, which is the resizing kernel's half_pixel mode). TensorFlow.js 4's bilinear
// UpSampling2D has no half-pixel centres, so its results differ from Keras's, and from these, at
// every output that is not a copy of a pixel.
import { RESIZE_COORDINATES, RESIZE_INTERPOLATION } from '../backend/kernels.js';
import type { ResizeGeometry } from '../backend/resampling-jobs.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { pair } from '../window.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export type Interpolation = 'nearest' | 'bilinear';

export interface UpSampling2DOptions {
  /** The factor for rows and columns, n or [rows, columns] (2 by default). */
  size?: number | [number, number];
  interpolation?: Interpolation;
  name?: string;
}

export class UpSampling2D extends Layer {
  readonly className = 'UpSampling2D';
  readonly size: [number, number];
  readonly interpolation: Interpolation;
  private geometry!: ResizeGeometry;
  private y = 0;
  private dx = 0;

  constructor(options: UpSampling2DOptions = {}) {
    super(options.name, 'up_sampling2d');
    this.size = pair(options.size ?? 2, this.name, 'size');
    this.interpolation = options.interpolation ?? 'nearest';
    checkSetting(this.interpolation === 'nearest' || this.interpolation === 'bilinear', this.name,
      `interpolation must be 'nearest' or 'bilinear', got ${shownValue(options.interpolation)}`);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `up-sampling takes [height, width, channels] per example, got ${formatShape(input)}`);
    const [inHeight, inWidth, channels] = input;
    const outHeight = inHeight * this.size[0], outWidth = inWidth * this.size[1];
    this.geometry = { batch: 0, inHeight, inWidth, channels, outHeight, outWidth };
    return [outHeight, outWidth, channels];
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.outputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
  }

  private run(pass: 'forward' | 'backward', from: number, to: number, batch: number): void {
    this.geometry.batch = batch;
    if (this.interpolation === 'nearest') {
      this.parallel.resampling.upSampling2d(pass === 'forward' ? 'upSampling2dForward' : 'upSampling2dBackward', from, to, this.geometry);
    } else {
      this.parallel.resampling.resize(pass === 'forward' ? 'resizeForward' : 'resizeBackward', from, to, RESIZE_INTERPOLATION.bilinear, RESIZE_COORDINATES.half_pixel, 0, this.geometry);
    }
  }

  forward([x]: number[], batch: number): number {
    this.run('forward', x, this.y, batch);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    this.run('backward', dy, this.dx, batch);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, size: this.size, interpolation: this.interpolation };
  }
}

export const upSampling2dDescriptor: LayerDescriptor = {
  className: 'UpSampling2D',
  fromConfig: (c) => new UpSampling2D(c as UpSampling2DOptions),
  tfjs: { options: ['size', 'interpolation'], spatial: true },
};
