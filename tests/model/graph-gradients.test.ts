// Random graph models (tests/graphs.ts) against central differences: the gradient of Σ y·r with
// respect to every trainable weight and every input, as backward computes it through fan-out,
// merges, nested and frozen models. Then fit: frozen layers keep their weights bit for bit, while
// the layers before them still learn, because gradients flow through the frozen ones.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { type Model, tensor } from '../../src/index.js';
import { checkGradient, weightedSum } from '../gradient-check.js';
import { type GraphSpec, buildGraphModel, describeGraph, drawGraph, frozenLayers, weightedLayers } from '../graphs.js';
import { kernels, random } from '../helpers.js';

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** Checks backward's gradients of Σ y·r (r random) against central differences, for inputs and trainable weights. */
function checkGraphGradients(m: Model, spec: GraphSpec, batch: number, seed: number): void {
  const memory = getBackend().memory;
  const rng = random(seed);
  const layers = weightedLayers(m);
  // Random biases: with zero biases, values that read only padding sit exactly at ReLU's kink.
  for (const layer of layers.values()) {
    for (const p of layer.params) if (p.name.endsWith('/bias')) memory.f32(p.value, p.size).set(rng.array(p.size, -0.5, 0.5));
  }
  const xs = m.inputShapes.map((s) => rng.array(batch * sizeOf(s)));
  const r = rng.array(batch * sizeOf(m.outputShapes[0]));
  const xPtrs = xs.map((x) => memory.alloc(x.length * 4));
  const rPtr = memory.alloc(r.length * 4);
  try {
    memory.f32(rPtr, r.length).set(r);
    m.plan(batch);
    m.prepareBackward(new Set(m.trainableWeights), true);
    const loss = () => {
      xs.forEach((x, i) => memory.f32(xPtrs[i], x.length).set(x));
      return weightedSum(m.forward(xPtrs, batch, true), r);
    };
    loss();
    const dxPtrs = m.backward(rPtr, batch, true);
    const dxs = xs.map((x, i) => memory.f32(dxPtrs[i], x.length).slice());
    const trained = m.trainableWeights;
    const grads = trained.map((p) => memory.f32(p.grad, p.size).slice());
    const what = `batch ${batch}, seed ${seed}, graph\n${describeGraph(spec)}\n`;
    xs.forEach((x, i) => checkGradient(`${what}input ${spec.inputs[i].name}`, x, dxs[i], loss, rng.next, 8));
    trained.forEach((p, i) => {
      const values = memory.f32(p.value, p.size).slice();
      const lossOfWeight = () => {
        memory.f32(p.value, p.size).set(values);
        return loss();
      };
      checkGradient(`${what}${p.name}`, values, grads[i], lossOfWeight, rng.next, 6);
      memory.f32(p.value, p.size).set(values);
    });
  } finally {
    [...xPtrs, rPtr].forEach((p) => memory.free(p));
  }
}

test('random graphs: backward agrees with central differences for every input and trainable weight', async () => {
  await kernels();
  const rng = random(77);
  for (let i = 0; i < 30; i++) {
    const seed = rng.seed();
    const spec = drawGraph(rng, { maxSide: 6, maxValues: 120 });
    const m = buildGraphModel(spec, seed);
    try {
      checkGraphGradients(m, spec, rng.int(1, 3), seed);
    } finally {
      m.dispose();
    }
  }
});

/**
 * The trainable weighted layers whose every path to the output passes through a frozen layer: they
 * learn only if gradients flow through frozen layers.
 */
function onlyBehindFrozen(spec: GraphSpec, weighted: ReadonlySet<string>, frozen: ReadonlySet<string>): string[] {
  const readers = new Map<string, string[]>();
  const edge = (from: string, to: string) => readers.set(from, [...(readers.get(from) ?? []), to]);
  const visit = (graph: GraphSpec) => {
    for (const node of graph.nodes) {
      if (!node.graph) {
        node.inputs.forEach((t) => edge(t, node.name));
        continue;
      }
      node.inputs.forEach((t, i) => edge(t, node.graph!.inputs[i].name));
      visit(node.graph);
      edge(node.graph.output, node.name);
    }
  };
  visit(spec);
  const reachesOutputPastNoFrozen = (from: string): boolean => {
    const pending = [from], seen = new Set<string>();
    while (pending.length) {
      const name = pending.pop()!;
      if ((name !== from && frozen.has(name)) || seen.has(name)) continue;
      if (name === spec.output) return true;
      seen.add(name);
      pending.push(...(readers.get(name) ?? []));
    }
    return false;
  };
  return [...weighted].filter((name) => !frozen.has(name) && !reachesOutputPastNoFrozen(name));
}

test('fit: frozen layers and frozen nested models keep their weights bit for bit; layers before them still learn', async () => {
  await kernels();
  const memory = getBackend().memory;
  const rng = random(78);
  let trainedThroughFrozen = 0;
  for (let i = 0; i < 24; i++) {
    const seed = rng.seed();
    const spec = drawGraph(rng, { classes: 3, freezing: 0.35 });
    const frozen = frozenLayers(spec);
    const m = buildGraphModel(spec, seed);
    try {
      const n = 11; // batches of 4, 4 and 3
      const x = m.inputShapes.map((s) => tensor(rng.array(n * sizeOf(s)), [n, ...s]));
      const labels = new Float32Array(n * 3);
      for (let e = 0; e < n; e++) labels[e * 3 + rng.int(0, 2)] = 1;
      const y = tensor(labels, [n, 3]);
      m.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
      m.lossAndGradients(x.length === 1 ? x[0] : x, y);
      const learns = new Set(m.trainableWeights.filter((p) => memory.f32(p.grad, p.size).some((g) => Math.abs(g) > 1e-5)));
      const layers = weightedLayers(m);
      const params = [...layers.values()].flatMap((l) => l.params);
      const before = params.map((p) => memory.f32(p.value, p.size).slice());
      await m.fit(x.length === 1 ? x[0] : x, y, { epochs: 2, batchSize: 4 });
      const moved = params.filter((p, j) => memory.f32(p.value, p.size).some((v, k) => v !== before[j][k]));
      const what = `seed ${seed}, graph\n${describeGraph(spec)}`;
      for (const p of params) {
        const layer = p.name.slice(0, p.name.lastIndexOf('/'));
        if (frozen.has(layer)) assert.not.ok(moved.includes(p), `frozen ${p.name} changed in fit; ${what}`);
        else if (learns.has(p)) assert.ok(moved.includes(p), `${p.name} has a gradient but did not change in fit; ${what}`);
      }
      const behind = new Set(onlyBehindFrozen(spec, new Set(layers.keys()), frozen));
      trainedThroughFrozen += moved.filter((p) => behind.has(p.name.slice(0, p.name.lastIndexOf('/')))).length;
    } finally {
      m.dispose();
    }
  }
  // 16 such weights train with this seed; with gradients stopped at frozen layers, none would.
  assert.ok(trainedThroughFrozen >= 8, `only ${trainedThroughFrozen} weights reached only through frozen layers trained`);
});

test.run();
