// The order the nodes run in: each after the nodes whose outputs it reads (Kahn's algorithm over
// value names, without recursion). The graph is checked on the way: every value a node reads must
// come from the inputs, an initializer or exactly one node; a value written twice, an input no one
// produces, and a cycle are each a FileFormatError naming the node.
import { FileFormatError } from '../index.js';
import type { onnx } from './proto/onnx.js';

type Node = onnx.NodeProto.$Properties;

/** How errors name a node: its name, or its operator and place when it has none. */
const nodeLabel = (node: Node, index: number) => `node "${node.name || `#${index}`}" (${node.opType || 'no operator'})`;

/** The nodes' indices in an order that runs each after its inputs; `given` holds the graph inputs and initializers. */
export function orderNodes(nodes: readonly Node[], given: ReadonlySet<string>, file: string): number[] {
  const fail = (message: string) => new FileFormatError(`${file}: ${message}`);
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => {
    for (const name of node.output ?? []) {
      if (name === '') continue;
      const other = producer.get(name);
      if (other !== undefined) throw fail(`${nodeLabel(node, i)} writes "${name}", which ${nodeLabel(nodes[other], other)} also writes`);
      if (given.has(name)) throw fail(`${nodeLabel(node, i)} writes "${name}", which is also a graph input or initializer`);
      producer.set(name, i);
    }
  });
  // For each node, how many producing nodes it still waits for; for each node, who reads it.
  const waiting = new Array<number>(nodes.length).fill(0);
  const readers = nodes.map(() => [] as number[]);
  nodes.forEach((node, i) => {
    for (const name of node.input ?? []) {
      if (name === '' || given.has(name)) continue;
      const from = producer.get(name);
      if (from === undefined) {
        throw fail(`${nodeLabel(node, i)} reads "${name}", which no node, graph input or initializer produces`);
      }
      waiting[i]++;
      readers[from].push(i);
    }
  });
  const order = nodes.map((_, i) => i).filter((i) => waiting[i] === 0);
  for (let next = 0; next < order.length; next++) {
    for (const reader of readers[order[next]]) if (--waiting[reader] === 0) order.push(reader);
  }
  if (order.length < nodes.length) {
    // Every node left reads another node left: walking back from one comes round into a cycle.
    const seen = new Set<number>();
    let at = waiting.findIndex((w) => w > 0);
    while (!seen.has(at)) {
      seen.add(at);
      at = (nodes[at].input ?? []).map((n) => producer.get(n)).find((p) => p !== undefined && waiting[p] > 0)!;
    }
    throw fail(`${nodeLabel(nodes[at], at)} is in a cycle: it reads, through other nodes, its own output`);
  }
  return order;
}
