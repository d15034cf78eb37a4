// The convas model format: a saved model comes back identical, keeps training exactly, and every
// damaged or foreign file is refused with a FileFormatError naming the file and the problem.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CompileOptions, ConfigError, FileFormatError, type Model, type OptimizerConfig, init, input, layers, loadModel, model, schedules, sequential,
  tensor,
} from '../../src/index.js';
import { crc32Hex } from '../../src/io/crc32.js';
import { expectError } from '../data/expect-error.js';
import { activationsModel, assertSameBits, assertSameWeights, convModel, denseModel, shapeLayersModel, strokeData, temporaryDirectory } from './model-files.js';

const models = {
  dense: denseModel, conv: convModel, 'conv with dropout': (seed: number) => convModel(seed, 0.25), 'shape layers': shapeLayersModel,
  activations: activationsModel,
};
const adam: CompileOptions = { optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'categoricalCrossentropy' };

test('CRC-32 of the standard check string', () => {
  assert.is(crc32Hex(new TextEncoder().encode('123456789')), 'cbf43926');
});

test('a file of format version 1 (saved by convas 0.1) loads, predicts as it did, and resaves as version 2', async () => {
  await init();
  const fixture = join('tests', 'fixtures', 'convas-v1'); // npm test runs from the project root
  const expected = JSON.parse(await readFile(join(fixture, 'expected.json'), 'utf8'));
  const model = await loadModel(fixture);
  assert.equal(model.layers.map((l) => l.name), ['conv', 'pool', 'flat', 'drop', 'out']);
  assert.equal(model.compileConfig?.optimizer.type, 'adam');
  assert.is(model.optimizerState?.getState().steps, 4);
  const x = tensor(expected.input, expected.inputShape);
  assertSameBits(model.predict(x).dataSync(), Float32Array.from(expected.prediction), 'predictions of the version 1 file');
  const dir = await temporaryDirectory();
  await model.save(dir);
  assert.is(JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')).formatVersion, 2);
  const again = await loadModel(dir);
  assertSameBits(again.predict(x).dataSync(), Float32Array.from(expected.prediction), 'after resaving');
  assert.equal(again.randomState, model.randomState);
});

for (const [kind, make] of Object.entries(models)) {
  test(`${kind}: save → load predicts bit for bit and has the same weights, compiled as before`, async () => {
    await init();
    const { x, y } = strokeData(24, 1);
    const model = make(3);
    model.compile(adam);
    await model.fit(x, y, { epochs: 2, batchSize: 8 });
    const dir = await temporaryDirectory();
    await model.save(dir);
    const loaded = await loadModel(dir);
    assertSameBits(loaded.predict(x).dataSync(), model.predict(x).dataSync(), 'predictions');
    assertSameWeights(loaded, model, 'weights');
    assert.equal(loaded.compileConfig, model.compileConfig);
    assert.equal(loaded.layers.map((l) => l.getConfig()), model.layers.map((l) => l.getConfig()));
    assert.is(loaded.seed, 3);
  });
}

const resumed: OptimizerConfig[] = [
  { type: 'momentum', learningRate: 0.05, useNesterov: true }, { type: 'adam', learningRate: 0.01 },
  { type: 'rmsprop', learningRate: 0.01, momentum: 0.5, centered: true, clipNorm: 1 },
  { type: 'adagrad', learningRate: 0.05, initialAccumulatorValue: 0.2 },
  { type: 'adadelta', learningRate: 1 },
  { type: 'adamax', learningRate: 0.01, globalClipNorm: 0.5 },
  // The schedule's position is the step count the file keeps; a restarted optimizer starts it again at 0.
  { type: 'adamw', learningRate: schedules.linearWarmup({ warmupSteps: 5, schedule: schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 20 }) }),
    clipValue: 0.1 },
  { type: 'sgd', learningRate: schedules.cosineDecayRestarts({ initialLearningRate: 0.1, firstDecaySteps: 3 }) },
  // Its rate halves every epoch (no loss is 1e6 better): the file keeps where it got to.
  { type: 'sgd', learningRate: schedules.reduceLROnPlateau({ initialLearningRate: 0.1, monitor: 'loss', patience: 1, factor: 0.5, minDelta: 1e6 }) },
];

for (const optimizer of resumed) {
  // With shuffling and dropout: the file keeps the weights, the optimizer state and where the
  // random streams were, so the next epoch draws the same batches and masks.
  test(`training continues exactly after save and load (${JSON.stringify(optimizer)})`, async () => {
    await init();
    const { x, y } = strokeData(32, 2);
    const original = convModel(5, 0.25);
    original.compile({ optimizer, loss: 'categoricalCrossentropy' });
    await original.fit(x, y, { epochs: 2, batchSize: 8 });
    const dir = await temporaryDirectory();
    await original.save(dir);
    const loaded = await loadModel(dir);
    // A model that forgot the optimizer state drifts: the check below can tell the two apart.
    const restarted = await loadModel(dir);
    restarted.compile({ optimizer, loss: 'categoricalCrossentropy' });
    for (const m of [original, loaded, restarted]) await m.fit(x, y, { epochs: 1, batchSize: 8 });
    assertSameWeights(loaded, original, 'after one more epoch');
    assert.not.equal(restarted.getWeights()[0].dataSync(), original.getWeights()[0].dataSync());
  });
}

test('training continues exactly after save and load with a layer frozen, and after it is unfrozen', async () => {
  await init();
  const { x, y } = strokeData(32, 2);
  const original = convModel(5);
  original.layers[0].trainable = false;
  original.compile(adam);
  await original.fit(x, y, { epochs: 2, batchSize: 8 });
  const dir = await temporaryDirectory();
  await original.save(dir);
  const loaded = await loadModel(dir);
  for (const m of [original, loaded]) await m.fit(x, y, { epochs: 1, batchSize: 8 });
  assertSameWeights(loaded, original, 'frozen');
  for (const m of [original, loaded]) {
    m.layers[0].trainable = true;
    await m.fit(x, y, { epochs: 2, batchSize: 8 });
  }
  assertSameWeights(loaded, original, 'unfrozen');
  await original.save(dir);
  const again = await loadModel(dir);
  for (const m of [original, again]) await m.fit(x, y, { epochs: 1, batchSize: 8 });
  assertSameWeights(again, original, 'unfrozen, saved and loaded');
});

/** image → conv → BatchNormalization called with training false → a nested model (conv, BatchNormalization, dropout) called so too → dense. */
function fineTuned(seed: number): Model {
  const x = input({ shape: [8, 8, 1] });
  const normalised = layers.batchNormalization({ name: 'bn' }).apply(layers.conv2d({ filters: 3, kernelSize: 3 }).apply(x), { training: false });
  const base = sequential({ inputShape: [6, 6, 3], name: 'base', layers: [
    layers.conv2d({ filters: 4, kernelSize: 3 }), layers.batchNormalization({ name: 'base_bn' }), layers.dropout({ rate: 0.5 }), layers.flatten()] });
  return model({ inputs: x, outputs: layers.dense({ units: 4, activation: 'softmax' }).apply(base.apply(normalised, { training: false })), seed });
}

test('calls fixed in inference mode (apply(x, { training: false })) are saved, as version 3, and loaded: fit after loading keeps the statistics and trains alike', async () => {
  await init();
  const { x, y } = strokeData(32, 3);
  const original = fineTuned(6);
  original.compile(adam);
  const dir = await temporaryDirectory();
  await original.save(dir);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  assert.is(json.formatVersion, 3, 'a file a convas reading version 2 would misread says so');
  assert.equal(json.model.layers.filter((l: { training?: boolean }) => l.training === false).map((l: { name: string }) => l.name), ['bn', 'base']);
  const loaded = await loadModel(dir);
  const statistics = (m: Model) => m.getWeights().filter((_, i) => m.weights[i].name.includes('/moving_'));
  const before = statistics(loaded);
  for (const m of [original, loaded]) await m.fit(x, y, { epochs: 2, batchSize: 8 });
  statistics(loaded).forEach((t, i) => assertSameBits(t.dataSync(), before[i].dataSync(), `${loaded.weights.filter((p) => p.name.includes('/moving_'))[i].name}`));
  assertSameWeights(loaded, original, 'after fit');
});

test('a chain whose file calls a layer with training false keeps the call when saved as TF.js: written as a graph, whose inbound_nodes hold call arguments', async () => {
  await init();
  const dir = await temporaryDirectory();
  await convModel(7).save(dir);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  json.model.layers[1].training = false;
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  const chain = await loadModel(dir);
  assert.is(chain.className, 'Sequential');
  await chain.save(dir, { format: 'tfjs' });
  const topology = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')).modelTopology;
  assert.is(topology.class_name, 'Model');
  assert.equal(topology.config.layers[1].inbound_nodes, [[[chain.inputs[0].sourceLayer.name, 0, 0, { training: false }]]]);
  assert.ok((await loadModel(dir)).layers[1].inboundNode?.inferenceMode, 'read back');
});

test('reduceLROnPlateau\'s own state (rate, best, epochs waited, cooldown) is saved and loaded', async () => {
  await init();
  const { x, y } = strokeData(16, 2);
  // No epoch after the first is 1e6 better: a wait under way after two epochs, a cooldown under way after three.
  for (const [settings, epochs] of [[{ patience: 3 }, 2], [{ patience: 1, cooldown: 2 }, 3]] as const) {
    const original = denseModel(1);
    const plateau = schedules.reduceLROnPlateau({ initialLearningRate: 0.1, monitor: 'loss', minDelta: 1e6, ...settings });
    original.compile({ optimizer: { type: 'sgd', learningRate: plateau }, loss: 'categoricalCrossentropy' });
    await original.fit(x, y, { epochs, batchSize: 8 });
    const dir = await temporaryDirectory();
    await original.save(dir);
    const state = original.optimizerState!.getState().schedule!;
    assert.ok(state.best !== null && (state.wait > 0 || state.cooldownCounter > 0), `nothing under way: ${JSON.stringify(state)}`);
    assert.equal((await loadModel(dir)).optimizerState!.getState().schedule, state);
  }
});

test('compile\'s metrics are saved and loaded: evaluate gives the same values after loading', async () => {
  await init();
  const { x, y } = strokeData(24, 3);
  const metrics: CompileOptions['metrics'] = ['perClassF1', { type: 'topKCategoricalAccuracy', k: 2 }, 'confusionMatrix'];
  const original = denseModel(5);
  original.compile({ ...adam, metrics });
  await original.fit(x, y, { epochs: 2, batchSize: 8 });
  const dir = await temporaryDirectory();
  await original.save(dir);
  const loaded = await loadModel(dir);
  assert.equal(loaded.compileConfig!.metrics, metrics);
  const before = original.evaluate(x, y), after = loaded.evaluate(x, y);
  assert.equal(Object.keys(after).sort(), ['accuracy', 'confusionMatrix', 'loss', 'perClassF1', 'topKCategoricalAccuracy'].sort());
  assert.equal(after, before);
  // A model compiled without metrics writes none.
  const plain = denseModel(5);
  plain.compile(adam);
  await plain.save(dir);
  assert.not.ok('metrics' in JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')).training);
  assert.is((await loadModel(dir)).compileConfig!.metrics, undefined);
});

test('a loss fromLogits is saved and loaded: evaluate and the next training step are the same after loading', async () => {
  await init();
  const { x, y } = strokeData(24, 3);
  const logitsModel = () => sequential({ inputShape: [8, 8, 1], seed: 6, layers: [layers.flatten(), layers.dense({ units: 4 })] });
  const compile: CompileOptions = { ...adam, loss: { type: 'categoricalCrossentropy', fromLogits: true } };
  const original = logitsModel();
  original.compile(compile);
  await original.fit(x, y, { epochs: 1, batchSize: 8 });
  const dir = await temporaryDirectory();
  await original.save(dir);
  const loaded = await loadModel(dir);
  assert.equal(loaded.compileConfig!.loss, compile.loss);
  assertSameBits(Float32Array.of(loaded.evaluate(x, y).loss), Float32Array.of(original.evaluate(x, y).loss), 'loss from logits');
  for (const model of [original, loaded]) await model.fit(x, y, { epochs: 1, batchSize: 8, shuffle: false });
  assertSameWeights(loaded, original, 'after a step from logits');
});

test('an uncompiled model loads uncompiled', async () => {
  await init();
  const dir = await temporaryDirectory();
  await denseModel(1).save(dir);
  const loaded = await loadModel(dir);
  assert.is(loaded.isCompiled, false);
  assert.ok(!(JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')) as object).hasOwnProperty('training'));
});

test('a model.json renamed to name.json loads from its path', async () => {
  await init();
  const dir = await temporaryDirectory();
  const model = denseModel(6);
  await model.save(dir);
  await rename(join(dir, 'model.json'), join(dir, 'digits.json'));
  assertSameWeights(await loadModel(join(dir, 'digits.json')), model, 'weights');
  await expectError(() => model.save(join(dir, 'digits.json')), ConfigError, 'digits.json', /cannot save a model to/);
});

test('File objects (as a file picker gives them) load: the .json and the weights it names, in any order', async () => {
  await init();
  const { x, y } = strokeData(16, 4);
  const model = convModel(7);
  model.compile(adam);
  await model.fit(x, y, { epochs: 1, batchSize: 8 });
  const dir = await temporaryDirectory();
  await model.save(dir);
  const picked = async (name: string, as = name) => new File([await readFile(join(dir, name))], as);
  const loaded = await loadModel([await picked('weights.bin'), await picked('model.json', 'digits.json')]);
  assertSameBits(loaded.predict(x).dataSync(), model.predict(x).dataSync(), 'predictions');
  assert.equal(loaded.compileConfig, model.compileConfig);
  const weights = await picked('weights.bin'), json = await picked('model.json');
  const otherJson = await picked('model.json', 'other.json'), renamed = await picked('weights.bin', 'renamed.bin');
  await expectError(() => loadModel([weights]), ConfigError, 'weights.bin', /expected exactly one \.json file/);
  await expectError(() => loadModel([json, otherJson, weights]), ConfigError, 'other.json', /expected exactly one \.json file/);
  await expectError(() => loadModel([json, renamed]), FileFormatError, 'weights.bin', /not found among the files given/);
});

test('saving is atomic: no temporary files stay, and a newer model replaces the old one', async () => {
  await init();
  const dir = join(await temporaryDirectory(), 'nested', 'model');
  const first = convModel(1);
  first.compile(adam);
  await first.save(dir);
  assert.equal((await readdir(dir)).sort(), ['model.json', 'weights.bin']);
  const second = denseModel(2);
  await second.save(dir);
  assert.equal((await readdir(dir)).sort(), ['model.json', 'weights.bin']);
  const loaded = await loadModel(dir);
  assert.is(loaded.layers.length, 3);
  assert.is(loaded.isCompiled, false);
  assertSameWeights(loaded, second, 'the second model');
});

/** Saves a compiled dense model, lets `damage` edit model.json and weights.bin, and expects loading to fail. */
async function damaged(damage: (json: Record<string, any>, weights: Uint8Array) => Uint8Array | void,
  file: 'model.json' | 'weights.bin', detail: RegExp): Promise<void> {
  const model: Model = denseModel(4);
  model.compile(adam);
  const dir = await temporaryDirectory();
  await model.save(dir);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const weights = new Uint8Array(await readFile(join(dir, 'weights.bin')));
  const newWeights = damage(json, weights) ?? weights;
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  await writeFile(join(dir, 'weights.bin'), newWeights);
  await expectError(() => loadModel(dir), FileFormatError, join(dir, file), detail);
}

const corruptions: Array<[string, Parameters<typeof damaged>[0], 'model.json' | 'weights.bin', RegExp]> = [
  ['missing field', (j) => { delete j.seed; }, 'model.json', /missing field "seed"; expected an integer/],
  ['missing manifest field', (j) => { delete j.weights.crc32; }, 'model.json', /missing field "weights.crc32"/],
  ['unknown format', (j) => { j.format = 'keras-h5'; }, 'model.json', /format "keras-h5"; expected "convas-model" \(formatVersion 1 to 3\)/],
  ['newer formatVersion', (j) => { j.formatVersion = 4; }, 'model.json', /formatVersion 4 is newer .*\(version 3\)/],
  ['formatVersion 0', (j) => { j.formatVersion = 0; }, 'model.json', /formatVersion 0 is not a version; expected 1 to 3$/],
  ['unknown layer', (j) => { j.model.layers[2].className = 'LSTM'; }, 'model.json', /LSTM.*convas supports Conv2D, Dense/],
  ['a call in training mode', (j) => { j.model.layers[2].training = true; }, 'model.json',
    /dense_\d+: training must be false \(the layer is called in inference mode\) or absent, got true/],
  ['impossible layer setting', (j) => { j.model.layers[2].units = 0; }, 'model.json', /units must be a positive integer/],
  ['manifest shape that disagrees with the layers', (j) => { j.weights.arrays[2].shape = [4, 16]; }, 'model.json',
    /\(dense_\d+\/kernel\) has shape \[4, 16\], but the model's layers make it \[16, 4\]/],
  ['layer config that disagrees with the manifest', (j) => { j.model.layers[2].units = 1000; }, 'model.json',
    /has shape \[64, 16\], but the model's layers make it \[64, 1000\]/],
  ['huge claimed shape', (j) => { j.weights.arrays[0].shape = [1e9, 1e9, 1e9]; }, 'model.json', /more values than the \d+ the weights file holds/],
  ['negative shape', (j) => { j.weights.arrays[0].shape = [-64, -16]; }, 'model.json', /\[-64,-16\]; expected an array of non-negative integers/],
  ['fractional shape', (j) => { j.weights.arrays[0].shape = [32.5, 32]; }, 'model.json', /non-negative integers/],
  ['wrong byteOffset', (j) => { j.weights.arrays[2].byteOffset += 4; }, 'model.json', /byteOffset \d+ .*expected \d+ and \d+/],
  ['missing optimizer state', (j) => { j.weights.arrays.pop(); }, 'model.json', /lists 11 arrays, but the layers and optimizer make 12/],
  ['an array the model does not make', (j) => { j.weights.arrays[1].name = 'ghost/bias'; }, 'model.json',
    /weights.arrays\[1\] is named "ghost\/bias", which the model does not make; expected dense_\d+\/kernel, /],
  ['an array listed twice', (j) => { j.weights.arrays[2].name = j.weights.arrays[0].name; }, 'model.json',
    /weights.arrays\[2\]: dense_\d+\/kernel is listed twice/],
  ['unknown optimizer', (j) => { j.training.optimizer.type = 'lamb'; }, 'model.json', /training.optimizer: .*lamb/],
  ['metrics that are not an array', (j) => { j.training.metrics = 'accuracy'; }, 'model.json', /training.metrics.*expected an array/],
  ['an unknown metric', (j) => { j.training.metrics = ['accuracy', 'meanIoU']; }, 'model.json', /training: compile: unknown metric "meanIoU"; expected one of accuracy, /],
  ['a metric with an impossible setting', (j) => { j.training.metrics = [{ type: 'topKCategoricalAccuracy', k: 0 }]; }, 'model.json',
    /training: compile: metric topKCategoricalAccuracy: k must be a positive integer, got 0/],
  ['a metric listed twice', (j) => { j.training.metrics = ['acc', 'recall', 'recall']; }, 'model.json', /training: compile: metric recall is listed twice/],
  ['truncated weights.bin', (_, w) => w.slice(0, w.length - 10), 'weights.bin', /is \d+ bytes, shorter than the \d+ bytes/],
  ['longer weights.bin', (_, w) => Uint8Array.from([...w, 0, 0, 0, 0]), 'weights.bin', /longer than/],
  ['one flipped byte', (_, w) => { w[100] ^= 0x10; }, 'weights.bin', /CRC32 checksum is [0-9a-f]{8}, but .* records [0-9a-f]{8}/],
  ['non-finite weights behind a valid checksum', (j, w) => {
    new DataView(w.buffer).setFloat32(8, NaN, true);
    j.weights.crc32 = crc32Hex(w);
  }, 'weights.bin', /dense_\d+\/kernel holds NaN at index 2; expected finite weights/],
];

for (const [what, damage, file, detail] of corruptions) {
  test(`refused: ${what}`, async () => {
    await init();
    await damaged(damage, file, detail);
  });
}

test('weight arrays are matched by name: a file that lists them in another order loads the same and trains on alike', async () => {
  await init();
  const { x, y } = strokeData(16, 3);
  const model = convModel(4);
  model.compile(adam);
  await model.fit(x, y, { epochs: 1, batchSize: 8 });
  const dir = await temporaryDirectory();
  await model.save(dir);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const bytes = new Uint8Array(await readFile(join(dir, 'weights.bin')));
  const arrays: Array<{ byteOffset: number; byteLength: number }> = [...json.weights.arrays].reverse();
  const reordered = new Uint8Array(bytes.length);
  let offset = 0;
  for (const array of arrays) {
    reordered.set(bytes.subarray(array.byteOffset, array.byteOffset + array.byteLength), offset);
    array.byteOffset = offset;
    offset += array.byteLength;
  }
  Object.assign(json.weights, { arrays, crc32: crc32Hex(reordered) });
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  await writeFile(join(dir, 'weights.bin'), reordered);
  const loaded = await loadModel(dir);
  assertSameBits(loaded.predict(x).dataSync(), model.predict(x).dataSync(), 'predictions');
  assertSameWeights(loaded, model, 'weights');
  await model.fit(x, y, { epochs: 1, batchSize: 8 });
  await loaded.fit(x, y, { epochs: 1, batchSize: 8 });
  assertSameWeights(loaded, model, 'weights after one more epoch (the optimizer state came back too)');
});

test('refused: garbage instead of JSON, and a missing weights file', async () => {
  await init();
  const dir = await temporaryDirectory();
  await denseModel(1).save(dir);
  const json = await readFile(join(dir, 'model.json'), 'utf8');
  await writeFile(join(dir, 'model.json'), JSON.stringify({ ...JSON.parse(json), format: undefined }));
  await expectError(() => loadModel(dir), FileFormatError, join(dir, 'model.json'), /missing field "format"/);
  await writeFile(join(dir, 'model.json'), json.slice(0, 40));
  await expectError(() => loadModel(dir), FileFormatError, join(dir, 'model.json'), /is not valid JSON/);
  await writeFile(join(dir, 'model.json'), json.replace('"weights.bin"', '"other.bin"'));
  await expectError(() => loadModel(dir), FileFormatError, join(dir, 'other.bin'), /file not found/);
  await writeFile(join(dir, 'model.json'), json.replace('"weights.bin"', '"../weights.bin"'));
  await expectError(() => loadModel(dir), FileFormatError, join(dir, 'model.json'), /leaves the model's directory/);
});

test.run();
