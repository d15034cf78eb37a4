// Where a graph starts: input({ shape }) makes an InputLayer and returns its symbolic output. It
// computes nothing; the model feeds each batch of its input straight to the layers that read it.
import { ConfigError, ShapeError } from '../errors.js';
import { type Shape, formatShape, isExampleShape } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { type InferenceOutput, Layer, type LayerConfig } from './layer.js';
import { LayerNode, type SymbolicTensor } from './node.js';

export interface InputOptions {
  /** The shape of one example, without the batch: [height, width, channels] for images. */
  shape: readonly number[];
  name?: string;
}

export class InputLayer extends Layer {
  readonly className = 'InputLayer';
  private readonly source: LayerNode<Layer>;

  constructor(options: InputOptions) {
    super(options?.name, 'input');
    if (!isExampleShape(options?.shape)) {
      throw new ShapeError(`${this.name}: shape ${shownValue(options?.shape)} is not valid; expected positive integers such as [28, 28, 1]`);
    }
    this.inputShape = this.outputShape = [...options.shape];
    this.source = new LayerNode<Layer>(this, [], this.outputShape, this.name);
  }

  get inboundNode(): LayerNode<Layer> {
    return this.source;
  }

  get output(): SymbolicTensor<Layer> {
    return this.source.output;
  }

  apply(): SymbolicTensor<Layer> {
    throw new ConfigError(`${this.name}: an InputLayer is not applied to anything; use its output (input() returns it)`);
  }

  protected computeOutputShape(): Shape {
    return this.outputShape;
  }

  protected planBuffers(): void {}

  get inferenceOutput(): InferenceOutput {
    return 'input';
  }

  forward([x]: number[]): number {
    return x;
  }

  protected backpropagate(dy: number): number[] {
    return this.inputGradient(dy);
  }

  getConfig(): LayerConfig {
    return { className: this.className, name: this.name, shape: [...this.outputShape] };
  }

  toString(): string {
    return `InputLayer ${this.name} ${formatShape(this.outputShape)}`;
  }
}

/** A symbolic input of a graph model, as TensorFlow.js's tf.input(). */
export const input = (options: InputOptions): SymbolicTensor<Layer> => new InputLayer(options).output;
