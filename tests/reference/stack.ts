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

/** SELU's constants [scale·alpha, scale]. */
const SELU = [1.7580993408473768, 1.0507009873554805] as const;
const f32 = (values: ArrayLike<number>) => Float32Array.from(values);

/** The activation's output for z; softmax normalises along the last axis, of length `axis`. */
function activate(name: string, z: Float32Array, axis: number): Float32Array {
  switch (name) {
    case 'relu': return elementwise.reluForward(z);
    case 'tanh': return elementwise.tanhForward(z);
    case 'sigmoid': return elementwise.sigmoidForward(z);
    case 'softmax': return softmaxForward(z, z.length / axis, axis);
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
    case 'ReLU':
    case 'LeakyReLU': return f32(elementwise.leakyReluForward(x, ...reluOptions(config)));
    case 'ELU': return f32(elementwise.eluForward(x, config.alpha as number, 1));
    case 'Softmax': return activate('softmax', x, inputShape[inputShape.length - 1]);
    case 'PReLU': return f32(elementwise.preluForward(x, weights[0]));
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
      const dz = activationGradient(activation, conv2dForward(x, weights[0], weights[1], g), y, dy, g[6]);
      const { dFilter, dBias } = conv2dBackwardFilter(x, dz, g);
      return { dx: conv2dBackwardInput(dz, weights[0], g), grads: weights.length > 1 ? [dFilter, dBias] : [dFilter] };
    }
    case 'Dense': {
      const units = config.units as number, inputs = sizeOf(inputShape);
      const z = matMul(x, weights[0], batch, inputs, units, false, false);
      const dz = activationGradient(activation, weights[1] ? elementwise.addBias(z, weights[1], batch, units) : z, y, dy, units);
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
    case 'Activation': return { dx: activationGradient(activation, x, y, dy, inputShape[inputShape.length - 1]), grads: [] };
    case 'ReLU':
    case 'LeakyReLU': return { dx: f32(elementwise.leakyReluBackward(x, dy, ...reluOptions(config))), grads: [] };
    case 'ELU': return { dx: f32(elementwise.eluBackward(x, dy, config.alpha as number, 1)), grads: [] };
    case 'Softmax': return { dx: activationGradient('softmax', x, y, dy, inputShape[inputShape.length - 1]), grads: [] };
    case 'PReLU': {
      const { dx, dAlpha } = elementwise.preluBackward(x, weights[0], dy);
      return { dx: f32(dx), grads: [f32(dAlpha)] };
    }
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
