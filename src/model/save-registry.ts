// model.save() is where TensorFlow.js users look for saving, but the file formats live a floor
// above the model. The io layer registers its saver here (as TensorFlow.js's IO router does), so
// the arrow points down: the model knows only that someone can save it.
import { StateError } from '../errors.js';

export interface SaveOptions {
  /**
   * 'convas' (default: everything, optimizer state included), 'tfjs' (a TensorFlow.js LayersModel)
   * or 'onnx' (an ONNX model, opset 13, NCHW like PyTorch's: one .onnx file).
   */
  format?: 'convas' | 'tfjs' | 'onnx';
  /**
   * Format 'tfjs' only: store the weights quantized as tfjs-converter does — 'uint8' (a quarter of
   * the size), 'uint16' (half) or 'float16' (half). Default: exact float32.
   */
  quantize?: 'uint8' | 'uint16' | 'float16';
}

type Saver<M> = (model: M, destination: string, options?: SaveOptions) => Promise<void>;

let saver: Saver<never> | undefined;

export function registerSaver<M>(save: Saver<M>): void {
  saver = save as Saver<never>;
}

export function saveWithRegisteredSaver<M>(model: M, destination: string, options?: SaveOptions): Promise<void> {
  if (!saver) throw new StateError('save: no model saver is registered; import convas from its package entry');
  return (saver as Saver<M>)(model, destination, options);
}
