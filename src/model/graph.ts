// The graph between a model's inputs and outputs: the nodes that compute, in an order where each
// comes after the nodes it reads, found by walking back from the outputs (without recursion, so a
// graph of any size walks on a flat stack). The order is Keras's and TensorFlow.js's, so layers and
// weights list as they do there. Everything a graph can get wrong is a ConfigError naming the
// layers, raised here before anything is allocated.
import { ConfigError } from '../errors.js';
import { InputLayer } from '../layers/input-layer.js';
import type { Layer } from '../layers/layer.js';
import { type LayerNode, SymbolicTensor } from '../layers/node.js';
import { withArticle } from '../article.js';
import { shownValue } from '../shown-value.js';

export interface Graph {
  inputs: SymbolicTensor<Layer>[];
  outputs: SymbolicTensor<Layer>[];
  /** The nodes that compute (input nodes left out), each after the nodes it reads, in Keras's order. */
  nodes: LayerNode<Layer>[];
  /** Every node, the inputs' included, in Keras's order: a model's `layers`. */
  ordered: LayerNode<Layer>[];
}

/** A layer that holds a graph of its own (a nested model): its own layers, to check across nesting. */
export interface GraphOwner {
  readonly name: string;
  readonly innerLayers: readonly Layer[];
}

const isGraphOwner = (layer: Layer): layer is Layer & GraphOwner => 'innerLayers' in layer;

function checkTensors(tensors: unknown, what: string, who: string): SymbolicTensor<Layer>[] {
  const list = Array.isArray(tensors) ? tensors : [tensors];
  const bad = list.findIndex((t) => !(t instanceof SymbolicTensor));
  if (list.length === 0 || bad >= 0) {
    throw new ConfigError(`${who}: ${what} must be symbolic tensors (from input() or a layer's apply()), ` +
      `got ${list.length === 0 ? 'none' : String(list[bad])}`);
  }
  if (new Set(list).size !== list.length) throw new ConfigError(`${who}: ${what} name the same tensor twice`);
  return list as SymbolicTensor<Layer>[];
}

export function buildGraph(inputsGiven: unknown, outputsGiven: unknown, who: string): Graph {
  const inputs = checkTensors(inputsGiven, 'inputs', who);
  const outputs = checkTensors(outputsGiven, 'outputs', who);
  const notInput = inputs.find((t) => !(t.sourceLayer instanceof InputLayer));
  if (notInput) {
    throw new ConfigError(`${who}: input ${notInput.name} is the output of ${withArticle(notInput.sourceLayer.className)}; ` +
      'a model\'s inputs come from input() (or another model\'s inputs)');
  }
  const inputNodes = new Set(inputs.map((t) => t.node));
  const reached = new Set<LayerNode<Layer>>();
  const done = new Set<LayerNode<Layer>>();
  const onPath = new Set<LayerNode<Layer>>();
  /** Where the walk first met each node, and every node after the nodes it reads (a post-order). */
  const firstMet = new Map<LayerNode<Layer>, number>();
  const postOrder: LayerNode<Layer>[] = [];
  // Depth first from each output, inputs in order: the same orders for the same graph.
  for (const output of outputs) {
    const stack: Array<{ node: LayerNode<Layer>; next: number }> = [{ node: output.node, next: 0 }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      const { node } = top;
      if (top.next === 0) {
        if (done.has(node)) { stack.pop(); continue; }
        firstMet.set(node, firstMet.size);
        if (inputNodes.has(node)) { reached.add(node); done.add(node); postOrder.push(node); stack.pop(); continue; }
        if (node.layer instanceof InputLayer) {
          throw new ConfigError(`${who}: output ${output.name} depends on input ${node.layer.name}, which is not among the model's ` +
            `inputs (${inputs.map((t) => t.name).join(', ')}); list it in inputs, or cut the graph after it`);
        }
        onPath.add(node);
      }
      if (top.next < node.inputs.length) {
        const child = node.inputs[top.next++].node;
        if (onPath.has(child)) throw new ConfigError(`${who}: the graph has a cycle through ${child.layer.name} and ${node.layer.name}`);
        stack.push({ node: child, next: 0 });
        continue;
      }
      stack.pop();
      onPath.delete(node);
      done.add(node);
      postOrder.push(node);
    }
  }
  const unused = inputs.find((t) => !reached.has(t.node));
  if (unused) {
    throw new ConfigError(`${who}: input ${unused.name} is not used by any output (${outputs.map((t) => t.name).join(', ')}); ` +
      'leave it out of inputs, or connect it');
  }
  const ordered = kerasOrder(postOrder, firstMet);
  const nodes = ordered.filter((n) => !inputNodes.has(n));
  checkLayers([...inputs.map((t) => t.sourceLayer), ...nodes.map((n) => n.layer)], who);
  return { inputs, outputs, nodes, ordered };
}

/**
 * Keras's (and TensorFlow.js's) order of a graph's layers: by depth, the longest path from the node
 * to an output, deepest first (so each node comes after the nodes it reads), then in the order the
 * walk back from the outputs first met them.
 */
function kerasOrder(postOrder: LayerNode<Layer>[], firstMet: ReadonlyMap<LayerNode<Layer>, number>): LayerNode<Layer>[] {
  const depth = new Map<LayerNode<Layer>, number>();
  // Readers before the nodes they read: each node's depth is final when its turn comes.
  for (let i = postOrder.length - 1; i >= 0; i--) {
    const node = postOrder[i];
    const own = depth.get(node) ?? 0;
    for (const input of node.inputs) depth.set(input.node, Math.max(depth.get(input.node) ?? 0, own + 1));
  }
  return [...postOrder].sort((a, b) => (depth.get(b) ?? 0) - (depth.get(a) ?? 0) || firstMet.get(a)! - firstMet.get(b)!);
}

/** Layer names are unique in a model (weights are matched by name), and no layer sits in two places. */
function checkLayers(layers: Layer[], who: string): void {
  const names = new Map<string, Layer>();
  for (const layer of layers) {
    const other = names.get(layer.name);
    if (other) throw new ConfigError(`${who}: two layers are named ${shownValue(layer.name)} (${withArticle(other.className)} and ${withArticle(layer.className)}); names must be unique`);
    names.set(layer.name, layer);
  }
  const places = new Map<Layer, string>();
  const pending: Array<{ layer: Layer; where: string }> = layers.map((layer) => ({ layer, where: who }));
  while (pending.length > 0) {
    const { layer, where } = pending.pop()!;
    if (layer instanceof InputLayer && where !== who) continue; // a nested model's inputs are fed by the outer graph
    const seen = places.get(layer);
    if (seen) {
      throw new ConfigError(`${who}: layer ${layer.name} is used in two places (in ${seen} and in ${where}); ` +
        'a layer has one place: create another layer for the other place');
    }
    places.set(layer, where);
    if (isGraphOwner(layer)) pending.push(...layer.innerLayers.map((inner) => ({ layer: inner, where: `model ${layer.name}` })));
  }
}
