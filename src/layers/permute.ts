// Reorders the axes of each example (Keras's Permute): dims lists, for each output axis, the input
// axis it takes, counting from 1 (the batch stays first). [3, 1, 2] turns [height, width, channels]
// into [channels, height, width]; the gradient is the inverse permutation. ONNX models use it to
// flatten a feature map in PyTorch's channel-first order.
import { type Shape, formatShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Layer, type LayerConfig, checkSetting } from './layer.js';
import type { LayerDescriptor } from './descriptor.js';

export interface PermuteOptions {
  /** A permutation of 1…rank: output axis i is input axis dims[i]. */
  dims: number[];
  name?: string;
}

/** The permute kernel supports up to four axes per example. */
const MAX_RANK = 4;

/** The permute kernel's dimensions and strides, four of each, for gathering `order` (0-based) of `shape`. */
export function permuteArgs(shape: Shape, order: number[]): number[] {
  const strides = shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));
  const lead = Array.from({ length: MAX_RANK - order.length }, () => 1);
  return [...lead, ...order.map((a) => shape[a]), ...lead.map(() => 0), ...order.map((a) => strides[a])];
}

export class Permute extends Layer {
  readonly className = 'Permute';
  readonly dims: number[];
  private forwardArgs: number[] = [];
  private backwardArgs: number[] = [];
  private y = 0;
  private dx = 0;

  constructor(options: PermuteOptions) {
    super(options?.name, 'permute');
    const dims = options?.dims;
    const rank = Array.isArray(dims) ? dims.length : 0;
    checkSetting(Array.isArray(dims) && rank >= 1 && rank <= MAX_RANK && [...dims].sort((a, b) => a - b).every((d, i) => d === i + 1),
      this.name, `dims must be a permutation of 1…rank (at most ${MAX_RANK} axes), such as [2, 1] or [3, 1, 2]; got ${shownValue(dims)}`);
    this.dims = [...dims];
  }

  protected computeOutputShape([input]: Shape[]): Shape {
    checkSetting(input.length === this.dims.length, this.name,
      `dims ${shownValue(this.dims)} permute ${this.dims.length} axes, but the input has ${input.length}: ${formatShape(input)}`);
    const order = this.dims.map((d) => d - 1);
    const output = order.map((a) => input[a]);
    this.forwardArgs = permuteArgs(input, order);
    // The gradient goes back: input axis a comes from the output axis that took it.
    this.backwardArgs = permuteArgs(output, input.map((_, a) => order.indexOf(a)));
    return output;
  }

  protected planBuffers(capacity: number): void {
    this.y = this.outputBuffer(capacity * this.outputSize);
    this.dx = this.inputGradientBuffer(capacity * this.inputSize);
  }

  forward([x]: number[], batch: number): number {
    const [d0, d1, d2, d3, s0, s1, s2, s3] = this.forwardArgs;
    this.kernels.permute(x, this.y, batch, d0, d1, d2, d3, s0, s1, s2, s3);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    if (!needInputGradients) return this.inputGradient(0);
    const [d0, d1, d2, d3, s0, s1, s2, s3] = this.backwardArgs;
    this.kernels.permute(dy, this.dx, batch, d0, d1, d2, d3, s0, s1, s2, s3);
    return this.inputGradient(this.dx);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, dims: [...this.dims] };
  }
}

export const permuteDescriptor: LayerDescriptor = {
  className: 'Permute',
  fromConfig: (c) => new Permute(c as unknown as PermuteOptions),
  tfjs: { options: ['dims'] },
};
