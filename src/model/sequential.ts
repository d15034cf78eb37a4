// sequential(): the simplest graph, each layer reading the one before it.
import { ConfigError } from '../errors.js';
import { Layer, type LayerConfig, layerFromConfig } from '../layers/index.js';
import { Model } from './model.js';

export interface SequentialOptions {
  inputShape: number[];
  layers: Array<Layer | LayerConfig>;
  /** Seeds the weights, shuffling and dropout: the same seed trains to the same weights, bit for bit. */
  seed?: number;
}

export function sequential(options: SequentialOptions): Model {
  if (!options || !Array.isArray(options.layers)) {
    throw new ConfigError('sequential: expected { inputShape, layers: [...] }');
  }
  const chain = options.layers.map((l) => (l instanceof Layer ? l : layerFromConfig(l)));
  if (new Set(chain).size !== chain.length) throw new ConfigError('sequential: the same layer object appears twice; create a new layer for each place');
  return new Model(options.inputShape, chain.map((layer, i) => ({ layer, inputs: [i - 1] })), options.seed ?? 0);
}
