// Hostile graphs in model files, in the convas format and in TF.js's: cycles, self-loops,
// references to layers or nodes that do not exist, shapes that cannot merge, huge graphs. Each is a
// FileFormatError naming model.json and the layer, raised before any weight is made (nothing stays
// allocated); nothing recurses over nodes, so a graph of 100,000 nodes neither overflows the stack
// nor hangs.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { getBackend } from '../../src/backend/wasm.js';
import { FileFormatError, init, input, layers, loadModel, model, tensor } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { temporaryDirectory } from '../io/model-files.js';

type Json = Record<string, any>;

/** A saved graph: x → a (dense) → b (dense) → sum = add(a, b) → out; its directory and model.json. */
async function savedGraph(format: 'convas' | 'tfjs' = 'convas'): Promise<{ dir: string; json: Json }> {
  await init();
  const x = input({ shape: [3], name: 'x' });
  const a = layers.dense({ units: 3, name: 'a' }).apply(x);
  const b = layers.dense({ units: 3, name: 'b' }).apply(a);
  const sum = layers.add({ name: 'sum' }).apply([a, b]);
  const out = layers.dense({ units: 2, name: 'out' }).apply(sum);
  const dir = await temporaryDirectory();
  // Disposed, not left to the collector: the tests count the memory a refused file leaves behind.
  const saved = model({ inputs: x, outputs: out, seed: 1 });
  await saved.save(dir, { format });
  saved.dispose();
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
  ['a model\'s own trainable that is not a boolean', (j) => { j.model.trainable = 'false'; }, /trainable must be true or false, got "false"/],
  ['a model\'s own trainable that is null', (j) => { j.model.trainable = null; }, /trainable must be true or false, got null/],
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

// --- the same in TF.js's format: layers with inbound_nodes [[[name, nodeIndex, tensorIndex, kwargs]]]

const tfjsLayer = (j: Json, name: string) => j.modelTopology.config.layers.find((l: Json) => l.name === name);
const reads = (name: string, node = 0) => [name, node, 0, {}];

/** A chain of `n` ReLU layers after the input (no weights), each reading the one before. */
function tfjsChain(j: Json, n: number, closeCycle: boolean): void {
  const relus = Array.from({ length: n }, (_, i) => ({
    class_name: 'ReLU', name: `r${i}`, config: { name: `r${i}` }, inbound_nodes: [[reads(i === 0 ? (closeCycle ? `r${n - 1}` : 'x') : `r${i - 1}`)]],
  }));
  const config = j.modelTopology.config;
  config.layers = [config.layers[0], ...relus];
  config.output_layers = [[`r${n - 1}`, 0, 0]];
  j.weightsManifest[0].weights = [];
}

const tfjsHostile: Array<[string, (j: Json) => void, RegExp]> = [
  ['a cycle a → b → a', (j) => { tfjsLayer(j, 'a').inbound_nodes = [[reads('b')]]; }, /layer (a|b|sum|out) is in a cycle/],
  ['a self-loop', (j) => { tfjsLayer(j, 'b').inbound_nodes = [[reads('b')]]; }, /layer b reads itself/],
  ['a reference to no layer', (j) => { tfjsLayer(j, 'sum').inbound_nodes = [[reads('a'), reads('ghost')]]; }, /layer sum reads "ghost", which is not a layer/],
  ['a reference to a node the layer lacks', (j) => { tfjsLayer(j, 'sum').inbound_nodes[0][1] = reads('b', 1); },
    /\(sum\) inbound_nodes\[0\]\[1\] reads node 1 of b, which has no such node/],
  ['a negative node index', (j) => { tfjsLayer(j, 'b').inbound_nodes[0][0] = reads('a', -1); }, /\(b\) inbound_nodes\[0\]\[0\] reads node -1 of a/],
  ['an output at a node the layer lacks', (j) => { j.modelTopology.config.output_layers = [['out', 3, 0]]; }, /output_layers\[0\] reads node 3 of out/],
  ['an input at a node the layer lacks', (j) => { j.modelTopology.config.input_layers = [['x', 1, 0]]; }, /input_layers\[0\] reads node 1 of x/],
  ['a reference to a second output', (j) => { tfjsLayer(j, 'out').inbound_nodes[0][0] = ['sum', 0, 1, {}]; }, /reads output 1 of sum/],
  ['an output that is no layer', (j) => { j.modelTopology.config.output_layers = [['ghost', 0, 0]]; }, /output "ghost" is not a layer/],
  ['a layer applied twice', (j) => { tfjsLayer(j, 'b').inbound_nodes.push([reads('a')]); }, /\(b\) is applied 2 times/],
  ['inputs that cannot merge', (j) => { tfjsLayer(j, 'b').config.units = 4; }, /sum: cannot add .* of shape \[3\] and .* of shape \[4\]/],
  ['a merge of one input', (j) => { tfjsLayer(j, 'sum').inbound_nodes = [[reads('a')]]; }, /Add takes two or more inputs/],
  ['a layer that reads nothing', (j) => { tfjsLayer(j, 'b').inbound_nodes = [[]]; }, /a Dense must read at least one layer/],
  ['a model\'s own trainable that is not a boolean', (j) => { j.modelTopology.config.trainable = 'false'; }, /trainable "false"; expected true or false/],
  ['a nested model with a cycle', (j) => {
    const relu = (name: string, from: string) => ({ class_name: 'ReLU', name, config: { name }, inbound_nodes: [[reads(from)]] });
    Object.assign(tfjsLayer(j, 'sum'), {
      class_name: 'Model', name: 'inner', inbound_nodes: [[reads('a')]],
      config: {
        name: 'inner', input_layers: [['i', 0, 0]], output_layers: [['p', 0, 0]],
        layers: [{ class_name: 'InputLayer', name: 'i', config: { name: 'i', batch_input_shape: [null, 3] }, inbound_nodes: [] }, relu('p', 'q'), relu('q', 'p')],
      },
    });
    tfjsLayer(j, 'out').inbound_nodes = [[reads('inner', 1)]];
  }, /layer (p|q) is in a cycle/],
  ['a cycle of 100,000 nodes', (j) => tfjsChain(j, 100_000, true), /is in a cycle/],
];

const formats = [['convas', hostile], ['tfjs', tfjsHostile]] as const;
for (const [format, cases] of formats) {
  for (const [what, damage, detail] of cases) {
    test(`${format} model.json with ${what}: a FileFormatError naming it, nothing left allocated`, async () => {
      const { dir, json } = await savedGraph(format);
      damage(json);
      await writeFile(join(dir, 'model.json'), JSON.stringify(json));
      const before = getBackend().memory.bytesInUse;
      await expectError(() => loadModel(dir), FileFormatError, 'model.json', detail);
      assert.is(getBackend().memory.bytesInUse, before, 'bytes of wasm memory in use');
    });
  }
}

for (const format of ['convas', 'tfjs'] as const) {
  test(`a valid ${format} graph of 100,000 nodes loads and runs without recursion`, async () => {
    const { dir, json } = await savedGraph(format);
    if (format === 'convas') chain(json, 100_000, false);
    else tfjsChain(json, 100_000, false);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const weightsFile = format === 'convas' ? 'weights.bin' : json.weightsManifest[0].paths[0];
    await writeFile(join(dir, weightsFile), new Uint8Array(0));
    const loaded = await loadModel(dir);
    assert.is(loaded.layers.length, 100_001);
    assert.equal(Array.from(loaded.predict(tensor([-1, 2, -3], [1, 3])).dataSync()), [0, 2, 0]);
    loaded.dispose();
  });
}

test.run();
