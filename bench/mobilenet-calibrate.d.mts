// Types for mobilenet-calibrate.mjs, for the TypeScript tests.
import type * as tfc from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

export function calibrateBatchNorm(core: typeof tfc, model: tfl.LayersModel, images: tfc.Tensor4D): void;
