// The symbolic side of the functional API (as in Keras): applying a layer to symbolic tensors
// records a node — which layer, reading which tensors — and gives the symbolic tensor it outputs.
// Nothing is computed or allocated here; a model is then the graph of nodes between its inputs
// and outputs.
import type { Shape } from '../shape.js';

/** One application of a layer: the tensors it reads, and the one it makes. */
export class LayerNode<L = unknown> {
  readonly output: SymbolicTensor<L>;

  constructor(readonly layer: L, readonly inputs: readonly SymbolicTensor<L>[], outputShape: Shape, outputName: string) {
    this.output = new SymbolicTensor(outputShape, this, outputName);
  }
}

/** A placeholder for the per-example values a layer will output: its shape, and the node that makes it. */
export class SymbolicTensor<L = unknown> {
  constructor(readonly shape: Shape, readonly node: LayerNode<L>, readonly name: string) {}

  /** The layer whose output this is. */
  get sourceLayer(): L {
    return this.node.layer;
  }

  toString(): string {
    return `SymbolicTensor ${this.name} [batch, ${this.shape.join(', ')}]`;
  }
}
