// Layer factories with TensorFlow.js Layers names, and the reverse: a layer from its saved config.
import { ConfigError } from '../errors.js';
import { Activation } from './activation.js';
import type { ActivationName } from './activation-function.js';
import { Conv2D, type Conv2DOptions } from './conv2d.js';
import { Dense, type DenseOptions } from './dense.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import type { Layer, LayerConfig } from './layer.js';
import { Pool2D, type Pool2DOptions } from './pool2d.js';

export { Layer } from './layer.js';
export type { LayerConfig, Parameter } from './layer.js';

export const layers = {
  conv2d: (options: Conv2DOptions) => new Conv2D(options),
  dense: (options: DenseOptions) => new Dense(options),
  maxPool2d: (options: Pool2DOptions = {}) => new Pool2D('max', options),
  avgPool2d: (options: Pool2DOptions = {}) => new Pool2D('avg', options),
  sumPool2d: (options: Pool2DOptions = {}) => new Pool2D('sum', options),
  flatten: (options: { name?: string } = {}) => new Flatten(options),
  dropout: (options: { rate: number; name?: string }) => new Dropout(options),
  activation: (options: { activation: ActivationName; name?: string }) => new Activation(options),
  relu: (options: { name?: string } = {}) => new Activation({ ...options, activation: 'relu' }),
  tanh: (options: { name?: string } = {}) => new Activation({ ...options, activation: 'tanh' }),
  sigmoid: (options: { name?: string } = {}) => new Activation({ ...options, activation: 'sigmoid' }),
  softmax: (options: { name?: string } = {}) => new Activation({ ...options, activation: 'softmax' }),
};

const fromConfig: Record<string, (c: LayerConfig) => Layer> = {
  Conv2D: (c) => new Conv2D(c as unknown as Conv2DOptions),
  Dense: (c) => new Dense(c as unknown as DenseOptions),
  MaxPooling2D: (c) => new Pool2D('max', c as Pool2DOptions),
  AveragePooling2D: (c) => new Pool2D('avg', c as Pool2DOptions),
  SumPooling2D: (c) => new Pool2D('sum', c as Pool2DOptions),
  Flatten: (c) => new Flatten(c),
  Dropout: (c) => new Dropout(c as unknown as { rate: number }),
  Activation: (c) => new Activation(c as unknown as { activation: ActivationName }),
  ReLU: (c) => new Activation({ name: c.name, activation: 'relu' }),
};

const LAYER_CLASSES = Object.keys(fromConfig);

/** Builds a layer from { className, ...options }; an unknown class is a ConfigError that lists the known ones. */
export function layerFromConfig(config: LayerConfig): Layer {
  // Own properties only: a className such as 'toString' must not find Object.prototype's.
  const make = config && typeof config === 'object' && Object.hasOwn(fromConfig, config.className) ? fromConfig[config.className] : undefined;
  if (!make) {
    throw new ConfigError(`unknown layer class ${JSON.stringify(config?.className)}; convas supports ${LAYER_CLASSES.join(', ')}`);
  }
  return make(config);
}
