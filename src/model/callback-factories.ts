// The callbacks convas makes, under TF.js's namespace: callbacks.earlyStopping(…), callbacks.modelCheckpoint(…).
import { EarlyStopping, type EarlyStoppingOptions } from './early-stopping.js';
import { ModelCheckpoint, type ModelCheckpointOptions } from './model-checkpoint.js';

export const callbacks = {
  earlyStopping: (options?: EarlyStoppingOptions): EarlyStopping => new EarlyStopping(options),
  modelCheckpoint: (destination: string, options?: ModelCheckpointOptions): ModelCheckpoint => new ModelCheckpoint(destination, options),
};
