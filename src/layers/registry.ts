// Every layer class by name, from the descriptors of the built-in layers and any the user
// registers (a custom layer loads from files once registered).
import { ConfigError } from '../errors.js';
import { shownValue } from '../shown-value.js';
import { activationDescriptors } from './activation.js';
import { batchNormalizationDescriptor } from './batch-normalization.js';
import { layerNormalizationDescriptor } from './layer-normalization.js';
import { groupNormalizationDescriptor } from './group-normalization.js';
import { unitNormalizationDescriptor } from './unit-normalization.js';
import { advancedActivationDescriptors } from './advanced-activations.js';
import { concatenateDescriptor } from './concatenate.js';
import { conv2dDescriptor } from './conv2d.js';
import { denseDescriptor } from './dense.js';
import type { LayerDescriptor } from './descriptor.js';
import { dropoutDescriptor } from './dropout.js';
import { flattenDescriptor } from './flatten.js';
import type { Layer, LayerConfig } from './layer.js';
import { applyLayerSettings } from './layer-settings.js';
import { mergeDescriptors } from './merge.js';
import { poolDescriptors } from './pool2d.js';
import { conv2dTransposeDescriptor } from './conv2d-transpose.js';
import { upSampling2dDescriptor } from './up-sampling2d.js';
import { globalPoolingDescriptors } from './global-pooling2d.js';
import { bordersDescriptors } from './borders2d.js';
import { borderPadding2dDescriptor } from './border-padding2d.js';
import { reshapeDescriptor } from './reshape.js';
import { preluDescriptor } from './prelu.js';
import { depthwiseConv2dDescriptor } from './depthwise-conv2d.js';
import { separableConv2dDescriptor } from './separable-conv2d.js';
import { permuteDescriptor } from './permute.js';
import { channelSliceDescriptor } from './channel-slice.js';
import { clipDescriptor } from './clip.js';
import { rescalingDescriptor } from './rescaling.js';
import { randomFlipDescriptor } from './random-flip.js';
import { gaussianNoiseDescriptor } from './gaussian-noise.js';
import { resizingDescriptor } from './resizing.js';
import { randomTranslationDescriptor } from './random-translation.js';
import { randomRotationDescriptor } from './random-rotation.js';
import { randomZoomDescriptor } from './random-zoom.js';
import { randomBrightnessDescriptor } from './random-brightness.js';
import { randomContrastDescriptor } from './random-contrast.js';
import { randomCropDescriptor } from './random-crop.js';

const descriptors = new Map<string, LayerDescriptor>();

/** Makes a layer class known by its className, for layerFromConfig() and loadModel(). */
export function registerLayer(descriptor: LayerDescriptor): void {
  if (!descriptor || typeof descriptor.className !== 'string' || typeof descriptor.fromConfig !== 'function') {
    throw new ConfigError('registerLayer: expected { className, fromConfig(config) }');
  }
  if (['InputLayer', 'Model', 'Sequential'].includes(descriptor.className)) {
    throw new ConfigError(`registerLayer: ${descriptor.className} is built in and cannot be replaced`);
  }
  descriptors.set(descriptor.className, descriptor);
}

[conv2dDescriptor, denseDescriptor, ...poolDescriptors, flattenDescriptor, dropoutDescriptor, ...activationDescriptors,
  ...mergeDescriptors, concatenateDescriptor, ...advancedActivationDescriptors, preluDescriptor].forEach(registerLayer);
[conv2dTransposeDescriptor, upSampling2dDescriptor, ...globalPoolingDescriptors, ...bordersDescriptors, reshapeDescriptor,
  batchNormalizationDescriptor, layerNormalizationDescriptor, groupNormalizationDescriptor, unitNormalizationDescriptor].forEach(registerLayer);
[depthwiseConv2dDescriptor, separableConv2dDescriptor].forEach(registerLayer);
[permuteDescriptor, rescalingDescriptor, channelSliceDescriptor, borderPadding2dDescriptor, clipDescriptor].forEach(registerLayer);
[randomFlipDescriptor, gaussianNoiseDescriptor].forEach(registerLayer);
[resizingDescriptor, randomTranslationDescriptor, randomRotationDescriptor, randomZoomDescriptor, randomBrightnessDescriptor,
  randomContrastDescriptor, randomCropDescriptor].forEach(registerLayer);

/** The descriptor of a class, or undefined. */
export const layerDescriptor = (className: string): LayerDescriptor | undefined => descriptors.get(className);

/** Every registered class name. */
export const layerClassNames = (): string[] => [...descriptors.keys()];

/**
 * Builds a layer from { className, ...settings, trainable? }; an unknown class is a ConfigError that
 * lists the known ones, and so is a setting the layer does not keep (applyLayerSettings).
 */
export function layerFromConfig(config: LayerConfig): Layer {
  const descriptor = config && typeof config === 'object' && typeof config.className === 'string' ? descriptors.get(config.className) : undefined;
  if (!descriptor) {
    throw new ConfigError(`unknown layer class ${shownValue(config?.className)}; convas supports ${layerClassNames().join(', ')}`);
  }
  const { trainable, ...settings } = config;
  return applyLayerSettings(descriptor.fromConfig(settings), config);
}
