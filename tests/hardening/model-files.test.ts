// Hostile model files: huge, deeply nested, impossible shapes, manifests claiming more than exists.
// Each is refused with a FileFormatError before anything of the claimed size is allocated or parsed.
import { test } from 'uvu';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { FileFormatError, init, loadModel } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { convModel, temporaryDirectory } from '../io/model-files.js';

type Json = Record<string, any>;
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
/** The file with layer `index` of its graph (0 is the input) changed by `patch`. */
const withLayer = (j: Json, index: number, patch: Json) =>
  JSON.stringify({ ...j, model: { ...j.model, layers: j.model.layers.map((l: Json, i: number) => (i === index ? { ...l, ...patch } : l)) } });

/** A saved conv model's directory and its model.json, parsed. */
async function savedModel(): Promise<{ dir: string; json: Json }> {
  await init();
  const dir = await temporaryDirectory();
  await convModel(1).save(dir);
  return { dir, json: JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) };
}

const hostile: Array<[string, (json: Json) => string, RegExp]> = [
  ['50 MB of whitespace', (j) => JSON.stringify(j) + ' '.repeat(50e6), /is 50\d+ bytes; a model file is at most/],
  ['100,000 nested arrays as the whole file', () => nested(100000), /not an object|deeper than/],
  ['100,000 nested arrays as the input shape', (j) => withLayer(j, 0, { shape: 0 }).replace('"shape":0', `"shape":${nested(100000)}`), /deeper than 64 levels/],
  ['100,000 nested objects as a layer', (j) => withLayer(j, 1, { className: 0 }).replace('"className":0', `"className":${'{"a":'.repeat(100000)}1${'}'.repeat(100000)}`), /deeper than 64 levels/],
  ['a negative input shape', (j) => withLayer(j, 0, { shape: [8, -8, 1] }), /shape \[8,-8,1\] is not valid/],
  ['an overflowing input shape', (j) => withLayer(j, 0, { shape: [2 ** 53, 8, 1] }), /dense.*kernel.*has shape|more than wasm memory/],
  ['a manifest claiming 2^40 bytes', (j) => JSON.stringify({ ...j, weights: { ...j.weights, byteLength: 2 ** 40 } }), /shorter than the 1099511627776 bytes/],
  ['an array shape of 2^40 × 2^40', (j) => JSON.stringify({ ...j, weights: { ...j.weights, arrays: [{ ...j.weights.arrays[0], shape: [2 ** 40, 2 ** 40] }, ...j.weights.arrays.slice(1)] } }), /more values than the \d+ the weights file holds/],
  ['a negative array shape', (j) => JSON.stringify({ ...j, weights: { ...j.weights, arrays: [{ ...j.weights.arrays[0], shape: [3, -3, 1, 3] }, ...j.weights.arrays.slice(1)] } }), /non-negative integers/],
  ['a byteOffset past the end', (j) => JSON.stringify({ ...j, weights: { ...j.weights, arrays: [{ ...j.weights.arrays[0], byteOffset: 2 ** 40 }, ...j.weights.arrays.slice(1)] } }), /byteOffset 1099511627776/],
  ['a layer with 2^31 filters', (j) => withLayer(j, 1, { filters: 2 ** 31 }), /shape|more than wasm memory/],
];

for (const [what, make, detail] of hostile) {
  test(`model.json with ${what}: a FileFormatError`, async () => {
    const { dir, json } = await savedModel();
    await writeFile(join(dir, 'model.json'), make(json));
    await expectError(() => loadModel(dir), FileFormatError, 'model.json', detail);
  });
}

test.run();
