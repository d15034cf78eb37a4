// Channels start…end − 1 of each position (the last axis: an image's channels, a vector's
// features), as PyTorch's x[:, start:end], x.chunk and torch.split take them along axis 1: a
// ShuffleNet unit or a CSP block splits its channels in two and works on one half. Each position's
// channels are one run, so forward and backward are strided row copies; the gradient is zero in the
// channels the slice left out.
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export interface ChannelSliceOptions {
  /** The first channel taken, from 0. */
  start: number;
  /** One past the last channel taken. */
  end: number;
  name?: string;
}

export class ChannelSlice extends Layer {
  readonly className = 'ChannelSlice';
  readonly start: number;
  readonly end: number;
  private y = 0;
  private dx = 0;

  constructor(options: ChannelSliceOptions) {
    super(options?.name, 'channel_slice');
    const { start, end } = options ?? ({} as ChannelSliceOptions);
    checkSetting(Number.isInteger(start) && Number.isInteger(end) && start >= 0 && end > start, this.name,
      `start and end must be integers with 0 ≤ start < end, got start ${shownValue(start)} and end ${shownValue(end)}`);
    this.start = start;
    this.end = end;
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    const channels = input.at(-1) ?? 0;
    checkSetting(this.end <= channels, this.name,
      `channels ${this.start}…${this.end - 1} do not all exist in ${formatShape(input)}, whose last axis has ${channels}`);
    return [...input.slice(0, -1), this.end - this.start];
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.outputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
  }

  /** Positions in `batch` examples, and the channels of the input and the output at each. */
  private runs(batch: number): [positions: number, channels: number, taken: number] {
    const channels = this.inputShape.at(-1)!;
    return [(batch * this.inputSize) / channels, channels, this.end - this.start];
  }

  forward([x]: number[], batch: number): number {
    const [positions, channels, taken] = this.runs(batch);
    this.kernels.copyRuns(x + this.start * 4, channels, this.y, taken, positions, taken);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    const [positions, channels, taken] = this.runs(batch);
    this.kernels.fill(this.dx, positions * channels, 0);
    this.kernels.copyRuns(dy, taken, this.dx + this.start * 4, channels, positions, taken);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, start: this.start, end: this.end };
  }
}

/** TensorFlow.js has no such layer: a model with one saves in the convas and ONNX formats. */
export const channelSliceDescriptor: LayerDescriptor = {
  className: 'ChannelSlice',
  fromConfig: (c) => new ChannelSlice(c as unknown as ChannelSliceOptions),
};
