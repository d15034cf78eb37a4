// The symbolic side of the functional API (as in Keras): applying a layer to symbolic tensors
// records a node — which layer, reading which tensors, called how — and gives the symbolic tensor
// it outputs. Nothing is computed or allocated here; a model is then the graph of nodes between its
// inputs and outputs.
import { ConfigError } from '../errors.js';
import type { Shape } from '../shape.js';
import { shownValue } from '../shown-value.js';

/** How a layer is called (Keras's call arguments, TensorFlow.js's kwargs). */
export interface CallOptions {
  /**
   * false: the call runs in inference mode even while the model trains — a batch normalisation with
   * its moving statistics, which stay as they are; a dropout or augmentation handing its input on —
   * and a model called so runs every layer in it so: Keras's `base_model(x, training=False)`, for
   * fine-tuning. Weights still train unless frozen, and gradients flow through. Left out, the call
   * follows the run: training in fit, inference in predict and evaluate.
   */
  training?: false;
}

/** Whether a call with `options` is fixed in inference mode; anything but { training: false } or nothing is refused. */
export function callsInInference(options: unknown, who: string): boolean {
  if (options === undefined) return false;
  if (options === null || typeof options !== 'object' || Array.isArray(options) || Object.keys(options).some((k) => k !== 'training')) {
    throw new ConfigError(`${who}: apply(inputs, options) takes { training: false } as its options, got ${shownValue(options)}`);
  }
  const { training } = options as { training?: unknown };
  if (training === undefined) return false;
  if (training !== false) {
    throw new ConfigError(`${who}: apply(inputs, { training }) takes false (the call runs in inference mode, in fit too), got ` +
      `${shownValue(training)}; convas fixes no call in training mode: leave training out and the call follows the run`);
  }
  return true;
}

/** One application of a layer: the tensors it reads, and the one it makes. */
export class LayerNode<L = unknown> {
  readonly output: SymbolicTensor<L>;

  /** `inferenceMode`: the call runs in inference mode in fit too (CallOptions.training false). */
  constructor(readonly layer: L, readonly inputs: readonly SymbolicTensor<L>[], outputShape: Shape, outputName: string,
    readonly inferenceMode = false) {
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
