// convas: convolutional neural networks on WebAssembly SIMD, for Node and browsers.
export { init } from './backend/wasm.js';
export type { InitOptions, SimdBuild } from './backend/wasm.js';
export * from './errors.js';
export { Tensor, tensor, zeros } from './tensor.js';
export type { NumberArray } from './tensor.js';
export * as ops from './ops/ops.js';
export type { Padding, PaddedWindow } from './window.js';
// The zeros a conv2d or pooling window adds on each side (for 'same', 'full', …) and the output size they give.
export { resolvePadding2d } from './window.js';
export { layers, layerFromConfig, layerToConfig, registerLayer, input, Layer, InputLayer, SymbolicTensor } from './layers/index.js';
export type { CallOptions, LayerConfig, LayerDescriptor, Parameter, WeightSpec, WeightValues, InputOptions, TfjsMapping } from './layers/index.js';
export type { BatchNormalizationOptions, ChannelAffineFolding, GroupNormalizationOptions, LayerNormalizationOptions, UnitNormalizationOptions } from './layers/index.js';
export type { ActivationName, AlphaInitializer, ClipOptions, PReLUOptions, ReLUOptions } from './layers/index.js';
export type { FlipMode, GaussianNoiseOptions, RandomFlipOptions } from './layers/index.js';
export type { AffineFillOptions, Factor, FillMode, Interpolation, RandomRotationOptions, RandomTranslationOptions, RandomZoomOptions } from './layers/index.js';
export type { ColourOptions, RandomBrightnessOptions, RandomContrastOptions, RandomCropOptions } from './layers/index.js';
export { Model, model } from './model/model.js';
export type {
  BatchLogs, CompileOptions, EvaluateDatasetOptions, EvaluateOptions, Evaluation, FitDatasetOptions, FitOptions, History, Logs, PredictOptions,
} from './model/model.js';
// Callbacks for fit and fitDataset (TF.js's and Keras's): early stopping, checkpoints, your own.
export { callbacks } from './model/callback-factories.js';
export { Callback } from './model/callbacks.js';
export type { CallbackHooks, Callbacks, EmptyEpochLogs, EpochEndLogs, TrainedModel, TrainingParams } from './model/callbacks.js';
export { EarlyStopping } from './model/early-stopping.js';
export type { EarlyStoppingOptions } from './model/early-stopping.js';
export { ModelCheckpoint } from './model/model-checkpoint.js';
export type { ModelCheckpointOptions } from './model/model-checkpoint.js';
export type { MonitorMode } from './model/monitor.js';
export type { ClassWeight } from './model/class-weights.js';
export type { MetricConfig, MetricName, MetricSpec, MetricSpecs, MetricValue } from './model/metric-set.js';
export type { ModelOptions } from './model/model-options.js';
export type { DivergenceOptions } from './model/divergence.js';
export type { GraphConfig, GraphLayerConfig } from './model/graph-config.js';
// loadLayersModel is TF.js's name for the same reader, as its tutorials call it.
export { loadModel, loadModel as loadLayersModel } from './io/load.js';
export type { LoadOptions } from './io/load.js';
export type { ModelLocation, ModelSource } from './io/handlers.js';
// For the convas/onnx module (dist/onnx.js), which registers ONNX reading and writing as it loads.
export { provideOnnxSupport } from './io/onnx-support.js';
export type { OnnxSupport } from './io/onnx-support.js';
// Registers model.save()'s file formats (the model floor cannot import the io floor).
import './io/save.js';
export type { SaveOptions } from './io/save.js';
export { sequential } from './model/sequential.js';
export type { SequentialOptions } from './model/sequential.js';
export type { OptimizerClassName, OptimizerConfig, OptimizerType } from './model/optimizers.js';
export type { KerasLossName, LossConfig, LossName, LossSpec } from './model/losses.js';
// Learning-rate schedules for an optimizer's learningRate, with Keras's names.
export { schedules, LearningRateSchedule } from './model/schedules.js';
export type {
  CosineDecayOptions, CosineDecayRestartsOptions, ExponentialDecayOptions, LinearWarmupOptions, PiecewiseConstantDecayOptions,
  ReduceLROnPlateauOptions, ScheduleConfig,
} from './model/schedules.js';
export { oneHot, splitDataset, subset } from './data/dataset.js';
// Scoring predict()'s output: the predicted classes (the index of each row's largest score), whether
// a class is in the top k, the confusion matrix, per-class precision, recall and F1.
export { accuracyOf, argmaxRows, classScores, confusionMatrix, inTopK } from './metrics.js';
export type { ClassScores } from './metrics.js';
// Streams of examples and batches for fitDataset: from arrays or generators; map, shuffle, batch, prefetch.
export { data, Stream } from './data/stream.js';
export type { Batch, BatchValue, Dataset as BatchDataset, Example, ShapedArray } from './data/stream.js';
export type { Dataset } from './data/dataset.js';
// Images: decode JPEG and PNG files (and PGM), load them from paths, URLs and Files, and turn them into model inputs.
export { decodeImage } from './data/image.js';
export type { DecodeImageOptions, RgbaImage } from './data/image.js';
export { loadImage } from './data/image-load.js';
export type { ImageLocation } from './data/image-load.js';
export { imageToPixels, imageToTensor } from './data/image-input.js';
export type { ImageInputOptions, ImageSource, Normalization } from './data/image-input.js';
export { imageDatasetFromDirectory } from './data/image-folders.js';
export type { ImageFolderDataset, ImageFolderOptions } from './data/image-folders.js';
// Transfer learning: cut a pretrained base at a named layer (frozen), and cache its features to train a head on.
export { cutModel, embed } from './model/transfer.js';
export type { CutOptions, EmbedOptions } from './model/transfer.js';
