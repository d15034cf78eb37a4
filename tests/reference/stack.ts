// Naive reference of a whole layer stack, composed from the kernel references: forward and backward
// from each layer's saved config, its per-example input shape and its weights (TensorFlow.js order).
import type { Conv2dArgs, DepthwiseConv2dArgs, Pool2dArgs } from '../../src/backend/kernels.js';
import type { LayerConfig } from '../../src/layers/index.js';
import { resolvePadding2d, type Padding } from '../../src/window.js';
import { type BatchNormWeights, batchNormBackward, batchNormInference, batchNormTraining } from './batch-norm.js';
import { type LayerNormWeights, layerNormBackward, layerNormForward } from './layer-norm.js';
import { groupNormBackward, groupNormForward } from './group-norm.js';
import { type Dilation, conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from './conv2d.js';
import { depthwiseConv2dBackwardFilter, depthwiseConv2dBackwardInput, depthwiseConv2dForward } from './depthwise-conv2d.js';
import * as elementwise from './elementwise.js';
import { matMul } from './gemm.js';
import { logSoftmaxBackward, logSoftmaxForward, softmaxBackward, softmaxForward } from './loss.js';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from './pool.js';
import { type TransposeGeometry, conv2dTransposeBackward, conv2dTransposeForward, transposeGeometry } from './conv2d-transpose.js';
import { type UpSamplingShape, upSampling2dBackward, upSampling2dForward } from './upsampling.js';
import { globalAvgPoolBackward, globalAvgPoolForward, globalMaxPoolBackward, globalMaxPoolForward } from './global-pool.js';
import { type Borders, crop, pad } from './borders.js';
import { type ResizeMethod, type ResizeShape, resizeBackward, resizeForward } from './resize.js';

export interface StackLayer {
  config: LayerConfig;
  /** Per example, without the batch. */
  inputShape: number[];
  /** kernel (and bias) as the layer holds them. */
  weights: Float32Array[];
}

const sizeOf = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const pair = (v: unknown) => (Array.isArray(v) ? v : [v, v]) as [number, number];

type ConvConfig = { filters: number; kernelSize: unknown; strides: unknown; padding: Padding; dilationRate?: unknown; depthMultiplier?: number };

const dilationOf = (layer: StackLayer): Dilation => pair((layer.config as unknown as ConvConfig).dilationRate ?? 1);

function convGeometry(layer: StackLayer, batch: number): Conv2dArgs {
  const [h, w, c] = layer.inputShape;
  const { filters, kernelSize, strides, padding } = layer.config as unknown as ConvConfig;
  const g = resolvePadding2d([h, w], pair(kernelSize), pair(strides), padding, 'reference', dilationOf(layer));
  return [batch, h, w, c, g.outHeight, g.outWidth, filters, ...pair(kernelSize), ...pair(strides), g.top, g.left];
}

/** The depthwise step of a DepthwiseConv2D or a SeparableConv2D. */
function depthwiseGeometry(layer: StackLayer, batch: number): DepthwiseConv2dArgs {
  const [h, w, c] = layer.inputShape;
  const { kernelSize, strides, padding, depthMultiplier } = layer.config as unknown as ConvConfig;
  const g = resolvePadding2d([h, w], pair(kernelSize), pair(strides), padding, 'reference', dilationOf(layer));
  return [batch, h, w, c, g.outHeight, g.outWidth, depthMultiplier ?? 1, ...pair(kernelSize), ...pair(strides), g.top, g.left, ...dilationOf(layer)];
}

/** A SeparableConv2D's pointwise step: a 1×1 convolution of the depthwise step's output. */
function pointwiseGeometry(depthwise: DepthwiseConv2dArgs, filters: number): Conv2dArgs {
  const [batch, , , c, outH, outW, dm] = depthwise;
  return [batch, outH, outW, c * dm, outH, outW, filters, 1, 1, 1, 1, 0, 0];
}

function poolGeometry(layer: StackLayer, batch: number): Pool2dArgs {
  const [h, w, c] = layer.inputShape;
  const { poolSize, strides, padding } = layer.config as unknown as { poolSize: unknown; strides: unknown; padding: Padding };
  const g = resolvePadding2d([h, w], pair(poolSize), pair(strides), padding, 'reference');
  return [batch, h, w, c, g.outHeight, g.outWidth, ...pair(poolSize), ...pair(strides), g.top, g.left];
}

/** SELU's constants [scale·alpha, scale]. */
const SELU = [1.7580993408473768, 1.0507009873554805] as const;
const f32 = (values: ArrayLike<number>) => Float32Array.from(values);

/** The activation's output for z; softmax and logSoftmax normalise along the last axis, of length `axis`. */
function activate(name: string, z: Float32Array, axis: number): Float32Array {
  switch (name) {
    case 'relu': return elementwise.reluForward(z);
    case 'tanh': return elementwise.tanhForward(z);
    case 'sigmoid': return elementwise.sigmoidForward(z);
    case 'softmax': return softmaxForward(z, z.length / axis, axis);
    case 'logSoftmax': return logSoftmaxForward(z, z.length / axis, axis);
    case 'relu6': return f32(elementwise.relu6Forward(z));
    case 'elu': return f32(elementwise.eluForward(z, 1, 1));
    case 'selu': return f32(elementwise.eluForward(z, ...SELU));
    case 'softplus': return f32(elementwise.softplusForward(z));
    case 'softsign': return f32(elementwise.softsignForward(z));
    case 'swish': return f32(elementwise.swishForward(z));
    case 'gelu': return f32(elementwise.geluForward(z));
    case 'hardSigmoid': return f32(elementwise.hardSigmoidForward(z));
    case 'hardSwish': return f32(elementwise.hardSwishForward(z));
    default: return z;
  }
}

/** dz from the activation's input z, its output y and dy. */
function activationGradient(name: string, z: Float32Array, y: Float32Array, dy: Float32Array, axis: number): Float32Array {
  switch (name) {
    case 'relu': return elementwise.reluBackward(y, dy);
    case 'tanh': return elementwise.tanhBackward(y, dy);
    case 'sigmoid': return elementwise.sigmoidBackward(y, dy);
    case 'softmax': return softmaxBackward(y, dy, y.length / axis, axis);
    case 'logSoftmax': return logSoftmaxBackward(y, dy, y.length / axis, axis);
    case 'relu6': return f32(elementwise.relu6Backward(y, dy));
    case 'elu': return f32(elementwise.eluBackward(z, dy, 1, 1));
    case 'selu': return f32(elementwise.eluBackward(z, dy, ...SELU));
    case 'softplus': return f32(elementwise.softplusBackward(z, dy));
    case 'softsign': return f32(elementwise.softsignBackward(z, dy));
    case 'swish': return f32(elementwise.swishBackward(z, dy));
    case 'gelu': return f32(elementwise.geluBackward(z, dy));
    case 'hardSigmoid': return f32(elementwise.hardSigmoidBackward(y, dy));
    case 'hardSwish': return f32(elementwise.hardSwishBackward(z, dy));
    default: return dy;
  }
}

/** Keras's relu options of a ReLU or LeakyReLU layer: [max, negative slope, threshold]. */
function reluOptions(config: LayerConfig): [number, number, number] {
  if (config.className === 'LeakyReLU') return [Infinity, config.alpha as number, 0];
  return [(config.maxValue as number | null) ?? Infinity, config.negativeSlope as number, config.threshold as number];
}

/** Dropout is modelled only when it changes nothing (rate 0): its masks come from the layer's own stream. */
function dropoutOff(config: LayerConfig, x: Float32Array): Float32Array {
  if (config.rate !== 0) throw new Error(`reference: dropout is modelled at rate 0 only, got ${String(config.rate)}`);
  return x;
}

const poolAverages = (className: string) => className === 'AveragePooling2D';

function transposeOf(layer: StackLayer, batch: number): TransposeGeometry {
  const { filters, kernelSize, strides, padding } = layer.config as unknown as { filters: number; kernelSize: unknown; strides: unknown; padding: Padding };
  return transposeGeometry(batch, layer.inputShape, filters, pair(kernelSize), pair(strides), padding)!;
}

function upSamplingOf(layer: StackLayer, batch: number): UpSamplingShape {
  const [inHeight, inWidth, channels] = layer.inputShape, [sizeHeight, sizeWidth] = pair(layer.config.size);
  return { batch, inHeight, inWidth, channels, sizeHeight, sizeWidth };
}

const bilinear = (layer: StackLayer) => layer.config.interpolation === 'bilinear';
function resizingOf(layer: StackLayer, batch: number): [ResizeShape, ResizeMethod] {
  const [inHeight, inWidth, channels] = layer.inputShape, { height, width } = layer.config;
  return [{ batch, inHeight, inWidth, channels, outHeight: height as number, outWidth: width as number }, layer.config as unknown as ResizeMethod];
}
/** [positions, channels] of a global pooling's input. */
const positionsOf = ({ inputShape: [h, w, c] }: StackLayer) => [h * w, c] as const;

/** A dense layer's products: along the input's last axis (`inputs`), a row per position of each example (Keras's Dense). */
function denseRows({ config, inputShape }: StackLayer, batch: number) {
  const inputs = inputShape[inputShape.length - 1];
  return { units: config.units as number, inputs, rows: (batch * sizeOf(inputShape)) / inputs };
}
/** A padding's or cropping's borders, and the smaller of its input and output shapes. */
function bordersOf({ config, inputShape: [h, w, c] }: StackLayer) {
  const borders = (config.padding ?? config.cropping) as Borders;
  const [[top, bottom], [left, right]] = borders;
  return { borders, small: config.className === 'ZeroPadding2D' ? [h, w, c] : [h - top - bottom, w - left - right, c] };
}


/** A BatchNormalization's weights by name (γ and β present as center and scale say), its rows and channels. */
function batchNormParts(layer: StackLayer, batch: number) {
  const { config, weights, inputShape } = layer;
  const named = [...weights];
  const w: BatchNormWeights = {
    gamma: config.scale === false ? undefined : named.shift(), beta: config.center === false ? undefined : named.shift(),
    movingMean: named[0], movingVariance: named[1],
  };
  const channels = inputShape[inputShape.length - 1];
  const settings = { epsilon: (config.epsilon as number | undefined) ?? 1e-3, momentum: (config.momentum as number | undefined) ?? 0.99,
    besselCorrection: inputShape.length === 3 };
  return { w, channels, rows: (batch * sizeOf(inputShape)) / channels, settings };
}

/** A GroupNormalization's γ and β (present as scale and center say), its examples, positions, channels, groups and ε. */
function groupNormParts({ config, weights, inputShape }: StackLayer, batch: number) {
  const named = [...weights];
  const w: LayerNormWeights = { gamma: config.scale === false ? undefined : named.shift(), beta: config.center === false ? undefined : named.shift() };
  const channels = inputShape[inputShape.length - 1], groups = config.groups === -1 ? channels : config.groups as number;
  return { w, args: [batch, sizeOf(inputShape) / channels, channels, groups] as const, epsilon: config.epsilon as number };
}

/** A LayerNormalization's γ and β (present as scale and center say), its rows (every position of every example), channels and ε. */
function layerNormParts({ config, weights, inputShape }: StackLayer, batch: number) {
  const named = [...weights];
  const w: LayerNormWeights = { gamma: config.scale === false ? undefined : named.shift(), beta: config.center === false ? undefined : named.shift() };
  const channels = inputShape[inputShape.length - 1];
  return { w, channels, rows: (batch * sizeOf(inputShape)) / channels, epsilon: config.epsilon as number };
}

/** One layer's output for a batch of inputs x, in training mode (as fit runs it) unless `training` is false. */
export function layerForward(layer: StackLayer, x: Float32Array, batch: number, training = true): Float32Array {
  const { config, weights, inputShape } = layer;
  const activation = String(config.activation ?? 'linear');
  switch (config.className) {
    case 'Conv2D': {
      const g = convGeometry(layer, batch);
      return activate(activation, conv2dForward(x, weights[0], weights[1], g, false, dilationOf(layer)), g[6]);
    }
    case 'DepthwiseConv2D': {
      const g = depthwiseGeometry(layer, batch);
      return activate(activation, depthwiseConv2dForward(x, weights[0], weights[1], g), g[3] * g[6]);
    }
    case 'SeparableConv2D': {
      const g = depthwiseGeometry(layer, batch), filters = config.filters as number;
      const middle = depthwiseConv2dForward(x, weights[0], undefined, g);
      return activate(activation, conv2dForward(middle, weights[1], weights[2], pointwiseGeometry(g, filters)), filters);
    }
    case 'Dense': {
      const { units, inputs, rows } = denseRows(layer, batch);
      const z = matMul(x, weights[0], rows, inputs, units, false, false);
      return activate(activation, weights[1] ? elementwise.addBias(z, weights[1], rows, units) : z, units);
    }
    case 'MaxPooling2D': return maxPoolForward(x, poolGeometry(layer, batch)).y;
    case 'AveragePooling2D':
    case 'SumPooling2D': return avgPoolForward(x, poolAverages(config.className), poolGeometry(layer, batch));
    case 'Flatten': return x;
    case 'Activation': return activate(activation, x, inputShape[inputShape.length - 1]);
    case 'Conv2DTranspose': {
      const g = transposeOf(layer, batch);
      return activate(activation, conv2dTransposeForward(x, weights[0], weights[1], g), g.filters);
    }
    case 'UpSampling2D': return upSampling2dForward(x, upSamplingOf(layer, batch), bilinear(layer));
    case 'GlobalAveragePooling2D': return globalAvgPoolForward(x, batch, ...positionsOf(layer));
    case 'GlobalMaxPooling2D': return globalMaxPoolForward(x, batch, ...positionsOf(layer)).y;
    case 'ZeroPadding2D': {
      const { small, borders } = bordersOf(layer);
      return pad(x, batch, small, borders);
    }
    case 'Cropping2D': {
      const { small, borders } = bordersOf(layer);
      return crop(x, batch, small, borders);
    }
    case 'Reshape': return x;
    case 'BatchNormalization': {
      const { w, channels, rows, settings } = batchNormParts(layer, batch);
      return training ? batchNormTraining(x, rows, channels, w, settings).y : batchNormInference(x, rows, channels, w, settings.epsilon);
    }
    case 'ReLU':
    case 'LeakyReLU': return f32(elementwise.leakyReluForward(x, ...reluOptions(config)));
    case 'ELU': return f32(elementwise.eluForward(x, config.alpha as number, 1));
    case 'Softmax': return activate('softmax', x, inputShape[inputShape.length - 1]);
    case 'PReLU': return f32(elementwise.preluForward(x, weights[0]));
    case 'Dropout': return dropoutOff(config, x);
    case 'Resizing': return resizeForward(x, ...resizingOf(layer, batch));
    case 'LayerNormalization': {
      const { w, channels, rows, epsilon } = layerNormParts(layer, batch);
      return layerNormForward(x, rows, channels, w, epsilon).y;
    }
    case 'GroupNormalization': {
      const { w, args, epsilon } = groupNormParts(layer, batch);
      return groupNormForward(x, ...args, w, epsilon);
    }
    default: throw new Error(`reference: no ${config.className}`);
  }
}

/**
 * One layer's backward from its input x, its output y and dy: the input gradient and each weight's
 * gradient (summed over the batch), in the order of `weights`.
 */
export function layerBackward(layer: StackLayer, x: Float32Array, y: Float32Array, dy: Float32Array, batch: number) {
  const { config, weights, inputShape } = layer;
  const activation = String(config.activation ?? 'linear');
  switch (config.className) {
    case 'Conv2D': {
      const g = convGeometry(layer, batch);
      const z = conv2dForward(x, weights[0], weights[1], g, false, dilationOf(layer));
      const dz = activationGradient(activation, z, y, dy, g[6]);
      const { dFilter, dBias } = conv2dBackwardFilter(x, dz, g, dilationOf(layer));
      return { dx: conv2dBackwardInput(dz, weights[0], g, dilationOf(layer)), grads: weights.length > 1 ? [dFilter, dBias] : [dFilter] };
    }
    case 'DepthwiseConv2D': {
      const g = depthwiseGeometry(layer, batch);
      const dz = activationGradient(activation, depthwiseConv2dForward(x, weights[0], weights[1], g), y, dy, g[3] * g[6]);
      const { dFilter, dBias } = depthwiseConv2dBackwardFilter(x, dz, g);
      return { dx: depthwiseConv2dBackwardInput(dz, weights[0], g), grads: weights.length > 1 ? [dFilter, dBias] : [dFilter] };
    }
    case 'SeparableConv2D': {
      const g = depthwiseGeometry(layer, batch), filters = config.filters as number, pointwise = pointwiseGeometry(g, filters);
      const middle = depthwiseConv2dForward(x, weights[0], undefined, g);
      const dz = activationGradient(activation, conv2dForward(middle, weights[1], weights[2], pointwise), y, dy, filters);
      const { dFilter: dPointwise, dBias } = conv2dBackwardFilter(middle, dz, pointwise);
      const dMiddle = conv2dBackwardInput(dz, weights[1], pointwise);
      const dDepthwise = depthwiseConv2dBackwardFilter(x, dMiddle, g).dFilter;
      return { dx: depthwiseConv2dBackwardInput(dMiddle, weights[0], g), grads: weights.length > 2 ? [dDepthwise, dPointwise, dBias] : [dDepthwise, dPointwise] };
    }
    case 'Dense': {
      const { units, inputs, rows } = denseRows(layer, batch);
      const z = matMul(x, weights[0], rows, inputs, units, false, false);
      const dz = activationGradient(activation, weights[1] ? elementwise.addBias(z, weights[1], rows, units) : z, y, dy, units);
      const dKernel = matMul(x, dz, inputs, rows, units, true, false);
      const grads = weights.length > 1 ? [dKernel, elementwise.sumRows(dz, rows, units)] : [dKernel];
      return { dx: matMul(dz, weights[0], rows, units, inputs, false, true), grads };
    }
    case 'MaxPooling2D': {
      const { argmax } = maxPoolForward(x, poolGeometry(layer, batch));
      return { dx: maxPoolBackward(dy, argmax, x.length), grads: [] };
    }
    case 'AveragePooling2D':
    case 'SumPooling2D': return { dx: avgPoolBackward(dy, poolAverages(config.className), poolGeometry(layer, batch)), grads: [] };
    case 'Flatten': return { dx: dy, grads: [] };
    case 'Activation': return { dx: activationGradient(activation, x, y, dy, inputShape[inputShape.length - 1]), grads: [] };
    case 'Conv2DTranspose': {
      const g = transposeOf(layer, batch);
      const z = conv2dTransposeForward(x, weights[0], weights[1], g);
      const { dx, dKernel, dBias } = conv2dTransposeBackward(x, weights[0], activationGradient(activation, z, y, dy, g.filters), g);
      return { dx, grads: weights.length > 1 ? [dKernel, dBias] : [dKernel] };
    }
    case 'UpSampling2D': return { dx: upSampling2dBackward(dy, upSamplingOf(layer, batch), bilinear(layer)), grads: [] };
    case 'GlobalAveragePooling2D': return { dx: globalAvgPoolBackward(dy, batch, ...positionsOf(layer)), grads: [] };
    case 'GlobalMaxPooling2D': {
      const { argmax } = globalMaxPoolForward(x, batch, ...positionsOf(layer));
      return { dx: globalMaxPoolBackward(dy, argmax, batch, ...positionsOf(layer)), grads: [] };
    }
    case 'ZeroPadding2D': {
      const { small, borders } = bordersOf(layer);
      return { dx: crop(dy, batch, small, borders), grads: [] };
    }
    case 'Cropping2D': {
      const { small, borders } = bordersOf(layer);
      return { dx: pad(dy, batch, small, borders), grads: [] };
    }
    case 'Reshape': return { dx: dy, grads: [] };
    case 'BatchNormalization': {
      // Through the batch statistics, as in training; the moving statistics get no gradient.
      const { w, channels, rows, settings } = batchNormParts(layer, batch);
      const { dx, dGamma, dBeta } = batchNormBackward(x, dy, rows, channels, w, settings.epsilon);
      const none = new Float32Array(channels);
      return { dx, grads: [...(w.gamma ? [dGamma] : []), ...(w.beta ? [dBeta] : []), none, none] };
    }
    case 'ReLU':
    case 'LeakyReLU': return { dx: f32(elementwise.leakyReluBackward(x, dy, ...reluOptions(config))), grads: [] };
    case 'ELU': return { dx: f32(elementwise.eluBackward(x, dy, config.alpha as number, 1)), grads: [] };
    case 'Softmax': return { dx: activationGradient('softmax', x, y, dy, inputShape[inputShape.length - 1]), grads: [] };
    case 'PReLU': {
      const { dx, dAlpha } = elementwise.preluBackward(x, weights[0], dy);
      return { dx: f32(dx), grads: [f32(dAlpha)] };
    }
    case 'Dropout': return { dx: dropoutOff(config, dy), grads: [] };
    case 'Resizing': return { dx: resizeBackward(dy, ...resizingOf(layer, batch)), grads: [] };
    case 'LayerNormalization': {
      const { w, channels, rows, epsilon } = layerNormParts(layer, batch);
      const { dx, dGamma, dBeta } = layerNormBackward(x, dy, rows, channels, w, epsilon);
      return { dx, grads: [...(w.gamma ? [dGamma] : []), ...(w.beta ? [dBeta] : [])] };
    }
    case 'GroupNormalization': {
      const { w, args, epsilon } = groupNormParts(layer, batch);
      const { dx, dGamma, dBeta } = groupNormBackward(x, dy, ...args, w, epsilon);
      return { dx, grads: [...(w.gamma ? [dGamma] : []), ...(w.beta ? [dBeta] : [])] };
    }
    default: throw new Error(`reference: no ${config.className}`);
  }
}

/** Every layer's output, each layer reading the one before (the first reads x); in training mode unless `training` is false. */
export function stackForward(stack: StackLayer[], x: Float32Array, batch: number, training = true): Float32Array[] {
  const outputs: Float32Array[] = [];
  stack.forEach((layer, i) => outputs.push(layerForward(layer, i === 0 ? x : outputs[i - 1], batch, training)));
  return outputs;
}

/**
 * Backpropagates dy from the last layer to x, given each layer's input (`inputs[i]`) and output
 * (`outputs[i]`): the gradient with respect to x and, per layer, its weight gradients and the
 * gradient that reached its output.
 */
export function stackBackward(stack: StackLayer[], inputs: Float32Array[], outputs: Float32Array[], dy: Float32Array, batch: number) {
  const grads: Float32Array[][] = new Array(stack.length);
  const outputGradients: Float32Array[] = new Array(stack.length);
  let gradient = dy;
  for (let i = stack.length - 1; i >= 0; i--) {
    outputGradients[i] = gradient;
    const step = layerBackward(stack[i], inputs[i], outputs[i], gradient, batch);
    grads[i] = step.grads;
    gradient = step.dx;
  }
  return { dx: gradient, grads, outputGradients };
}

/** A layer's per-example output shape, from its settings; layers that keep the shape (activations, dropout, …) need no case. */
export function layerOutputShape(layer: StackLayer): number[] {
  const { config, inputShape } = layer;
  switch (config.className) {
    case 'Conv2D': {
      const g = convGeometry(layer, 1);
      return [g[4], g[5], g[6]];
    }
    case 'DepthwiseConv2D': {
      const g = depthwiseGeometry(layer, 1);
      return [g[4], g[5], g[3] * g[6]];
    }
    case 'SeparableConv2D': {
      const g = depthwiseGeometry(layer, 1);
      return [g[4], g[5], config.filters as number];
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D':
    case 'SumPooling2D': {
      const g = poolGeometry(layer, 1);
      return [g[4], g[5], g[3]];
    }
    case 'Dense': return [...inputShape.slice(0, -1), config.units as number];
    case 'Flatten': return [sizeOf(inputShape)];
    case 'Conv2DTranspose': {
      const g = transposeOf(layer, 1);
      return [g.outHeight, g.outWidth, g.filters];
    }
    case 'UpSampling2D': {
      const s = upSamplingOf(layer, 1);
      return [s.inHeight * s.sizeHeight, s.inWidth * s.sizeWidth, s.channels];
    }
    case 'Resizing': return [config.height as number, config.width as number, inputShape[2]];
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D': return config.keepdims ? [1, 1, inputShape[2]] : [inputShape[2]];
    case 'ZeroPadding2D': {
      const [h, w, c] = inputShape, [[top, bottom], [left, right]] = bordersOf(layer).borders;
      return [h + top + bottom, w + left + right, c];
    }
    case 'Cropping2D': return bordersOf(layer).small;
    case 'Reshape': {
      const target = config.targetShape as number[], known = sizeOf(target.filter((d) => d !== -1));
      return target.map((d) => (d === -1 ? sizeOf(inputShape) / known : d));
    }
    default: return [...inputShape];
  }
}
