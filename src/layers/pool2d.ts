// Max, average and sum pooling over windows of each channel. Max routes each gradient to the
// element that won (the first maximum in window order, so ties go the same way every time).
// Padding ('same', or explicit [top, bottom, left, right] as ONNX models have it) is never read:
// windows are clipped to the input, so it cannot win a max and does not count in an average.
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type Pool2dGeometry, pair, pool2dGeometry } from '../window.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export type PoolKind = 'max' | 'avg' | 'sum';

export interface Pool2DOptions {
  poolSize?: number | [number, number];
  /** Defaults to poolSize (non-overlapping windows), as in TensorFlow.js. */
  strides?: number | [number, number];
  padding?: PoolPadding;
  name?: string;
}

/** 'valid', 'same', or zeros [top, bottom, left, right], each fewer than the window on its axis. */
export type PoolPadding = 'valid' | 'same' | [number, number, number, number];

const CLASS_NAMES = { max: 'MaxPooling2D', avg: 'AveragePooling2D', sum: 'SumPooling2D' } as const;

export class Pool2D extends Layer {
  readonly className: string;
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: PoolPadding;
  private geometry!: Pool2dGeometry;
  private argmax = 0;
  private y = 0;
  private dx = 0;

  constructor(readonly kind: PoolKind, options: Pool2DOptions) {
    super(options.name, `${kind}_pool2d`);
    this.className = CLASS_NAMES[kind];
    this.poolSize = pair(options.poolSize ?? 2, this.name, 'poolSize');
    this.strides = pair(options.strides ?? this.poolSize, this.name, 'strides');
    const padding = options.padding ?? 'valid';
    const [poolHeight, poolWidth] = this.poolSize;
    const explicit = Array.isArray(padding) && padding.length === 4 && padding.every((p, i) => Number.isInteger(p) && p >= 0 && p < (i < 2 ? poolHeight : poolWidth));
    checkSetting(padding === 'valid' || padding === 'same' || explicit, this.name,
      `padding must be 'valid' or 'same', or [top, bottom, left, right] (non-negative integers smaller than the window), got ${shownValue(options.padding)}`);
    this.padding = explicit ? [...padding] as PoolPadding : padding;
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `pooling takes [height, width, channels] per example, got ${formatShape(input)}`);
    const [h, w, c] = input;
    this.geometry = pool2dGeometry([0, h, w, c], this.poolSize, this.strides, this.padding, this.name);
    return [this.geometry.outHeight, this.geometry.outWidth, c];
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.outputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    if (this.kind === 'max') this.argmax = this.backwardBuffer(capacity * this.outputSize);
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.geometry.batch = batch;
    // Only backward reads argmax: inference skips it.
    if (this.kind === 'max') this.parallel.pool.maxForward(x, this.y, training ? this.argmax : 0, this.geometry);
    else this.parallel.pool.avgForward(x, this.y, this.kind === 'avg' ? 1 : 0, this.geometry);
    return this.y;
  }

  /** Whether a convolution before it may write its output (Conv2D.forwardPooled): max, 2×2 windows at stride 2, no padding. */
  get takesPooledConvolution(): boolean {
    const g = this.geometry;
    return this.kind === 'max' && g.poolHeight === 2 && g.poolWidth === 2 && g.strideHeight === 2 && g.strideWidth === 2 &&
      g.padTop === 0 && g.padLeft === 0 && g.outHeight === g.inHeight >> 1 && g.outWidth === g.inWidth >> 1;
  }

  /** Where forward writes its output (a convolution's forwardPooled writes it instead). */
  get outputAddress(): number {
    return this.y;
  }

  /** Where forward writes the argmax that backward reads. */
  get argmaxAddress(): number {
    return this.argmax;
  }

  get foldsInputRelu(): boolean {
    return this.kind === 'max';
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean, _needWeightGradients: boolean, reluFolded: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    this.geometry.batch = batch;
    // Its maxima are the values of its input it passes on: where one is not positive, the ReLU before it had no slope.
    if (this.kind === 'max') this.parallel.pool.maxBackward(dy, this.argmax, this.dx, reluFolded ? this.y : 0, this.geometry);
    else this.parallel.pool.avgBackward(dy, this.dx, this.kind === 'avg' ? 1 : 0, this.geometry);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    const padding = Array.isArray(this.padding) ? [...this.padding] : this.padding;
    return { className: this.className, name: this.name, poolSize: this.poolSize, strides: this.strides, padding };
  }
}

const poolDescriptor = (kind: PoolKind, tfjs: boolean): LayerDescriptor => ({
  className: CLASS_NAMES[kind],
  fromConfig: (c) => new Pool2D(kind, c as Pool2DOptions),
  ...(tfjs ? { tfjs: { options: ['pool_size', 'strides', 'padding'], spatial: true } } : {}),
});

/** TensorFlow.js has no sum pooling: SumPooling2D is convas's own. */
export const poolDescriptors = [poolDescriptor('max', true), poolDescriptor('avg', true), poolDescriptor('sum', false)];
