// A convas model → an ONNX ModelProto (opset 13) that ONNX Runtime and PyTorch-side tools read.
// ONNX is channels-first: every image ([height, width, channels] in convas) is [N, C, H, W] in the
// file, its input included (a model that takes images channels-first, as one loaded with
// inputLayout 'NCHW', takes them so: channels-first-ends.ts); weights move to ONNX's layouts
// (layer-writers.ts, one entry per layer class). Nested models are written inline. A layer or
// activation with no ONNX equivalent here is a ConfigError naming it.
import { ConfigError, type Layer, Model, type Parameter } from '../index.js';
import { type Attribute, floatAttribute, intAttribute } from './attributes.js';
import { channelsFirstEnds } from './channels-first-ends.js';
import { LAYER_WRITERS, type NodeWriter } from './layer-writers.js';
import { onnx } from './proto/onnx.js';
import { convasAxes } from './values.js';
import { withArticle } from '../article.js';

const OPSET = 13;
/** IR version 7 is the one that goes with opset 13. */
const IR_VERSION = 7;
const FLOAT = 1;
const INT64 = 7;

type Node = onnx.NodeProto.$Properties;

/** The ONNX dims (batch as 'batch') of a convas per-example shape, or of one held channels-first. */
function valueInfo(name: string, shape: readonly number[], channelsFirst = false): onnx.ValueInfoProto.$Properties {
  const dims = channelsFirst ? [...shape] : convasAxes(shape.length).map((a) => shape[a]);
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, ...dims.map((d) => ({ dimValue: d }))] } } } };
}

export class Writer implements NodeWriter {
  readonly nodes: Node[] = [];
  readonly initializers: onnx.TensorProto.$Properties[] = [];
  private readonly names = new Set<string>();
  private readonly values: Map<Parameter, Float32Array>;

  constructor(model: Model) {
    const tensors = model.getWeights();
    const weights = model.weights;
    this.values = new Map(weights.map((p, i) => [p, tensors[i].dataSync().slice()]));
    tensors.forEach((t) => t.dispose());
  }

  /** A name not used yet in the graph, from `base`. */
  name(base: string): string {
    let name = base;
    for (let k = 2; this.names.has(name); k++) name = `${base}_${k}`;
    this.names.add(name);
    return name;
  }

  /** A float initializer. */
  constant(base: string, dims: number[], values: ArrayLike<number>): string {
    const name = this.name(base);
    const data = Float32Array.from(values);
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) });
    return name;
  }

  /** A 1-D int64 initializer (the pads, starts, ends, axes and shapes that operators take as inputs). */
  ints(base: string, values: number[]): string {
    const name = this.name(base);
    this.initializers.push({ name, dims: [values.length], dataType: INT64, int64Data: values });
    return name;
  }

  node(opType: string, inputs: string[], base: string, attribute: Attribute[] = []): string {
    const output = this.name(base);
    this.nodes.push({ opType, input: inputs, output: [output], name: output, attribute });
    return output;
  }

  weight(param: Parameter): Float32Array {
    return this.values.get(param)!;
  }

  /**
   * Writes `model`'s nodes reading `inputs` (value names per model input); returns its output value
   * names. A `skipped` layer is written as no node: its value is the one it reads.
   */
  writeModel(model: Model, inputs: string[], skipped: ReadonlySet<Layer> = new Set()): string[] {
    const valueOf = new Map<Layer, string>(model.inputs.map((t, i) => [t.sourceLayer, inputs[i]]));
    for (const { layer, inputs: readers } of model.nodes) {
      const inputNames = readers.map((l) => valueOf.get(l)!);
      if (skipped.has(layer)) {
        valueOf.set(layer, inputNames[0]);
        continue;
      }
      const shapes = readers.map((l) => l.outputShape);
      valueOf.set(layer, layer instanceof Model ? this.writeModel(layer, inputNames)[0] : this.writeLayer(layer, inputNames, shapes));
    }
    return model.outputs.map((t) => valueOf.get(t.sourceLayer)!);
  }

  /** min(max(x, low), high); an absent bound is an empty input name, as Clip takes it. */
  clip(x: string, base: string, low: number | undefined, high: number | undefined): string {
    const bound = (v: number | undefined, what: string) => (v === undefined ? '' : this.constant(`${base}.${what}`, [], [v]));
    return this.node('Clip', [x, bound(low, 'min'), bound(high, 'max')], base);
  }

  /** The activation `name` of x, as its last node named `base`; `rank` is x's per-example rank (3: an image). */
  activation(name: string, x: string, base: string, rank: number): string {
    const step = (what: string) => `${base}_${what}`;
    switch (name) {
      case 'linear': return x;
      case 'relu': return this.node('Relu', [x], base);
      case 'relu6': return this.clip(x, base, 0, 6);
      case 'tanh': return this.node('Tanh', [x], base);
      case 'sigmoid': return this.node('Sigmoid', [x], base);
      // convas normalises over its last axis: an image's channels are ONNX's axis 1.
      case 'softmax': return this.node('Softmax', [x], base, [intAttribute('axis', rank === 3 ? 1 : -1)]);
      case 'logSoftmax': return this.node('LogSoftmax', [x], base, [intAttribute('axis', rank === 3 ? 1 : -1)]);
      case 'elu': return this.node('Elu', [x], base, [floatAttribute('alpha', 1)]);
      // ONNX's default alpha and gamma are TensorFlow's SELU constants.
      case 'selu': return this.node('Selu', [x], base);
      case 'softplus': return this.node('Softplus', [x], base);
      case 'softsign': return this.node('Softsign', [x], base);
      case 'swish': return this.node('Mul', [x, this.node('Sigmoid', [x], step('sigmoid'))], base);
      case 'gelu': {
        // x·Φ(x) = x·(1 + erf(x/√2))/2: opset 13 has Erf, not Gelu.
        const erf = this.node('Erf', [this.node('Mul', [x, this.constant(step('rsqrt2'), [], [Math.SQRT1_2])], step('scaled'))], step('erf'));
        const phi = this.node('Mul', [this.node('Add', [erf, this.constant(step('one'), [], [1])], step('erf1')), this.constant(step('half'), [], [0.5])], step('phi'));
        return this.node('Mul', [x, phi], base);
      }
      // Keras 2's hard sigmoid, clip(0.2x + 0.5, 0, 1); hard swish is x·clip(x/6 + 0.5, 0, 1).
      case 'hardSigmoid': return this.node('HardSigmoid', [x], base, [floatAttribute('alpha', 0.2), floatAttribute('beta', 0.5)]);
      case 'hardSwish': {
        const gate = this.node('HardSigmoid', [x], step('gate'), [floatAttribute('alpha', 1 / 6), floatAttribute('beta', 0.5)]);
        return this.node('Mul', [x, gate], base);
      }
      default: throw new ConfigError(`save (format 'onnx'): activation ${JSON.stringify(name)} has no ONNX equivalent here`);
    }
  }

  writeLayer(layer: Layer, inputs: string[], shapes: Array<readonly number[]>): string {
    const { className } = layer.getConfig();
    const cannot = (why: string) => new ConfigError(`save (format 'onnx'): layer ${layer.name} ${why}; save it in the convas format instead`);
    const write = LAYER_WRITERS[className];
    if (!write) throw cannot(`is ${withArticle(className)}, which convas does not write as ONNX`);
    return write(this, { layer, config: layer.getConfig(), n: layer.name, inputs, shapes, cannot });
  }
}

/** The model as an ONNX file (opset 13, NCHW images, a dynamic batch). */
export function encodeOnnx(model: Model): Uint8Array<ArrayBuffer> {
  const writer = new Writer(model);
  const inputs = model.inputs.map((t) => writer.name(t.sourceLayer.name));
  const ends = channelsFirstEnds(model);
  const outputs = writer.writeModel(model, inputs, ends.skipped);
  // As the reader takes them (importer.ts): each output a tensor of its own, computed by the graph.
  // Identity nodes (a linear activation, a layer that passes its input at inference) are read as
  // nothing, so an output is what its Identity chain starts from.
  const identities = new Map(writer.nodes.filter((n) => n.opType === 'Identity').map((n) => [n.output![0], n.input![0]]));
  const source = (name: string): string => (identities.has(name) ? source(identities.get(name)!) : name);
  const sources = outputs.map(source);
  sources.forEach((name, i) => {
    const first = sources.indexOf(name);
    const same = inputs.includes(name) ? 'the model\'s input' : first < i ? `output ${first}` : undefined;
    if (same) {
      throw new ConfigError(`save (format 'onnx'): output ${i} of model ${model.name} is ${same}, passed through unchanged; ` +
        'an ONNX model convas reads gives each output as a tensor of its own, computed by the graph');
    }
  });
  const proto: onnx.ModelProto.$Properties = {
    irVersion: IR_VERSION,
    producerName: 'convas',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: model.name,
      node: writer.nodes,
      initializer: writer.initializers,
      input: model.inputs.map((t, i) => valueInfo(inputs[i], t.shape, ends.inputs.has(i))),
      output: model.outputs.map((t, i) => valueInfo(outputs[i], t.shape, ends.outputs.has(i))),
    },
  };
  const bytes = onnx.ModelProto.encode(proto).finish();
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as Uint8Array<ArrayBuffer>;
}
