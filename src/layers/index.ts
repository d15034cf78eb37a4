// Layer factories with TensorFlow.js Layers names; the registry makes a layer from its saved config.
import { ConfigError } from '../errors.js';
import { Activation } from './activation.js';
import { BatchNormalization, type BatchNormalizationOptions } from './batch-normalization.js';
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
export type { LayerConfig, Parameter, WeightSpec } from './layer.js';
export { InputLayer, input } from './input-layer.js';
export type { InputOptions } from './input-layer.js';
export { LayerNode, SymbolicTensor } from './node.js';
export { layerFromConfig, registerLayer, layerClassNames } from './registry.js';
export type { LayerDescriptor, TfjsMapping } from './descriptor.js';
export type { BatchNormalizationOptions } from './batch-normalization.js';
export type { ChannelAffineFolding } from './channel-affine-folding.js';
export type { ActivationName } from './activation-function.js';
export type { ReLUOptions } from './advanced-activations.js';
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

export const layers = {
  conv2d: (options: Conv2DOptions) => new Conv2D(required(options, 'conv2d', '{ filters, kernelSize }')),
  dense: (options: DenseOptions) => new Dense(required(options, 'dense', '{ units }')),
  maxPool2d: (options: Pool2DOptions = {}) => new Pool2D('max', options),
  avgPool2d: (options: Pool2DOptions = {}) => new Pool2D('avg', options),
  sumPool2d: (options: Pool2DOptions = {}) => new Pool2D('sum', options),
  flatten: (options: Named = {}) => new Flatten(options),
  dropout: (options: { rate: number; name?: string }) => new Dropout(required(options, 'dropout', '{ rate }')),
  activation: (options: { activation: ActivationName; name?: string }) => new Activation(required(options, 'activation', "{ activation: 'relu' }")),
  relu: (options: Named = {}) => new Activation({ ...options, activation: 'relu' }),
  tanh: (options: Named = {}) => new Activation({ ...options, activation: 'tanh' }),
  sigmoid: (options: Named = {}) => new Activation({ ...options, activation: 'sigmoid' }),
  add: (options: Named = {}) => new Merge('add', options),
  multiply: (options: Named = {}) => new Merge('multiply', options),
  average: (options: Named = {}) => new Merge('average', options),
  maximum: (options: Named = {}) => new Merge('maximum', options),
  concatenate: (options: ConcatenateOptions = {}) => new Concatenate(options),
  conv2dTranspose: (options: Conv2DTransposeOptions) => new Conv2DTranspose(required(options, 'conv2dTranspose', '{ filters, kernelSize }')),
  upSampling2d: (options: UpSampling2DOptions = {}) => new UpSampling2D(options),
  globalAveragePooling2d: (options: GlobalPooling2DOptions = {}) => new GlobalPooling2D('avg', options),
  globalMaxPooling2d: (options: GlobalPooling2DOptions = {}) => new GlobalPooling2D('max', options),
  zeroPadding2d: (options: { padding?: Borders; name?: string } = {}) => new ZeroPadding2D(options),
  cropping2d: (options: { cropping?: Borders; name?: string } = {}) => new Cropping2D(options),
  /** TensorFlow.js spells this one factory with a capital D. */
  cropping2D: (options: { cropping?: Borders; name?: string } = {}) => new Cropping2D(options),
  reshape: (options: ReshapeOptions) => new Reshape(required(options, 'reshape', '{ targetShape }')),
  batchNormalization: (options: BatchNormalizationOptions = {}) => new BatchNormalization(options),
  /** Keras's Softmax layer (normalising along the last axis). */
  softmax: (options: { axis?: number; name?: string } = {}) => new Softmax(options),
  reLU: (options: ReLUOptions = {}) => new ReLU(options),
  leakyReLU: (options: { alpha?: number; name?: string } = {}) => new LeakyReLU(options),
  elu: (options: { alpha?: number; name?: string } = {}) => new ELU(options),
  prelu: (options: PReLUOptions = {}) => new PReLU(options),
  depthwiseConv2d: (options: DepthwiseConv2DOptions) => new DepthwiseConv2D(required(options, 'depthwiseConv2d', '{ kernelSize }')),
  separableConv2d: (options: SeparableConv2DOptions) => new SeparableConv2D(required(options, 'separableConv2d', '{ filters, kernelSize }')),
  permute: (options: PermuteOptions) => new Permute(required(options, 'permute', '{ dims: [3, 1, 2] }')),
  rescaling: (options: RescalingOptions) => new Rescaling(required(options, 'rescaling', '{ scale: 1 / 255 }')),
  /** Augmentation, active only while training (Keras's): random left-right and/or top-bottom mirroring. */
  randomFlip: (options: RandomFlipOptions = {}) => new RandomFlip(options),
  /** Augmentation, active only while training (Keras's): adds normal noise of standard deviation stddev. */
  gaussianNoise: (options: GaussianNoiseOptions) => new GaussianNoise(options),
  /** Keras's Resizing: to height × width, bilinear with half-pixel centres by default. */
  resizing: (options: ResizingOptions) => new Resizing(required(options, 'resizing', '{ height, width }')),
  /** Augmentation, active only while training (Keras's): random shifts by fractions of the height and width. */
  randomTranslation: (options: RandomTranslationOptions) => new RandomTranslation(required(options, 'randomTranslation', '{ heightFactor: 0.1, widthFactor: 0.1 }')),
  /** Augmentation, active only while training (Keras's): random turns about the centre by fractions of a full turn. */
  randomRotation: (options: RandomRotationOptions) => new RandomRotation(required(options, 'randomRotation', '{ factor: 0.1 }')),
  /** Augmentation, active only while training (Keras's): random zooms in or out about the centre. */
  randomZoom: (options: RandomZoomOptions) => new RandomZoom(required(options, 'randomZoom', '{ heightFactor: 0.1 }')),
  /** Augmentation, active only while training (Keras's): a random delta added to each image, clipped to valueRange. */
  randomBrightness: (options: RandomBrightnessOptions) => new RandomBrightness(required(options, 'randomBrightness', '{ factor: 0.2 }')),
  /** Augmentation, active only while training (Keras's): each image's channels stretched about their means, clipped to valueRange. */
  randomContrast: (options: RandomContrastOptions) => new RandomContrast(required(options, 'randomContrast', '{ factor: 0.2 }')),
  /** Augmentation (Keras's): a random [height, width] window while training; at inference the centred box of that aspect, resized. */
  randomCrop: (options: RandomCropOptions) => new RandomCrop(required(options, 'randomCrop', '{ height, width }')),
};
