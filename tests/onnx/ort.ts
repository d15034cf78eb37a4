// ONNX Runtime (onnxruntime-web's wasm build, in Node) as the reference for ONNX semantics: a
// model's bytes run in both, on the same input, must give the same outputs.
import * as ort from 'onnxruntime-web';
import { type Model, tensor } from '../../src/index.js';
import { assertClose, random } from '../helpers.js';
import { toNhwc } from './fixtures.js';

ort.env.wasm.numThreads = 1;

/** NHWC values [n, h, w, c] as NCHW. */
export function toNchw(values: Float32Array, [n, h, w, c]: number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let b = 0; b < n; b++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) for (let ch = 0; ch < c; ch++) {
    out[((b * c + ch) * h + y) * w + x] = values[((b * h + y) * w + x) * c + ch];
  }
  return out;
}

/** Runs bytes in ONNX Runtime on NCHW (PyTorch-shaped) inputs; each output as its data and dims. */
export async function runOrt(bytes: Uint8Array, inputs: Array<{ values: Float32Array; dims: number[] }>,
  externalData?: Array<{ path: string; data: Uint8Array }>) {
  const session = await ort.InferenceSession.create(bytes, externalData ? { externalData } : {});
  const feeds = Object.fromEntries(session.inputNames.map((name, i) => [name, new ort.Tensor('float32', inputs[i].values, inputs[i].dims)]));
  const results = await session.run(feeds);
  const outputs = session.outputNames.map((name) => ({ values: results[name].data as Float32Array, dims: [...results[name].dims] }));
  await session.release();
  return outputs;
}

/**
 * convas's model (NHWC: 4-D inputs and outputs transposed) against ONNX Runtime on `bytes`, for
 * random inputs of the given NCHW dims; relative tolerance as the tests' assertClose.
 */
export async function assertAgreesWithOrt(model: Model, bytes: Uint8Array, inputDims: number[][], what: string, tolerance = 1e-4, seed = 1) {
  const rng = random(seed);
  const inputs = inputDims.map((dims) => ({ values: rng.array(dims.reduce((a, b) => a * b, 1), -2, 2), dims }));
  const expected = await runOrt(bytes, inputs);
  const convasInputs = inputs.map(({ values, dims }) => (dims.length === 4
    ? tensor(toNhwc(values, dims), [dims[0], dims[2], dims[3], dims[1]]) : tensor(values, dims)));
  const outputs = model.predictOutputs(convasInputs.length === 1 ? convasInputs[0] : convasInputs);
  expected.forEach((e, k) => {
    const want = e.dims.length === 4 ? toNhwc(e.values, e.dims) : e.values;
    assertClose(outputs[k].dataSync(), want, tolerance, `${what}: output ${k}`);
  });
}
