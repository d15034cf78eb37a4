// How each layer class is written as ONNX nodes (writer.ts runs them), images channels-first:
// kernels move from convas's [kh, kw, in, out] to ONNX's OIHW, a flatten or reshape of an image
// first transposes it back to channels-last so the elements come out in convas's order, and settings
// ONNX cannot express are a ConfigError naming the layer and the setting.
import type { Layer, LayerConfig, Parameter } from '../index.js';
import { resolvePadding2d } from '../index.js';
import { type Attribute, floatAttribute, intAttribute, intsAttribute, stringAttribute } from './attributes.js';
import { sizesKeepNearestPixels } from './operators/resize.js';
import { copyStrided, transpose } from './strided-copy.js';
import { convasAxes } from './values.js';

/** What the layer writers need of the writer (writer.ts): names, initializers, nodes, weights, activations. */
export interface NodeWriter {
  constant(base: string, dims: number[], values: ArrayLike<number>): string;
  ints(base: string, values: number[]): string;
  node(opType: string, inputs: string[], base: string, attribute?: Attribute[]): string;
  weight(param: Parameter): Float32Array;
  clip(x: string, base: string, low: number | undefined, high: number | undefined): string;
  activation(name: string, x: string, base: string, rank: number): string;
}

export interface LayerToWrite {
  layer: Layer;
  config: LayerConfig;
  /** The layer's name, which its last node takes. */
  n: string;
  /** Value names of its inputs, and their convas per-example shapes. */
  inputs: string[];
  shapes: Array<readonly number[]>;
  cannot(why: string): Error;
}

type LayerWriter = (w: NodeWriter, l: LayerToWrite) => string;

const pairOf = (v: unknown) => (Array.isArray(v) ? v : [v, v]) as [number, number];
/** A weight by its own name (kernel, bias, gamma, …), or undefined when the layer has none such. */
const param = (layer: Layer, name: string): Parameter | undefined => layer.params.find((p) => p.name.endsWith(`/${name}`));

/** ONNX's pads [top, left, bottom, right] for a window over an input of shape [h, w, c]. */
function windowPads(config: LayerConfig, input: readonly number[], kernel: [number, number], who: string, dilation: [number, number] = [1, 1]): number[] {
  const { top, bottom, left, right } = resolvePadding2d([input[0], input[1]], kernel, pairOf(config.strides), config.padding as never, who, dilation);
  return [top, left, bottom, right];
}

/** A kernel [kh, kw, a, b] (convas's, TF.js's) as [b, a, kh, kw]: a conv's [kh, kw, in, out] as ONNX's OIHW, a transposed conv's [kh, kw, out, in] as ConvTranspose's [in, out, kh, kw]. */
function toOihw(hwio: Float32Array, [kh, kw, a, b]: readonly number[]): Float32Array {
  const taps = kh * kw, out = new Float32Array(hwio.length);
  copyStrided([b, a, taps], { values: hwio, start: 0, strides: [1, b, a * b] }, { values: out, start: 0, strides: [a * taps, taps, 1] });
  return out;
}

/** A Conv node: weight OIHW with dims, bias optional, `group` groups, dilation and the layer's window padding. */
function conv(w: NodeWriter, x: string, base: string, weight: string, bias: string | undefined, l: LayerToWrite,
  [kh, kw]: [number, number], group: number, dilation: [number, number]): string {
  return w.node('Conv', bias ? [x, weight, bias] : [x, weight], base, [
    intsAttribute('kernel_shape', [kh, kw]), intsAttribute('strides', pairOf(l.config.strides)),
    intsAttribute('pads', windowPads(l.config, l.shapes[0], [kh, kw], l.n, dilation)), intsAttribute('dilations', dilation),
    intAttribute('group', group),
  ]);
}

/** The layer's activation after `z`, its last node taking the layer's name. */
const activated = (w: NodeWriter, l: LayerToWrite, z: string, rank: number) => w.activation(l.config.activation as string, z, l.n, rank);
/** The name for the node an activation then follows. */
const beforeActivation = (l: LayerToWrite, what: string) => (l.config.activation === 'linear' ? l.n : `${l.n}_${what}`);
const biasOf = (w: NodeWriter, l: LayerToWrite, p: Parameter | undefined) => (p ? w.constant(`${l.n}.bias`, p.shape, w.weight(p)) : undefined);

/** A depthwise kernel [kh, kw, channels, depthMultiplier] as a grouped Conv's [channels·depthMultiplier, 1, kh, kw]: its transpose. */
function depthwiseWeight(w: NodeWriter, base: string, p: Parameter): string {
  const [kh, kw, channels, multiplier] = p.shape, values = w.weight(p);
  return w.constant(base, [channels * multiplier, 1, kh, kw], transpose(values, kh * kw, channels * multiplier, new Float32Array(values.length)));
}

/** x's values in convas's element order as a tensor of `shape` per example (images channels-first again in ONNX). */
function reshaped(w: NodeWriter, x: string, input: readonly number[], shape: readonly number[], base: string): string {
  const nhwc = input.length === 3 ? w.node('Transpose', [x], `${base}_nhwc`, [intsAttribute('perm', [0, 2, 3, 1])]) : x;
  const image = shape.length === 3;
  const flat = w.node('Reshape', [nhwc, w.ints(`${base}.shape`, [-1, ...shape])], image ? `${base}_nhwc_out` : base);
  return image ? w.node('Transpose', [flat], base, [intsAttribute('perm', [0, 3, 1, 2])]) : flat;
}

/** A per-example array of `shape` (convas's order) as ONNX's, for broadcasting against [N, …] (an image's [h, w, c] as [c, h, w]). */
function perExample(values: Float32Array, shape: readonly number[]): { dims: number[]; values: Float32Array } {
  if (shape.length !== 3) return { dims: [...shape], values };
  const [h, wd, c] = shape;
  return { dims: [c, h, wd], values: transpose(values, h * wd, c, new Float32Array(values.length)) };
}

/** [[top, bottom], [left, right]] of a ZeroPadding2D, BorderPadding2D or Cropping2D. */
const borders = (config: LayerConfig) => (config.padding ?? config.cropping) as [[number, number], [number, number]];

const convolutions: Record<string, LayerWriter> = {
  Conv2D: (w, l) => {
    // With groups the kernel is [kh, kw, in/groups, out]: ONNX's grouped weight [out, in/groups, kh, kw] once turned.
    const kernel = l.layer.params[0], [kh, kw, inPerGroup, filters] = kernel.shape;
    const weight = w.constant(`${l.n}.weight`, [filters, inPerGroup, kh, kw], toOihw(w.weight(kernel), kernel.shape));
    const z = conv(w, l.inputs[0], beforeActivation(l, 'conv'), weight, biasOf(w, l, param(l.layer, 'bias')), l, [kh, kw],
      (l.config.groups as number | undefined) ?? 1, pairOf(l.config.dilationRate ?? 1));
    return activated(w, l, z, 3);
  },
  DepthwiseConv2D: (w, l) => {
    const kernel = l.layer.params[0], [kh, kw, channels] = kernel.shape;
    const z = conv(w, l.inputs[0], beforeActivation(l, 'conv'), depthwiseWeight(w, `${l.n}.weight`, kernel), biasOf(w, l, param(l.layer, 'bias')),
      l, [kh, kw], channels, pairOf(l.config.dilationRate));
    return activated(w, l, z, 3);
  },
  SeparableConv2D: (w, l) => {
    const depthwise = param(l.layer, 'depthwise_kernel')!, pointwise = param(l.layer, 'pointwise_kernel')!;
    const [kh, kw, channels] = depthwise.shape, [, , middle, filters] = pointwise.shape;
    const d = conv(w, l.inputs[0], `${l.n}_depthwise`, depthwiseWeight(w, `${l.n}.depthwise_weight`, depthwise), undefined, l,
      [kh, kw], channels, pairOf(l.config.dilationRate));
    const pointwiseWeight = w.constant(`${l.n}.pointwise_weight`, [filters, middle, 1, 1], toOihw(w.weight(pointwise), pointwise.shape));
    const bias = biasOf(w, l, param(l.layer, 'bias'));
    const z = w.node('Conv', bias ? [d, pointwiseWeight, bias] : [d, pointwiseWeight], beforeActivation(l, 'pointwise'), [intsAttribute('kernel_shape', [1, 1])]);
    return activated(w, l, z, 3);
  },
  Conv2DTranspose: (w, l) => {
    // The conv2d from the output back to the input sets the zeros before each axis; those after
    // make up the output size, and where it is longer than ONNX's own (stride > kernel), output_padding.
    const kernel = l.layer.params[0], [kh, kw, filters, inChannels] = kernel.shape;
    const [inH, inW] = l.shapes[0], [outH, outW] = l.layer.outputShape, [sh, sw] = pairOf(l.config.strides);
    const { top, left } = resolvePadding2d([outH, outW], [kh, kw], [sh, sw], l.config.padding as never, l.n);
    const after = [(inH - 1) * sh + kh - top - outH, (inW - 1) * sw + kw - left - outW];
    const weight = w.constant(`${l.n}.weight`, [inChannels, filters, kh, kw], toOihw(w.weight(kernel), [kh, kw, filters, inChannels]));
    const bias = biasOf(w, l, param(l.layer, 'bias'));
    const z = w.node('ConvTranspose', bias ? [l.inputs[0], weight, bias] : [l.inputs[0], weight], beforeActivation(l, 'conv'), [
      intsAttribute('kernel_shape', [kh, kw]), intsAttribute('strides', [sh, sw]),
      intsAttribute('pads', [top, left, Math.max(after[0], 0), Math.max(after[1], 0)]),
      intsAttribute('output_padding', [Math.max(-after[0], 0), Math.max(-after[1], 0)]),
    ]);
    return activated(w, l, z, 3);
  },
  Dense: (w, l) => {
    const kernel = l.layer.params[0], [k, units] = kernel.shape, rank = l.shapes[0].length, x = l.inputs[0];
    const bias = biasOf(w, l, param(l.layer, 'bias'));
    // Along convas's last axis: an image's channels are ONNX's axis 1, which a 1×1 Conv multiplies;
    // other ranks keep convas's order, with the features last, which MatMul multiplies row by row.
    if (rank === 3) {
      const weight = w.constant(`${l.n}.weight`, [units, k, 1, 1], toOihw(w.weight(kernel), [1, 1, k, units]));
      return activated(w, l, w.node('Conv', bias ? [x, weight, bias] : [x, weight], beforeActivation(l, 'conv'), [intsAttribute('kernel_shape', [1, 1])]), 3);
    }
    const weight = w.constant(`${l.n}.weight`, [k, units], w.weight(kernel));
    if (rank === 1) return activated(w, l, w.node('Gemm', bias ? [x, weight, bias] : [x, weight], beforeActivation(l, 'gemm')), 1);
    const product = w.node('MatMul', [x, weight], bias ? `${l.n}_matmul` : beforeActivation(l, 'matmul'));
    return activated(w, l, bias ? w.node('Add', [product, bias], beforeActivation(l, 'add')) : product, rank);
  },
};

function pool(w: NodeWriter, l: LayerToWrite): string {
  const { config, n } = l, x = l.inputs[0];
  const kernel = pairOf(config.poolSize);
  const attributes = [intsAttribute('kernel_shape', kernel), intsAttribute('strides', pairOf(config.strides)),
    intsAttribute('pads', windowPads(config, l.shapes[0], kernel, n))];
  if (config.className === 'MaxPooling2D') return w.node('MaxPool', [x], n, attributes);
  // convas averages over the input elements in the window (padding not counted); a sum is the
  // average with the padding counted, times the window size (every window lies in the padded input).
  const sum = config.className === 'SumPooling2D';
  const mean = w.node('AveragePool', [x], sum ? `${n}_mean` : n, [...attributes, intAttribute('count_include_pad', sum ? 1 : 0)]);
  return sum ? w.node('Mul', [mean, w.constant(`${n}.size`, [], [kernel[0] * kernel[1]])], n) : mean;
}

function globalPool(w: NodeWriter, l: LayerToWrite): string {
  const op = l.config.className === 'GlobalMaxPooling2D' ? 'GlobalMaxPool' : 'GlobalAveragePool';
  if (l.config.keepdims) return w.node(op, [l.inputs[0]], l.n);
  // [N, C, 1, 1] → [N, C], convas's [channels].
  return w.node('Flatten', [w.node(op, [l.inputs[0]], `${l.n}_pool`)], l.n, [intAttribute('axis', 1)]);
}

const poolings: Record<string, LayerWriter> = {
  MaxPooling2D: pool, AveragePooling2D: pool, SumPooling2D: pool,
  GlobalAveragePooling2D: globalPool, GlobalMaxPooling2D: globalPool,
};

const shapes: Record<string, LayerWriter> = {
  Flatten: (w, l) => {
    // convas flattens channels-last: an ONNX image goes back to [N, H, W, C] first.
    const source = l.shapes[0].length === 3 ? w.node('Transpose', [l.inputs[0]], `${l.n}_nhwc`, [intsAttribute('perm', [0, 2, 3, 1])]) : l.inputs[0];
    return w.node('Flatten', [source], l.n, [intAttribute('axis', 1)]);
  },
  Reshape: (w, l) => reshaped(w, l.inputs[0], l.shapes[0], l.layer.outputShape, l.n),
  Permute: (w, l) => {
    // ONNX output axis k is convas output axis out[k], which takes convas input axis dims[out[k]] − 1.
    const dims = l.config.dims as number[], axes = convasAxes(dims.length);
    const perm = [0, ...axes.map((a) => 1 + axes.indexOf(dims[a] - 1))];
    return w.node('Transpose', [l.inputs[0]], l.n, [intsAttribute('perm', perm)]);
  },
  ZeroPadding2D: (w, l) => {
    const [[top, bottom], [left, right]] = borders(l.config);
    return w.node('Pad', [l.inputs[0], w.ints(`${l.n}.pads`, [0, 0, top, left, 0, 0, bottom, right])], l.n);
  },
  BorderPadding2D: (w, l) => {
    const [[top, bottom], [left, right]] = borders(l.config);
    return w.node('Pad', [l.inputs[0], w.ints(`${l.n}.pads`, [0, 0, top, left, 0, 0, bottom, right])], l.n, [stringAttribute('mode', l.config.mode as string)]);
  },
  Cropping2D: (w, l) => {
    const [[top, bottom], [left, right]] = borders(l.config), [h, wd] = l.shapes[0];
    return w.node('Slice', [l.inputs[0], w.ints(`${l.n}.starts`, [top, left]), w.ints(`${l.n}.ends`, [h - bottom, wd - right]),
      w.ints(`${l.n}.axes`, [2, 3])], l.n);
  },
  ChannelSlice: (w, l) => {
    // convas's last axis is ONNX's channels (axis 1) of an image, or a vector's last.
    const rank = l.shapes[0].length, axis = 1 + convasAxes(rank).indexOf(rank - 1);
    return w.node('Slice', [l.inputs[0], w.ints(`${l.n}.starts`, [l.config.start as number]), w.ints(`${l.n}.ends`, [l.config.end as number]),
      w.ints(`${l.n}.axes`, [axis])], l.n);
  },
  UpSampling2D: (w, l) => {
    // Nearest repeats each pixel (asymmetric coordinates, rounded down); bilinear is Keras's, with half-pixel centres.
    const [sh, sw] = pairOf(l.config.size), nearest = l.config.interpolation === 'nearest';
    const modes = nearest
      ? [stringAttribute('mode', 'nearest'), stringAttribute('coordinate_transformation_mode', 'asymmetric'), stringAttribute('nearest_mode', 'floor')]
      : [stringAttribute('mode', 'linear'), stringAttribute('coordinate_transformation_mode', 'half_pixel')];
    return w.node('Resize', [l.inputs[0], '', w.constant(`${l.n}.scales`, [4], [1, 1, sh, sw])], l.n, modes);
  },
  Resizing: (w, l) => {
    const x = l.inputs[0], c = l.config, coordinates = c.coordinates as string, [inHeight, inWidth] = l.shapes[0];
    const height = c.height as number, width = c.width as number, scales = c.scales as [number, number] | null;
    // The layer's nearest pixel: at or before the source coordinate when asymmetric (PyTorch's), else the nearest, halves up.
    const modes = {
      nearest: [stringAttribute('mode', 'nearest'), stringAttribute('nearest_mode', coordinates === 'asymmetric' ? 'floor' : 'round_prefer_ceil')],
      bilinear: [stringAttribute('mode', 'linear')],
      bicubic: [stringAttribute('mode', 'cubic'), floatAttribute('cubic_coeff_a', c.cubicCoefficient as number), intAttribute('exclude_outside', c.cubicExcludeOutside ? 1 : 0)],
    }[c.interpolation as 'nearest' | 'bilinear' | 'bicubic'];
    if (c.interpolation === 'bicubic' && c.cubicTable) {
      throw l.cannot('has cubicTable true (Keras\'s bicubic, weights from TensorFlow\'s table), which ONNX\'s cubic cannot express (exact weights only)');
    }
    const attributes = [...modes, stringAttribute('coordinate_transformation_mode', coordinates)];
    // Scales ONNX Runtime derives from sizes (out/in in f32, 1 where the size stays) are written as sizes.
    const derived = (scale: number, size: number, out: number) => (out === size ? scale === 1 : scale === Math.fround(out / size));
    if (scales && !(derived(scales[0], inHeight, height) && derived(scales[1], inWidth, width))) {
      // ONNX takes floor(in·scale) pixels (an f32 product) and copies the input when that is its size.
      const out = [inHeight * Math.fround(scales[0]), inWidth * Math.fround(scales[1])].map((n) => Math.floor(Math.fround(n)));
      if (out[0] !== height || out[1] !== width) {
        throw l.cannot(`has scales ${scales.join('×')}, which give ONNX ${out.join('×')} pixels of its ${inHeight}×${inWidth} input, not its ${height}×${width}`);
      }
      if (height === inHeight && width === inWidth && !(scales[0] === 1 && scales[1] === 1)) {
        throw l.cannot(`has scales ${scales.join('×')} that keep the size ${height}×${width}, which ONNX Runtime copies instead of resizing`);
      }
      return w.node('Resize', [x, '', w.constant(`${l.n}.scales`, [4], [1, 1, ...scales])], l.n, attributes);
    }
    if (c.interpolation === 'nearest' && !scales && !(sizesKeepNearestPixels(coordinates, inHeight, height) && sizesKeepNearestPixels(coordinates, inWidth, width))) {
      throw l.cannot(`resizes nearest from ${inHeight}×${inWidth} to ${height}×${width} with ${coordinates} coordinates by in/out, where ONNX ` +
        'Runtime, mapping by out/in, takes other pixels at a tie (give the layer scales out/in to resize as ONNX does)');
    }
    // Sizes rather than scales: ONNX would take floor(in·scale) pixels, which a scale rounded to f32
    // can miss by one. The batch and channels come from the input's own shape.
    const batchAndChannels = w.node('Slice', [w.node('Shape', [x], `${l.n}_shape`), w.ints(`${l.n}.starts`, [0]), w.ints(`${l.n}.ends`, [2])], `${l.n}_nc`);
    const sizes = w.node('Concat', [batchAndChannels, w.ints(`${l.n}.hw`, [height, width])], `${l.n}_sizes`, [intAttribute('axis', 0)]);
    return w.node('Resize', [x, '', '', sizes], l.n, attributes);
  },
  Dropout: (w, l) => w.node('Dropout', [l.inputs[0], w.constant(`${l.n}.ratio`, [], [l.config.rate as number])], l.n),
};

const merges: Record<string, LayerWriter> = {
  Add: (w, { inputs, n }) => w.node(inputs.length > 2 ? 'Sum' : 'Add', inputs, n),
  Average: (w, { inputs, n }) => w.node('Mean', inputs, n),
  Maximum: (w, { inputs, n }) => w.node('Max', inputs, n),
  Multiply: (w, { inputs: [x, ...others], n }) => others.reduce((product, y, i) => w.node('Mul', [product, y], i === others.length - 1 ? n : `${n}_${i}`), x),
  Concatenate: (w, l) => {
    const rank = l.shapes[0].length, axis = l.config.axis as number;
    const convasAxis = axis < 0 ? axis + rank : axis - 1;
    return w.node('Concat', l.inputs, l.n, [intAttribute('axis', 1 + convasAxes(rank).indexOf(convasAxis))]);
  },
};

const activations: Record<string, LayerWriter> = {
  Activation: (w, l) => (l.config.activation === 'linear' ? w.node('Identity', [l.inputs[0]], l.n) : activated(w, l, l.inputs[0], l.shapes[0].length)),
  Softmax: (w, l) => w.activation('softmax', l.inputs[0], l.n, l.shapes[0].length),
  ReLU: (w, l) => {
    // Keras's relu(x, negative_slope, max_value, threshold): Relu or LeakyRelu, capped by Clip.
    const { maxValue, negativeSlope, threshold } = l.config as unknown as { maxValue: number | null; negativeSlope: number; threshold: number };
    if (threshold !== 0) throw l.cannot(`has threshold ${threshold}, which ONNX's Relu, LeakyRelu and Clip cannot express (0 only)`);
    const capped = maxValue !== null && maxValue !== undefined;
    if (negativeSlope === 0) return capped ? w.clip(l.inputs[0], l.n, 0, maxValue) : w.node('Relu', [l.inputs[0]], l.n);
    const leaky = w.node('LeakyRelu', [l.inputs[0]], capped ? `${l.n}_leaky` : l.n, [floatAttribute('alpha', negativeSlope)]);
    return capped ? w.clip(leaky, l.n, undefined, maxValue) : leaky;
  },
  Clip: (w, l) => w.clip(l.inputs[0], l.n, (l.config.min as number | null) ?? undefined, (l.config.max as number | null) ?? undefined),
  LeakyReLU: (w, l) => w.node('LeakyRelu', [l.inputs[0]], l.n, [floatAttribute('alpha', l.config.alpha as number)]),
  ELU: (w, l) => w.node('Elu', [l.inputs[0]], l.n, [floatAttribute('alpha', l.config.alpha as number)]),
  PReLU: (w, l) => {
    const alpha = l.layer.params[0], slope = perExample(w.weight(alpha), alpha.shape);
    return w.node('PRelu', [l.inputs[0], w.constant(`${l.n}.slope`, slope.dims, slope.values)], l.n);
  },
  BatchNormalization: (w, l) => {
    // Inference: (x − moving_mean)/√(moving_variance + ε)·γ + β over ONNX's axis 1, which is convas's
    // channels for images and flat inputs only.
    const rank = l.shapes[0].length, channels = l.shapes[0][rank - 1];
    if (rank === 2) throw l.cannot(`normalises the last axis of a [${l.shapes[0].join(', ')}] input, which ONNX's BatchNormalization (axis 1) cannot`);
    const named = (name: string, missing: number) => {
      const p = param(l.layer, name);
      return w.constant(`${l.n}.${name}`, [channels], p ? w.weight(p) : new Float32Array(channels).fill(missing));
    };
    return w.node('BatchNormalization', [l.inputs[0], named('gamma', 1), named('beta', 0), named('moving_mean', 0), named('moving_variance', 1)],
      l.n, [floatAttribute('epsilon', l.config.epsilon as number)]);
  },
  LayerNormalization: (w, l) => {
    // Opset 13 has no LayerNormalization: its decomposition, over the ONNX axis that holds convas's
    // last (an image's channels, axis 1), γ and β broadcast along it. The importer reads it back as one layer.
    const { inputs: [x], shapes: [input], n } = l, rank = input.length, features = input[rank - 1];
    const axes = [intsAttribute('axes', [1 + convasAxes(rank).indexOf(rank - 1)])];
    const dims = rank === 3 ? [features, 1, 1] : [features];
    const gamma = param(l.layer, 'gamma'), beta = param(l.layer, 'beta');
    const centred = w.node('Sub', [x, w.node('ReduceMean', [x], `${n}_mean`, axes)], `${n}_centred`);
    const variance = w.node('ReduceMean', [w.node('Mul', [centred, centred], `${n}_squared`)], `${n}_variance`, axes);
    const deviation = w.node('Sqrt', [w.node('Add', [variance, w.constant(`${n}.epsilon`, [], [l.config.epsilon as number])], `${n}_plus_epsilon`)],
      `${n}_deviation`);
    const normalised = w.node('Div', [centred, deviation], gamma || beta ? `${n}_normalised` : n);
    const scaled = gamma ? w.node('Mul', [normalised, w.constant(`${n}.gamma`, dims, w.weight(gamma))], beta ? `${n}_scaled` : n) : normalised;
    return beta ? w.node('Add', [scaled, w.constant(`${n}.beta`, dims, w.weight(beta))], n) : scaled;
  },
  GroupNormalization: (w, l) => {
    // An image's groups as PyTorch writes nn.GroupNorm (and the importer reads back as one layer):
    // Reshape to [N, G, −1], InstanceNormalization of those G rows (scale 1, B 0), Reshape back, Mul
    // by γ, Add of β; one group per channel as InstanceNormalization with γ and β.
    const { inputs: [x], shapes: [input], n } = l, channels = input[input.length - 1];
    if (input.length !== 3) throw l.cannot(`normalises a [${input.join(', ')}] input; convas writes the group normalisation of images only`);
    const groups = l.config.groups === -1 ? channels : l.config.groups as number, epsilon = [floatAttribute('epsilon', l.config.epsilon as number)];
    const named = (name: string, missing: number, dims: number[]) => {
      const p = param(l.layer, name);
      return w.constant(`${n}.${name}`, dims, p ? w.weight(p) : new Float32Array(channels).fill(missing));
    };
    if (groups === channels) return w.node('InstanceNormalization', [x, named('gamma', 1, [channels]), named('beta', 0, [channels])], n, epsilon);
    const rows = w.node('Reshape', [x, w.ints(`${n}.groups_shape`, [0, groups, -1])], `${n}_groups`);
    const normalised = w.node('InstanceNormalization', [rows, w.constant(`${n}.ones`, [groups], new Float32Array(groups).fill(1)),
      w.constant(`${n}.zeros`, [groups], new Float32Array(groups))], `${n}_normalised`, epsilon);
    const image = w.node('Reshape', [normalised, w.node('Shape', [x], `${n}_shape`)], `${n}_image`);
    return w.node('Add', [w.node('Mul', [image, named('gamma', 1, [channels, 1, 1])], `${n}_scaled`), named('beta', 0, [channels, 1, 1])], n);
  },
  UnitNormalization: (w, l) => {
    // x / max(‖x‖, minNorm) over the ONNX axis that holds convas's last, as PyTorch writes F.normalize
    // (without its Expand: Div broadcasts); no Clip for minNorm 0. The importer reads it back as one layer.
    const { inputs: [x], shapes: [input], n } = l, rank = input.length, minNorm = l.config.minNorm as number;
    // The Clip's bound is a float32: ∞ would make a file no reader takes as a floor, 0 one that gives NaN for rows of zeros.
    const bound = Math.fround(minNorm);
    if (minNorm > 0 && !(bound > 0 && bound < Infinity)) throw l.cannot(`has minNorm ${minNorm}, which a float32 Clip bound rounds to ${bound}`);
    const norm = w.node('ReduceL2', [x], `${n}_norm`, [intsAttribute('axes', [1 + convasAxes(rank).indexOf(rank - 1)])]);
    return w.node('Div', [x, minNorm > 0 ? w.clip(norm, `${n}_floored`, minNorm, undefined) : norm], n);
  },
  Rescaling: (w, l) => {
    const { inputs: [x], shapes: [input], n } = l, rank = input.length, channels = input[rank - 1];
    const dims = (v: number | number[]) => (Array.isArray(v) ? (rank === 3 ? [channels, 1, 1] : [channels]) : []);
    const scale = l.config.scale as number | number[], offset = l.config.offset as number | number[];
    const isOne = (v: number | number[]) => (Array.isArray(v) ? v.every((s) => s === 1) : v === 1);
    const isZero = (v: number | number[]) => (Array.isArray(v) ? v.every((s) => s === 0) : v === 0);
    const scaled = isOne(scale) ? x : w.node('Mul', [x, w.constant(`${n}.scale`, dims(scale), [scale].flat())], isZero(offset) ? n : `${n}_scaled`);
    if (isZero(offset)) return scaled === x ? w.node('Identity', [x], n) : scaled;
    return w.node('Add', [scaled, w.constant(`${n}.offset`, dims(offset), [offset].flat())], n);
  },
};

/** Every layer class the ONNX writer knows, by class name. */
/**
 * Layers that act only while training and pass their input through at inference, which is what an
 * ONNX file runs: written as Identity (read back as nothing), as Keras's exporters leave them out.
 * RandomCrop is not among them: at inference it resizes the centre.
 */
const passedAtInference = Object.fromEntries(['GaussianNoise', 'RandomFlip', 'RandomTranslation', 'RandomRotation', 'RandomZoom',
  'RandomBrightness', 'RandomContrast'].map((className): [string, LayerWriter] => [className, (w, l) => w.node('Identity', [l.inputs[0]], l.n)]));

export const LAYER_WRITERS: Record<string, LayerWriter> = { ...convolutions, ...poolings, ...shapes, ...merges, ...activations, ...passedAtInference };
