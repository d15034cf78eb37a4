// Naive reference of a whole graph model, composed from the layer references (stack.ts) and the
// merge references (merge.ts): forward, every tensor's value; backward, the gradient of every graph
// input and every layer's weight gradients, a tensor read by several layers (or twice by one)
// getting the sum of their gradients. Nested models are graphs inside the graph. The graph is plain
// data (GraphSpec), the same that tests/graphs.ts draws and builds as a convas model.
import type { LayerConfig } from '../../src/layers/index.js';
import { concatenateBackward, concatenateForward, concatenateShape, mergeBackward, mergeForward } from './merge.js';
import { type StackLayer, layerBackward, layerForward, layerOutputShape } from './stack.js';

/** A graph as plain data: what tests draw, this reference evaluates and convas builds. */
export interface GraphSpec {
  /** 'model' (functional), or 'sequential': one input, each node reading the one before. */
  kind: 'model' | 'sequential';
  name: string;
  /**
   * The graph's inputs by name; the outermost graph gives their per-example shapes, a nested
   * graph takes the shapes of the tensors it is applied to.
   */
  inputs: Array<{ name: string; shape?: number[] }>;
  /** Each node after the nodes it reads. */
  nodes: GraphNode[];
  /** The tensor (a node's or an input's name) the graph outputs. */
  output: string;
}

export interface GraphNode {
  /** The layer's name, which is also the name of the tensor it outputs: unique across nesting. */
  name: string;
  /** The tensors it reads, by name, in order; one name may come twice. */
  inputs: string[];
  /** A layer's settings (className and options, without the name)… */
  config?: LayerConfig;
  /** …or a model used as a layer. */
  graph?: GraphSpec;
  /** False freezes the layer (a nested model: every layer in it). */
  trainable: boolean;
}

/** Each layer's weights (or weight gradients), by layer name, in the order the layer holds them. */
export type LayerWeights = Map<string, Float32Array[]>;

/** Every tensor's value for a batch, and its per-example shape, by name (nested graphs' included). */
export interface GraphValues {
  values: Map<string, Float32Array>;
  shapes: Map<string, number[]>;
}

const ELEMENTWISE = ['Add', 'Multiply', 'Average', 'Maximum'];

/**
 * What becomes of a value that passes from node to node: unchanged, or (tests/rounding.ts) nudged as
 * the f32 rounding of the kernel that made it may move it.
 */
export type Rounding = (values: Float32Array) => Float32Array;
const exact: Rounding = (values) => values;

const stackLayer = (node: GraphNode, inputShape: number[], weights: LayerWeights): StackLayer =>
  ({ config: node.config!, inputShape, weights: weights.get(node.name) ?? [] });

/**
 * Runs the graph on `xs` (one batch per input, in order); `into` collects the values of nested graphs
 * too. Each node's output goes through `round`, for the nodes that read it and for its own backward
 * (a sigmoid's derivative read from its output sees the output's rounding, as in wasm), except a
 * Maximum's: that is one of its inputs exactly, and its backward finds it among them.
 */
export function graphForward(spec: GraphSpec, weights: LayerWeights, xs: Float32Array[], shapes: number[][], batch: number,
  round: Rounding = exact, into: GraphValues = { values: new Map(), shapes: new Map() }): GraphValues {
  spec.inputs.forEach((input, i) => {
    into.values.set(input.name, xs[i]);
    into.shapes.set(input.name, shapes[i]);
  });
  for (const node of spec.nodes) {
    const inputs = node.inputs.map((name) => into.values.get(name)!);
    const inputShapes = node.inputs.map((name) => into.shapes.get(name)!);
    let y: Float32Array, shape: number[];
    const className = node.config?.className;
    if (node.graph) {
      graphForward(node.graph, weights, inputs, inputShapes, batch, round, into);
      y = into.values.get(node.graph.output)!;
      shape = into.shapes.get(node.graph.output)!;
    } else if (className === 'Concatenate') {
      const axis = (node.config!.axis as number | undefined) ?? -1;
      y = concatenateForward(inputs, inputShapes, axis, batch);
      shape = concatenateShape(inputShapes, axis);
    } else if (ELEMENTWISE.includes(className!)) {
      y = className === 'Maximum' ? mergeForward(className, inputs) : round(mergeForward(className!, inputs));
      shape = inputShapes[0];
    } else {
      const layer = stackLayer(node, inputShapes[0], weights);
      y = round(layerForward(layer, inputs[0], batch));
      shape = layerOutputShape(layer);
    }
    into.values.set(node.name, y);
    into.shapes.set(node.name, shape);
  }
  return into;
}

/**
 * Backpropagates `dy`, the gradient of the graph's output, through values from graphForward: the
 * gradient of each input (zeros where none flows) and, in `into`, every layer's weight gradients
 * (summed over the batch), frozen layers' included. The gradient that reaches each node goes
 * through `round` before the node's backward reads it.
 */
export function graphBackward(spec: GraphSpec, weights: LayerWeights, forward: GraphValues, dy: Float32Array, batch: number,
  round: Rounding = exact, into: LayerWeights = new Map()): { inputs: Float32Array[]; weights: LayerWeights } {
  const sums = new Map<string, Float64Array>();
  const receive = (name: string, gradient: Float32Array) => {
    const sum = sums.get(name);
    if (sum) gradient.forEach((g, i) => { sum[i] += g; });
    else sums.set(name, Float64Array.from(gradient));
  };
  receive(spec.output, dy);
  for (let n = spec.nodes.length - 1; n >= 0; n--) {
    const node = spec.nodes[n];
    const sum = sums.get(node.name);
    if (!sum) continue; // nothing the output depends on reads it
    const dOut = round(Float32Array.from(sum));
    const inputs = node.inputs.map((name) => forward.values.get(name)!);
    const inputShapes = node.inputs.map((name) => forward.shapes.get(name)!);
    const y = forward.values.get(node.name)!;
    const className = node.config?.className;
    let dxs: Float32Array[];
    if (node.graph) {
      dxs = graphBackward(node.graph, weights, forward, dOut, batch, round, into).inputs;
    } else if (className === 'Concatenate') {
      dxs = concatenateBackward(dOut, inputShapes, (node.config!.axis as number | undefined) ?? -1, batch);
    } else if (ELEMENTWISE.includes(className!)) {
      dxs = mergeBackward(className!, inputs, y, dOut);
    } else {
      const step = layerBackward(stackLayer(node, inputShapes[0], weights), inputs[0], y, dOut, batch);
      into.set(node.name, step.grads);
      dxs = [step.dx];
    }
    node.inputs.forEach((name, i) => receive(name, dxs[i]));
  }
  const inputs = spec.inputs.map((input) => {
    const sum = sums.get(input.name);
    return sum ? Float32Array.from(sum) : new Float32Array(forward.values.get(input.name)!.length);
  });
  return { inputs, weights: into };
}
