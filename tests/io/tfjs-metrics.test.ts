// Compiled metrics in TensorFlow.js files, checked against TensorFlow.js itself: trainingConfig.metrics
// holds Keras's names as tfjs-layers writes them; a model saved and loaded either way evaluates with
// the same metrics; what TF.js could not load back is left out; a malformed list is refused by field.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Evaluation, FileFormatError, type MetricSpec, type Model, type Tensor, init, loadModel } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { assertClose, random } from '../helpers.js';
import { denseModel, strokeData, temporaryDirectory } from './model-files.js';
import { loadInTfjs, saveTfjs } from './tfjs-files.js';

const modelJson = async (dir: string) => JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
/** The same values as a TF.js tensor. */
const inTf = (t: Tensor) => tf.tensor(t.dataSync(), [...t.shape]);

/** TF.js's evaluate as { name: value } by its metricsNames. */
function tfjsEvaluation(model: tfl.LayersModel, x: tf.Tensor, y: tf.Tensor): Record<string, number> {
  const values = model.evaluate(x, y) as tf.Scalar[];
  return Object.fromEntries(model.metricsNames.map((name, i) => [name, values[i].dataSync()[0]]));
}

/** Asserts that `names` of two evaluations agree (to f32 rounding of the loss, exactly for the shares). */
function assertSameScores(actual: Record<string, unknown>, expected: Record<string, unknown>, names: string[], what: string) {
  for (const name of names) assertClose(Float32Array.of(actual[name] as number), Float32Array.of(expected[name] as number), 1e-5, `${what}: ${name}`);
}

/** A small TF.js classifier with seeded weights (TF.js's initializers draw unseeded), so that what it predicts and learns is the same every run. */
function tfjsClassifier(): tfl.LayersModel {
  const model = tfl.sequential({ layers: [
    tfl.layers.flatten({ inputShape: [8, 8, 1] }), tfl.layers.dense({ units: 6, activation: 'tanh' }), tfl.layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  const rng = random(11);
  model.setWeights(model.getWeights().map((w) => tf.tensor(rng.array(w.size, -0.5, 0.5), w.shape)));
  return model;
}

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

test('TF.js → convas: the metrics TF.js compiled (by name and by function) come back, and evaluate as in TF.js', async () => {
  const { x, y } = strokeData(24, 5);
  const [xs, ys] = [inTf(x), inTf(y)];
  const model = tfjsClassifier();
  // Trained a little, so that some outputs pass 0.5 (precision and recall have something to count) and some classes are wrong.
  model.compile({ optimizer: tf.train.adam(0.05), loss: 'categoricalCrossentropy' });
  await model.fit(xs, ys, { epochs: 3, batchSize: 24, shuffle: false, verbose: 0 });
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy',
    metrics: ['accuracy', 'categoricalAccuracy', 'binaryAccuracy', 'precision', tfl.metrics.recall, tfl.metrics.sparseCategoricalAccuracy] });
  const dir = await temporaryDirectory();
  await saveTfjs(model, dir, true);
  assert.equal((await modelJson(dir)).trainingConfig.metrics,
    ['accuracy', 'categorical_accuracy', 'binary_accuracy', 'precision', 'recall', 'sparse_categorical_accuracy']);
  const loaded = await loadModel(dir);
  assert.equal(loaded.compileConfig?.metrics,
    ['accuracy', 'categoricalAccuracy', 'binaryAccuracy', 'precision', 'recall', 'sparseCategoricalAccuracy']);
  const evaluation = loaded.evaluate(x, y);
  assert.equal(Object.keys(evaluation), ['loss', 'accuracy', 'categoricalAccuracy', 'binaryAccuracy', 'precision', 'recall', 'sparseCategoricalAccuracy']);
  // TF.js's sparseCategoricalAccuracy cannot evaluate one-hot targets: the others, compiled again, can.
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: ['accuracy', 'categoricalAccuracy', 'binaryAccuracy'] });
  const inTfjs = tfjsEvaluation(model, xs, ys);
  assertSameScores(evaluation, { ...inTfjs, accuracy: inTfjs.acc }, ['loss', 'accuracy', 'categoricalAccuracy', 'binaryAccuracy'], 'TF.js file');
  // Precision and recall as Keras counts them (TF.js's own count only outputs of exactly 1): every output above 0.5 a yes, over all examples.
  const p = loaded.predict(x).dataSync(), t = y.dataSync();
  const count = (predicted: boolean, actual: boolean) => p.filter((v, i) => (v > 0.5) === predicted && (t[i] > 0.5) === actual).length;
  const truePositives = count(true, true);
  assert.ok(truePositives > 0, 'some outputs pass 0.5 rightly: precision and recall have yeses to count');
  assertSameScores(evaluation, { precision: truePositives / (truePositives + count(true, false)), recall: truePositives / (truePositives + count(false, true)) },
    ['precision', 'recall'], 'as Keras counts');
});

test('convas → TF.js: the metrics TF.js can load are written by Keras\'s names, TF.js evaluates with them, and convas reads them back', async () => {
  const metrics: MetricSpec[] = ['acc', 'binaryAccuracy', 'categoricalAccuracy', 'precision'];
  // Metrics tf.loadLayersModel cannot compile from a file (it would refuse the whole model): left out.
  const lacking: MetricSpec[] = ['recall', 'sparseCategoricalAccuracy', { type: 'topKCategoricalAccuracy', k: 2 }, 'perClassF1', 'confusionMatrix'];
  const model = denseModel(6);
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy', metrics: [...metrics, ...lacking] });
  const { x, y } = strokeData(24, 6);
  await model.fit(x, y, { epochs: 2, batchSize: 8 });
  const dir = await temporaryDirectory();
  await model.save(dir, { format: 'tfjs' });
  assert.equal((await modelJson(dir)).trainingConfig.metrics, ['acc', 'binary_accuracy', 'categorical_accuracy', 'precision']);

  const inTfjs = await loadInTfjs(dir);
  assert.equal(inTfjs.metricsNames, ['loss', 'acc', 'binaryAccuracy', 'categoricalAccuracy', 'precision']);
  const expected = model.evaluate(x, y);
  const scores = tfjsEvaluation(inTfjs, inTf(x), inTf(y));
  // convas's meanSquaredError differs from Keras's by a factor, not its crossentropy: the loss too.
  assertSameScores({ ...scores, accuracy: scores.acc }, expected, ['loss', 'accuracy', 'binaryAccuracy', 'categoricalAccuracy'], 'in TF.js');

  const again: Model = await loadModel(dir);
  assert.equal(again.compileConfig?.metrics, metrics);
  const back: Evaluation = again.evaluate(x, y);
  assert.equal(Object.keys(back), ['loss', 'accuracy', 'binaryAccuracy', 'categoricalAccuracy', 'precision']);
  assertSameScores(back, expected, Object.keys(back), 'read back');
});

test('without metrics: convas writes an empty list and TF.js an empty object, which both read as none', async () => {
  const model = denseModel(7);
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy' });
  const dir = await temporaryDirectory();
  await model.save(dir, { format: 'tfjs' });
  assert.equal((await modelJson(dir)).trainingConfig.metrics, []);
  assert.equal((await loadInTfjs(dir)).metricsNames, ['loss']);
  assert.is((await loadModel(dir)).compileConfig?.metrics, undefined);
  const inTfjs = tfjsClassifier();
  inTfjs.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
  await saveTfjs(inTfjs, dir, true);
  assert.equal((await modelJson(dir)).trainingConfig.metrics, {});
  const loaded = await loadModel(dir);
  assert.ok(loaded.isCompiled);
  assert.is(loaded.compileConfig?.metrics, undefined);
});

test('malformed or unknown metrics in a TF.js file are a FileFormatError naming the field', async () => {
  const model = denseModel(8);
  model.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const dir = await temporaryDirectory();
  await model.save(dir, { format: 'tfjs' });
  const json = await modelJson(dir);
  const refused = async (metrics: unknown, detail: RegExp) => {
    await writeFile(join(dir, 'model.json'), JSON.stringify({ ...json, trainingConfig: { ...json.trainingConfig, metrics } }));
    await expectError(() => loadModel(dir), FileFormatError, join(dir, 'model.json'), detail);
  };
  await refused('accuracy', /field "trainingConfig.metrics" is "accuracy"; expected an array of metric names/);
  await refused({ dense_2: 'accuracy' }, /field "trainingConfig.metrics" is \{"dense_2":"accuracy"\}; expected an array .*per output/);
  await refused(['accuracy', 3], /trainingConfig.metrics\[1\] is 3, not a metric convas has; expected one of accuracy, acc, binary_accuracy/);
  await refused(['mse'], /trainingConfig.metrics\[0\] is "mse", not a metric convas has/);
  await refused([{ class_name: 'MeanMetricWrapper', config: { name: 'accuracy' } }], /trainingConfig.metrics\[0\] is \{"class_name"/);
  await refused(['precision', 'binary_accuracy', 'precision'], /trainingConfig.metrics\[2\] is "precision", listed before as metrics\[0\]/);
  // Either case, as TF.js reads them.
  await writeFile(join(dir, 'model.json'), JSON.stringify({ ...json, trainingConfig: { ...json.trainingConfig, metrics: ['binaryAccuracy', 'top_k_categorical_accuracy'] } }));
  assert.equal((await loadModel(dir)).compileConfig?.metrics, ['binaryAccuracy', 'topKCategoricalAccuracy']);
});

test.run();
