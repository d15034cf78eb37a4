// Max, average and sum pooling over windows of each channel. Max routes each gradient to the
// element that won (the first maximum in window order, so ties go the same way every time).
import { type Shape, formatShape } from '../shape.js';
import { type Pool2dGeometry, pair, pool2dGeometry } from '../window.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export type PoolKind = 'max' | 'avg' | 'sum';

export interface Pool2DOptions {
  poolSize?: number | [number, number];
  /** Defaults to poolSize (non-overlapping windows), as in TensorFlow.js. */
  strides?: number | [number, number];
  padding?: 'valid' | 'same';
  name?: string;
}

const CLASS_NAMES = { max: 'MaxPooling2D', avg: 'AveragePooling2D', sum: 'SumPooling2D' } as const;

export class Pool2D extends Layer {
  readonly className: string;
  readonly poolSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'valid' | 'same';
  private geometry!: Pool2dGeometry;
  private argmax = 0;
  private y = 0;
  private dx = 0;

  constructor(readonly kind: PoolKind, options: Pool2DOptions) {
    super(options.name, `${kind}_pool2d`);
    this.className = CLASS_NAMES[kind];
    this.poolSize = pair(options.poolSize ?? 2, this.name, 'poolSize');
    this.strides = pair(options.strides ?? this.poolSize, this.name, 'strides');
    this.padding = options.padding ?? 'valid';
    checkSetting(this.padding === 'valid' || this.padding === 'same', this.name,
      `padding must be 'valid' or 'same', got ${JSON.stringify(options.padding)}`);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `pooling takes [height, width, channels] per example, got ${formatShape(input)}`);
    const [h, w, c] = input;
    this.geometry = pool2dGeometry([0, h, w, c], this.poolSize, this.strides, this.padding, this.name);
    return [this.geometry.outHeight, this.geometry.outWidth, c];
  }

  protected planBuffers(capacity: number): void {
    this.y = this.buffer(capacity * this.outputSize);
    this.dx = this.buffer(capacity * this.inputSize);
    if (this.kind === 'max') this.argmax = this.buffer(capacity * this.outputSize);
  }

  forward([x]: number[], batch: number, training: boolean): number {
    this.geometry.batch = batch;
    // Only backward reads argmax: inference skips it.
    if (this.kind === 'max') this.parallel.maxPoolForward(x, this.y, training ? this.argmax : 0, this.geometry);
    else this.parallel.avgPoolForward(x, this.y, this.kind === 'avg' ? 1 : 0, this.geometry);
    return this.y;
  }

  backward(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    this.geometry.batch = batch;
    if (this.kind === 'max') this.parallel.maxPoolBackward(dy, this.argmax, this.dx, this.geometry);
    else this.parallel.avgPoolBackward(dy, this.dx, this.kind === 'avg' ? 1 : 0, this.geometry);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, poolSize: this.poolSize, strides: this.strides, padding: this.padding };
  }
}

const poolDescriptor = (kind: PoolKind, tfjs: boolean): LayerDescriptor => ({
  className: CLASS_NAMES[kind],
  fromConfig: (c) => new Pool2D(kind, c as Pool2DOptions),
  ...(tfjs ? { tfjs: { options: ['pool_size', 'strides', 'padding'], spatial: true } } : {}),
});

/** TensorFlow.js has no sum pooling: SumPooling2D is convas's own. */
export const poolDescriptors = [poolDescriptor('max', true), poolDescriptor('avg', true), poolDescriptor('sum', false)];
