// Layer factories with TensorFlow.js Layers names; the registry makes a layer from its saved config.
import { ConfigError } from '../errors.js';
import { applyLayerSettings } from './layer-settings.js';
import { Activation } from './activation.js';
import { BatchNormalization, type BatchNormalizationOptions } from './batch-normalization.js';
import { LayerNormalization, type LayerNormalizationOptions } from './layer-normalization.js';
import { GroupNormalization, type GroupNormalizationOptions } from './group-normalization.js';
import { UnitNormalization, type UnitNormalizationOptions } from './unit-normalization.js';
import type { ActivationName } from './activation-function.js';
import { ELU, LeakyReLU, ReLU, type ReLUOptions, Softmax } from './advanced-activations.js';
import { Concatenate, type ConcatenateOptions } from './concatenate.js';
import { Conv2D, type Conv2DOptions } from './conv2d.js';
import { Dense, type DenseOptions } from './dense.js';
import { Dropout } from './dropout.js';
import { Flatten } from './flatten.js';
import { Merge } from './merge.js';
import { Pool2D, type Pool2DOptions } from './pool2d.js';
import { Conv2DTranspose, type Conv2DTransposeOptions } from './conv2d-transpose.js';
import { UpSampling2D, type UpSampling2DOptions } from './up-sampling2d.js';
import { GlobalPooling2D, type GlobalPooling2DOptions } from './global-pooling2d.js';
import { Cropping2D, type Borders, ZeroPadding2D } from './borders2d.js';
import { Reshape, type ReshapeOptions } from './reshape.js';
import { PReLU, type PReLUOptions } from './prelu.js';
import { DepthwiseConv2D, type DepthwiseConv2DOptions } from './depthwise-conv2d.js';
import { SeparableConv2D, type SeparableConv2DOptions } from './separable-conv2d.js';
import { Permute, type PermuteOptions } from './permute.js';
import { ChannelSlice, type ChannelSliceOptions } from './channel-slice.js';
import { Clip, type ClipOptions } from './clip.js';
import { BorderPadding2D, type BorderPadding2DOptions } from './border-padding2d.js';
import { Rescaling, type RescalingOptions } from './rescaling.js';
import { RandomFlip, type RandomFlipOptions } from './random-flip.js';
import { GaussianNoise, type GaussianNoiseOptions } from './gaussian-noise.js';
import { Resizing, type ResizingOptions } from './resizing.js';
import { RandomTranslation, type RandomTranslationOptions } from './random-translation.js';
import { RandomRotation, type RandomRotationOptions } from './random-rotation.js';
import { RandomZoom, type RandomZoomOptions } from './random-zoom.js';
import { RandomBrightness, type RandomBrightnessOptions } from './random-brightness.js';
import { RandomContrast, type RandomContrastOptions } from './random-contrast.js';
import { RandomCrop, type RandomCropOptions } from './random-crop.js';

export { Layer } from './layer.js';
export type { LayerConfig, Parameter, WeightSpec, WeightValues } from './layer.js';
export { InputLayer, input } from './input-layer.js';
export type { InputOptions } from './input-layer.js';
export { type CallOptions, LayerNode, SymbolicTensor } from './node.js';
export { layerFromConfig, registerLayer, layerClassNames } from './registry.js';
export { layerToConfig } from './layer-settings.js';
export type { LayerDescriptor, TfjsMapping } from './descriptor.js';
export type { BatchNormalizationOptions } from './batch-normalization.js';
export type { LayerNormalizationOptions } from './layer-normalization.js';
export type { GroupNormalizationOptions } from './group-normalization.js';
export type { UnitNormalizationOptions } from './unit-normalization.js';
export type { ChannelAffineFolding } from './channel-affine-folding.js';
export type { ActivationName } from './activation-function.js';
export type { ReLUOptions } from './advanced-activations.js';
export type { ClipOptions } from './clip.js';
export type { AlphaInitializer, PReLUOptions } from './prelu.js';
export type { FlipMode, RandomFlipOptions } from './random-flip.js';
export type { GaussianNoiseOptions } from './gaussian-noise.js';
export type { AffineFillOptions, Factor, FillMode, Interpolation } from './random-affine.js';
export type { RandomTranslationOptions } from './random-translation.js';
export type { RandomRotationOptions } from './random-rotation.js';
export type { RandomZoomOptions } from './random-zoom.js';
export type { ColourOptions } from './random-colour.js';
export type { RandomBrightnessOptions } from './random-brightness.js';
export type { RandomContrastOptions } from './random-contrast.js';
export type { RandomCropOptions } from './random-crop.js';

type Named = { name?: string };

/** The settings of a factory that needs some: called without them, it says which (rather than a TypeError from inside). */
function required<T>(options: T, factory: string, example: string): T {
  if (options === null || typeof options !== 'object') {
    throw new ConfigError(`layers.${factory}: expected its settings, such as ${example}; got ${options === null ? 'null' : typeof options}`);
  }
  return options;
}

/** Each factory refuses a setting its layer does not keep, as a saved config would (layer-settings.ts). */
export const layers = {
  conv2d: (options: Conv2DOptions) => applyLayerSettings(new Conv2D(required(options, 'conv2d', '{ filters, kernelSize }')), options),
  dense: (options: DenseOptions) => applyLayerSettings(new Dense(required(options, 'dense', '{ units }')), options),
  maxPool2d: (options: Pool2DOptions = {}) => applyLayerSettings(new Pool2D('max', options), options),
  avgPool2d: (options: Pool2DOptions = {}) => applyLayerSettings(new Pool2D('avg', options), options),
  sumPool2d: (options: Pool2DOptions = {}) => applyLayerSettings(new Pool2D('sum', options), options),
  /** TensorFlow.js's own names for maxPool2d and avgPool2d, which its tutorials use. */
  maxPooling2d: (options: Pool2DOptions = {}) => applyLayerSettings(new Pool2D('max', options), options),
  averagePooling2d: (options: Pool2DOptions = {}) => applyLayerSettings(new Pool2D('avg', options), options),
  flatten: (options: Named = {}) => applyLayerSettings(new Flatten(options), options),
  dropout: (options: { rate: number; name?: string }) => applyLayerSettings(new Dropout(required(options, 'dropout', '{ rate }')), options),
  activation: (options: { activation: ActivationName; name?: string }) => applyLayerSettings(new Activation(required(options, 'activation', "{ activation: 'relu' }")), options),
  relu: (options: Named = {}) => applyLayerSettings(new Activation({ ...options, activation: 'relu' }), options),
  tanh: (options: Named = {}) => applyLayerSettings(new Activation({ ...options, activation: 'tanh' }), options),
  sigmoid: (options: Named = {}) => applyLayerSettings(new Activation({ ...options, activation: 'sigmoid' }), options),
  add: (options: Named = {}) => applyLayerSettings(new Merge('add', options), options),
  multiply: (options: Named = {}) => applyLayerSettings(new Merge('multiply', options), options),
  average: (options: Named = {}) => applyLayerSettings(new Merge('average', options), options),
  maximum: (options: Named = {}) => applyLayerSettings(new Merge('maximum', options), options),
  concatenate: (options: ConcatenateOptions = {}) => applyLayerSettings(new Concatenate(options), options),
  conv2dTranspose: (options: Conv2DTransposeOptions) => applyLayerSettings(new Conv2DTranspose(required(options, 'conv2dTranspose', '{ filters, kernelSize }')), options),
  upSampling2d: (options: UpSampling2DOptions = {}) => applyLayerSettings(new UpSampling2D(options), options),
  globalAveragePooling2d: (options: GlobalPooling2DOptions = {}) => applyLayerSettings(new GlobalPooling2D('avg', options), options),
  globalMaxPooling2d: (options: GlobalPooling2DOptions = {}) => applyLayerSettings(new GlobalPooling2D('max', options), options),
  zeroPadding2d: (options: { padding?: Borders; name?: string } = {}) => applyLayerSettings(new ZeroPadding2D(options), options),
  /** Rows and columns at the borders from the image's own pixels: mode 'reflect' (PyTorch's ReflectionPad2d) or 'edge' (ReplicationPad2d). */
  borderPadding2d: (options: BorderPadding2DOptions) => applyLayerSettings(new BorderPadding2D(required(options, 'borderPadding2d', "{ padding: 1, mode: 'reflect' }")), options),
  cropping2d: (options: { cropping?: Borders; name?: string } = {}) => applyLayerSettings(new Cropping2D(options), options),
  /** TensorFlow.js spells this one factory with a capital D. */
  cropping2D: (options: { cropping?: Borders; name?: string } = {}) => applyLayerSettings(new Cropping2D(options), options),
  reshape: (options: ReshapeOptions) => applyLayerSettings(new Reshape(required(options, 'reshape', '{ targetShape }')), options),
  batchNormalization: (options: BatchNormalizationOptions = {}) => applyLayerSettings(new BatchNormalization(options), options),
  /** Keras's LayerNormalization: each position's last axis normalised by its own mean and variance. */
  layerNormalization: (options: LayerNormalizationOptions = {}) => applyLayerSettings(new LayerNormalization(options), options),
  /** Keras 3's GroupNormalization: each example's groups of channels normalised over every position (groups -1: instance normalisation). */
  groupNormalization: (options: GroupNormalizationOptions = {}) => applyLayerSettings(new GroupNormalization(options), options),
  /** Keras's UnitNormalization: each position's last axis divided by its L2 norm (PyTorch's F.normalize). */
  unitNormalization: (options: UnitNormalizationOptions = {}) => applyLayerSettings(new UnitNormalization(options), options),
  /** Keras's Softmax layer (normalising along the last axis). */
  softmax: (options: { axis?: number; name?: string } = {}) => applyLayerSettings(new Softmax(options), options),
  reLU: (options: ReLUOptions = {}) => applyLayerSettings(new ReLU(options), options),
  /** Each value clamped to [min, max] (PyTorch's torch.clamp and nn.Hardtanh); TensorFlow.js has no such layer. */
  clip: (options: ClipOptions = {}) => applyLayerSettings(new Clip(options), options),
  leakyReLU: (options: { alpha?: number; name?: string } = {}) => applyLayerSettings(new LeakyReLU(options), options),
  elu: (options: { alpha?: number; name?: string } = {}) => applyLayerSettings(new ELU(options), options),
  prelu: (options: PReLUOptions = {}) => applyLayerSettings(new PReLU(options), options),
  depthwiseConv2d: (options: DepthwiseConv2DOptions) => applyLayerSettings(new DepthwiseConv2D(required(options, 'depthwiseConv2d', '{ kernelSize }')), options),
  separableConv2d: (options: SeparableConv2DOptions) => applyLayerSettings(new SeparableConv2D(required(options, 'separableConv2d', '{ filters, kernelSize }')), options),
  permute: (options: PermuteOptions) => applyLayerSettings(new Permute(required(options, 'permute', '{ dims: [3, 1, 2] }')), options),
  /** Channels start…end − 1 (the last axis), as PyTorch's x[:, start:end]; TensorFlow.js has no such layer. */
  channelSlice: (options: ChannelSliceOptions) => applyLayerSettings(new ChannelSlice(required(options, 'channelSlice', '{ start: 0, end: 16 }')), options),
  rescaling: (options: RescalingOptions) => applyLayerSettings(new Rescaling(required(options, 'rescaling', '{ scale: 1 / 255 }')), options),
  /** Augmentation, active only while training (Keras's): random left-right and/or top-bottom mirroring. */
  randomFlip: (options: RandomFlipOptions = {}) => applyLayerSettings(new RandomFlip(options), options),
  /** Augmentation, active only while training (Keras's): adds normal noise of standard deviation stddev. */
  gaussianNoise: (options: GaussianNoiseOptions) => applyLayerSettings(new GaussianNoise(options), options),
  /** Keras's Resizing: to height × width, bilinear with half-pixel centres by default. */
  resizing: (options: ResizingOptions) => applyLayerSettings(new Resizing(required(options, 'resizing', '{ height, width }')), options),
  /** Augmentation, active only while training (Keras's): random shifts by fractions of the height and width. */
  randomTranslation: (options: RandomTranslationOptions) => applyLayerSettings(new RandomTranslation(required(options, 'randomTranslation', '{ heightFactor: 0.1, widthFactor: 0.1 }')), options),
  /** Augmentation, active only while training (Keras's): random turns about the centre by fractions of a full turn. */
  randomRotation: (options: RandomRotationOptions) => applyLayerSettings(new RandomRotation(required(options, 'randomRotation', '{ factor: 0.1 }')), options),
  /** Augmentation, active only while training (Keras's): random zooms in or out about the centre. */
  randomZoom: (options: RandomZoomOptions) => applyLayerSettings(new RandomZoom(required(options, 'randomZoom', '{ heightFactor: 0.1 }')), options),
  /** Augmentation, active only while training (Keras's): a random delta added to each image, clipped to valueRange. */
  randomBrightness: (options: RandomBrightnessOptions) => applyLayerSettings(new RandomBrightness(required(options, 'randomBrightness', '{ factor: 0.2 }')), options),
  /** Augmentation, active only while training (Keras's): each image's channels stretched about their means, clipped to valueRange. */
  randomContrast: (options: RandomContrastOptions) => applyLayerSettings(new RandomContrast(required(options, 'randomContrast', '{ factor: 0.2 }')), options),
  /** Augmentation (Keras's): a random [height, width] window while training; at inference the centred box of that aspect, resized. */
  randomCrop: (options: RandomCropOptions) => applyLayerSettings(new RandomCrop(required(options, 'randomCrop', '{ height, width }')), options),
};
