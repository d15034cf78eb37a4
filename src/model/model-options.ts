// What a Model is made from, in a file of its own: graph-config.ts builds models from configs
// through a factory that takes these options, and model.ts imports graph-config.ts.
import type { Layer } from '../layers/layer.js';
import type { SymbolicTensor } from '../layers/node.js';

export interface ModelOptions {
  inputs: SymbolicTensor<Layer> | SymbolicTensor<Layer>[];
  outputs: SymbolicTensor<Layer> | SymbolicTensor<Layer>[];
  name?: string;
  /** Seeds the new layers' weights, the shuffling and dropout: the same seed trains to the same weights, bit for bit. */
  seed?: number;
  /** 'Sequential' for a chain built by sequential(); 'Model' otherwise. */
  className?: 'Model' | 'Sequential';
  /** Leave the weights of new layers unmade until a model that contains this one builds them (for loaders). */
  deferBuild?: boolean;
  /**
   * For loaders: the model's own `trainable` flag (default true), its layers' own flags left as
   * they are, since a file gives each layer its own. To freeze a model with its layers, set
   * `model.trainable = false`.
   */
  ownTrainable?: boolean;
}
