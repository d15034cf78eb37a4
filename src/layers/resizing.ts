// Resizing of images to a given height and width (Keras's Resizing): [height, width, channels] →
// [options.height, options.width, channels], up or down by any factor. 'bilinear' (Keras's default)
// blends the two pixels around each output's source coordinate along each axis; 'nearest' takes
// one pixel; 'bicubic' is Keys' cubic convolution over four pixels each way. Where an output reads
// from is the coordinate mode, ONNX's coordinate_transformation_mode: 'half_pixel' (pixel centres;
// Keras's, the default), 'pytorch_half_pixel', 'align_corners' (corner pixels meet) or 'asymmetric'
// (PyTorch's nearest), by the sizes' ratio or by ONNX's `scales`. Bicubic's defaults are Keras's
// (TensorFlow's): coefficient −0.5, pixels beyond the edge left out, weights from TensorFlow's
// table; ONNX's cubic has its own (the node's cubic_coeff_a and exclude_outside, exact weights).
// The mode, the scales and the cubic settings are convas options Keras's Resizing does not have,
// so only Keras's values save to the TF.js format. (TensorFlow.js 4's own Resizing departs from
// Keras: it resizes with aligned corners and has no bicubic; convas reads and writes Keras's meaning.)
import { getBackend } from '../backend/wasm.js';
import { RESIZE_COORDINATES, RESIZE_CUBIC, RESIZE_INTERPOLATION, type ResizeCoordinates } from '../backend/kernels.js';
import type { ResizeGeometry } from '../backend/resampling-jobs.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';
import type { Interpolation } from './up-sampling2d.js';
import { withArticle } from '../article.js';

export interface ResizingOptions {
  /** Rows of the output. */
  height: number;
  /** Columns of the output. */
  width: number;
  /** 'bilinear' by default, as Keras. */
  interpolation?: ResizingInterpolation;
  /** 'half_pixel' by default, as Keras. */
  coordinates?: ResizeCoordinates;
  /**
   * ONNX's scales [height, width]: coordinates are mapped by them, as ONNX does ((o + ½)/scale − ½
   * for half_pixel), instead of by the sizes' ratio; null (default) for the ratio. They differ when
   * in·scale is not a whole number of pixels.
   */
  scales?: [number, number] | null;
  /** Bicubic's a in Keys' kernel: −0.5 by default (Keras's; ONNX's and PyTorch's is −0.75). */
  cubicCoefficient?: number;
  /** Bicubic: pixels beyond the edge weigh 0, the rest renormalised (true, Keras's) or read the edge pixel (false, ONNX's default). */
  cubicExcludeOutside?: boolean;
  /** Bicubic: weights read from TensorFlow's table of 1,024 steps of the fraction (true, Keras's) or exact (false, ONNX's). */
  cubicTable?: boolean;
  name?: string;
}

export type ResizingInterpolation = Interpolation | 'bicubic';
const INTERPOLATIONS: ResizingInterpolation[] = ['bilinear', 'nearest', 'bicubic'];

const isSize = (v: unknown) => Number.isInteger(v) && (v as number) >= 1;
const isScale = (v: unknown) => typeof v === 'number' && Number.isFinite(v) && v > 0;

/** Keras's bicubic (TensorFlow's), what a TF.js file's 'bicubic' means. */
const KERAS_CUBIC = { cubicCoefficient: -0.5, cubicExcludeOutside: true, cubicTable: true } as const;

export class Resizing extends Layer {
  readonly className = 'Resizing';
  readonly height: number;
  readonly width: number;
  readonly interpolation: ResizingInterpolation;
  readonly coordinates: ResizeCoordinates;
  readonly scales: [number, number] | null;
  readonly cubicCoefficient: number;
  readonly cubicExcludeOutside: boolean;
  readonly cubicTable: boolean;
  private geometry!: ResizeGeometry;
  /** The kernels' 3 f32 parameters: the scales (0: none) and bicubic's coefficient. */
  private kernelParams = 0;
  private y = 0;
  private dx = 0;

  constructor(options: ResizingOptions) {
    super(options?.name, 'resizing');
    for (const key of ['height', 'width'] as const) {
      checkSetting(isSize(options?.[key]), this.name, `${key} must be a positive integer, got ${shownValue(options?.[key])}`);
    }
    this.height = options.height;
    this.width = options.width;
    this.interpolation = options.interpolation ?? 'bilinear';
    this.coordinates = options.coordinates ?? 'half_pixel';
    this.scales = options.scales ?? null;
    this.cubicCoefficient = options.cubicCoefficient ?? KERAS_CUBIC.cubicCoefficient;
    this.cubicExcludeOutside = options.cubicExcludeOutside ?? KERAS_CUBIC.cubicExcludeOutside;
    this.cubicTable = options.cubicTable ?? KERAS_CUBIC.cubicTable;
    checkSetting(INTERPOLATIONS.includes(this.interpolation), this.name,
      `interpolation must be one of ${INTERPOLATIONS.map((m) => `'${m}'`).join(', ')}, got ${shownValue(options.interpolation)}`);
    checkSetting(Object.hasOwn(RESIZE_COORDINATES, this.coordinates), this.name,
      `coordinates must be one of ${Object.keys(RESIZE_COORDINATES).map((m) => `'${m}'`).join(', ')}, got ${shownValue(options.coordinates)}`);
    checkSetting(this.scales === null || (Array.isArray(this.scales) && this.scales.length === 2 && this.scales.every(isScale)), this.name,
      `scales must be null or [height, width], two positive numbers, got ${shownValue(options.scales)}`);
    checkSetting(Number.isFinite(this.cubicCoefficient), this.name, `cubicCoefficient must be a number, got ${shownValue(options.cubicCoefficient)}`);
    for (const key of ['cubicExcludeOutside', 'cubicTable'] as const) {
      checkSetting(typeof this[key] === 'boolean', this.name, `${key} must be true or false, got ${shownValue(options[key])}`);
    }
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `resizing takes [height, width, channels] per example, got ${formatShape(input)}`);
    const [inHeight, inWidth, channels] = input;
    // Scales map coordinates; the sizes they go with are floor(in·scale), ONNX's, or out/in's own (to a rounding).
    const scales = this.scales;
    checkSetting(!scales || (Math.abs(inHeight * scales[0] - this.height) < 1 && Math.abs(inWidth * scales[1] - this.width) < 1), this.name,
      `scales ${shownValue(scales)} of ${withArticle(`${inHeight}×${inWidth}`)} input give ${scales && `${inHeight * scales[0]}×${inWidth * scales[1]}`} pixels, ` +
      `not the ${this.height}×${this.width} of height and width`);
    this.geometry = { batch: 0, inHeight, inWidth, channels, outHeight: this.height, outWidth: this.width };
    return [this.height, this.width, channels];
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.outputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    this.kernelParams = this.buffer(3);
    getBackend().memory.f32(this.kernelParams, 3).set([...(this.scales ?? [0, 0]), this.cubicCoefficient]);
  }

  /** The kernels' `interpolation`: the method, and bicubic's options as bits. */
  private get kernelInterpolation(): number {
    if (this.interpolation !== 'bicubic') return RESIZE_INTERPOLATION[this.interpolation];
    return RESIZE_INTERPOLATION.bicubic | (this.cubicExcludeOutside ? RESIZE_CUBIC.excludeOutside : 0) | (this.cubicTable ? RESIZE_CUBIC.table : 0);
  }

  private run(kernel: 'resizeForward' | 'resizeBackward', from: number, to: number, batch: number): void {
    this.geometry.batch = batch;
    this.parallel.resampling.resize(kernel, from, to, this.kernelInterpolation, RESIZE_COORDINATES[this.coordinates], this.kernelParams, this.geometry);
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
      interpolation: this.interpolation, coordinates: this.coordinates, scales: this.scales,
      cubicCoefficient: this.cubicCoefficient, cubicExcludeOutside: this.cubicExcludeOutside, cubicTable: this.cubicTable };
  }
}

export const resizingDescriptor: LayerDescriptor = {
  className: 'Resizing',
  fromConfig: (c) => new Resizing(c as unknown as ResizingOptions),
  tfjs: {
    options: ['height', 'width', 'interpolation'],
    written: { crop_to_aspect_ratio: false },
    convasOnly: ['coordinates', 'scales', ...Object.keys(KERAS_CUBIC)],
    inexpressible: (c) => {
      if (c.coordinates !== 'half_pixel') return `has coordinates '${c.coordinates}', which TensorFlow.js's Resizing cannot express (half-pixel centres, Keras's, only)`;
      if (c.scales) return `has scales ${shownValue(c.scales)}, which TensorFlow.js's Resizing cannot express (coordinates by the sizes only)`;
      const cubic = Object.entries(KERAS_CUBIC).find(([key, value]) => c[key] !== value);
      if (c.interpolation === 'bicubic' && cubic) {
        return `has ${cubic[0]} ${shownValue(c[cubic[0]])}, which a TF.js file's bicubic cannot express (Keras's bicubic only: ${shownValue(KERAS_CUBIC)})`;
      }
      return undefined;
    },
  },
};
