// A convas model → an ONNX ModelProto (opset 13) that ONNX Runtime and PyTorch-side tools read.
// ONNX is channels-first: every image ([height, width, channels] in convas) is [N, C, H, W] in the
// file, its input included; weights move to ONNX's layouts (OIHW kernels); a flatten of an image
// first transposes it to channels-last, so the elements come out in convas's order. Nested models
// are written inline. A layer with no ONNX equivalent here is a ConfigError naming it.
import { ConfigError, type Layer, type LayerConfig, Model, type Parameter, resolvePadding2d } from '../index.js';
import { onnx } from './proto/onnx.js';
import { convasAxes } from './values.js';

const OPSET = 13;
/** IR version 7 is the one that goes with opset 13. */
const IR_VERSION = 7;
const FLOAT = 1;

type Node = onnx.NodeProto.$Properties;
type Attribute = onnx.AttributeProto.$Properties;

const intsAttribute = (name: string, ints: number[]): Attribute => ({ name, type: 7, ints });
const intAttribute = (name: string, i: number): Attribute => ({ name, type: 2, i });
const floatAttribute = (name: string, f: number): Attribute => ({ name, type: 1, f });


/** The ONNX dims (batch as 'batch') of a convas per-example shape. */
function valueInfo(name: string, shape: readonly number[]): onnx.ValueInfoProto.$Properties {
  const dims = convasAxes(shape.length).map((a) => shape[a]);
  return { name, type: { tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, ...dims.map((d) => ({ dimValue: d }))] } } } };
}

/** ONNX's pads [top, left, bottom, right] for a window over an input of shape [h, w, c]. */
function windowPads(config: LayerConfig, input: readonly number[], kernel: [number, number], who: string): number[] {
  const { top, bottom, left, right } = resolvePadding2d([input[0], input[1]], kernel, config.strides as [number, number], config.padding as never, who);
  return [top, left, bottom, right];
}

class Writer {
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

  constant(base: string, dims: number[], values: ArrayLike<number>): string {
    const name = this.name(base);
    const data = Float32Array.from(values);
    this.initializers.push({ name, dims, dataType: FLOAT, rawData: new Uint8Array(data.buffer) });
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

  /** Writes `model`'s nodes reading `inputs` (value names per model input); returns its output value names. */
  writeModel(model: Model, inputs: string[]): string[] {
    const valueOf = new Map<Layer, string>(model.inputs.map((t, i) => [t.sourceLayer, inputs[i]]));
    for (const { layer, inputs: readers } of model.nodes) {
      const inputNames = readers.map((l) => valueOf.get(l)!);
      const shapes = readers.map((l) => l.outputShape);
      valueOf.set(layer, layer instanceof Model ? this.writeModel(layer, inputNames)[0] : this.writeLayer(layer, inputNames, shapes));
    }
    return model.outputs.map((t) => valueOf.get(t.sourceLayer)!);
  }

  private activation(name: string, x: string, base: string, rank: number): string {
    switch (name) {
      case 'linear': return x;
      case 'relu': return this.node('Relu', [x], base);
      case 'tanh': return this.node('Tanh', [x], base);
      case 'sigmoid': return this.node('Sigmoid', [x], base);
      // convas normalises over its last axis: an image's channels are ONNX's axis 1.
      case 'softmax': return this.node('Softmax', [x], base, [intAttribute('axis', rank === 3 ? 1 : -1)]);
      default: throw new ConfigError(`save (format 'onnx'): activation ${JSON.stringify(name)} has no ONNX equivalent here`);
    }
  }

  writeLayer(layer: Layer, [x, ...others]: string[], shapes: Array<readonly number[]>): string {
    const config = layer.getConfig();
    const n = layer.name;
    const cannot = (why: string) => new ConfigError(`save (format 'onnx'): layer ${n} ${why}; save it in the convas format instead`);
    const [input] = shapes;
    switch (config.className) {
      case 'Conv2D': {
        const [kh, kw, inChannels, filters] = layer.params[0].shape;
        const hwio = this.weight(layer.params[0]), oihw = new Float32Array(hwio.length);
        for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let i = 0; i < inChannels; i++) for (let o = 0; o < filters; o++) {
          oihw[((o * inChannels + i) * kh + y) * kw + xx] = hwio[((y * kw + xx) * inChannels + i) * filters + o];
        }
        const inputs = [x, this.constant(`${n}.weight`, [filters, inChannels, kh, kw], oihw)];
        if (config.useBias) inputs.push(this.constant(`${n}.bias`, [filters], this.weight(layer.params[1])));
        const conv = this.node('Conv', inputs, config.activation === 'linear' ? n : `${n}_conv`, [
          intsAttribute('kernel_shape', [kh, kw]), intsAttribute('strides', config.strides as number[]),
          intsAttribute('pads', windowPads(config, input, [kh, kw], n)), intsAttribute('dilations', [1, 1]), intAttribute('group', 1),
        ]);
        return this.activation(config.activation as string, conv, n, 3);
      }
      case 'Dense': {
        const [k, units] = layer.params[0].shape;
        const inputs = [x, this.constant(`${n}.weight`, [k, units], this.weight(layer.params[0]))];
        if (config.useBias) inputs.push(this.constant(`${n}.bias`, [units], this.weight(layer.params[1])));
        const gemm = this.node('Gemm', inputs, config.activation === 'linear' ? n : `${n}_gemm`);
        return this.activation(config.activation as string, gemm, n, 1);
      }
      case 'MaxPooling2D': case 'AveragePooling2D': case 'SumPooling2D': {
        const kernel = config.poolSize as [number, number];
        const attributes = [intsAttribute('kernel_shape', kernel), intsAttribute('strides', config.strides as number[]),
          intsAttribute('pads', windowPads(config, input, kernel, n))];
        if (config.className === 'MaxPooling2D') return this.node('MaxPool', [x], n, attributes);
        // convas averages over the input elements in the window (padding not counted); a sum is the
        // average with the padding counted, times the window size (every window lies in the padded input).
        const sum = config.className === 'SumPooling2D';
        const pool = this.node('AveragePool', [x], sum ? `${n}_mean` : n, [...attributes, intAttribute('count_include_pad', sum ? 1 : 0)]);
        return sum ? this.node('Mul', [pool, this.constant(`${n}.size`, [], [kernel[0] * kernel[1]])], n) : pool;
      }
      case 'Flatten': {
        // convas flattens channels-last: an ONNX image goes back to [N, H, W, C] first.
        const source = input.length === 3 ? this.node('Transpose', [x], `${n}_nhwc`, [intsAttribute('perm', [0, 2, 3, 1])]) : x;
        return this.node('Flatten', [source], n, [intAttribute('axis', 1)]);
      }
      case 'Activation':
        return config.activation === 'linear' ? this.node('Identity', [x], n) : this.activation(config.activation as string, x, n, input.length);
      case 'Dropout': return this.node('Dropout', [x, this.constant(`${n}.ratio`, [], [config.rate as number])], n);
      case 'Add': return this.node(others.length > 1 ? 'Sum' : 'Add', [x, ...others], n);
      case 'Average': return this.node('Mean', [x, ...others], n);
      case 'Maximum': return this.node('Max', [x, ...others], n);
      case 'Multiply': return others.reduce((product, y, i) => this.node('Mul', [product, y], i === others.length - 1 ? n : `${n}_${i}`), x);
      case 'Concatenate': {
        const rank = input.length, axis = config.axis as number;
        const convasAxis = axis < 0 ? axis + rank : axis - 1;
        return this.node('Concat', [x, ...others], n, [intAttribute('axis', 1 + convasAxes(rank).indexOf(convasAxis))]);
      }
      case 'Permute': {
        // ONNX output axis k is convas output axis out[k], which takes convas input axis dims[out[k]] − 1.
        const dims = config.dims as number[], rank = dims.length;
        const axes = convasAxes(rank);
        const perm = [0, ...axes.map((a) => 1 + axes.indexOf(dims[a] - 1))];
        return this.node('Transpose', [x], n, [intsAttribute('perm', perm)]);
      }
      case 'Rescaling': {
        const rank = input.length, channels = input[rank - 1];
        const dims = (v: number | number[]) => (Array.isArray(v) ? (rank === 3 ? [channels, 1, 1] : [channels]) : []);
        const scale = config.scale as number | number[], offset = config.offset as number | number[];
        const isOne = (v: number | number[]) => (Array.isArray(v) ? v.every((s) => s === 1) : v === 1);
        const isZero = (v: number | number[]) => (Array.isArray(v) ? v.every((s) => s === 0) : v === 0);
        const scaled = isOne(scale) ? x : this.node('Mul', [x, this.constant(`${n}.scale`, dims(scale), [scale].flat())], isZero(offset) ? n : `${n}_scaled`);
        if (isZero(offset)) return scaled === x ? this.node('Identity', [x], n) : scaled;
        return this.node('Add', [scaled, this.constant(`${n}.offset`, dims(offset), [offset].flat())], n);
      }
      default: throw cannot(`is a ${config.className}, which convas does not write as ONNX`);
    }
  }
}

/** The model as an ONNX file (opset 13, NCHW images, a dynamic batch). */
export function encodeOnnx(model: Model): Uint8Array<ArrayBuffer> {
  const writer = new Writer(model);
  const inputs = model.inputs.map((t) => writer.name(t.sourceLayer.name));
  const outputs = writer.writeModel(model, inputs);
  const proto: onnx.ModelProto.$Properties = {
    irVersion: IR_VERSION,
    producerName: 'convas',
    opsetImport: [{ domain: '', version: OPSET }],
    graph: {
      name: model.name,
      node: writer.nodes,
      initializer: writer.initializers,
      input: model.inputs.map((t, i) => valueInfo(inputs[i], t.shape)),
      output: model.outputs.map((t, i) => valueInfo(outputs[i], t.shape)),
    },
  };
  const bytes = onnx.ModelProto.encode(proto).finish();
  return new Uint8Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength)) as Uint8Array<ArrayBuffer>;
}
