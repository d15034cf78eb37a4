// y = x·scale + offset (Keras's Rescaling): constants of the model, not weights, each a number or
// one value per channel (the last axis). ONNX models use it for the constants PyTorch multiplies,
// divides, adds or subtracts (an input's normalisation, a scalar factor); the gradient is dy·scale.
import { FUSED_ACTIVATION } from '../backend/kernels.js';
import { getBackend } from '../backend/wasm.js';
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export interface RescalingOptions {
  /** A number, or one per channel (the last axis of the input). */
  scale: number | number[];
  /** A number, or one per channel (0 by default). */
  offset?: number | number[];
  name?: string;
}

const isConstant = (v: unknown) => (typeof v === 'number' && Number.isFinite(v)) ||
  (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isFinite(x)));

export class Rescaling extends Layer {
  readonly className = 'Rescaling';
  readonly scale: number | number[];
  readonly offset: number | number[];
  private channels = 0;
  /** The scale and the offset per channel, as channelAffine (batch normalisation's kernel) takes them. */
  private channelScale = 0;
  private channelOffset = 0;
  private y = 0;
  private dx = 0;

  constructor(options: RescalingOptions) {
    super(options?.name, 'rescaling');
    for (const key of ['scale', 'offset'] as const) {
      const value = options?.[key];
      checkSetting((key === 'offset' && value === undefined) || isConstant(value), this.name,
        `${key} must be a finite number or an array of them (one per channel), got ${shownValue(value)}`);
    }
    this.scale = structuredClone(options.scale);
    this.offset = structuredClone(options.offset ?? 0);
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    this.channels = input[input.length - 1];
    for (const [key, value] of [['scale', this.scale], ['offset', this.offset]] as const) {
      checkSetting(!Array.isArray(value) || value.length === this.channels, this.name,
        `${key} has ${(value as number[]).length} values, but the input ${formatShape(input)} has ${this.channels} channels (its last axis)`);
    }
    return input;
  }

  private perChannel(value: number | number[]): number[] {
    return Array.isArray(value) ? value : Array.from({ length: this.channels }, () => value);
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.outputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
    this.channelScale = this.buffer(this.channels);
    this.channelOffset = this.buffer(this.channels);
    const memory = getBackend().memory;
    memory.f32(this.channelScale, this.channels).set(this.perChannel(this.scale));
    memory.f32(this.channelOffset, this.channels).set(this.perChannel(this.offset));
  }

  /** out = v·scale + shift per channel (shift 0: none), the batch split over the kernel threads. */
  private affine(v: number, shift: number, out: number, batch: number): void {
    this.parallel.normalization.channelAffine(v, 0, this.channelScale, shift, out, batch, this.inputSize / this.channels, this.channels, FUSED_ACTIVATION.none);
  }

  forward([x]: number[], batch: number): number {
    this.affine(x, this.channelOffset, this.y, batch);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    this.affine(dy, 0, this.dx, batch);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, scale: structuredClone(this.scale), offset: structuredClone(this.offset) };
  }
}

export const rescalingDescriptor: LayerDescriptor = {
  className: 'Rescaling',
  fromConfig: (c) => new Rescaling(c as unknown as RescalingOptions),
  tfjs: { options: ['scale', 'offset'] },
};
