// Naive reference of a whole layer stack, composed from the kernel references: forward and backward
// from each layer's saved config, its per-example input shape and its weights (TensorFlow.js order).
import type { Conv2dArgs, DepthwiseConv2dArgs, Pool2dArgs } from '../../src/backend/kernels.js';
import type { LayerConfig } from '../../src/layers/index.js';
import { resolvePadding2d, type Padding } from '../../src/window.js';
import { type Dilation, conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from './conv2d.js';
import { depthwiseConv2dBackwardFilter, depthwiseConv2dBackwardInput, depthwiseConv2dForward } from './depthwise-conv2d.js';
import * as elementwise from './elementwise.js';
import { matMul } from './gemm.js';
import { softmaxBackward, softmaxForward } from './loss.js';
import { avgPoolBackward, avgPoolForward, maxPoolBackward, maxPoolForward } from './pool.js';

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

/** The activation's output for z; softmax normalises along the last axis, of length `axis`. */
function activate(name: string, z: Float32Array, axis: number): Float32Array {
  switch (name) {
    case 'relu': return elementwise.reluForward(z);
    case 'tanh': return elementwise.tanhForward(z);
    case 'sigmoid': return elementwise.sigmoidForward(z);
    case 'softmax': return softmaxForward(z, z.length / axis, axis);
    default: return z;
  }
}

/** dz from the activation's output y and dy. */
function activationGradient(name: string, y: Float32Array, dy: Float32Array, axis: number): Float32Array {
  switch (name) {
    case 'relu': return elementwise.reluBackward(y, dy);
    case 'tanh': return elementwise.tanhBackward(y, dy);
    case 'sigmoid': return elementwise.sigmoidBackward(y, dy);
    case 'softmax': return softmaxBackward(y, dy, y.length / axis, axis);
    default: return dy;
  }
}

const poolAverages = (className: string) => className === 'AveragePooling2D';

/** One layer's output for a batch of inputs x. */
export function layerForward(layer: StackLayer, x: Float32Array, batch: number): Float32Array {
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
      const units = config.units as number, inputs = sizeOf(inputShape);
      const z = matMul(x, weights[0], batch, inputs, units, false, false);
      return activate(activation, weights[1] ? elementwise.addBias(z, weights[1], batch, units) : z, units);
    }
    case 'MaxPooling2D': return maxPoolForward(x, poolGeometry(layer, batch)).y;
    case 'AveragePooling2D':
    case 'SumPooling2D': return avgPoolForward(x, poolAverages(config.className), poolGeometry(layer, batch));
    case 'Flatten': return x;
    case 'Activation': return activate(activation, x, inputShape[inputShape.length - 1]);
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
      const dz = activationGradient(activation, y, dy, g[6]);
      const { dFilter, dBias } = conv2dBackwardFilter(x, dz, g, dilationOf(layer));
      return { dx: conv2dBackwardInput(dz, weights[0], g, dilationOf(layer)), grads: weights.length > 1 ? [dFilter, dBias] : [dFilter] };
    }
    case 'DepthwiseConv2D': {
      const g = depthwiseGeometry(layer, batch);
      const dz = activationGradient(activation, y, dy, g[3] * g[6]);
      const { dFilter, dBias } = depthwiseConv2dBackwardFilter(x, dz, g);
      return { dx: depthwiseConv2dBackwardInput(dz, weights[0], g), grads: weights.length > 1 ? [dFilter, dBias] : [dFilter] };
    }
    case 'SeparableConv2D': {
      const g = depthwiseGeometry(layer, batch), filters = config.filters as number, pointwise = pointwiseGeometry(g, filters);
      const dz = activationGradient(activation, y, dy, filters);
      const middle = depthwiseConv2dForward(x, weights[0], undefined, g);
      const { dFilter: dPointwise, dBias } = conv2dBackwardFilter(middle, dz, pointwise);
      const dMiddle = conv2dBackwardInput(dz, weights[1], pointwise);
      const dDepthwise = depthwiseConv2dBackwardFilter(x, dMiddle, g).dFilter;
      return { dx: depthwiseConv2dBackwardInput(dMiddle, weights[0], g), grads: weights.length > 2 ? [dDepthwise, dPointwise, dBias] : [dDepthwise, dPointwise] };
    }
    case 'Dense': {
      const units = config.units as number, inputs = sizeOf(inputShape);
      const dz = activationGradient(activation, y, dy, units);
      const dKernel = matMul(x, dz, inputs, batch, units, true, false);
      const grads = weights.length > 1 ? [dKernel, elementwise.sumRows(dz, batch, units)] : [dKernel];
      return { dx: matMul(dz, weights[0], batch, units, inputs, false, true), grads };
    }
    case 'MaxPooling2D': {
      const { argmax } = maxPoolForward(x, poolGeometry(layer, batch));
      return { dx: maxPoolBackward(dy, argmax, x.length), grads: [] };
    }
    case 'AveragePooling2D':
    case 'SumPooling2D': return { dx: avgPoolBackward(dy, poolAverages(config.className), poolGeometry(layer, batch)), grads: [] };
    case 'Flatten': return { dx: dy, grads: [] };
    case 'Activation': return { dx: activationGradient(activation, y, dy, inputShape[inputShape.length - 1]), grads: [] };
    default: throw new Error(`reference: no ${config.className}`);
  }
}

/** Every layer's output, each layer reading the one before (the first reads x). */
export function stackForward(stack: StackLayer[], x: Float32Array, batch: number): Float32Array[] {
  const outputs: Float32Array[] = [];
  stack.forEach((layer, i) => outputs.push(layerForward(layer, i === 0 ? x : outputs[i - 1], batch)));
  return outputs;
}

/**
 * Backpropagates dy from the last layer to x, given each layer's input (`inputs[i]`) and output
 * (`outputs[i]`): the gradient with respect to x and, per layer, its weight gradients.
 */
export function stackBackward(stack: StackLayer[], inputs: Float32Array[], outputs: Float32Array[], dy: Float32Array, batch: number) {
  const grads: Float32Array[][] = new Array(stack.length);
  let gradient = dy;
  for (let i = stack.length - 1; i >= 0; i--) {
    const step = layerBackward(stack[i], inputs[i], outputs[i], gradient, batch);
    grads[i] = step.grads;
    gradient = step.dx;
  }
  return { dx: gradient, grads };
}
