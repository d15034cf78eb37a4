// A graph model checked against the whole-graph reference (tests/reference/graph.ts): convas runs
// the model forward in training mode and backward from a random output gradient, driven as a layer
// (as a containing model drives a nested one), once asking for every input's gradient and once as
// fit does (no input gradients, backward only where a trained weight lies upstream). The output,
// every input gradient and every trainable layer's weight gradients must agree with the reference;
// frozen layers must get no weight gradient at all; predict must give the training pass's output.
// Each value may also differ by what f32 rounding may make of it (tests/rounding.ts): the reference
// is run again with its inputs, dy, every node's output and every gradient between nodes nudged.
import { getBackend } from '../src/backend/wasm.js';
import { ConvasError, type Model, type Parameter, tensor } from '../src/index.js';
import { type GraphSpec, buildGraphModel, describeGraph, frozenLayers, smallerGraphs, weightedLayers } from './graphs.js';
import { gradientOf, mismatch, random } from './helpers.js';
import { type LayerWeights, graphBackward, graphForward } from './reference/graph.js';
import { agreesWith, nudger } from './rounding.js';

export interface GraphCase {
  spec: GraphSpec;
  batch: number;
  /** Seeds the model's weights and the data. */
  seed: number;
}

export type GraphOutcome = { kind: 'refused'; error: ConvasError } | { kind: 'matched' } | { kind: 'mismatch'; detail: string };

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** A case as text: its graph, batch and seed. */
export const describeCase = (c: GraphCase) => `batch ${c.batch}, seed ${c.seed}:\n${describeGraph(c.spec)}`;

/**
 * convas's forward (training mode) and backward of the model: its output, each input's gradient
 * (when asked for) and each weighted layer's weight gradients. Every gradient buffer starts as NaN,
 * so a gradient not written shows; a weight without one (frozen, or state) gives zeros.
 */
function runConvas(m: Model, layers: Map<string, { params: readonly Parameter[] }>, xs: Float32Array[], dy: Float32Array,
  batch: number, needInputGradients: boolean) {
  const memory = getBackend().memory;
  const copyIn = (values: Float32Array) => {
    const ptr = memory.alloc(values.length * 4);
    memory.f32(ptr, values.length).set(values);
    return ptr;
  };
  const xPtrs = xs.map(copyIn), dyPtr = copyIn(dy);
  try {
    m.prepareBackward(new Set(m.trainableWeights), needInputGradients);
    m.plan(batch);
    for (const layer of layers.values()) for (const p of layer.params) if (p.grad) memory.f32(p.grad, p.size).fill(NaN);
    const yPtr = m.forward(xPtrs, batch, true);
    const y = memory.f32(yPtr, dy.length).slice();
    const dxPtrs = m.backward(dyPtr, batch, needInputGradients);
    const dxs = xs.map((x, i) => (dxPtrs[i] ? memory.f32(dxPtrs[i], x.length).slice() : undefined));
    const grads: LayerWeights = new Map([...layers].map(([name, l]) => [name, l.params.map(gradientOf)]));
    return { y, dxs, grads };
  } finally {
    [...xPtrs, dyPtr].forEach((p) => memory.free(p));
  }
}

/**
 * Builds the case's model and compares it with the reference at `tolerance` (relative to each array's
 * largest value), with room for rounding where a value is ill-conditioned.
 */
export function compareGraph(c: GraphCase, tolerance: number): GraphOutcome {
  let m: Model;
  try {
    m = buildGraphModel(c.spec, c.seed);
  } catch (error) {
    if (error instanceof ConvasError) return { kind: 'refused', error };
    throw error;
  }
  try {
    const memory = getBackend().memory;
    const rng = random(c.seed);
    const layers = weightedLayers(m);
    // Random biases: with zero biases, every value that reads only padding sits exactly at ReLU's kink.
    for (const layer of layers.values()) {
      for (const p of layer.params) if (p.name.endsWith('/bias')) memory.f32(p.value, p.size).set(rng.array(p.size, -0.3, 0.3));
    }
    const weights: LayerWeights = new Map([...layers].map(([name, l]) => [name, l.params.map((p) => memory.f32(p.value, p.size).slice())]));
    const shapes = m.inputShapes.map((s) => [...s]);
    const xs = shapes.map((s) => rng.array(c.batch * sizeOf(s), -2, 2));
    const dy = rng.array(c.batch * sizeOf(m.outputShapes[0]));

    const frozen = frozenLayers(c.spec);
    const expectedTrainable = [...layers].filter(([name]) => !frozen.has(name)).flatMap(([, l]) => l.params.map((p) => p.name));
    const problems: Array<string | undefined> = [];
    const trainable = m.trainableWeights.map((p) => p.name);
    if (String(trainable.sort()) !== String(expectedTrainable.sort())) {
      problems.push(`trainable weights are ${trainable.join(', ') || 'none'}; the frozen layers leave ${expectedTrainable.join(', ') || 'none'}`);
    }

    const full = runConvas(m, layers, xs, dy, c.batch, true);
    const asFitDoes = runConvas(m, layers, xs, dy, c.batch, false);
    const forward = graphForward(c.spec, weights, xs, shapes, c.batch);
    const reference = graphBackward(c.spec, weights, forward, dy, c.batch);
    const nudge = nudger(c.seed);
    const nudgedForward = graphForward(c.spec, weights, xs.map(nudge), shapes, c.batch, nudge);
    const nudged = graphBackward(c.spec, weights, nudgedForward, dy, c.batch, nudge);

    problems.push(agreesWith(full.y, forward.values.get(c.spec.output)!, nudgedForward.values.get(c.spec.output)!, tolerance, 'output'));
    reference.inputs.forEach((dx, i) => problems.push(full.dxs[i]
      ? agreesWith(full.dxs[i]!, dx, nudged.inputs[i], tolerance, `gradient of input ${c.spec.inputs[i].name}`)
      : `no gradient for input ${c.spec.inputs[i].name}`));
    for (const [name, layer] of layers) {
      layer.params.forEach((p, j) => {
        if (frozen.has(name)) {
          if (p.grad) problems.push(`${p.name} is frozen, but it was given a gradient buffer`);
          return;
        }
        const expected = reference.weights.get(name)?.[j] ?? new Float32Array(p.size);
        problems.push(agreesWith(full.grads.get(name)![j], expected, nudged.weights.get(name)?.[j] ?? expected, tolerance, `${p.name} gradient`));
        problems.push(mismatch(asFitDoes.grads.get(name)![j], full.grads.get(name)![j], 0, `${p.name} gradient without input gradients`));
      });
    }
    const predicted = m.predict(xs.map((x, i) => tensor(x, [c.batch, ...shapes[i]]))).dataSync();
    problems.push(mismatch(predicted, full.y, 0, 'predict'));
    const detail = problems.find((p) => p !== undefined);
    return detail ? { kind: 'mismatch', detail } : { kind: 'matched' };
  } finally {
    m.dispose();
  }
}

/**
 * Whether `c` fails: disagrees with the reference, or throws something other than a ConvasError
 * (which the failure's text then says).
 */
function failure(c: GraphCase, tolerance: number): string | undefined {
  try {
    const outcome = compareGraph(c, tolerance);
    return outcome.kind === 'mismatch' ? outcome.detail : undefined;
  } catch (error) {
    return `threw ${(error as Error)?.name}, not a ConvasError: ${(error as Error)?.message}`;
  }
}

/** Shrinks a failing case, a node, an operand, a setting, an input size or the batch at a time, while it still fails. */
export function shrinkGraphCase(c: GraphCase, tolerance: number): { smallest: GraphCase; detail: string } {
  let smallest = c;
  let detail = failure(c, tolerance) ?? 'it passed when run again';
  for (let improved = true; improved;) {
    improved = false;
    const candidates = [...(smallest.batch > 1 ? [{ ...smallest, batch: smallest.batch - 1 }] : []),
      ...[...smallerGraphs(smallest.spec)].map((spec) => ({ ...smallest, spec }))];
    for (const candidate of candidates) {
      const failed = failure(candidate, tolerance);
      if (failed) {
        smallest = candidate;
        detail = failed;
        improved = true;
        break;
      }
    }
  }
  return { smallest, detail };
}
