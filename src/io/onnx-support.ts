// ONNX lives in its own bundle (dist/onnx.js, the package's `convas/onnx` entry), so the core
// bundle carries no protobuf code. That module registers its reader and writer here when it is
// imported; loadModel and save fetch it on first use, from beside dist/convas.js. Bundlers cannot
// see that run-time import: an app bundled with esbuild or Vite imports 'convas/onnx' once itself.
import { ConfigError } from '../errors.js';
import type { Model } from '../model/model.js';
import type { ModelSource } from './storage.js';

/** How loadModel hands a model to the format's reader. */
export interface LoadOptions {
  /**
   * ONNX models only: the layout of 4-D inputs and outputs. 'NHWC' (default) like every convas
   * model; 'NCHW' takes and gives PyTorch-shaped arrays.
   */
  inputLayout?: 'NHWC' | 'NCHW';
  /**
   * ONNX models only: a size for each variable dimension of the inputs, beyond the batch, by the name
   * the file gives it (an export with dynamic_axes {'input': {2: 'height', 3: 'width'}} takes
   * { height: 224, width: 224 }); convas models have fixed sizes.
   */
  sizes?: Record<string, number>;
}

export interface OnnxSupport {
  /** Builds a model from an ONNX file's bytes; `file` names it in errors, `source` reads external data beside it. */
  readOnnx(bytes: Uint8Array, file: string, source: ModelSource, options: LoadOptions): Promise<Model>;
  /** The model as an ONNX file (opset 13). */
  encodeOnnx(model: Model): Uint8Array<ArrayBuffer>;
}

let support: OnnxSupport | undefined;

/** Called by the convas/onnx module as it loads. */
export function provideOnnxSupport(onnx: OnnxSupport): void {
  support = onnx;
}

/** The module's path beside dist/convas.js, as a variable so that bundlers leave the import alone. */
const ONNX_MODULE = './onnx.js';

export async function onnxSupport(purpose: string): Promise<OnnxSupport> {
  if (!support) {
    try {
      await import(/* webpackIgnore: true */ /* @vite-ignore */ ONNX_MODULE);
    } catch {
      // Reported below: the module is not beside this one (a bundled app).
    }
  }
  if (!support) {
    throw new ConfigError(`${purpose}: ONNX support is in the 'convas/onnx' module, which could not be loaded from beside ` +
      "convas.js; in an app made with a bundler, add `import 'convas/onnx';` once");
  }
  return support;
}
