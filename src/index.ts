// convas: convolutional neural networks on WebAssembly SIMD, for Node and browsers.
export { init } from './backend/wasm.js';
export type { InitOptions, SimdBuild } from './backend/wasm.js';
export * from './errors.js';
export { Tensor, tensor, zeros } from './tensor.js';
export * as ops from './ops/ops.js';
export type { Padding } from './ops/padding.js';
export { layers, layerFromConfig, Layer } from './layers/index.js';
export type { LayerConfig, Parameter } from './layers/index.js';
export { Model } from './model/model.js';
export type { CompileOptions, FitOptions, History, Logs } from './model/model.js';
export { loadModel } from './io/load.js';
export type { SaveOptions } from './io/save.js';
export { sequential } from './model/sequential.js';
export type { SequentialOptions } from './model/sequential.js';
export type { OptimizerConfig } from './model/optimizers.js';
export type { LossName } from './model/losses.js';
export { oneHot, splitDataset, subset } from './data/dataset.js';
export type { Dataset } from './data/dataset.js';
