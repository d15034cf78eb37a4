// Resizing of images to a given height and width (Keras's Resizing): [height, width, channels] →
// [options.height, options.width, channels], up or down by any factor. 'bilinear' (Keras's default)
// blends the two pixels around each output's source coordinate along each axis; 'nearest' takes
// one pixel. Where an output reads from is the coordinate mode, ONNX's coordinate_transformation_mode:
// 'half_pixel' (pixel centres; Keras's, the default), 'pytorch_half_pixel', 'align_corners' (corner
// pixels meet) or 'asymmetric' (PyTorch's nearest). The mode is a convas option: Keras's Resizing
// has none, so only half_pixel saves to the TF.js format. (TensorFlow.js 4's own Resizing departs
// from Keras: it resizes with aligned corners; convas reads and writes Keras's meaning.)
import { RESIZE_COORDINATES, type ResizeCoordinates } from '../backend/kernels.js';
import type { ResizeGeometry } from '../backend/resampling-jobs.js';
import { type Shape, formatShape } from '../shape.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';
import type { Interpolation } from './up-sampling2d.js';

export interface ResizingOptions {
  /** Rows of the output. */
  height: number;
  /** Columns of the output. */
  width: number;
  /** 'bilinear' by default, as Keras. */
  interpolation?: Interpolation;
  /** 'half_pixel' by default, as Keras. */
  coordinates?: ResizeCoordinates;
  name?: string;
}

const isSize = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;

export class Resizing extends Layer {
  readonly className = 'Resizing';
  readonly height: number;
  readonly width: number;
  readonly interpolation: Interpolation;
  readonly coordinates: ResizeCoordinates;
  private geometry!: ResizeGeometry;
  private y = 0;
  private dx = 0;

  constructor(options: ResizingOptions) {
    super(options?.name, 'resizing');
    for (const key of ['height', 'width'] as const) {
      checkSetting(isSize(options?.[key]), this.name, `${key} must be a positive integer, got ${JSON.stringify(options?.[key])}`);
    }
    this.height = options.height;
    this.width = options.width;
    this.interpolation = options.interpolation ?? 'bilinear';
    this.coordinates = options.coordinates ?? 'half_pixel';
    checkSetting(this.interpolation === 'nearest' || this.interpolation === 'bilinear', this.name,
      `interpolation must be 'nearest' or 'bilinear', got ${JSON.stringify(options.interpolation)}`);
    checkSetting(Object.hasOwn(RESIZE_COORDINATES, this.coordinates), this.name,
      `coordinates must be one of ${Object.keys(RESIZE_COORDINATES).map((m) => `'${m}'`).join(', ')}, got ${JSON.stringify(options.coordinates)}`);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `resizing takes [height, width, channels] per example, got ${formatShape(input)}`);
    const [inHeight, inWidth, channels] = input;
    this.geometry = { batch: 0, inHeight, inWidth, channels, outHeight: this.height, outWidth: this.width };
    return [this.height, this.width, channels];
  }

  protected planBuffers(capacity: number): void {
    this.y = this.buffer(capacity * this.outputSize);
    this.dx = this.backwardBuffer(capacity * this.inputSize);
  }

  private run(kernel: 'resizeForward' | 'resizeBackward', from: number, to: number, batch: number): void {
    this.geometry.batch = batch;
    this.parallel.resampling.resize(kernel, from, to, this.interpolation === 'bilinear' ? 1 : 0, RESIZE_COORDINATES[this.coordinates], this.geometry);
  }

  forward([x]: number[], batch: number): number {
    this.run('resizeForward', x, this.y, batch);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    this.run('resizeBackward', dy, this.dx, batch);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, height: this.height, width: this.width,
      interpolation: this.interpolation, coordinates: this.coordinates };
  }
}

export const resizingDescriptor: LayerDescriptor = {
  className: 'Resizing',
  fromConfig: (c) => new Resizing(c as unknown as ResizingOptions),
  tfjs: {
    options: ['height', 'width', 'interpolation'],
    written: { crop_to_aspect_ratio: false },
    convasOnly: ['coordinates'],
    inexpressible: (c) => (c.coordinates !== 'half_pixel'
      ? `has coordinates '${c.coordinates}', which TensorFlow.js's Resizing cannot express (half-pixel centres, Keras's, only)` : undefined),
  },
};
