// sequential(): the simplest graph, each layer reading the one before it (models nest as layers).
import { ConfigError, ShapeError } from '../errors.js';
import { isShape } from '../shape.js';
import { Layer, type LayerConfig, input, layerFromConfig } from '../layers/index.js';
import type { SymbolicTensor } from '../layers/node.js';
import { shownValue } from '../shown-value.js';
import { isGraphClass, modelFromGraphConfig } from './graph-config.js';
import { Model } from './model.js';

export interface SequentialOptions {
  inputShape: readonly number[];
  layers: Array<Layer | LayerConfig>;
  /** Seeds the weights, shuffling and dropout: the same seed trains to the same weights, bit for bit. */
  seed?: number;
  name?: string;
}

export function sequential(options: SequentialOptions): Model {
  if (!options || !Array.isArray(options.layers)) {
    throw new ConfigError('sequential: expected { inputShape, layers: [...] }; a model is built whole here: TF.js\'s ' +
      'tf.sequential() then model.add(layer) is sequential({ inputShape, layers: [layer, …] })');
  }
  if (options.layers.length === 0) throw new ConfigError('sequential: a model needs at least one layer');
  if (!isShape(options.inputShape)) {
    throw new ShapeError(`sequential: inputShape ${shownValue(options.inputShape)} is not valid; expected positive integers such as [28, 28, 1]`);
  }
  const chain = options.layers.map((l) => (l instanceof Layer ? l : isGraphClass(l?.className) ? modelFromGraphConfig(l, (o) => new Model(o), { deferBuild: true }) : layerFromConfig(l)));
  if (new Set(chain).size !== chain.length) throw new ConfigError('sequential: the same layer object appears twice; create a new layer for each place');
  const first = input({ shape: options.inputShape, name: options.name ? `${options.name}_input` : undefined });
  let x: SymbolicTensor<Layer> = first;
  for (const layer of chain) x = layer.apply(x);
  return new Model({ inputs: first, outputs: x, seed: options.seed, name: options.name, className: 'Sequential' });
}
