// Numerical gradient checks: central differences (f(v+ε) − f(v−ε)) / 2ε, compared with backward.
import * as assert from 'uvu/assert';
import { getBackend } from '../src/backend/wasm.js';
import type { Model, Tensor } from '../src/index.js';
import { gradientOf } from './helpers.js';

const EPSILON = 1e-3;

/**
 * Compares analytic gradients with central differences of `loss` at up to `samples` indices of
 * `values`. Where the function has a kink within ±ε (ReLU at 0, a max changing winner) the two
 * one-sided slopes disagree and no derivative exists to compare: such points are skipped, but
 * they must stay rare, so a gradient that is wrong everywhere cannot hide behind them.
 */
export function checkGradient(what: string, values: Float32Array, analytic: Float32Array, loss: () => number,
  pick: () => number, samples = 24): void {
  const indices = values.length <= samples ? [...values.keys()] : Array.from({ length: samples }, () => Math.floor(pick() * values.length));
  const centre = loss();
  let kinks = 0;
  for (const i of indices) {
    const saved = values[i];
    values[i] = saved + EPSILON;
    const plus = loss();
    values[i] = saved - EPSILON;
    const minus = loss();
    values[i] = saved;
    const right = (plus - centre) / EPSILON, left = (centre - minus) / EPSILON;
    const numeric = (plus - minus) / (2 * EPSILON);
    const tolerance = 1e-2 * Math.max(1, Math.abs(numeric), Math.abs(analytic[i]));
    if (Math.abs(right - left) > 2 * tolerance) {
      kinks++;
      continue;
    }
    if (Math.abs(numeric - analytic[i]) > tolerance) {
      assert.unreachable(`${what}: gradient at index ${i} is ${analytic[i]}, central differences give ${numeric}`);
    }
  }
  if (kinks > Math.max(1, indices.length / 3)) {
    assert.unreachable(`${what}: ${kinks} of ${indices.length} points are not differentiable; the check proves nothing`);
  }
}

/** Σ y[i]·r[i] in f64: a scalar whose gradient with respect to y is r. */
export function weightedSum(yPtr: number, r: Float32Array): number {
  const y = getBackend().memory.f32(yPtr, r.length);
  let sum = 0;
  for (let i = 0; i < r.length; i++) sum += y[i] * r[i];
  return sum;
}

/**
 * Every trainable weight's gradient of a compiled model on (x, y), as lossAndGradients leaves them,
 * against central differences of the model's loss; the weights are as they were afterwards. State
 * (batch normalisation's moving statistics) and frozen weights have no gradient to check.
 */
export function checkModelGradients(model: Model, x: Tensor, y: Tensor, what: string, pick: () => number, samples = 12): void {
  const memory = getBackend().memory;
  model.lossAndGradients(x, y);
  const trained = model.trainableWeights;
  const grads = trained.map(gradientOf);
  trained.forEach((p, i) => {
    const values = memory.f32(p.value, p.size).slice();
    checkGradient(`${what}: ${p.name}`, values, grads[i], () => {
      memory.f32(p.value, p.size).set(values);
      return model.lossAndGradients(x, y);
    }, pick, samples);
    memory.f32(p.value, p.size).set(values);
  });
}
