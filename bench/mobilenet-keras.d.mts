// Types for mobilenet-keras.mjs, so that the TypeScript tests can build the same nets.
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export interface MobileNetOptions { alpha?: number; inputShape?: [number, number, number]; classes?: number }
export function mobileNetV1(layers: typeof tfl, options?: MobileNetOptions): tfl.LayersModel;
export function mobileNetV2(layers: typeof tfl, options?: MobileNetOptions): tfl.LayersModel;
export function randomizeBatchNorm(core: typeof tfc, model: tfl.LayersModel, next: () => number): void;
