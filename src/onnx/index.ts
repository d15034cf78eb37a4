// convas/onnx: ONNX models read and written (dist/onnx.js, loaded on first use by loadModel and
// save, or imported by an app that is bundled). Importing it registers both with convas.
import { provideOnnxSupport } from '../index.js';
import { readOnnx } from './importer.js';
import { encodeOnnx } from './writer.js';

provideOnnxSupport({ readOnnx, encodeOnnx });

export { readOnnx, encodeOnnx };
