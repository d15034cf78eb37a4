// Matching a pattern of nodes that a layer is read from (a decomposed layer, group or unit
// normalisation): the nodes reading a value, each absorbed only when nothing else reads its input.
import type { Graph } from '../context.js';
import type { onnx } from '../proto/onnx.js';

export type Reader = { node: onnx.NodeProto.$Properties; index: number };

export const outputOf = (reader: Reader) => (reader.node.output ?? [])[0];

/** A node of `op` with no attributes and one output, and inputs that `fits` accepts. */
export const isPlain = (reader: Reader, op: string, fits: (inputs: string[]) => boolean) =>
  reader.node.opType === op && !reader.node.domain && !(reader.node.attribute ?? []).length && (reader.node.output ?? []).length === 1 &&
  fits(reader.node.input ?? []);

/** The nodes reading `value`, none when it is a graph output (its value must stay as it is). */
export const readersOf = (graph: Graph, value: string) => (graph.isOutput(value) ? [] : graph.readers(value));

/** The one node reading `value` (no graph output), when it is a plain `op` whose inputs `fits` accepts. */
export function soleReader(graph: Graph, value: string, op: string, fits: (inputs: string[]) => boolean): Reader | undefined {
  const readers = readersOf(graph, value);
  return readers.length === 1 && isPlain(readers[0], op, fits) ? readers[0] : undefined;
}
