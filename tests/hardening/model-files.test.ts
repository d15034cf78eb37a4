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

/** A saved conv model in the TF.js format with uint8 weights: its directory, model.json parsed and weights.bin. */
async function savedQuantized(): Promise<{ dir: string; json: Json; bytes: Uint8Array }> {
  await init();
  const dir = await temporaryDirectory();
  await convModel(1).save(dir, { format: 'tfjs', quantize: 'uint8' });
  return { dir, json: JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')), bytes: new Uint8Array(await readFile(join(dir, 'weights.bin'))) };
}

/** The manifest with the quantization of weight `index` replaced by `quantization` (undefined keys are dropped). */
const withQuantization = (j: Json, index: number, quantization: unknown) => JSON.stringify({
  ...j, weightsManifest: [{ ...j.weightsManifest[0], weights: j.weightsManifest[0].weights.map((w: Json, i: number) => (i === index ? { ...w, quantization } : w)) }],
});
const first = (j: Json) => j.weightsManifest[0].weights[0].quantization;

// Each names the file and the weight: sequential_1/conv2d_1/kernel is weight 0, …/bias weight 1.
const hostileQuantized: Array<[string, (json: Json, bytes: Uint8Array) => { json?: string; bytes?: Uint8Array }, string, RegExp]> = [
  ['no scale', (j) => ({ json: withQuantization(j, 0, { ...first(j), scale: undefined }) }), 'model.json', /kernel\) is uint8-quantized without "scale"/],
  ['no min', (j) => ({ json: withQuantization(j, 0, { ...first(j), min: undefined }) }), 'model.json', /kernel\) is uint8-quantized without "min"/],
  ['an infinite scale (1e999)', (j) => ({ json: withQuantization(j, 0, { ...first(j), scale: 12345 }).replace('12345', '1e999') }), 'model.json', /kernel\) has quantization scale Infinity; expected a finite number/],
  ['a scale given as text', (j) => ({ json: withQuantization(j, 0, { ...first(j), scale: '0.1' }) }), 'model.json', /kernel\) has quantization scale "0.1"/],
  ['a null min', (j) => ({ json: withQuantization(j, 0, { ...first(j), min: null }) }), 'model.json', /kernel\) has quantization min null/],
  ['an unknown quantization dtype', (j) => ({ json: withQuantization(j, 0, { ...first(j), dtype: 'int4' }) }), 'model.json', /kernel\) is quantized to "int4"; expected uint8, uint16, float16/],
  ['a quantization that is not an object', (j) => ({ json: withQuantization(j, 0, 'uint8') }), 'model.json', /kernel\)\.quantization is "uint8"; expected an object/],
  ['a scale that overflows float32', (j) => ({ json: withQuantization(j, 0, { ...first(j), scale: 1e38 }) }), 'weights.bin', /kernel holds -?Infinity at index \d+; expected finite weights/],
  ['a shape of 2^40 × 2^40', (j) => ({ json: JSON.stringify({ ...j, weightsManifest: [{ ...j.weightsManifest[0], weights: [{ ...j.weightsManifest[0].weights[0], shape: [2 ** 40, 2 ** 40] }, ...j.weightsManifest[0].weights.slice(1)] }] }) }), 'model.json', /kernel\) has shape .*more values than the \d+ the weights file holds/],
  ['a shard shorter than the manifest says', (_, b) => ({ bytes: b.subarray(0, b.length - 3) }), 'weights.bin', /shorter than the weights .*model.json lists for them \(.*dense.*bias ends at byte/],
  ['a shard with bytes to spare', (_, b) => ({ bytes: Uint8Array.from([...b, 1, 2]) }), 'weights.bin', /holds \d+ bytes or more, longer than the \d+ bytes the model file lists for it/],
];

for (const [what, make, file, detail] of hostileQuantized) {
  test(`a uint8-quantized TF.js file with ${what}: a FileFormatError naming the file and what is wrong`, async () => {
    const { dir, json, bytes } = await savedQuantized();
    const changed = make(json, bytes);
    if (changed.json) await writeFile(join(dir, 'model.json'), changed.json);
    if (changed.bytes) await writeFile(join(dir, 'weights.bin'), changed.bytes);
    await expectError(() => loadModel(dir), FileFormatError, file, detail);
  });
}

test('a float16 TF.js file holding an infinite half: a FileFormatError naming the weight', async () => {
  await init();
  const dir = await temporaryDirectory();
  await convModel(1).save(dir, { format: 'tfjs', quantize: 'float16' });
  const bytes = new Uint8Array(await readFile(join(dir, 'weights.bin')));
  bytes.set([0x00, 0x7c], 4); // kernel[2] = +infinity
  await writeFile(join(dir, 'weights.bin'), bytes);
  await expectError(() => loadModel(dir), FileFormatError, 'weights.bin', /kernel holds Infinity at index 2/);
});

test.run();
