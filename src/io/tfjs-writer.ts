// Model → a TensorFlow.js LayersModel (see tfjs-format.ts) that tf.loadLayersModel reads.
import { ConfigError } from '../errors.js';
import type { Model } from '../model/model.js';
import { LOSS_NAMES, OPTIMIZER_CLASSES, TFJS_LAYER_CLASSES, toSnakeCase } from './tfjs-format.js';
import { packFloats } from './weight-bytes.js';

/** Classes whose Keras config carries data_format (convas is always channels_last). */
const SPATIAL_CLASSES = ['Conv2D', 'MaxPooling2D', 'AveragePooling2D', 'Flatten'];

function kerasLayer(model: Model, index: number): { class_name: string; config: Record<string, unknown> } {
  const { className, name, ...options } = model.layers[index].getConfig();
  const cannot = (why: string) => new ConfigError(`save (format 'tfjs'): layer ${name} ${why}; save it in the convas format instead`);
  if (!TFJS_LAYER_CLASSES.includes(className)) throw cannot(`is a ${className}, which TensorFlow.js does not have`);
  if ('padding' in options && options.padding !== 'valid' && options.padding !== 'same') {
    throw cannot(`has padding ${JSON.stringify(options.padding)}, which TensorFlow.js cannot express ('valid' or 'same' only)`);
  }
  const config: Record<string, unknown> = { name, trainable: true, dtype: 'float32' };
  if (index === 0) config.batch_input_shape = [null, ...model.inputShape];
  for (const [key, value] of Object.entries(options)) config[toSnakeCase(key)] = value;
  if (SPATIAL_CLASSES.includes(className)) config.data_format = 'channels_last';
  if (className === 'Conv2D') config.dilation_rate = [1, 1];
  return { class_name: className, config };
}

/** Keras's trainingConfig, when the optimizer maps exactly (TensorFlow.js optimizers have no weight decay). */
function trainingConfig(model: Model) {
  const compiled = model.compileConfig;
  if (!compiled || compiled.optimizer.weightDecay !== 0) return undefined;
  const { type, learningRate, momentum, useNesterov, beta1, beta2, epsilon } = compiled.optimizer;
  const settings = { sgd: {}, momentum: { momentum, use_nesterov: useNesterov }, adam: { beta1, beta2, epsilon } }[type];
  return {
    loss: LOSS_NAMES[compiled.loss],
    metrics: [],
    optimizer_config: { class_name: OPTIMIZER_CLASSES[type], config: { learning_rate: learningRate, ...settings } },
  };
}

export function encodeTfjsModel(model: Model, weightsFile: string) {
  const layers = model.layers.map((_, i) => kerasLayer(model, i));
  const tensors = model.getWeights();
  const weights = packFloats(tensors.map((t) => t.dataSync()));
  tensors.forEach((t) => t.dispose());
  const training = trainingConfig(model);
  const json = {
    format: 'layers-model',
    generatedBy: 'convas',
    convertedBy: null,
    modelTopology: { class_name: 'Sequential', config: { name: 'sequential', layers }, backend: 'tensor_flow.js' },
    weightsManifest: [{ paths: [weightsFile], weights: model.params.map((p) => ({ name: p.name, shape: [...p.shape], dtype: 'float32' })) }],
    ...(training ? { trainingConfig: training } : {}),
  };
  return { json, weights };
}
