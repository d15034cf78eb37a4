// What an operator's entry sees of the node it converts: its inputs as values, its attributes
// (every attribute it does not read is refused afterwards, so none is ignored by accident), the
// means to apply convas layers, give them weights and refuse by name, and the graph around it, for
// entries that read a pattern of nodes as one layer.
import { type ActivationName, ConvasError, FileFormatError, type Layer, layers } from '../index.js';
import { firstNonFinite } from '../finite.js';
import { int64 } from './decode.js';
import type { LayerWeight } from './layer-weight.js';
import type { onnx } from './proto/onnx.js';
import { type Constant, readTensor } from './tensors.js';
import { type SpatialOrder, type TensorValue, type Value, formatDims, onnxDims } from './values.js';

/** What the importer lends each node's context. */
export interface Graph {
  readonly file: string;
  readonly opset: number;
  /** The batch size the model was exported with, when its input fixed one (a reshape may name it). */
  readonly exportedBatch: number | undefined;
  /** The values held by the constants computed so far (checkComputedSize counts them and bounds them), and by the initializers. */
  readonly computed: { values: number; initializerValues: number };
  value(name: string): Value | undefined;
  /** A unique convas layer name made from `base`. */
  layerName(base: string): string;
  setWeights(layer: Layer, weights: Record<string, LayerWeight>): void;
  /** The nodes that read a value, and whether it is a graph output. */
  readers(name: string): Array<{ node: onnx.NodeProto.$Properties; index: number }>;
  /** The node that writes a value (none for graph inputs and initializers). */
  writer(name: string): onnx.NodeProto.$Properties | undefined;
  isOutput(name: string): boolean;
  /** Lets the node at `index` take the value of `name` without converting it (an activation fused into its producer). */
  absorb(index: number, name: string): void;
  /**
   * What `ask` answers of another node, from its operator's entry and a context of its own;
   * undefined when the entry has no answer, or the node has attributes the entry did not read.
   */
  inspect<T>(node: onnx.NodeProto.$Properties, index: number, ask: (entry: OpEntry, ctx: NodeContext) => T | undefined): T | undefined;
}

/** How an operator is read: evaluated when every input is a constant, converted to layers otherwise. */
export interface OpEntry {
  fold?(ctx: NodeContext): Value | Value[] | Promise<Value | Value[]>;
  convert?(ctx: NodeContext): Value | Value[] | Promise<Value | Value[]>;
  /**
   * The convas activation the node computes, exactly, given the dims of its input (the layer before
   * it may then apply it on its way out); undefined when it is none with these settings.
   */
  activation?(ctx: NodeContext, dims: number[]): ActivationName | undefined;
  /** For x·gate(x) (a Sigmoid or Hardsigmoid times its own input): the activation that product is. */
  gate?(ctx: NodeContext): ActivationName | undefined;
  /**
   * How the node maps its tensor input `input` (of `dims`, holding channels along ONNX axis
   * `channelAxis`): y = scale·x + offset, when it is such a map.
   */
  affine?(ctx: NodeContext, input: string, dims: number[], channelAxis: number): Affine | undefined;
}

/** y = scale·x + offset, each one number or one per channel. */
export interface Affine {
  scale: number | number[];
  offset: number | number[];
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
  /** The node whose output this node's result is: itself, or the last node absorbChain absorbed (a MatMul's bias Add). */
  private last: onnx.NodeProto.$Properties;
  /** The name the layers made here take: the node's, or that of the node whose output they give (nameLayersAfter). */
  private layerBase: string;

  constructor(readonly graph: Graph, readonly node: onnx.NodeProto.$Properties, readonly index: number) {
    this.op = node.opType ?? '';
    this.name = node.name || `${this.op}_${index}`;
    this.layerBase = this.name;
    this.attributes = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
    this.last = node;
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

  /** The operator of the node that writes input i, if a node does. */
  inputOp(i: number): string | undefined {
    return this.graph.writer(this.inputName(i))?.opType ?? undefined;
  }

  /** Input i as a tensor computed by layers, as it is. */
  private tensorValue(i: number): TensorValue {
    const value = this.input(i);
    if (!value) this.refuse(`input ${i} is missing`);
    if (value.kind !== 'tensor') this.refuse(`input ${i} ("${this.inputName(i)}") is a constant; convas expects a tensor computed from the model's input there`);
    return value;
  }

  /** Input i as a tensor, with any padding a Pad node left for it (a channels-last image moved where convas holds 4-D tensors). */
  paddedTensor(i: number): TensorValue {
    const value = this.tensorValue(i);
    return value.channelsLast ? value.channelsLast.permuted() : value;
  }

  /** Input i as a tensor; a Pad before it must have been taken by a layer that pads. */
  tensor(i: number): TensorValue {
    return this.unpadded(i, this.paddedTensor(i));
  }

  /**
   * Input i as convas holds it, a channels-last image unmoved: for operators that act elementwise or
   * on the last axis, whose output inLayoutOf then labels.
   */
  heldTensor(i: number): TensorValue {
    return this.unpadded(i, this.tensorValue(i));
  }

  private unpadded(i: number, value: TensorValue): TensorValue {
    if (value.pad) {
      this.refuse(`reads "${this.inputName(i)}", padded by a Pad node with zeros ${JSON.stringify(value.pad)}; convas applies such a Pad ` +
        'only as the padding of the convolution (or average pooling) that reads it');
    }
    return value;
  }

  /** The output of a layer applied to `input` (from heldTensor), in input's layout: channels-last again when input was. */
  inLayoutOf(input: TensorValue, output: TensorValue): TensorValue {
    return input.channelsLast ? this.asChannelsLast(output, input.channelsLast.spatial) : output;
  }

  /**
   * An image (convas [h, w, c]) read as transposed channels-last, ONNX dims [N, H, W, C] ('HW') or
   * [N, W, H, C] ('WH'), without moving it (see TensorValue).
   */
  asChannelsLast(image: TensorValue, spatial: SpatialOrder = 'HW'): TensorValue {
    const [batch, channels, height, width] = image.dims;
    let permuted: TensorValue | undefined;
    // Where convas holds a 4-D tensor of dims [N, a, b, C]: as [b, C, a], as an image's channels last.
    const dims = spatial === 'HW' ? [2, 3, 1] : [1, 3, 2];
    const move = () => this.layer(() => layers.permute({ dims, name: this.layerName('_channels_last') }), [image]).output;
    return {
      kind: 'tensor', tensor: image.tensor, dims: spatial === 'HW' ? [batch, height, width, channels] : [batch, width, height, channels],
      channelsLast: { spatial, permuted: () => (permuted ??= move()) },
    };
  }

  /** Input i as a constant (an initializer, a Constant node, or computed from them). */
  constant(i: number, what = `input ${i}`): Constant {
    const value = this.input(i);
    if (!value) this.refuse(`${what} is missing`);
    if (value.kind !== 'constant') {
      // A tensor no node writes is a graph input: where a constant belongs, a weight the file left out.
      const missing = this.graph.writer(this.inputName(i)) ? undefined
        : 'is a graph input with no initializer: the file holds no values for it (torch.onnx.export(…, export_params=False) leaves the weights out)';
      this.refuse(`${what} ("${this.inputName(i)}") ${missing ?? 'is computed from the model\'s input'}; convas needs a constant there`);
    }
    return value;
  }

  /** Input i as a constant of integers, of any dims (Gather's indices). */
  intConstant(i: number, what: string): Constant {
    const c = this.constant(i, what);
    if (c.type !== 'int') this.refuse(`${what} holds floats; expected integers`);
    return c;
  }

  /**
   * Input i as a list of numbers (ONNX's shapes, axes, pads, repeats, starts and ends, scales and
   * sizes are 1-D tensors): values of any other dims, read flat, would be a list the file never meant.
   */
  list(i: number, what: string): number[] {
    const c = this.constant(i, what);
    if (c.dims.length !== 1) this.refuse(`${what} has dims ${formatDims(c.dims)}; expected a 1-D list`);
    return [...c.data];
  }

  /** Input i as a list of integers (axes, shapes, pads), or `fallback` when absent. */
  ints(i: number, what: string, fallback?: number[]): number[] {
    if (!this.input(i) && fallback) return fallback;
    this.intConstant(i, what);
    return this.list(i, what);
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
    return this.graph.layerName(`${this.layerBase}${suffix}`);
  }

  /**
   * Names the layers made here after `node`, the last of a pattern read as one layer: the node that
   * writes the layer's output, which convas's writer names after the layer (a LayerNormalization
   * 'ln' written as ReduceMean 'ln_mean' … Add 'ln' reads back as 'ln'). Errors still name this node.
   */
  nameLayersAfter(node: onnx.NodeProto.$Properties): void {
    if (node.name) this.layerBase = node.name;
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

  /**
   * The layer's weights (by their short names: kernel, bias), written once the model is built; the
   * file's values of each must be finite (a bad one is named by its index among them).
   */
  setWeights(layer: Layer, weights: Record<string, LayerWeight>): void {
    for (const [name, { source }] of Object.entries(weights)) {
      const bad = firstNonFinite(source);
      if (bad >= 0) this.refuse(`its ${name} holds ${source[bad]} at index ${bad}; expected finite weights`);
    }
    this.graph.setWeights(layer, weights);
  }

  /** Whether every attribute of the node was read (by the entry that inspected it). */
  get attributesAllRead(): boolean {
    return [...this.attributes.keys()].every((a) => this.read.has(a));
  }

  /** The node's only output, when it is no graph output and its readers are `count` nodes; else undefined. */
  private privateOutput(count: number, node = this.node): string | undefined {
    const output = (node.output ?? [])[0];
    const fits = output && (node.output ?? []).length === 1 && !this.graph.isOutput(output) && this.graph.readers(output).length === count;
    return fits ? output : undefined;
  }

  /**
   * Follows this node's output through the nodes that each read it alone (the value being no graph
   * output), for as long as `ask` answers for them, given the name of the value they read: each is
   * absorbed (it takes this node's output) and the answers are returned in order.
   */
  absorbChain<T>(ask: (entry: OpEntry, ctx: NodeContext, input: string) => T | undefined): T[] {
    const answers: T[] = [];
    for (let output = this.privateOutput(1); output;) {
      const from = output;
      const [{ node, index }] = this.graph.readers(from);
      const answer = this.graph.inspect(node, index, (entry, ctx) => ask(entry, ctx, from));
      if (answer === undefined) break;
      this.graph.absorb(index, from);
      answers.push(answer);
      this.last = node;
      output = this.privateOutput(1, node);
    }
    return answers;
  }

  /**
   * The activation that follows this node (or the last node it absorbed, as a MatMul its bias Add),
   * for the layer made of it to apply on its way out (the activation nodes are absorbed: they take
   * its output as theirs); undefined when none fuses. It
   * fuses when that node's only output, no graph output, is read by one node computing an activation,
   * or by a Sigmoid or Hardsigmoid and the Mul of the output by it (swish,
   * hardSwish). `dims` are the output's.
   */
  fusedActivation(dims: number[]): ActivationName | undefined {
    const single = this.privateOutput(1, this.last);
    if (single) {
      const [{ node, index }] = this.graph.readers(single);
      const activation = this.graph.inspect(node, index, (entry, ctx) => entry.activation?.(ctx, dims));
      if (!activation) return undefined;
      this.graph.absorb(index, single);
      return activation;
    }
    const output = this.privateOutput(2, this.last);
    if (!output) return undefined;
    const readers = this.graph.readers(output);
    const gate = readers.find((r) => r.node.opType !== 'Mul'), product = readers.find((r) => r.node.opType === 'Mul');
    if (!gate || !product || !isGateProduct(product.node, output, gate.node)) return undefined;
    const gateOutput = (gate.node.output ?? [])[0];
    if ((gate.node.output ?? []).length !== 1 || this.graph.isOutput(gateOutput) || this.graph.readers(gateOutput).length !== 1) return undefined;
    const activation = this.graph.inspect(gate.node, gate.index, (entry, ctx) => entry.gate?.(ctx));
    if (!activation) return undefined;
    this.graph.absorb(gate.index, output);
    this.graph.absorb(product.index, output);
    return activation;
  }

  /**
   * For a gate node (Sigmoid, Hardsigmoid) of x: when its only output, no graph output, is read by
   * one Mul of x by it, that Mul is absorbed (it takes this node's output) and true returned: this
   * node then computes x·gate(x) itself.
   */
  absorbGateProduct(): boolean {
    const output = this.privateOutput(1);
    if (!output) return false;
    const [{ node, index }] = this.graph.readers(output);
    if (node.opType !== 'Mul' || !isGateProduct(node, this.inputName(0), this.node)) return false;
    this.graph.absorb(index, output);
    return true;
  }

  /**
   * For x/√2 (this node, reading x): when GELU follows as PyTorch exports it, (x·(1 + erf(x/√2)))·½,
   * or as convas writes it, x·((1 + erf(x/√2))·½), each of its nodes reading the one before alone,
   * those four nodes are absorbed (they take this node's output) and true returned: this node then
   * computes gelu(x). Nothing is absorbed unless the whole pattern is there.
   */
  absorbGelu(x: string): boolean {
    /** The one node reading `after`'s output (no graph output), when it is `op` of that output and an input `other` accepts. */
    const next = (after: onnx.NodeProto.$Properties | undefined, op: string, other?: (name: string) => boolean) => {
      const from = after && this.privateOutput(1, after);
      if (!from) return undefined;
      const reader = this.graph.readers(from)[0], inputs = reader.node.input ?? [];
      const plain = reader.node.opType === op && !reader.node.domain && !(reader.node.attribute ?? []).length && (reader.node.output ?? []).length === 1;
      const fits = other ? inputs.length === 2 && inputs.includes(from) && other(inputs[inputs[0] === from ? 1 : 0]) : inputs.length === 1;
      return plain && fits ? reader : undefined;
    };
    const rank = this.graph.value(x)?.dims.length ?? 0;
    const isX = (name: string) => name === x, half = (name: string) => isNumber(this.graph.value(name), 0.5, rank);
    const erf = next(this.node, 'Erf');
    const plusOne = next(erf?.node, 'Add', (name) => isNumber(this.graph.value(name), 1, rank));
    const timesX = next(plusOne?.node, 'Mul', isX), halved = next(plusOne?.node, 'Mul', half);
    const last = timesX ? next(timesX.node, 'Mul', half) : next(halved?.node, 'Mul', isX);
    if (!erf || !plusOne || !last) return false;
    const from = (this.node.output ?? [])[0];
    for (const step of [erf, plusOne, timesX ?? halved!, last]) this.graph.absorb(step.index, from);
    return true;
  }
}

/**
 * A float constant of one element worth `expected` (to float32's precision) whose rank is at most
 * `rank`: combined with a tensor of that rank, it leaves the tensor's shape as it is.
 */
function isNumber(value: Value | undefined, expected: number, rank: number): boolean {
  return value?.kind === 'constant' && value.type === 'float' && value.data.length === 1 && value.dims.length <= rank &&
    Math.abs((value.data[0] as number) - expected) <= 1e-6 * Math.abs(expected);
}

/** Whether `product` multiplies x by the output of `gate`, a node reading x (in either order). */
function isGateProduct(product: onnx.NodeProto.$Properties, x: string, gate: onnx.NodeProto.$Properties): boolean {
  const inputs = product.input ?? [], gateOutput = (gate.output ?? [])[0];
  return (gate.input ?? [])[0] === x && (gate.input ?? []).length === 1 && inputs.length === 2 &&
    ((inputs[0] === x && inputs[1] === gateOutput) || (inputs[1] === x && inputs[0] === gateOutput));
}
