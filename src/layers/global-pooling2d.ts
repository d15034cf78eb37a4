// Global average and max pooling: each channel of an image reduced over all its positions,
// [height, width, channels] → [channels] ([1, 1, channels] with keepdims, as Keras offers). Max sends
// each gradient to the first position that holds the maximum, as max pooling does.
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export type GlobalPoolKind = 'avg' | 'max';

export interface GlobalPooling2DOptions {
  /** Keep the pooled axes as size 1: [1, 1, channels] (Keras's keepdims; TensorFlow.js 4 has no such setting). */
  keepdims?: boolean;
  name?: string;
}

const CLASS_NAMES = { avg: 'GlobalAveragePooling2D', max: 'GlobalMaxPooling2D' } as const;

export class GlobalPooling2D extends Layer {
  readonly className: string;
  readonly keepdims: boolean;
  private positions = 0;
  private channels = 0;
  private y = 0;
  private dx = 0;
  private argmax = 0;

  constructor(readonly kind: GlobalPoolKind, options: GlobalPooling2DOptions = {}) {
    super(options.name, `global_${kind === 'avg' ? 'average' : 'max'}_pooling2d`);
    this.className = CLASS_NAMES[kind];
    this.keepdims = options.keepdims ?? false;
    checkSetting(typeof this.keepdims === 'boolean', this.name, `keepdims must be true or false, got ${shownValue(options.keepdims)}`);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === 3, this.name, `global pooling takes [height, width, channels] per example, got ${formatShape(input)}`);
    this.positions = input[0] * input[1];
    this.channels = input[2];
    return this.keepdims ? [1, 1, this.channels] : [this.channels];
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.channels);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    if (this.kind === 'max') this.argmax = this.backwardBuffer(capacity * this.channels);
  }

  forward([x]: number[], batch: number, training: boolean): number {
    // Only backward reads argmax: inference skips it.
    if (this.kind === 'max') this.parallel.pool.globalMaxForward(x, this.y, training ? this.argmax : 0, batch, this.positions, this.channels);
    else this.parallel.pool.globalAvg('globalAvgPoolForward', x, this.y, batch, this.positions, this.channels);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    if (this.kind === 'max') this.parallel.pool.globalMaxBackward(dy, this.argmax, this.dx, batch, this.positions, this.channels);
    else this.parallel.pool.globalAvg('globalAvgPoolBackward', dy, this.dx, batch, this.positions, this.channels);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, keepdims: this.keepdims };
  }
}

export const globalPoolingDescriptors: LayerDescriptor[] = (['avg', 'max'] as const).map((kind) => ({
  className: CLASS_NAMES[kind],
  fromConfig: (c) => new GlobalPooling2D(kind, c as GlobalPooling2DOptions),
  tfjs: {
    options: ['keepdims'], spatial: true,
    inexpressible: (c) => (c.keepdims ? 'has keepdims true, which TensorFlow.js 4 does not have' : undefined),
  },
}));
