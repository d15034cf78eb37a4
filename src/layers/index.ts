// Layer factories with TensorFlow.js Layers names; the registry makes a layer from its saved config.
import { Activation } from './activation.js';
import type { ActivationName } from './activation-function.js';
import { Concatenate, type ConcatenateOptions } from './concatenate.js';
import { Conv2D, type Conv2DOptions } from './conv2d.js';
import { Dense, type DenseOptions } from './dense.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { Merge } from './merge.js';
import { Pool2D, type Pool2DOptions } from './pool2d.js';
import { Permute, type PermuteOptions } from './permute.js';
import { Rescaling, type RescalingOptions } from './rescaling.js';

export { Layer } from './layer.js';
export type { LayerConfig, Parameter, WeightSpec } from './layer.js';
export { InputLayer, input } from './input-layer.js';
export type { InputOptions } from './input-layer.js';
export { LayerNode, SymbolicTensor } from './node.js';
export { layerFromConfig, registerLayer, layerClassNames } from './registry.js';
export type { LayerDescriptor, TfjsMapping } from './descriptor.js';

type Named = { name?: string };

export const layers = {
  conv2d: (options: Conv2DOptions) => new Conv2D(options),
  dense: (options: DenseOptions) => new Dense(options),
  maxPool2d: (options: Pool2DOptions = {}) => new Pool2D('max', options),
  avgPool2d: (options: Pool2DOptions = {}) => new Pool2D('avg', options),
  sumPool2d: (options: Pool2DOptions = {}) => new Pool2D('sum', options),
  flatten: (options: Named = {}) => new Flatten(options),
  dropout: (options: { rate: number; name?: string }) => new Dropout(options),
  activation: (options: { activation: ActivationName; name?: string }) => new Activation(options),
  relu: (options: Named = {}) => new Activation({ ...options, activation: 'relu' }),
  tanh: (options: Named = {}) => new Activation({ ...options, activation: 'tanh' }),
  sigmoid: (options: Named = {}) => new Activation({ ...options, activation: 'sigmoid' }),
  softmax: (options: Named = {}) => new Activation({ ...options, activation: 'softmax' }),
  add: (options: Named = {}) => new Merge('add', options),
  multiply: (options: Named = {}) => new Merge('multiply', options),
  average: (options: Named = {}) => new Merge('average', options),
  maximum: (options: Named = {}) => new Merge('maximum', options),
  concatenate: (options: ConcatenateOptions = {}) => new Concatenate(options),
  permute: (options: PermuteOptions) => new Permute(options),
  rescaling: (options: RescalingOptions) => new Rescaling(options),
};
