// Types for mobilenet-keras.mjs, so that the TypeScript tests can build the same nets.
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface MobileNetOptions {
  alpha?: number;
  inputShape?: [number, number, number];
  classes?: number;
  /** Seeds the kernels' initialisers (TF.js draws from Math.random without one). */
  seed?: number;
}
/** MobileNetV1 also takes Keras's dropout rate before its classifier (1e-3). */
export interface MobileNetV1Options extends MobileNetOptions { dropout?: number }
export function mobileNetV1(layers: typeof tfl, options?: MobileNetV1Options): tfl.LayersModel;
export function mobileNetV2(layers: typeof tfl, options?: MobileNetOptions): tfl.LayersModel;
export function randomizeBatchNorm(core: typeof tfc, model: tfl.LayersModel, next: () => number): void;
