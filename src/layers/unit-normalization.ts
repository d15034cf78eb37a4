// Unit normalisation over the last axis (Keras's UnitNormalization, PyTorch's F.normalize): each
// position of each example — a vector's features, an image's pixel — divided by the L2 norm of
// its own values, y = x / max(‖x‖, minNorm). Keras 3 (from 3.6) computes x·rsqrt(max(Σx², ε²)) with
// ε = 1e-12, the norm floored at 1e-12, which is minNorm's default and PyTorch's F.normalize's eps;
// Keras 2 and Keras 3.0 to 3.5 floored Σx² at 1e-12, the norm at 1e-6 (minNorm 1e-6); x / x.norm(…)
// has no floor (minNorm 0: a row of zeros gives NaN, as there). The floor acts only on rows of norm
// below it. No weights, no statistics: training and inference alike.
// Rows are a few channels each, so the work is one pass in the host over the row, in f64.
import { getBackend } from '../backend/wasm.js';
import type { Shape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';
import { checkLastAxis } from './normalization-settings.js';

/** Keras 3's floor on the norm: the ε its UnitNormalization passes to ops.normalize. */
const KERAS_MIN_NORM = 1e-12;

export interface UnitNormalizationOptions {
  /** The axis normalised over, counted with the batch: -1 (the last axis, which files may write as its index or [index]) only. */
  axis?: number | [number];
  /** The smallest norm divided by (rows of a smaller norm are divided by it): 1e-12 (Keras 3's, F.normalize's); 1e-6 for Keras 2's; 0 for none. */
  minNorm?: number;
  name?: string;
}

export class UnitNormalization extends Layer {
  readonly className = 'UnitNormalization';
  readonly axis: number;
  readonly minNorm: number;
  private channels = 0;
  private x = 0;
  private y = 0;
  private dx = 0;

  constructor(options: UnitNormalizationOptions = {}) {
    super(options.name, 'unit_normalization');
    const axis = Array.isArray(options.axis) && options.axis.length === 1 ? options.axis[0] : options.axis ?? -1;
    checkSetting(Number.isInteger(axis), this.name,
      `axis must be an integer (the last axis, -1), got ${shownValue(options.axis)}; convas normalises over one axis, the last`);
    this.axis = axis as number;
    this.minNorm = options.minNorm ?? KERAS_MIN_NORM;
    checkSetting(typeof this.minNorm === 'number' && Number.isFinite(this.minNorm) && this.minNorm >= 0, this.name,
      `minNorm must be a finite number ≥ 0 (the smallest norm divided by; 0 for none), got ${shownValue(options.minNorm)}`);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkLastAxis(this.axis, input, this.name, 'normalises over');
    this.channels = input[input.length - 1];
    return input;
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.inputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
  }

  /** The L2 norm of the row of `heap` at float index `start`. */
  private rowNorm(heap: Float32Array, start: number): number {
    let squares = 0;
    for (let c = start; c < start + this.channels; c++) squares += heap[c] * heap[c];
    return Math.sqrt(squares);
  }

  // Rows are read and written through the whole heap at float indices (pointer / 4): a training
  // step makes no views and no objects.
  forward([x]: number[], batch: number): number {
    this.x = x;
    const heap = getBackend().memory.heapF32, length = batch * this.inputSize, from = x >>> 2, to = this.y >>> 2;
    for (let start = 0; start < length; start += this.channels) {
      const norm = Math.max(this.rowNorm(heap, from + start), this.minNorm);
      for (let c = 0; c < this.channels; c++) heap[to + start + c] = heap[from + start + c] / norm;
    }
    return this.y;
  }

  /** dx = (dy − y·Σ y·dy)/n where the norm n is the row's own, dy/n where the floor holds it (n a constant there). */
  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    const heap = getBackend().memory.heapF32, length = batch * this.inputSize, x = this.x >>> 2, g = dy >>> 2, dx = this.dx >>> 2;
    for (let start = 0; start < length; start += this.channels) {
      const own = this.rowNorm(heap, x + start), norm = Math.max(own, this.minNorm);
      let along = 0;
      if (own >= this.minNorm) for (let c = 0; c < this.channels; c++) along += heap[x + start + c] * heap[g + start + c];
      along /= norm * norm;
      for (let c = 0; c < this.channels; c++) heap[dx + start + c] = (heap[g + start + c] - heap[x + start + c] * along) / norm;
    }
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, axis: this.axis, minNorm: this.minNorm };
  }
}

/** convas's own in files: TensorFlow.js has no UnitNormalization, so a model with one saves in the convas format. */
export const unitNormalizationDescriptor: LayerDescriptor = {
  className: 'UnitNormalization',
  fromConfig: (c) => new UnitNormalization(c as UnitNormalizationOptions),
};
