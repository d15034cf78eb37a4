// The settings a layer is made with, checked the same way whether they come from a factory call or
// a saved config: a key the layer does not keep is refused (a typo such as "activaton" would
// otherwise build a different layer without a word), and `trainable` is Keras's flag, set last.
// layerToConfig reads them back, that flag included.
import { ConfigError } from '../errors.js';
import { shownValue } from '../shown-value.js';
import type { Layer, LayerConfig } from './layer.js';

export function applyLayerSettings<L extends Layer>(layer: L, settings: object | null | undefined): L {
  const { trainable, ...rest } = (settings ?? {}) as { trainable?: unknown };
  const kept = Object.keys(layer.getConfig());
  const unknown = Object.keys(rest).filter((key) => !kept.includes(key));
  if (unknown.length > 0) {
    const where = unknown.some((key) => key === 'inputShape' || key === 'batchInputShape') ? ' (the input shape goes to sequential() or input())'
      // TF.js's tutorials write kernelInitializer: 'varianceScaling' and the like; here each weight has one way to start.
      : unknown.some((key) => key.endsWith('Initializer')) ? ' (weights start from the model\'s seed: He uniform before a ReLU, ' +
        'Glorot uniform otherwise, biases zero; setWeights() gives them other values)'
      : '';
    throw new ConfigError(`${layer.className} ${layer.name}: unknown setting${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}${where}; ` +
      `its settings are ${kept.filter((key) => key !== 'className').join(', ')}`);
  }
  if (trainable !== undefined) {
    if (typeof trainable !== 'boolean') throw new ConfigError(`${layer.className} ${layer.name}: trainable must be true or false, got ${shownValue(trainable)}`);
    layer.trainable = trainable;
  }
  return layer;
}

/**
 * The config that rebuilds `layer` as it is (layerFromConfig, sequential): its getConfig() and, when
 * frozen, `trainable: false`, as Keras saves a layer. getConfig() alone loses the flag, and with it
 * the frozen layer's place in getWeights() order (trainable weights first).
 */
export function layerToConfig(layer: Layer): LayerConfig {
  return { ...layer.getConfig(), ...(layer.trainable ? {} : { trainable: false }) };
}
