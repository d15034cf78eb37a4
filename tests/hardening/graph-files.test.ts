// Hostile graphs in model files: cycles, self-loops, references to nothing, shapes that cannot
// merge, huge graphs. Each is a FileFormatError naming model.json and the layer, raised before any
// weight is made; nothing recurses over nodes, so a graph of 100,000 nodes neither overflows the
// stack nor hangs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileFormatError, init, input, layers, loadModel, model, tensor } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { temporaryDirectory } from '../io/model-files.js';

type Json = Record<string, any>;

/** A saved graph: x → a (dense) → b (dense) → sum = add(a, b) → out; its directory and model.json. */
async function savedGraph(): Promise<{ dir: string; json: Json }> {
  await init();
  const x = input({ shape: [3], name: 'x' });
  const a = layers.dense({ units: 3, name: 'a' }).apply(x);
  const b = layers.dense({ units: 3, name: 'b' }).apply(a);
  const sum = layers.add({ name: 'sum' }).apply([a, b]);
  const out = layers.dense({ units: 2, name: 'out' }).apply(sum);
  const dir = await temporaryDirectory();
  await model({ inputs: x, outputs: out, seed: 1 }).save(dir);
  return { dir, json: JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) };
}

const layerNamed = (j: Json, name: string) => j.model.layers.find((l: Json) => l.name === name);

/** A chain of `n` ReLU layers after the input (no weights), each reading the one before. */
function chain(j: Json, n: number, closeCycle: boolean): void {
  const relus = Array.from({ length: n }, (_, i) => ({ className: 'ReLU', name: `r${i}`, inbound: [i === 0 ? (closeCycle ? `r${n - 1}` : 'x') : `r${i - 1}`] }));
  j.model.layers = [j.model.layers[0], ...relus];
  j.model.outputs = [`r${n - 1}`];
  j.weights = { ...j.weights, byteLength: 0, arrays: [], crc32: '00000000' };
}

const hostile: Array<[string, (j: Json) => void, RegExp]> = [
  ['a cycle a → b → a', (j) => { layerNamed(j, 'a').inbound = ['b']; }, /layer (a|b|sum|out) is in a cycle/],
  ['a self-loop', (j) => { layerNamed(j, 'b').inbound = ['b']; }, /layer b reads itself/],
  ['a reference to no layer', (j) => { layerNamed(j, 'sum').inbound = ['a', 'ghost']; }, /layer sum reads "ghost", which is not a layer/],
  ['an output that is no layer', (j) => { j.model.outputs = ['ghost']; }, /output "ghost" is not a layer/],
  ['an input that is no InputLayer', (j) => { j.model.inputs = ['a']; }, /input a is the output of a Dense/],
  ['an unused input', (j) => { j.model.layers.push({ className: 'InputLayer', name: 'y', shape: [3] }); j.model.inputs.push('y'); }, /input y is not used/],
  ['an output beyond the listed inputs', (j) => { j.model.inputs = []; }, /inputs must be symbolic tensors|depends on input x/],
  ['two layers of one name', (j) => { layerNamed(j, 'b').name = 'a'; }, /two layers are named "a"/],
  ['an InputLayer that reads a layer', (j) => { j.model.layers[0].inbound = ['a']; }, /InputLayer reads nothing|cycle/],
  ['a layer that reads nothing', (j) => { layerNamed(j, 'b').inbound = []; }, /a Dense must read at least one layer/],
  ['inbound that is not a list of names', (j) => { layerNamed(j, 'b').inbound = 'a'; }, /b's inbound must be a list of layer names/],
  ['inputs that cannot merge', (j) => { layerNamed(j, 'b').units = 4; }, /sum: cannot add .* of shape \[3\] and .* of shape \[4\]/],
  ['a merge of one input', (j) => { layerNamed(j, 'sum').inbound = ['a']; }, /Add takes two or more inputs/],
  ['trainable that is not a boolean', (j) => { layerNamed(j, 'b').trainable = 'yes'; }, /trainable must be true or false/],
  ['a nested model with a cycle', (j) => {
    const sum = layerNamed(j, 'sum');
    Object.assign(sum, {
      className: 'Model', name: 'inner', inputs: ['i'], outputs: ['p'],
      layers: [{ className: 'InputLayer', name: 'i', shape: [3] }, { className: 'ReLU', name: 'p', inbound: ['q'] }, { className: 'ReLU', name: 'q', inbound: ['p'] }],
      inbound: ['a'],
    });
    layerNamed(j, 'out').inbound = ['inner'];
  }, /layer (p|q) is in a cycle/],
  ['no layers list', (j) => { delete j.model.layers; }, /lists no layers/],
  ['a cycle of 100,000 nodes', (j) => chain(j, 100_000, true), /is in a cycle/],
];

for (const [what, damage, detail] of hostile) {
  test(`model.json with ${what}: a FileFormatError naming it`, async () => {
    const { dir, json } = await savedGraph();
    damage(json);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expectError(() => loadModel(dir), FileFormatError, 'model.json', detail);
  });
}

test('a valid graph of 100,000 nodes loads and runs without recursion', async () => {
  const { dir, json } = await savedGraph();
  chain(json, 100_000, false);
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(0));
  const loaded = await loadModel(dir);
  assert.is(loaded.layers.length, 100_001);
  assert.equal(Array.from(loaded.predict(tensor([-1, 2, -3], [1, 3])).dataSync()), [0, 2, 0]);
  loaded.dispose();
});

test.run();
