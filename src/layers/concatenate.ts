// Joins inputs along one axis (the channels by default). Per example, the data before the axis
// forms rows; each input contributes a run of every row, so forward and backward are strided
// copies of those runs.
import { ConfigError, ShapeError } from '../errors.js';
import { type Shape, formatShape, sizeOf } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Layer, type LayerConfig } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export interface ConcatenateOptions {
  /** Keras's axis, counting the batch as axis 0: −1 (default) or 3 is the channels of an image. */
  axis?: number;
  name?: string;
}

export class Concatenate extends Layer {
  readonly className = 'Concatenate';
  readonly axis: number;
  /** Rows per example, each input's run per row, and where its run starts in an output row. */
  private rows = 0;
  private widths: number[] = [];
  private offsets: number[] = [];
  private y = 0;
  private dxs: number[] = [];

  constructor(options: ConcatenateOptions = {}) {
    super(options.name, 'concatenate');
    this.axis = options.axis ?? -1;
    if (!Number.isInteger(this.axis) || this.axis === 0) {
      throw new ConfigError(`${this.name}: axis must be a non-zero integer (axis 0 is the batch), got ${shownValue(options.axis)}`);
    }
  }

  protected computeOutputShape(inputShapes: Shape[]): Shape {
    const rank = inputShapes[0].length;
    const at = this.axis < 0 ? rank + this.axis : this.axis - 1;
    if (at < 0 || at >= rank) {
      throw new ConfigError(`${this.name}: axis ${this.axis} does not exist for inputs of shape ${formatShape(inputShapes[0])} ` +
        `(with the batch axis: rank ${rank + 1}); expected −1 or 1 to ${rank}`);
    }
    for (const shape of inputShapes) {
      if (shape.length !== rank || shape.some((d, i) => i !== at && d !== inputShapes[0][i])) {
        throw new ShapeError(`${this.name}: cannot concatenate shapes ${formatShape(inputShapes[0])} and ${formatShape(shape)} ` +
          `along axis ${this.axis}; all other dimensions must agree`);
      }
    }
    this.rows = sizeOf(inputShapes[0].slice(0, at));
    this.widths = inputShapes.map((s) => sizeOf(s.slice(at)));
    this.offsets = this.widths.map((_, i) => this.widths.slice(0, i).reduce((a, b) => a + b, 0));
    this.dxs = inputShapes.map(() => 0);
    return inputShapes[0].map((d, i) => (i === at ? inputShapes.reduce((n, s) => n + s[at], 0) : d));
  }

  private get outputWidth(): number {
    return this.widths.reduce((a, b) => a + b, 0);
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.outputSize);
    this.dxs = this.widths.map((w) => this.inputGradientBuffer(capacity * this.rows * w));
  }

  forward(inputs: number[], batch: number): number {
    const rows = batch * this.rows, out = this.outputWidth;
    for (let i = 0; i < inputs.length; i++) {
      this.kernels.copyRuns(inputs[i], this.widths[i], this.y + this.offsets[i] * 4, out, rows, this.widths[i]);
    }
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.dxs;
    const rows = batch * this.rows, out = this.outputWidth;
    for (let i = 0; i < this.widths.length; i++) {
      this.kernels.copyRuns(dy + this.offsets[i] * 4, out, this.dxs[i], this.widths[i], rows, this.widths[i]);
    }
    return this.dxs;
  }

  protected get takesManyInputs(): boolean {
    return true;
  }

  /**
   * Once the input is known, an axis counted from the end (but −1) is written counted from the
   * start: TensorFlow.js 4 concatenates along the last axis for any negative one at run time.
   */
  getConfig(): LayerConfig {
    const axis = this.axis < -1 && this.outputShape.length ? this.outputShape.length + 1 + this.axis : this.axis;
    return { className: this.className, name: this.name, axis };
  }
}

export const concatenateDescriptor: LayerDescriptor = {
  className: 'Concatenate',
  fromConfig: (c) => new Concatenate(c as ConcatenateOptions),
  tfjs: { options: ['axis'] },
};
