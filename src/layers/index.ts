// Layer factories with TensorFlow.js Layers names; the registry makes a layer from its saved config.
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
  add: (options: Named = {}) => new Merge('add', options),
  multiply: (options: Named = {}) => new Merge('multiply', options),
  average: (options: Named = {}) => new Merge('average', options),
  maximum: (options: Named = {}) => new Merge('maximum', options),
  concatenate: (options: ConcatenateOptions = {}) => new Concatenate(options),
  conv2dTranspose: (options: Conv2DTransposeOptions) => new Conv2DTranspose(options),
  upSampling2d: (options: UpSampling2DOptions = {}) => new UpSampling2D(options),
  globalAveragePooling2d: (options: GlobalPooling2DOptions = {}) => new GlobalPooling2D('avg', options),
  globalMaxPooling2d: (options: GlobalPooling2DOptions = {}) => new GlobalPooling2D('max', options),
  zeroPadding2d: (options: { padding?: Borders; name?: string } = {}) => new ZeroPadding2D(options),
  cropping2d: (options: { cropping?: Borders; name?: string } = {}) => new Cropping2D(options),
  /** TensorFlow.js spells this one factory with a capital D. */
  cropping2D: (options: { cropping?: Borders; name?: string } = {}) => new Cropping2D(options),
  reshape: (options: ReshapeOptions) => new Reshape(options),
  batchNormalization: (options: BatchNormalizationOptions = {}) => new BatchNormalization(options),
  /** Keras's Softmax layer (normalising along the last axis). */
  softmax: (options: { axis?: number; name?: string } = {}) => new Softmax(options),
  reLU: (options: ReLUOptions = {}) => new ReLU(options),
  leakyReLU: (options: { alpha?: number; name?: string } = {}) => new LeakyReLU(options),
  elu: (options: { alpha?: number; name?: string } = {}) => new ELU(options),
  prelu: (options: PReLUOptions = {}) => new PReLU(options),
  depthwiseConv2d: (options: DepthwiseConv2DOptions) => new DepthwiseConv2D(options),
  separableConv2d: (options: SeparableConv2DOptions) => new SeparableConv2D(options),
  permute: (options: PermuteOptions) => new Permute(options),
  rescaling: (options: RescalingOptions) => new Rescaling(options),
  /** Augmentation, active only while training (Keras's): random left-right and/or top-bottom mirroring. */
  randomFlip: (options: RandomFlipOptions = {}) => new RandomFlip(options),
  /** Augmentation, active only while training (Keras's): adds normal noise of standard deviation stddev. */
  gaussianNoise: (options: GaussianNoiseOptions) => new GaussianNoise(options),
  /** Augmentation, active only while training (Keras's): random shifts by fractions of the height and width. */
  randomTranslation: (options: RandomTranslationOptions) => new RandomTranslation(options),
  /** Augmentation, active only while training (Keras's): random turns about the centre by fractions of a full turn. */
  randomRotation: (options: RandomRotationOptions) => new RandomRotation(options),
  /** Augmentation, active only while training (Keras's): random zooms in or out about the centre. */
  randomZoom: (options: RandomZoomOptions) => new RandomZoom(options),
  /** Augmentation, active only while training (Keras's): a random delta added to each image, clipped to valueRange. */
  randomBrightness: (options: RandomBrightnessOptions) => new RandomBrightness(options),
  /** Augmentation, active only while training (Keras's): each image's channels stretched about their means, clipped to valueRange. */
  randomContrast: (options: RandomContrastOptions) => new RandomContrast(options),
  /** Augmentation (Keras's): a random [height, width] window while training; at inference the centred box of that aspect, resized. */
  randomCrop: (options: RandomCropOptions) => new RandomCrop(options),
};
