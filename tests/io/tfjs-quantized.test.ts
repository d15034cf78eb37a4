// Quantized TensorFlow.js weights, checked against TensorFlow.js itself (cpu backend). Models built
// in tfjs-layers are written as tfjs-converter writes them (tfjs-converter.ts: groups, many shards,
// uint8 / uint16 / float16), loaded by tf.loadLayersModel and by convas: the same weights bit for
// bit, the same predictions. And convas's own quantized saves load in TF.js the same way.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, type Model, ValueError, init, layers, loadModel, sequential, tensor } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { assertClose, random } from '../helpers.js';
import { assertSameBits, strokeData, temporaryDirectory } from './model-files.js';
import { float16Bits, quantizeWeight } from '../../src/io/tfjs-quantize.js';
import { type Quantize, dequantize, encodeWeight, toHalfBits, writeConverterModel } from './tfjs-converter.js';
import { loadInTfjs, tfjsArtifacts } from './tfjs-files.js';

const IMAGE = [9, 9, 2];

/** A CNN and a dense head in tfjs-layers, with weights spread widely: some all positive, one constant. */
function tfjsModel(seed: number): tfl.LayersModel {
  const x = tfl.input({ shape: IMAGE });
  const a = tfl.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', activation: 'relu', name: 'conv_a' }).apply(x) as tfl.SymbolicTensor;
  const b = tfl.layers.conv2d({ filters: 3, kernelSize: 1, name: 'conv_b' }).apply(x) as tfl.SymbolicTensor;
  const joined = tfl.layers.concatenate({ name: 'joined' }).apply([a, b]) as tfl.SymbolicTensor;
  const pooled = tfl.layers.maxPooling2d({ poolSize: 3, name: 'pool' }).apply(joined) as tfl.SymbolicTensor;
  const flat = tfl.layers.flatten({ name: 'flat' }).apply(pooled) as tfl.SymbolicTensor;
  const hidden = tfl.layers.dense({ units: 6, activation: 'tanh', name: 'hidden' }).apply(flat) as tfl.SymbolicTensor;
  const out = tfl.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(hidden) as tfl.SymbolicTensor;
  const m = tfl.model({ inputs: x, outputs: out, name: 'quantized' });
  const rng = random(seed);
  const ranges: Array<[number, number]> = [[-0.7, 0.4], [0.05, 0.3], [-2, 2], [-0.3, -0.01], [-0.5, 0.5], [0.25, 0.25], [-1, 1], [-0.2, 0.6]];
  m.setWeights(m.getWeights().map((w, i) => tf.tensor(rng.array(w.size, ...ranges[i % ranges.length]), w.shape)));
  return m;
}

const sample = (n: number, seed: number) => {
  const values = random(seed).array(n * IMAGE.reduce((a, b) => a * b, 1));
  return { convas: tensor(values, [n, ...IMAGE]), tfjs: tf.tensor(values, [n, ...IMAGE]) };
};

/** convas's loaded weights are TF.js's loaded weights, bit for bit, and the two predict alike to 1e-6. */
function assertMatchesTfjs(loaded: Model, inTfjs: tfl.LayersModel, what: string): void {
  const ours = loaded.getWeights(), theirs = inTfjs.getWeights();
  assert.is(ours.length, theirs.length, `${what}: weight count`);
  ours.forEach((w, i) => assertSameBits(w.dataSync(), theirs[i].dataSync() as Float32Array, `${what}: weight ${i} (${inTfjs.weights[i].originalName})`));
  const x = sample(4, 3);
  assertClose(loaded.predict(x.convas).dataSync(), (inTfjs.predict(x.tfjs) as tf.Tensor).dataSync() as Float32Array, 1e-6, `${what}: predictions`);
}

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

const MIXES: Array<[string, (i: number) => Quantize | undefined]> = [
  ['uint8', () => 'uint8'],
  ['uint16', () => 'uint16'],
  ['float16', () => 'float16'],
  ['uint8, uint16, float16 and float32 mixed', (i) => (['uint8', 'uint16', 'float16', undefined] as const)[i % 4]],
];

for (const [what, quantizeOf] of MIXES) {
  test(`tfjs-converter layout, ${what}, three groups of 16-byte shards: the weights TF.js decodes, bit for bit, and its predictions`, async () => {
    const original = tfjsModel(11);
    const { topology, weights } = await tfjsArtifacts(original);
    const quantized = weights.map((w, i) => ({ ...w, quantize: quantizeOf(i) }));
    // Three groups of unequal size, as the converter makes for models with several weight groups.
    const groups = [quantized.slice(0, 3), quantized.slice(3, 6), quantized.slice(6)];
    const dir = await temporaryDirectory();
    const manifest = await writeConverterModel(dir, topology, groups, 16);
    assert.ok(manifest.every((g) => g.paths.length > 1), 'every group spans several shards');
    if (what === 'uint8') assert.ok(manifest.some((g) => g.weights.some((w) => w.quantization?.scale === 1)), 'a constant weight (scale 1) is among them');
    const inTfjs = await loadInTfjs(dir);
    const loaded = await loadModel(dir);
    assertMatchesTfjs(loaded, inTfjs, what);
    // The quantization really happened: the values moved from the originals, by at most half a step.
    const moved = loaded.getWeights().some((w, i) => w.dataSync().some((v, k) => v !== original.getWeights()[i].dataSync()[k]));
    assert.ok(moved, 'quantization changed some weights');
  });
}

/** A convas CNN trained a little, whose weights a save should quantize. */
async function trainedConvas(): Promise<Model> {
  const m = sequential({ inputShape: [8, 8, 1], seed: 4, layers: [
    layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPool2d({ poolSize: 2 }),
    layers.flatten(), layers.dense({ units: 5, activation: 'tanh' }), layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const { x, y } = strokeData(16, 2);
  await m.fit(x, y, { epochs: 2, batchSize: 8 });
  return m;
}

for (const quantize of ['uint8', 'uint16', 'float16'] as const) {
  test(`save(…, { format: 'tfjs', quantize: '${quantize}' }): what tfjs-converter writes; TF.js loads it with convas's weights and predictions`, async () => {
    const m = await trainedConvas();
    const dir = await temporaryDirectory();
    await m.save(dir, { format: 'tfjs', quantize });
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const bytes = new Uint8Array(await readFile(join(dir, 'weights.bin')));
    // The same bytes and parameters as the converter's quantization of the same weights.
    const original = m.getWeights();
    const expected = json.weightsManifest[0].weights.map((entry: { name: string; shape: number[] }, i: number) =>
      encodeWeight({ name: entry.name, shape: entry.shape, values: original[i].dataSync(), quantize }));
    assert.equal(json.weightsManifest[0].weights, expected.map((e: { entry: unknown }) => e.entry), 'manifest entries');
    assert.equal([...bytes], expected.flatMap((e: { bytes: Uint8Array }) => [...e.bytes]), 'weight bytes');
    assert.is(bytes.length, original.reduce((n, w) => n + w.size, 0) * { uint8: 1, uint16: 2, float16: 2 }[quantize]);

    const inTfjs = await loadInTfjs(dir);
    const loaded = await loadModel(dir);
    const x = strokeData(6, 9).x;
    assertClose(loaded.predict(x).dataSync(), (inTfjs.predict(tf.tensor(x.dataSync(), [...x.shape])) as tf.Tensor).dataSync() as Float32Array, 1e-6, 'predictions');
    loaded.getWeights().forEach((w, i) => {
      assertSameBits(w.dataSync(), inTfjs.getWeights()[i].dataSync() as Float32Array, `weight ${i}`);
      const entry = json.weightsManifest[0].weights[i];
      // Within half a quantization step of the original (float16: half an ulp, relative 2^-11).
      const step = (v: number) => (quantize === 'float16' ? Math.max(Math.abs(v) * 2 ** -11, 2 ** -25) : entry.quantization.scale / 2 + 1e-7);
      original[i].dataSync().forEach((v, k) => assert.ok(Math.abs(w.dataSync()[k] - v) <= step(v), `weight ${i}[${k}]: ${w.dataSync()[k]} vs ${v}`));
    });
  });
}

test('quantize is for the tfjs format: refused for the convas format and when unknown; a weight float16 cannot hold fails before anything is written', async () => {
  const m = await trainedConvas();
  const dir = await temporaryDirectory();
  await expectError(() => m.save(dir, { quantize: 'uint8' }), ConfigError, "format 'tfjs' only", /exact float32 weights/);
  await expectError(() => m.save(dir, { format: 'tfjs', quantize: 'int4' as 'uint8' }), ConfigError, '"int4"', /expected 'uint8', 'uint16', 'float16'/);
  const big = sequential({ inputShape: [2], seed: 1, layers: [layers.dense({ units: 1, name: 'big' })] });
  big.setWeights([tensor([1, 70000], [2, 1]), tensor([0], [1])]);
  await expectError(() => big.save(dir, { format: 'tfjs', quantize: 'float16' }), ValueError, 'big/kernel', /70000 at index 1, beyond float16's range/);
  assert.equal(await readdir(dir), [], 'nothing written');
});

test('quantizing rounds as numpy does, ties to even: affine q values and their nudged zero, and halves', () => {
  // Range [-126.5, 128.5] makes scale exactly 1 and the zero point 126.5, a tie (numpy: 126), and each x.5 a tie.
  const values = Float32Array.from([-126.5, 128.5, 0.5, 1.5, 2.5, -0.5, 3, 100.5]);
  const ours = quantizeWeight(values, 'uint8', 'w');
  const reference = encodeWeight({ name: 'w', shape: [values.length], values, quantize: 'uint8' });
  assert.equal(ours.quantization, reference.entry.quantization);
  assert.equal([...ours.bytes], [...reference.bytes]);
  assert.is(ours.quantization.min, -126);
  // Halves: random f32s over every binade a half has (subnormals too), plus exact ties and the edges.
  const rng = random(8);
  const ties = [1 + 2 ** -11, 1 + 3 * 2 ** -11, -(2 + 2 ** -10), 2 ** -25, 3 * 2 ** -25, 2 ** -24 + 2 ** -25, 65504, 65519, -0, 0, 2 ** -26];
  const samples = [...ties, ...Array.from({ length: 20000 }, () => (rng.next() < 0.5 ? -1 : 1) * 2 ** (rng.next() * 42 - 26))];
  for (const v of Float32Array.from(samples)) assert.is(float16Bits(v), toHalfBits(v), `half of ${v}`);
});

test('the reference dequantizer agrees with TF.js on every uint8 and float16 value', async () => {
  // Guards the reference itself (used by the fuzz test): all 256 bytes and all 65536 halves.
  const u8 = encodeWeight({ name: 'w', shape: [256], values: Float32Array.from({ length: 256 }, (_, i) => i / 100 - 1.1), quantize: 'uint8' }).entry;
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  const halves = new Uint8Array(Uint16Array.from({ length: 65536 }, (_, i) => i).buffer);
  const f16 = { name: 'h', shape: [65536], dtype: 'float32' as const, quantization: { dtype: 'float16' as const, original_dtype: 'float32' as const } };
  const decoded = tf.io.decodeWeights(new Uint8Array([...bytes, ...halves]).buffer, [u8, f16]);
  assertSameBits(dequantize(bytes, u8), decoded.w.dataSync() as Float32Array, 'uint8');
  const ours = dequantize(halves, f16), theirs = decoded.h.dataSync() as Float32Array;
  for (let i = 0; i < 65536; i++) if (Number.isFinite(theirs[i])) assert.ok(Object.is(ours[i], theirs[i]), `half ${i}: ${ours[i]} vs ${theirs[i]}`);
});

test.run();
