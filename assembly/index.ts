// The kernel module: every export is a kernel named in src/backend/kernels.ts.
export function heapBase(): usize {
  return __heap_base;
}

export * from './elementwise';
export * from './pool';
export * from './gemm';
export * from './loss';
export * from './optimizers';
export * from './conv2d';
export * from './merge';
export * from './upsampling';
export * from './global-pool';
export * from './batch-norm';
export * from './layer-norm';
export * from './group-norm';
export * from './activations';
export * from './prelu';
export * from './depthwise-conv2d';
export * from './space-to-batch';
export * from './output-loss';
export * from './rmsprop';
export * from './adagrad';
export * from './gradient-clipping';
export * from './schedule-math';
export * from './permute';
export * from './winograd';
export * from './augment';
export * from './resize';
export * from './affine-images';
export * from './scale-shift-clip';
export { frameImages } from './image-frame';
