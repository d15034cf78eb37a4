// The ONNX fixtures exported by PyTorch (scripts/onnx-fixtures.py): each case's file, the input
// PyTorch was given and what it computed, as convas tensors in either layout.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Tensor, tensor } from '../../src/index.js';

export const FIXTURES = 'tests/fixtures/onnx';

interface Entry { name: string; shape: number[]; file: string }
export interface Fixture {
  file: string;
  opset: number;
  operators: string[];
  input: Entry;
  outputs: Entry[];
  /** The file holding the weights, beside the model, when they are external data. */
  externalData?: string;
  /** How PyTorch trained a copy on the input (whole batch, these class ids): each step's loss, and the file of its outputs after. */
  training?: { labels: number[]; optimizer: 'sgd'; learningRate: number; steps: number; losses: number[]; outputAfter: string };
}

export const manifest: { cases: Record<string, Fixture> } = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8'));

export const fixturePath = (name: string) => join(FIXTURES, manifest.cases[name].file);

export function floats(file: string): Float32Array {
  const bytes = readFileSync(join(FIXTURES, file));
  return new Float32Array(new Uint8Array(bytes).buffer);
}

/** NCHW values [n, c, h, w] as NHWC. */
export function toNhwc(values: Float32Array, [n, c, h, w]: number[]): Float32Array {
  const out = new Float32Array(values.length);
  for (let b = 0; b < n; b++) for (let ch = 0; ch < c; ch++) for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) {
    out[((b * h + y) * w + x) * c + ch] = values[((b * c + ch) * h + y) * w + x];
  }
  return out;
}

/** The case's input as a convas tensor: NHWC (convas's default), or NCHW as PyTorch had it. */
export function fixtureInput(name: string, layout: 'NHWC' | 'NCHW' = 'NHWC'): Tensor {
  const { input } = manifest.cases[name];
  const values = floats(input.file);
  if (input.shape.length !== 4 || layout === 'NCHW') return tensor(values, input.shape);
  const [n, c, h, w] = input.shape;
  return tensor(toNhwc(values, input.shape), [n, h, w, c]);
}

/** PyTorch's output k, in convas's layout for the given input layout (4-D outputs NHWC by default). */
export function fixtureOutput(name: string, k = 0, layout: 'NHWC' | 'NCHW' = 'NHWC'): Float32Array {
  const output = manifest.cases[name].outputs[k];
  const values = floats(output.file);
  return output.shape.length === 4 && layout === 'NHWC' ? toNhwc(values, output.shape) : values;
}
