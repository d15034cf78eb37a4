// What fit, predict and evaluate check before they touch a batch: one tensor per model input of
// the input's shape, as many targets as examples, of the output's size, and finite values only.
import { getBackend } from '../backend/wasm.js';
import { ConfigError, ShapeError, ValueError } from '../errors.js';
import { type Shape, formatShape, sizeOf } from '../shape.js';
import { shownValue } from '../shown-value.js';
import { Tensor } from '../tensor.js';
import type { Loss } from './losses.js';

const batchShape = (shape: readonly number[]) => formatShape(['n', ...shape] as never);

/** A value given where a tensor belongs, for a message; a TensorFlow.js tensor (the usual mix-up) is named as such. */
function shownInstead(value: unknown): string {
  const foreign = typeof value === 'object' && value !== null && Array.isArray((value as { shape?: unknown }).shape);
  return foreign ? `a tensor of another library (${shownValue(value)}); make convas tensors with tensor(values, shape)` : shownValue(value);
}

/** The tensors for the model's inputs, checked; returns them as a list and the number of examples. */
export function checkInputs(x: Tensor | Tensor[], inputShapes: Shape[], what: string): { xs: Tensor[]; n: number } {
  const xs = Array.isArray(x) ? x : [x];
  if (xs.length !== inputShapes.length || xs.some((t) => !(t instanceof Tensor))) {
    throw new ShapeError(`${what}: the model has ${inputShapes.length} input${inputShapes.length > 1 ? 's' : ''} ` +
      `(${inputShapes.map(batchShape).join(', ')}); expected ${inputShapes.length > 1 ? 'an array of that many tensors' : 'one tensor'}, got ` +
      `${Array.isArray(x) && x.length === inputShapes.length ? `an array whose item ${xs.findIndex((t) => !(t instanceof Tensor))} is ` +
        shownInstead(xs.find((t) => !(t instanceof Tensor))) : shownInstead(x)}`);
  }
  const n = xs[0].shape[0];
  xs.forEach((t, i) => {
    const shape = inputShapes[i];
    const name = xs.length > 1 ? `x[${i}]` : 'x';
    if (t.rank !== shape.length + 1 || t.shape.slice(1).some((d, j) => d !== shape[j])) {
      throw new ShapeError(`${what}: ${name} has shape ${formatShape(t.shape)}, but the model takes ${batchShape(shape)}`);
    }
    if (t.shape[0] !== n) throw new ShapeError(`${what}: x[0] has ${n} examples but ${name} has ${t.shape[0]}; inputs must have the same length`);
    checkFinite(t, name, what);
  });
  return { xs, n };
}

/**
 * The targets of a model's one output: a tensor, or TF.js's one-element array of it (as TF.js's fit
 * and evaluate take y for a model of one output); an array of more tensors is refused here, any
 * other value by checkTargets.
 */
export function oneTarget(y: Tensor | readonly Tensor[], what: string): Tensor {
  if (!Array.isArray(y) || y.length === 0 || !y.every((t) => t instanceof Tensor)) return y as Tensor;
  if (y.length > 1) {
    throw new ShapeError(`${what}: y is an array of ${y.length} tensors, but the model has one output: y is its targets, a tensor (or [tensor])`);
  }
  return y[0];
}

/** Targets for n examples of an output of `outputShape`, as `loss` reads them (class ids for a sparse loss). */
export function checkTargets(y: Tensor, n: number, outputShape: Shape, what: string, loss?: Loss): void {
  if (!(y instanceof Tensor)) throw new ShapeError(`${what}: y must be a tensor (tensor(values, shape)), got ${shownInstead(y)}`);
  if (y.shape[0] !== n) throw new ShapeError(`${what}: x has ${n} examples but y has ${y.shape[0]}; they must have the same length`);
  if (loss?.sparse) {
    checkClassIdShape(y.shape, outputShape, loss.type, 'y', what);
    checkClassIdsAt(y.ptr, y.shape, outputShape, loss.type, what);
    return;
  }
  if (!fitsTargets(y.shape, outputShape)) {
    throw new ShapeError(`${what}: y has shape ${formatShape(y.shape)}, but the model outputs ` +
      `${batchShape(outputShape)}: labels must match the outputs (one-hot for classes; class ids need sparseCategoricalCrossentropy)`);
  }
  checkFinite(y, 'y', what);
}

/**
 * Whether targets of `shape` (the batch first) hold each example as the output does: its shape, axes
 * of 1 aside ([n] for one unit, [n, h, w] for [h, w, 1]). Of the output's size alone is not enough: an
 * [H, W, C] output's targets as [n, W, H, C] or [n, H·W·C] would pair each output with another's target.
 */
export function fitsTargets(shape: readonly number[], outputShape: Shape): boolean {
  const axes = (s: readonly number[]) => s.filter((d) => d !== 1);
  const given = axes(shape.slice(1)), expected = axes(outputShape);
  return shape.length >= 1 && given.length === expected.length && given.every((d, i) => d === expected[i]);
}

/** The positions of one example's output, its last axis being the classes: one class id each. */
export const classIdShape = (outputShape: Shape): Shape => outputShape.slice(0, -1);

/** Whether a batch of class ids has Keras's shape: [n, ...positions], or [n, ...positions, 1] ([n] or [n, 1] for one position). */
export function fitsClassIds(shape: readonly number[], outputShape: Shape): boolean {
  const positions = classIdShape(outputShape), given = shape.slice(1);
  const trailingOne = given.length === positions.length + 1 && given[given.length - 1] === 1;
  return shape.length >= 1 && (given.length === positions.length || trailingOne) && positions.every((d, i) => given[i] === d);
}

/** The shapes class ids may have, for messages. */
export const classIdShapes = (outputShape: Shape) => `${batchShape(classIdShape(outputShape))} or ${batchShape([...classIdShape(outputShape), 1])}`;

/**
 * The shape of class ids `name` for an output of `outputShape`: one per position (see fitsClassIds).
 * A ShapeError, as for any targets that do not match the output, whether fit or fitDataset reads them.
 */
export function checkClassIdShape(shape: readonly number[], outputShape: Shape, loss: string, name: string, what: string): void {
  if (!fitsClassIds(shape, outputShape)) {
    throw new ShapeError(`${what}: loss ${loss} takes ${name} as class ids of shape ${classIdShapes(outputShape)}, got ${formatShape(shape)} ` +
      '(one-hot labels go with categoricalCrossentropy)');
  }
}

/** The class ids of shape `shape` at `ptr`, each an integer in [0, classes), the classes being the output's last axis. */
export function checkClassIdsAt(ptr: number, shape: readonly number[], outputShape: Shape, loss: string, what: string): void {
  const classes = outputShape[outputShape.length - 1];
  const ids = getBackend().memory.f32(ptr, sizeOf(shape));
  const at = ids.findIndex((id) => !Number.isInteger(id) || id < 0 || id >= classes);
  if (at >= 0) {
    throw new ValueError(`${what}: y[${indexOf(at, [shape[0], ...classIdShape(outputShape)])}] is ${ids[at]}; loss ${loss} takes class ids, ` +
      `integers from 0 to ${classes - 1}`);
  }
}

/** The index of the value at `flat` in an array of `shape`, as "i, j, k". */
function indexOf(flat: number, shape: readonly number[]): string {
  const index: number[] = [];
  for (let axis = shape.length - 1; axis > 0; axis--) {
    index.unshift(flat % shape[axis]);
    flat = Math.floor(flat / shape[axis]);
  }
  return [flat, ...index].join(', ');
}

function checkFinite(t: Tensor, name: string, what: string): void {
  checkFiniteAt(t.ptr, t.size, name, what);
}

/** `size` values at `ptr`, all finite; else a ValueError naming the first bad one. */
export function checkFiniteAt(ptr: number, size: number, name: string, what: string): void {
  // One SIMD pass finds whether there is a bad value; only then is it looked for, to name it.
  if (getBackend().kernels.countNonFinite(ptr, size) === 0) return;
  const values = getBackend().memory.f32(ptr, size);
  const i = values.findIndex((v) => !Number.isFinite(v));
  throw new ValueError(`${what}: ${name} holds a non-finite value (${values[i]}) at flat index ${i}; all values must be finite`);
}

export function checkBatchSize(batchSize: number, what: string): void {
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new ConfigError(`${what}: batchSize must be a positive integer, got ${shownValue(batchSize)}`);
  }
}
