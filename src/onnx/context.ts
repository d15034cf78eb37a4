// What an operator's entry sees of the node it converts: its inputs as values, its attributes
// (every attribute it does not read is refused afterwards, so none is ignored by accident), and
// the means to apply convas layers, give them weights and refuse by name.
import { ConvasError, FileFormatError, type Layer } from '../index.js';
import { int64 } from './decode.js';
import type { onnx } from './proto/onnx.js';
import { type Constant, readTensor } from './tensors.js';
import { type TensorValue, type Value, formatDims, onnxDims } from './values.js';

/** What the importer lends each node's context. */
export interface Graph {
  readonly file: string;
  readonly opset: number;
  /** The batch size the model was exported with, when its input fixed one (a reshape may name it). */
  readonly exportedBatch: number | undefined;
  value(name: string): Value | undefined;
  /** A unique convas layer name made from `base`. */
  layerName(base: string): string;
  setWeights(layer: Layer, weights: Record<string, Float32Array>): void;
  /** The nodes that read a value, and whether it is a graph output. */
  readers(name: string): Array<{ node: onnx.NodeProto.$Properties; index: number }>;
  isOutput(name: string): boolean;
  /** Lets the node at `index` take the value of `name` without converting it (an activation fused into its producer). */
  absorb(index: number, name: string): void;
}

/** How an operator is read: evaluated when every input is a constant, converted to layers otherwise. */
export interface OpEntry {
  fold?(ctx: NodeContext): Value | Value[] | Promise<Value | Value[]>;
  convert?(ctx: NodeContext): Value | Value[] | Promise<Value | Value[]>;
}

type AttributeType = 'float' | 'int' | 'string' | 'tensor' | 'floats' | 'ints';
/** AttributeProto.AttributeType codes. */
const ATTRIBUTE_TYPES: Record<AttributeType, number> = { float: 1, int: 2, string: 3, tensor: 4, floats: 6, ints: 7 };

export class NodeContext {
  readonly op: string;
  /** The node's name, or its operator and place; convas's layers take their names from it. */
  readonly name: string;
  private readonly attributes: Map<string, onnx.AttributeProto.$Properties>;
  private readonly read = new Set<string>();

  constructor(private readonly graph: Graph, readonly node: onnx.NodeProto.$Properties, readonly index: number) {
    this.op = node.opType ?? '';
    this.name = node.name || `${this.op}_${index}`;
    this.attributes = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  }

  get opset(): number {
    return this.graph.opset;
  }

  get exportedBatch(): number | undefined {
    return this.graph.exportedBatch;
  }

  /** A FileFormatError naming the file, the node and its operator. */
  refuse(message: string): never {
    throw new FileFormatError(`${this.graph.file}: node "${this.name}" (${this.op}): ${message}`);
  }

  // --- inputs

  get inputCount(): number {
    return (this.node.input ?? []).length;
  }

  /** Input i, or undefined when absent (beyond the list, or named ''). */
  input(i: number): Value | undefined {
    const name = (this.node.input ?? [])[i];
    return name ? this.graph.value(name) : undefined;
  }

  inputName(i: number): string {
    return (this.node.input ?? [])[i] ?? '';
  }

  /** Input i as a tensor computed by layers, with any padding a Pad node left for it. */
  paddedTensor(i: number): TensorValue {
    const value = this.input(i);
    if (!value) this.refuse(`input ${i} is missing`);
    if (value.kind !== 'tensor') this.refuse(`input ${i} ("${this.inputName(i)}") is a constant; convas expects a tensor computed from the model's input there`);
    return value;
  }

  /** Input i as a tensor; a Pad before it must have been taken by a layer that pads. */
  tensor(i: number): TensorValue {
    const value = this.paddedTensor(i);
    if (value.pad) {
      this.refuse(`reads "${this.inputName(i)}", padded by a Pad node with zeros ${JSON.stringify(value.pad)}; convas applies such a Pad ` +
        'only as the padding of the convolution (or average pooling) that reads it');
    }
    return value;
  }

  /** Input i as a constant (an initializer, a Constant node, or computed from them). */
  constant(i: number, what = `input ${i}`): Constant {
    const value = this.input(i);
    if (!value) this.refuse(`${what} is missing`);
    if (value.kind !== 'constant') this.refuse(`${what} ("${this.inputName(i)}") is computed from the model's input; convas needs a constant there`);
    return value;
  }

  /** Input i as integers (axes, shapes, pads), or `fallback` when absent. */
  ints(i: number, what: string, fallback?: number[]): number[] {
    if (!this.input(i) && fallback) return fallback;
    const c = this.constant(i, what);
    if (c.type !== 'int') this.refuse(`${what} holds floats; expected integers`);
    return c.data as number[];
  }

  /** Input i as one number (a scalar or a one-element tensor), or `fallback` when absent. */
  scalar(i: number, what: string, fallback?: number): number {
    if (!this.input(i) && fallback !== undefined) return fallback;
    const c = this.constant(i, what);
    if (c.data.length !== 1) this.refuse(`${what} has dims ${formatDims(c.dims)}; expected one number`);
    return c.data[0];
  }

  // --- attributes

  private attribute(name: string, type: AttributeType): onnx.AttributeProto.$Properties | undefined {
    this.read.add(name);
    const a = this.attributes.get(name);
    if (a && a.type !== ATTRIBUTE_TYPES[type]) this.refuse(`attribute ${name} is of type ${a.type}; expected ${type.toUpperCase()}`);
    return a;
  }

  has(name: string): boolean {
    return this.attributes.has(name);
  }

  int(name: string, fallback: number): number {
    const a = this.attribute(name, 'int');
    return a ? int64(a.i) : fallback;
  }

  intList(name: string, fallback: number[]): number[] {
    const a = this.attribute(name, 'ints');
    return a ? (a.ints ?? []).map(int64) : fallback;
  }

  float(name: string, fallback: number): number {
    const a = this.attribute(name, 'float');
    return a ? (a.f ?? 0) : fallback;
  }

  floatList(name: string, fallback: number[]): number[] {
    const a = this.attribute(name, 'floats');
    return a ? [...(a.floats ?? [])] : fallback;
  }

  string(name: string, fallback: string): string {
    const a = this.attribute(name, 'string');
    return a ? new TextDecoder().decode(a.s ?? new Uint8Array()) : fallback;
  }

  async tensorAttribute(name: string): Promise<Constant | undefined> {
    const a = this.attribute(name, 'tensor');
    return a?.t ? readTensor(a.t, `node "${this.name}" (${this.op}) attribute ${name}`, this.graph.file) : undefined;
  }

  /** Refuses the attributes the entry never asked for: convas would otherwise ignore what they say. */
  checkAttributesRead(): void {
    const unread = [...this.attributes.keys()].filter((a) => !this.read.has(a));
    if (unread.length) this.refuse(`attribute${unread.length > 1 ? 's' : ''} ${unread.join(', ')} ${unread.length > 1 ? 'are' : 'is'} not supported`);
  }

  /** Marks attributes as understood though they change nothing convas computes (e.g. a training-only momentum). */
  ignore(...names: string[]): void {
    names.forEach((n) => this.read.add(n));
  }

  // --- layers

  /** A convas layer name for this node (with a suffix for a second layer of the same node). */
  layerName(suffix = ''): string {
    return this.graph.layerName(`${this.name}${suffix}`);
  }

  /** Applies `layer` to the inputs; settings convas refuses become this node's FileFormatError. */
  apply(layer: Layer, inputs: TensorValue[]): TensorValue {
    try {
      const tensor = layer.apply(inputs.length === 1 ? inputs[0].tensor : inputs.map((v) => v.tensor));
      return { kind: 'tensor', tensor, dims: onnxDims(tensor.shape) };
    } catch (error) {
      if (error instanceof ConvasError) this.refuse(error.message);
      throw error;
    }
  }

  /** Makes a layer with `make` (its settings checked as the node's) and applies it. */
  layer(make: () => Layer, inputs: TensorValue[]): { layer: Layer; output: TensorValue } {
    let layer: Layer;
    try {
      layer = make();
    } catch (error) {
      if (error instanceof ConvasError) this.refuse(error.message);
      throw error;
    }
    return { layer, output: this.apply(layer, inputs) };
  }

  /** The layer's weights (by their short names: kernel, bias), set once the model is built; each must be finite. */
  setWeights(layer: Layer, weights: Record<string, Float32Array>): void {
    for (const [name, values] of Object.entries(weights)) {
      const bad = values.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0) this.refuse(`its ${name} holds ${values[bad]} at index ${bad}; expected finite weights`);
    }
    this.graph.setWeights(layer, weights);
  }

  /**
   * When this node's only output is read by exactly one node, an activation of one of `ops`, and is
   * no graph output, that node is absorbed (its output becomes this node's) and its activation is
   * returned, for the layer to apply on its way out; otherwise undefined.
   */
  fusedActivation(ops: Record<string, string>, accepts: (reader: onnx.NodeProto.$Properties) => boolean = () => true): string | undefined {
    const output = (this.node.output ?? [])[0];
    if (!output || this.graph.isOutput(output)) return undefined;
    const readers = this.graph.readers(output);
    if (readers.length !== 1) return undefined;
    const [{ node, index }] = readers;
    const activation = ops[node.opType ?? ''];
    if (!activation || (node.attribute ?? []).some((a) => a.name !== 'axis') || !accepts(node)) return undefined;
    this.graph.absorb(index, output);
    return activation;
  }
}
