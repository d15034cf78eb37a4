// A weight as a layer holds it in wasm memory, and its values in and out as tensors: copies for
// getWeights(), and checked writes for setWeights() and the loaders, where every array is checked
// before any is written.
import { getBackend } from '../backend/wasm.js';
import { ShapeError, ValueError } from '../errors.js';
import { firstNonFinite } from '../finite.js';
import { formatShape } from '../shape.js';
import { Tensor, emptyTensor } from '../tensor.js';

/** A weight and its gradient, both in wasm memory, with its TensorFlow.js shape and name. */
export interface Parameter {
  name: string;
  shape: number[];
  size: number;
  value: number;
  /**
   * 0 until the layer computes weight gradients (Layer.planBackward, which the model calls before
   * its first training step), and always 0 for state: a model that only predicts holds its weights once.
   */
  grad: number;
  /**
   * False for state that the layer itself updates (BatchNormalization's moving statistics): saved and
   * counted, never touched by an optimizer. A trainable weight of a frozen layer stays `trainable`
   * here; the layer's `trainable` flag decides.
   */
  trainable: boolean;
}

/** A new tensor holding a copy of each parameter's values. */
export function parameterTensors(params: readonly Parameter[]): Tensor[] {
  return params.map((p) => {
    const t = emptyTensor(p.shape);
    getBackend().memory.copyFloats(t.ptr, p.value, p.size);
    return t;
  });
}

/** Checks every array against its weight (shape, finite values), then writes them all. */
export function setParameterValues(params: readonly Parameter[], weights: Array<Tensor | Float32Array>, what: string, owner = 'the model'): void {
  if (!Array.isArray(weights) || weights.length !== params.length) {
    throw new ShapeError(`${what}: got ${Array.isArray(weights) ? weights.length : 'no'} arrays, but ${owner} has ${params.length} weights (${params.map((p) => p.name).join(', ')})`);
  }
  params.forEach((p, i) => {
    const w = weights[i];
    const size = w instanceof Tensor ? w.size : w.length;
    if (w instanceof Tensor ? formatShape(w.shape) !== formatShape(p.shape) : size !== p.size) {
      const got = w instanceof Tensor ? formatShape(w.shape) : `${size} values`;
      throw new ShapeError(`${what}: ${p.name} expects shape ${formatShape(p.shape)}, got ${got}`);
    }
    const values = w instanceof Tensor ? getBackend().memory.f32(w.ptr, w.size) : w;
    const bad = firstNonFinite(values);
    if (bad >= 0) throw new ValueError(`${what}: ${p.name} holds ${values[bad]} at flat index ${bad}; weights must be finite`);
  });
  const memory = getBackend().memory;
  params.forEach((p, i) => {
    const w = weights[i];
    memory.f32(p.value, p.size).set(w instanceof Tensor ? w.dataSync() : w);
  });
}
