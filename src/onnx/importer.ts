// An ONNX ModelProto → a convas graph model (the functional API: input(), layer.apply(), model()).
// The graph is checked and ordered first, initializers read; then each node, in order, is either
// evaluated now (all its inputs are constants: weights, shapes) or converted by its operator's
// entry into layers. Weights move from ONNX's layouts (NCHW, OIHW) to convas's (NHWC, HWIO) once,
// here, so the model takes NHWC input like every convas model — or NCHW, if asked.
import { ConfigError, ConvasError, FileFormatError, type Layer, type LoadOptions, type Model, type ModelSource, type SymbolicTensor, input, layers, model } from '../index.js';
import { decodeModel, defaultOpset, int64 } from './decode.js';
import { type Graph, NodeContext, type OpEntry } from './context.js';
import type { LayerWeight } from './layer-weight.js';
import { OPERATORS } from './operators/index.js';
import { orderNodes } from './order.js';
import type { onnx } from './proto/onnx.js';
import { DATA_TYPE_NAMES, ExternalFiles, readTensor, sizeOfDims } from './tensors.js';
import { BATCH, MAX_DIMENSION, type TensorValue, type Value, formatDims, isImage } from './values.js';

/** What the operators PyTorch models often hold but convas has no layer for are, in PyTorch's terms. */
const UNSUPPORTED_HINTS: Record<string, string> = {
  Erf: 'erf on its own is no convas activation; GELU written with Erf, x·(1 + erf(x/√2))/2, is read',
};
const hint = (op: string) => (Object.hasOwn(UNSUPPORTED_HINTS, op) ? ` (${UNSUPPORTED_HINTS[op]})` : '');

/** The inputs where each operator takes a weight: a graph input read there is likely a weight the file left out. */
const WEIGHT_INPUTS: Record<string, number[]> = {
  Conv: [1, 2], ConvTranspose: [1, 2], Gemm: [1, 2], MatMul: [1], BatchNormalization: [1, 2, 3, 4], PRelu: [1],
};
const weightInputs = (op: string | null | undefined) => (op && Object.hasOwn(WEIGHT_INPUTS, op) ? WEIGHT_INPUTS[op] : []);

/** Layer names from ONNX names: '/features/features.0/Conv' → 'features.features.0.Conv'. */
const cleanName = (name: string) => name.replace(/^\/+/, '').replace(/\//g, '.') || 'node';

class Importer implements Graph {
  readonly opset: number;
  exportedBatch: number | undefined;
  readonly computed = { values: 0, initializerValues: 0 };
  private readonly values = new Map<string, Value>();
  private readonly names = new Set<string>();
  private readonly weights = new Map<string, LayerWeight>();
  private readonly readersOf = new Map<string, Array<{ node: onnx.NodeProto.$Properties; index: number }>>();
  private readonly writers = new Map<string, onnx.NodeProto.$Properties>();
  private readonly outputs: Set<string>;
  private readonly absorbed = new Map<number, string>();
  /** The variable dimensions of the inputs that options.sizes gave. */
  private readonly sized = new Set<string>();

  constructor(private readonly proto: onnx.ModelProto, readonly file: string) {
    this.opset = defaultOpset(proto, file);
    const graph = proto.graph!;
    this.outputs = new Set((graph.output ?? []).map((o) => o.name ?? ''));
    (graph.node ?? []).forEach((node, index) => {
      for (const name of node.output ?? []) this.writers.set(name, node);
      for (const name of new Set(node.input ?? [])) {
        if (!name) continue;
        const list = this.readersOf.get(name) ?? [];
        list.push({ node, index });
        this.readersOf.set(name, list);
      }
    });
  }

  value(name: string): Value | undefined {
    return this.values.get(name);
  }

  layerName(base: string): string {
    const clean = cleanName(base);
    let name = clean;
    for (let k = 2; this.names.has(name); k++) name = `${clean}_${k}`;
    this.names.add(name);
    return name;
  }

  setWeights(layer: Layer, weights: Record<string, LayerWeight>): void {
    for (const [name, weight] of Object.entries(weights)) this.weights.set(`${layer.name}/${name}`, weight);
  }

  readers(name: string) {
    return this.readersOf.get(name) ?? [];
  }

  writer(name: string): onnx.NodeProto.$Properties | undefined {
    return name ? this.writers.get(name) : undefined;
  }

  isOutput(name: string): boolean {
    return this.outputs.has(name);
  }

  absorb(index: number, name: string): void {
    this.absorbed.set(index, name);
  }

  inspect<T>(node: onnx.NodeProto.$Properties, index: number, ask: (entry: OpEntry, ctx: NodeContext) => T | undefined): T | undefined {
    const ctx = new NodeContext(this, node, index);
    const entry = OPERATORS[ctx.op];
    if (!entry || (node.domain && node.domain !== 'ai.onnx')) return undefined;
    try {
      const answer = ask(entry, ctx);
      return ctx.attributesAllRead ? answer : undefined;
    } catch (error) {
      // Settings the node's own conversion will refuse by name, when its turn comes.
      if (error instanceof ConvasError) return undefined;
      throw error;
    }
  }

  async build(source: ModelSource, options: LoadOptions): Promise<Model> {
    const graph = this.proto.graph!;
    const files = new ExternalFiles(source);
    if ((graph.sparseInitializer ?? []).length) throw new FileFormatError(`${this.file}: has sparse initializers, which convas does not read`);
    for (const initializer of graph.initializer ?? []) {
      const name = initializer.name ?? '';
      const tensor = await readTensor(initializer, `initializer "${name}"`, this.file, files);
      this.values.set(name, tensor);
      this.computed.initializerValues += tensor.data.length;
    }
    const inputs = (graph.input ?? []).filter((i) => !this.values.has(i.name ?? ''));
    if (inputs.length === 0) throw new FileFormatError(`${this.file}: the graph has no input (besides initializers); expected an image or a batch of features`);
    const symbolicInputs = inputs.map((i) => this.addInput(i, options));
    const unused = Object.keys(options.sizes ?? {}).filter((name) => !this.sized.has(name));
    if (unused.length) {
      throw new ConfigError(`loadModel: options.sizes names ${unused.map((n) => JSON.stringify(n)).join(', ')}, which ${this.file} has as no ` +
        'variable dimension of its inputs beyond the batch');
    }
    const nodes = graph.node ?? [];
    const order = orderNodes(nodes, new Set(this.values.keys()), new Set(inputs.map((i) => i.name ?? '')), this.file);
    for (const index of order) await this.convert(nodes[index], index);
    const outputs = (graph.output ?? []).map((o) => this.output(o.name ?? '', options));
    const seen = new Map<SymbolicTensor, string>();
    outputs.forEach((t, i) => {
      const name = graph.output![i].name ?? '';
      const other = seen.get(t) ?? (symbolicInputs.includes(t) ? 'the model\'s input' : undefined);
      if (other) throw new FileFormatError(`${this.file}: graph output "${name}" is the same tensor as ${other}; expected a tensor of its own`);
      seen.set(t, `graph output "${name}"`);
    });
    let built: Model;
    try {
      built = model({ inputs: symbolicInputs, outputs, name: this.layerName(graph.name || 'onnx'), deferBuild: true });
    } catch (error) {
      throw new FileFormatError(`${this.file}: ${(error as Error).message}`);
    }
    try {
      for (const { name, shape } of built.plannedWeights) {
        if (this.weights.get(name)?.size !== sizeOfDims(shape)) throw new FileFormatError(`${this.file}: no weights for ${name}`);
      }
      // The weights are made with the file's values, reordered as the nodes said, straight into wasm memory: none are drawn.
      built.initializeWeights((param, into) => this.weights.get(param.name)!.write(into));
    } catch (error) {
      built.dispose();
      throw error;
    }
    return built;
  }

  private addInput(info: onnx.ValueInfoProto.$Properties, options: LoadOptions): SymbolicTensor<Layer> {
    const name = info.name ?? '';
    const fail = (message: string) => new FileFormatError(`${this.file}: graph input "${name}" ${message}${this.leftOutWeight(name)}`);
    const tensorType = info.type?.tensorType;
    if (!tensorType) throw fail('is not a tensor; expected a float tensor such as [batch, channels, height, width]');
    if (tensorType.elemType !== 1) throw fail(`is of type ${DATA_TYPE_NAMES[tensorType.elemType ?? 0] ?? tensorType.elemType}; expected FLOAT`);
    const dimensions = tensorType.shape?.dim ?? [];
    if (dimensions.length < 2 || dimensions.length > 4) {
      throw fail(`has ${dimensions.length} dimensions; convas reads inputs of 2 to 4 ([batch, features] to [batch, channels, height, width])`);
    }
    const dims = dimensions.map((d, i) => {
      if (i === 0) {
        // Whatever the export fixed it to, convas models take any batch.
        if (d.dimValue !== undefined && d.dimValue !== null && int64(d.dimValue) > 0) this.exportedBatch ??= int64(d.dimValue);
        return BATCH;
      }
      const variable = d.dimParam || undefined;
      const given = variable !== undefined && options.sizes && Object.hasOwn(options.sizes, variable) ? options.sizes[variable] : undefined;
      if (given !== undefined) this.sized.add(variable!);
      const size = given ?? (d.dimValue === undefined || d.dimValue === null ? 0 : int64(d.dimValue));
      if (given !== undefined && size > MAX_DIMENSION) throw new ConfigError(`loadModel: options.sizes.${variable} is ${size}; convas takes up to ${MAX_DIMENSION}`);
      if (!(size >= 1 && size <= MAX_DIMENSION)) {
        const give = variable ? `give it a size, loadModel(…, { sizes: { ${JSON.stringify(variable)}: … } }), or ` : '';
        throw fail(`has dimension ${i} ${variable ? `"${variable}" (variable)` : size}; convas models have fixed sizes ` +
          `from 1 to ${MAX_DIMENSION} beyond the batch: ${give}export with a fixed input size`);
      }
      return size;
    });
    const [, c, h, w] = dims;
    const layoutNchw = options.inputLayout === 'NCHW' && dims.length === 4;
    const symbolic = input({ shape: dims.length === 4 ? (layoutNchw ? [c, h, w] : [h, w, c]) : dims.slice(1), name: this.layerName(name) });
    let value: TensorValue = { kind: 'tensor', tensor: symbolic, dims };
    // PyTorch-shaped input: turned to NHWC as the model's first step.
    if (layoutNchw) value = { ...value, tensor: layers.permute({ dims: [2, 3, 1], name: this.layerName(`${name}_nhwc`) }).apply(symbolic) };
    this.values.set(name, value);
    return symbolic;
  }

  /**
   * For a graph input convas cannot take: where a node reads it where that operator takes a weight
   * (WEIGHT_INPUTS), it is likely a weight whose values the file left out, as
   * torch.onnx.export(…, export_params=False) writes them. Read elsewhere after a node's first input
   * (the second term of a residual Add, a Concat), it is no more likely a weight than the image is.
   */
  private leftOutWeight(name: string): string {
    const slot = (node: onnx.NodeProto.$Properties) => (node.input ?? []).findIndex((n, i) => n === name && weightInputs(node.opType).includes(i));
    const reader = this.readers(name).find(({ node }) => slot(node) >= 0);
    if (!reader) return '';
    const { node, index } = reader;
    return `; it is input ${slot(node)} of node "${node.name || `${node.opType}_${index}`}" (${node.opType}), where weights go: ` +
      'if it is a weight, the file holds no initializer for it (torch.onnx.export(…, export_params=False) leaves them out)';
  }

  private async convert(node: onnx.NodeProto.$Properties, index: number): Promise<void> {
    const ctx = new NodeContext(this, node, index);
    const outputNames = node.output ?? [];
    const absorbedFrom = this.absorbed.get(index);
    if (absorbedFrom !== undefined) {
      this.values.set(outputNames[0], this.values.get(absorbedFrom)!);
      return;
    }
    if (node.domain && node.domain !== 'ai.onnx') ctx.refuse(`is in domain "${node.domain}"; convas reads the standard operators (ai.onnx) only`);
    const entry = OPERATORS[ctx.op];
    if (!entry) ctx.refuse(`is not an operator convas supports${hint(ctx.op)}`);
    const inputs = (node.input ?? []).filter((n) => n !== '').map((n) => this.values.get(n)!);
    const folds = inputs.every((v) => v.kind === 'constant');
    const run = folds && entry.fold ? entry.fold : entry.convert;
    if (!run) {
      return ctx.refuse(folds ? 'computes on constants only, which convas does not evaluate for this operator'
        : `reads a tensor computed from the model's input; convas evaluates this operator only on constants${hint(ctx.op)}`);
    }
    const result = await run(ctx);
    ctx.checkAttributesRead();
    const produced = Array.isArray(result) ? result : [result];
    outputNames.forEach((name, i) => {
      if (!name) return;
      if (produced[i]) this.values.set(name, produced[i]);
      else if (this.readers(name).length || this.isOutput(name)) ctx.refuse(`its output ${i} ("${name}") is used, which convas does not compute`);
    });
  }

  private output(name: string, options: LoadOptions): SymbolicTensor<Layer> {
    const held = this.values.get(name);
    const fail = (message: string) => new FileFormatError(`${this.file}: graph output "${name}" ${message}`);
    if (!held) throw fail('is produced by no node');
    if (held.kind === 'constant') throw fail(`is a constant ${formatDims(held.dims)}; convas models compute their outputs from their inputs`);
    if (held.pad) throw fail('is the output of a Pad node, which convas applies only as the padding of a convolution');
    const value = held.channelsLast?.permuted() ?? held;
    // 4-D outputs come back in the input's layout.
    if (options.inputLayout === 'NCHW' && isImage(value)) return layers.permute({ dims: [3, 1, 2], name: this.layerName(`${name}_nchw`) }).apply(value.tensor);
    return value.tensor;
  }
}

/** Reads an ONNX model (opsets 9 to 18) as a convas graph model; `file` names it in errors, `source` reads external data. */
export async function readOnnx(bytes: Uint8Array, file: string, source: ModelSource, options: LoadOptions = {}): Promise<Model> {
  const proto = decodeModel(bytes, file);
  return new Importer(proto, file).build(source, options);
}

