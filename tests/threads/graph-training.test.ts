// Random graph models (tests/graphs.ts: fan-out, merges, concatenations, nested and frozen models,
// dropout on) trained with 1 and with 2 threads end with the same weights, bit for bit. Each thread
// count needs its own process (init fixes it), so this file runs itself as the child.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { init, tensor } from '../../src/index.js';
import { buildGraphModel, drawGraph, graphFeatures } from '../graphs.js';
import { random } from '../helpers.js';

const CHILD_THREADS = 'CONVAS_TEST_GRAPH_THREADS';
const GRAPHS = 5;
const CLASSES = 4;
/** Batches of 16, 16 and an odd 13 per epoch, two epochs. */
const EXAMPLES = 45;

/** What the graphs must exercise between them for the comparison to mean something. */
const FEATURES = ['fan-out', 'Add', 'concatenate on the last axis', 'a nested model', 'a frozen layer', 'Dropout', 'Conv2D'];

/** Trains the graphs with `threads`: each one's weights (bytes in base64), and what the graphs exercise. */
async function trainGraphs(threads: number) {
  await init({ threads });
  const rng = random(31);
  const features = new Set<string>();
  const weights: string[][] = [];
  for (let g = 0; g < GRAPHS; g++) {
    const seed = rng.seed();
    const spec = drawGraph(rng, { classes: CLASSES, dropoutRate: 0.25, freezing: 0.25, maxSide: 10, maxValues: 300 });
    graphFeatures(spec, 0, features);
    const m = buildGraphModel(spec, seed);
    const x = m.inputShapes.map((s) => tensor(rng.array(EXAMPLES * s.reduce((a, b) => a * b, 1)), [EXAMPLES, ...s]));
    const labels = new Float32Array(EXAMPLES * CLASSES);
    for (let e = 0; e < EXAMPLES; e++) labels[e * CLASSES + rng.int(0, CLASSES - 1)] = 1;
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await m.fit(x.length === 1 ? x[0] : x, tensor(labels, [EXAMPLES, CLASSES]), { epochs: 2, batchSize: 16, shuffle: true });
    weights.push(m.getWeights().map((w) => {
      const values = w.dataSync();
      return Buffer.from(values.buffer, values.byteOffset, values.byteLength).toString('base64');
    }));
    m.dispose();
  }
  return { threads: getBackend().parallel.threads, weights, features: [...features] };
}

/** Runs trainGraphs in a fresh process, after checking that its kernels really ran on that many threads. */
function trainedWith(threads: number): Awaited<ReturnType<typeof trainGraphs>> {
  const run = spawnSync(process.execPath, [process.argv[1]], { encoding: 'utf8', env: { ...process.env, [CHILD_THREADS]: String(threads) } });
  assert.is(run.status, 0, `child with ${threads} threads failed: ${run.stderr}`);
  const child = JSON.parse(run.stdout);
  assert.is(child.threads, threads, `the child asked for ${threads} threads but its kernels ran on ${child.threads}`);
  return child;
}

if (process.env[CHILD_THREADS]) {
  console.log(JSON.stringify(await trainGraphs(Number(process.env[CHILD_THREADS]))));
} else {
  test(`${GRAPHS} random graphs trained for two epochs (odd last batch, dropout on) have identical weights with 1 and 2 threads`, () => {
    const one = trainedWith(1), two = trainedWith(2);
    assert.equal(FEATURES.filter((f) => !one.features.includes(f)), [], 'features no graph exercised');
    assert.is(one.weights.length, GRAPHS);
    one.weights.forEach((weights, g) => {
      assert.ok(weights.length > 0, `graph ${g} has weights`);
      weights.forEach((w, i) => assert.ok(w === two.weights[g][i], `graph ${g}: weight ${i} differs between 1 and 2 threads`));
    });
  });
  test.run();
}
