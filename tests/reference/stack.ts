// Naive reference of a whole layer stack, composed from the kernel references: forward and backward
// from each layer's saved config, its per-example input shape and its weights (TensorFlow.js order).
import type { Conv2dArgs, Pool2dArgs } from '../../src/backend/kernels.js';
import type { LayerConfig } from '../../src/layers/index.js';
import { resolvePadding2d, type Padding } from '../../src/window.js';
import { conv2dBackwardFilter, conv2dBackwardInput, conv2dForward } from './conv2d.js';
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

function convGeometry(layer: StackLayer, batch: number): Conv2dArgs {
  const [h, w, c] = layer.inputShape;
  const { filters, kernelSize, strides, padding } = layer.config as unknown as { filters: number; kernelSize: unknown; strides: unknown; padding: Padding };
  const g = resolvePadding2d([h, w], pair(kernelSize), pair(strides), padding, 'reference');
  return [batch, h, w, c, g.outHeight, g.outWidth, filters, ...pair(kernelSize), ...pair(strides), g.top, g.left];
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

/** Dropout is modelled only when it changes nothing (rate 0): its masks come from the layer's own stream. */
function dropoutOff(config: LayerConfig, x: Float32Array): Float32Array {
  if (config.rate !== 0) throw new Error(`reference: dropout is modelled at rate 0 only, got ${String(config.rate)}`);
  return x;
}

const poolAverages = (className: string) => className === 'AveragePooling2D';

/** One layer's output for a batch of inputs x. */
export function layerForward(layer: StackLayer, x: Float32Array, batch: number): Float32Array {
  const { config, weights, inputShape } = layer;
  const activation = String(config.activation ?? 'linear');
  switch (config.className) {
    case 'Conv2D': {
      const g = convGeometry(layer, batch);
      return activate(activation, conv2dForward(x, weights[0], weights[1], g), g[6]);
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
    case 'Dropout': return dropoutOff(config, x);
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
      const { dFilter, dBias } = conv2dBackwardFilter(x, dz, g);
      return { dx: conv2dBackwardInput(dz, weights[0], g), grads: weights.length > 1 ? [dFilter, dBias] : [dFilter] };
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
    case 'Dropout': return { dx: dropoutOff(config, dy), grads: [] };
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

/** A layer's per-example output shape; layers that keep the shape (activations, dropout, …) need no case. */
export function layerOutputShape(layer: StackLayer): number[] {
  const { config, inputShape } = layer;
  switch (config.className) {
    case 'Conv2D': {
      const g = convGeometry(layer, 1);
      return [g[4], g[5], g[6]];
    }
    case 'MaxPooling2D':
    case 'AveragePooling2D':
    case 'SumPooling2D': {
      const g = poolGeometry(layer, 1);
      return [g[4], g[5], g[3]];
    }
    case 'Dense': return [config.units as number];
    case 'Flatten': return [sizeOf(inputShape)];
    default: return [...inputShape];
  }
}
