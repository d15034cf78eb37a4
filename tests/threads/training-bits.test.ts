// Seeded training runs end with the same weights, bit for bit, as they did before the planning of
// backward's buffers last changed: with 1 and with 2 threads, LeNet (plain, with batch and with
// layer normalisation), random graphs (fan-out, merges, nested and frozen models, dropout) and a
// small MobileNetV2-like transfer setup (a frozen nested base, trained layers before and after it),
// whose lossAndGradients gradients are compared too. Each stored hash is the SHA-256 of the weights'
// bytes, in getWeights() order: a change meant to move the numbers says so and stores the new
// ones. Each thread count needs its own process (init fixes it), so this file runs itself as the child.
import { createHash } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { type Model, init, tensor } from '../../src/index.js';
import { buildGraphModel, drawGraph } from '../graphs.js';
import { gradientOf, random } from '../helpers.js';
import { type Tuned, smallMobileNetTransfer } from '../model/small-mobilenet.js';
import { trainLenet } from './lenet.js';

const CHILD_THREADS = 'CONVAS_TEST_BITS_THREADS';

/** The hashes the runs gave before; the same with 1 and 2 threads. */
const STORED: Record<string, string> = {
  'LeNet, normalisation none': '44b04a04564a83ad6d20dedcfc57fe79',
  'LeNet, normalisation batch': 'b2cfe1716a3ddf8d03c6ad5389efb183',
  'LeNet, normalisation layer': '85b388f2130598506ca42084ae55124e',
  'random graph 0': '9c96418792fe30347c2b3de0b38c03c7',
  'random graph 1': '757574fc946222a481eeeb18db301884',
  'random graph 2': '1e823cb8769f07eb8177598f75e309ad',
  'transfer, head trained': 'e3c2d70f97482f847f790bc34496fe9c',
  'transfer, head trained: lossAndGradients': 'a7d8b11d877acb95983a9520748c7dcd',
  'transfer, around trained': '242fe8807f615bca60e673e8d80d184e',
  'transfer, around trained: lossAndGradients': 'c7c157f471c68edb9dd53784992f7a34',
};

const hashOf = (arrays: Float32Array[]) => {
  const hash = createHash('sha256');
  for (const a of arrays) hash.update(new Uint8Array(a.buffer, a.byteOffset, a.byteLength));
  return hash.digest('hex').slice(0, 32);
};

const weightsHash = (m: Model) => hashOf(m.getWeights().map((w) => w.dataSync()));

/** Labels of `classes` one-hot, drawn from `rng`. */
function labels(rng: ReturnType<typeof random>, examples: number, classes: number) {
  const values = new Float32Array(examples * classes);
  for (let e = 0; e < examples; e++) values[e * classes + rng.int(0, classes - 1)] = 1;
  return tensor(values, [examples, classes]);
}

async function randomGraphs(hashes: Record<string, string>): Promise<void> {
  const rng = random(31);
  for (let g = 0; g < 3; g++) {
    const seed = rng.seed();
    const m = buildGraphModel(drawGraph(rng, { classes: 4, dropoutRate: 0.25, freezing: 0.25, maxSide: 10, maxValues: 300 }), seed);
    const x = m.inputShapes.map((s) => tensor(rng.array(45 * s.reduce((a, b) => a * b, 1)), [45, ...s]));
    m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
    await m.fit(x.length === 1 ? x[0] : x, labels(rng, 45, 4), { epochs: 2, batchSize: 16, shuffle: true });
    hashes[`random graph ${g}`] = weightsHash(m);
    m.dispose();
  }
}

async function transfer(tuned: Tuned, hashes: Record<string, string>): Promise<void> {
  const rng = random(43);
  const m = smallMobileNetTransfer(16, 3, tuned);
  const x = tensor(rng.array(20 * 16 * 16 * 3), [20, 16, 16, 3]), y = labels(rng, 20, 3);
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  await m.fit(x, y, { epochs: 2, batchSize: 8 });
  hashes[`transfer, ${tuned} trained`] = weightsHash(m);
  m.lossAndGradients(x, y);
  hashes[`transfer, ${tuned} trained: lossAndGradients`] = hashOf(m.trainableWeights.map(gradientOf));
  m.dispose();
}

async function hashes(threads: number): Promise<Record<string, string>> {
  await init({ threads });
  const found: Record<string, string> = {};
  for (const normalisation of ['none', 'batch', 'layer'] as const) {
    found[`LeNet, normalisation ${normalisation}`] = hashOf((await trainLenet(threads, 45, 1, normalisation)).weights);
  }
  await randomGraphs(found);
  await transfer('head', found);
  await transfer('around', found);
  return found;
}

function hashesWith(threads: number): Record<string, string> {
  const run = spawnSync(process.execPath, [process.argv[1]], { encoding: 'utf8', env: { ...process.env, [CHILD_THREADS]: String(threads) } });
  assert.is(run.status, 0, `child with ${threads} threads failed: ${run.stderr}`);
  const child = JSON.parse(run.stdout);
  assert.is(child.threads, threads, `the child asked for ${threads} threads but its kernels ran on ${child.threads}`);
  return child.hashes;
}

if (process.env[CHILD_THREADS]) {
  const threads = Number(process.env[CHILD_THREADS]);
  const found = await hashes(threads);
  console.log(JSON.stringify({ threads: getBackend().parallel.threads, hashes: found }));
} else {
  test('seeded training gives the weights it gave before, bit for bit, with 1 and 2 threads', () => {
    const one = hashesWith(1), two = hashesWith(2);
    assert.equal(two, one, '2 threads against 1');
    assert.equal(one, STORED, 'against the stored hashes');
  });
  test.run();
}
