// Elementwise merge layers: add, multiply, average and maximum of two or more inputs of one shape.
// Backward: add passes the gradient to every input as it is; average scales it by 1/n; multiply
// gives each input the gradient times the other inputs; maximum gives it to the first input that
// holds the maximum (ties always go the same way, as in max pooling).
import { ShapeError } from '../errors.js';
import { type Shape, formatShape } from '../shape.js';
import { Layer, type LayerConfig } from './layer.js';
import type { CallOptions, SymbolicTensor } from './node.js';
import type { LayerDescriptor } from './descriptor.js';

export type MergeKind = 'add' | 'multiply' | 'average' | 'maximum';

const CLASS_NAMES = { add: 'Add', multiply: 'Multiply', average: 'Average', maximum: 'Maximum' } as const;

export class Merge extends Layer {
  readonly className: string;
  /** The inputs of the last forward pass, and the gradients backward returns (reused arrays). */
  private xs: number[] = [];
  private dxs: number[] = [];
  /** multiply and maximum: one gradient buffer per input; average: one for all. */
  private gradientBuffers: number[] = [];
  private y = 0;
  /** maximum: which elements' gradient an earlier input already took. */
  private taken = 0;

  constructor(readonly kind: MergeKind, options: { name?: string } = {}) {
    super(options.name, kind);
    this.className = CLASS_NAMES[kind];
  }

  apply(inputs: SymbolicTensor<Layer> | SymbolicTensor<Layer>[], options?: CallOptions): SymbolicTensor<Layer> {
    const list = Array.isArray(inputs) ? inputs : [inputs];
    const first = list[0];
    const other = list.find((t) => t?.shape && formatShape(t.shape) !== formatShape(first.shape));
    if (other) {
      throw new ShapeError(`${this.name}: cannot ${this.kind} ${first.name} of shape ${formatShape(first.shape)} and ` +
        `${other.name} of shape ${formatShape(other.shape)}; ${this.className} takes inputs of one shape`);
    }
    return super.apply(inputs, options);
  }

  protected computeOutputShape(inputShapes: Shape[]): Shape {
    const other = inputShapes.find((s) => formatShape(s) !== formatShape(inputShapes[0]));
    if (other) {
      throw new ShapeError(`${this.name}: cannot ${this.kind} inputs of shapes ${formatShape(inputShapes[0])} and ${formatShape(other)}; ` +
        `${this.className} takes inputs of one shape`);
    }
    this.xs = inputShapes.map(() => 0);
    this.dxs = inputShapes.map(() => 0);
    return inputShapes[0];
  }

  protected planBuffers(capacity: number): void {
    const n = capacity * this.outputSize;
    this.y = this.outputBuffer(n);
    if (this.kind === 'average') this.gradientBuffers = [this.inputGradientBuffer(n)];
    if (this.kind === 'multiply' || this.kind === 'maximum') this.gradientBuffers = this.xs.map(() => this.inputGradientBuffer(n));
    if (this.kind === 'maximum') this.taken = this.inputGradientBuffer(n);
  }

  forward(inputs: number[], batch: number): number {
    const k = this.kernels;
    const n = batch * this.outputSize;
    for (let i = 0; i < inputs.length; i++) this.xs[i] = inputs[i];
    const combine = this.kind === 'multiply' ? k.multiply : this.kind === 'maximum' ? k.maximum : k.add;
    combine(inputs[0], inputs[1], this.y, n);
    for (let i = 2; i < inputs.length; i++) combine(this.y, inputs[i], this.y, n);
    if (this.kind === 'average') k.scale(this.y, this.y, n, 1 / inputs.length);
    return this.y;
  }

  protected backpropagate(dy: number, batch: number, needInputGradients: boolean): number[] {
    const k = this.kernels;
    const n = batch * this.outputSize;
    if (!needInputGradients) return this.dxs.fill(0);
    if (this.kind === 'add') return this.dxs.fill(dy);
    const buffers = this.gradientBuffers;
    if (this.kind === 'average') {
      k.scale(dy, buffers[0], n, 1 / this.xs.length);
      return this.dxs.fill(buffers[0]);
    }
    if (this.kind === 'maximum') {
      k.fill(this.taken, n, 0);
      for (let i = 0; i < this.xs.length; i++) k.maximumBackward(this.xs[i], this.y, dy, this.taken, buffers[i], n);
    } else {
      for (let i = 0; i < this.xs.length; i++) {
        const dx = buffers[i];
        let first = true;
        for (let j = 0; j < this.xs.length; j++) {
          if (j === i) continue;
          k.multiply(first ? dy : dx, this.xs[j], dx, n);
          first = false;
        }
      }
    }
    for (let i = 0; i < buffers.length; i++) this.dxs[i] = buffers[i];
    return this.dxs;
  }

  protected get takesManyInputs(): boolean {
    return true;
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name };
  }
}

export const mergeDescriptors: LayerDescriptor[] = (Object.keys(CLASS_NAMES) as MergeKind[]).map((kind) => ({
  className: CLASS_NAMES[kind],
  fromConfig: (c) => new Merge(kind, c),
  tfjs: { options: [] },
}));
