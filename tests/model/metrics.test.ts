// The model's metrics: evaluate's against references computed from predict() and against TF.js's
// metric functions where it has them, fit's per-epoch and val_ logs, and the errors.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { ConfigError, type LossName, type MetricSpec, type MetricSpecs, init, input, layers, model, sequential, tensor } from '../../src/index.js';
import { assertClose, random } from '../helpers.js';
import * as ref from '../reference/metrics.js';
import { throwsWith } from '../throws-with.js';

await init();
await tf.setBackend('cpu');

const rng = random(21);

const N = 37, FEATURES = 6, CLASSES = 4;

function classifier(units: number, activation: 'softmax' | 'sigmoid' | 'tanh', loss: LossName, metrics?: MetricSpecs) {
  const net = sequential({ inputShape: [FEATURES], seed: 2, layers: [layers.dense({ units: 10, activation: 'relu' }), layers.dense({ units, activation })] });
  net.compile({ optimizer: 'sgd', loss, metrics });
  return net;
}

const x = tensor(rng.array(N * FEATURES, -2, 2), [N, FEATURES]);
const classIds = Float32Array.from({ length: N }, () => rng.int(0, CLASSES - 1));
const oneHot = Float32Array.from({ length: N * CLASSES }, (_, i) => (classIds[Math.floor(i / CLASSES)] === i % CLASSES ? 1 : 0));
const multiLabel = rng.array(N * CLASSES).map((v) => (v > 0.2 ? 1 : 0));

const ALL: MetricSpec[] = ['categoricalAccuracy', { type: 'topKCategoricalAccuracy', k: 2 }, 'precision', 'recall', 'perClassPrecision',
  'perClassRecall', 'perClassF1', 'confusionMatrix'];

test('evaluate\'s metrics on a softmax classifier, with one-hot and sparse labels, match references computed from predict()', async () => {
  for (const sparse of [false, true]) {
    const net = classifier(CLASSES, 'softmax', sparse ? 'sparseCategoricalCrossentropy' : 'categoricalCrossentropy', ['accuracy']);
    const y = sparse ? tensor(classIds, [N, 1]) : tensor(oneHot, [N, CLASSES]);
    const metrics = sparse ? ALL.map((m) => (m === 'categoricalAccuracy' ? 'sparseCategoricalAccuracy' : typeof m === 'object' ? { ...m, type: 'sparseTopKCategoricalAccuracy' as const } : m)) : ALL;
    const result = net.evaluate(x, y, { batchSize: 8, metrics });
    const scores = net.predict(x).dataSync();
    const rows = ref.rowsOf(scores, CLASSES);
    const predicted = rows.map(ref.argmax), actual = Array.from(classIds);
    const accuracy = actual.filter((a, i) => a === predicted[i]).length / N;
    assert.is(result.accuracy, accuracy);
    assert.is(result[sparse ? 'sparseCategoricalAccuracy' : 'categoricalAccuracy'], accuracy);
    assert.is(result[sparse ? 'sparseTopKCategoricalAccuracy' : 'topKCategoricalAccuracy'], actual.filter((a, i) => ref.inTopK(rows[i], a, 2)).length / N);
    const pooled = ref.pooledPrecisionRecall(scores, oneHot, 0.5);
    assert.is(result.precision, pooled.precision);
    assert.is(result.recall, pooled.recall);
    const perClass = ref.perClass(actual, predicted, CLASSES);
    assert.equal(result.perClassPrecision, perClass.precision);
    assert.equal(result.perClassRecall, perClass.recall);
    assert.equal(result.perClassF1, perClass.f1);
    assert.equal(result.confusionMatrix, ref.confusion(actual, predicted, CLASSES));
    assert.ok(pooled.precision > 0 && new Set(predicted).size > 1, 'a classifier that predicts several classes, some right, or this proves little');
  }
});

test('evaluate\'s metrics on yes/no outputs (binaryCrossentropy: each output above 0.5; hinge: each sign) match the references', async () => {
  const net = classifier(CLASSES, 'sigmoid', 'binaryCrossentropy');
  const result = net.evaluate(x, tensor(multiLabel, [N, CLASSES]), { metrics: ['binaryAccuracy', 'precision', 'recall', 'perClassPrecision', 'perClassRecall'] });
  const out = net.predict(x).dataSync();
  const right = Array.from(out, (o, i) => Number((o > 0.5 ? 1 : 0) === multiLabel[i]));
  assertClose([result.binaryAccuracy as number, result.accuracy], [right.reduce((a, b) => a + b) / (N * CLASSES), right.reduce((a, b) => a + b) / (N * CLASSES)], 1e-12);
  const pooled = ref.pooledPrecisionRecall(out, multiLabel, 0.5);
  assert.is(result.precision, pooled.precision);
  assert.is(result.recall, pooled.recall);
  for (let c = 0; c < CLASSES; c++) {
    const column = (m: Float32Array) => Float32Array.from({ length: N }, (_, r) => m[r * CLASSES + c]);
    const one = ref.pooledPrecisionRecall(column(out), column(multiLabel), 0.5);
    assert.is((result.perClassPrecision as number[])[c], one.precision, `output ${c}`);
    assert.is((result.perClassRecall as number[])[c], one.recall, `output ${c}`);
  }
  throwsWith(() => net.evaluate(x, tensor(multiLabel, [N, CLASSES]), { metrics: ['confusionMatrix'] }), ConfigError, 'confusionMatrix', 'yes/no');

  const single = classifier(1, 'sigmoid', 'binaryCrossentropy');
  const yes = Float32Array.from(classIds, (c) => (c > 1 ? 1 : 0));
  const matrix = single.evaluate(x, tensor(yes, [N, 1]), { metrics: ['confusionMatrix'] }).confusionMatrix;
  const said = Array.from(single.predict(x).dataSync(), (o) => (o > 0.5 ? 1 : 0));
  assert.equal(matrix, ref.confusion(Array.from(yes), said, 2));

  const signs = plusMinus(multiLabel);
  const hinged = classifier(CLASSES, 'tanh', 'hinge').evaluate(x, tensor(signs, [N, CLASSES]), { metrics: ['perClassRecall'] });
  const tanhOut = classifier(CLASSES, 'tanh', 'hinge').predict(x).dataSync();
  for (let c = 0; c < CLASSES; c++) {
    const column = (m: Float32Array) => Float32Array.from({ length: N }, (_, r) => m[r * CLASSES + c]);
    assert.is((hinged.perClassRecall as number[])[c], ref.pooledPrecisionRecall(column(tanhOut), column(signs), 0).recall, `sign output ${c}`);
  }
});

function plusMinus(m: Float32Array) {
  return m.map((v) => (v > 0 ? 1 : -1));
}

test('the accuracies agree with TF.js\'s metric functions on the same predictions', async () => {
  const softmax = classifier(CLASSES, 'softmax', 'categoricalCrossentropy');
  const probabilities = tf.tensor(softmax.predict(x).dataSync(), [N, CLASSES]);
  const mean = async (t: tf.Tensor) => (await tf.mean(t).data())[0];
  assertClose([softmax.evaluate(x, tensor(oneHot, [N, CLASSES]), { metrics: ['categoricalAccuracy'] }).categoricalAccuracy as number],
    [await mean(tfl.metrics.categoricalAccuracy(tf.tensor(oneHot, [N, CLASSES]), probabilities))], 1e-7);
  const sparse = classifier(CLASSES, 'softmax', 'sparseCategoricalCrossentropy');
  const sparseOut = tf.tensor(sparse.predict(x).dataSync(), [N, CLASSES]);
  assertClose([sparse.evaluate(x, tensor(classIds, [N]), { metrics: ['sparseCategoricalAccuracy'] }).sparseCategoricalAccuracy as number],
    [await mean(tfl.metrics.sparseCategoricalAccuracy(tf.tensor(classIds, [N, 1]), sparseOut))], 1e-7);
  const sigmoid = classifier(CLASSES, 'sigmoid', 'binaryCrossentropy');
  const sigmoidOut = tf.tensor(sigmoid.predict(x).dataSync(), [N, CLASSES]);
  assertClose([sigmoid.evaluate(x, tensor(multiLabel, [N, CLASSES]), { metrics: ['binaryAccuracy'] }).binaryAccuracy as number],
    [await mean(tfl.metrics.binaryAccuracy(tf.tensor(multiLabel, [N, CLASSES]), sigmoidOut))], 1e-7);
});

test('fit logs the compiled metrics each epoch (accuracy as acc, as TF.js) and their val_ twins, as evaluate computes them', async () => {
  const net = sequential({ inputShape: [FEATURES], seed: 3, layers: [layers.dense({ units: CLASSES, activation: 'softmax' })] });
  // A rate too small to move an f32 weight: each epoch's training metrics are evaluate's on the training data.
  net.compile({ optimizer: { type: 'sgd', learningRate: 1e-30 }, loss: 'categoricalCrossentropy', metrics: ['accuracy', 'perClassF1', { type: 'topKCategoricalAccuracy', k: 3 }] });
  const trainX = tensor(x.dataSync().slice(0, 30 * FEATURES), [30, FEATURES]), trainY = tensor(oneHot.slice(0, 30 * CLASSES), [30, CLASSES]);
  const heldX = tensor(x.dataSync().slice(30 * FEATURES), [7, FEATURES]), heldY = tensor(oneHot.slice(30 * CLASSES), [7, CLASSES]);
  const history = await net.fit(trainX, trainY, { epochs: 2, batchSize: 7, validationData: [heldX, heldY] });
  assert.equal(Object.keys(history.history).sort(), ['acc', 'loss', 'perClassF1', 'topKCategoricalAccuracy', 'val_acc', 'val_loss', 'val_perClassF1',
    'val_topKCategoricalAccuracy'].sort());
  const onTraining = net.evaluate(trainX, trainY), onHeld = net.evaluate(heldX, heldY);
  assert.is(history.history.acc[1], onTraining.accuracy);
  assert.equal(history.history.perClassF1[1], onTraining.perClassF1);
  assert.is(history.history.topKCategoricalAccuracy[1], onTraining.topKCategoricalAccuracy);
  assert.is(history.history.val_acc![1], onHeld.accuracy);
  assert.equal(history.history.val_perClassF1[1], onHeld.perClassF1);
  // Without validation, no val_ lists (Keras and TF.js write only the logs there are).
  const unvalidated = await net.fit(trainX, trainY, { epochs: 1, batchSize: 7 });
  assert.equal(Object.keys(unvalidated.history).sort(), ['acc', 'loss', 'perClassF1', 'topKCategoricalAccuracy']);
});

test('one metric\'s name alone is a list of it, as TF.js\'s compile takes it; evaluate\'s metrics too', () => {
  const y = tensor(oneHot, [N, CLASSES]);
  const listed = classifier(CLASSES, 'softmax', 'categoricalCrossentropy', ['precision']);
  const alone = classifier(CLASSES, 'softmax', 'categoricalCrossentropy', 'precision');
  assert.equal(alone.compileConfig!.metrics, ['precision']);
  assert.equal(alone.evaluate(x, y), listed.evaluate(x, y));
  const plain = classifier(CLASSES, 'softmax', 'categoricalCrossentropy');
  assert.equal(plain.evaluate(x, y, { metrics: 'precision' }), listed.evaluate(x, y));
  assert.equal(classifier(CLASSES, 'softmax', 'categoricalCrossentropy', 'accuracy').evaluate(x, y), plain.evaluate(x, y), '\'accuracy\' is there always');
});

test('unknown, repeated or impossible metrics are ConfigErrors at compile (or evaluate)', () => {
  throwsWith(() => classifier(CLASSES, 'softmax', 'categoricalCrossentropy', ['f1' as never]), ConfigError, 'unknown metric "f1"', 'perClassF1');
  throwsWith(() => classifier(CLASSES, 'softmax', 'categoricalCrossentropy', ['precision', 'precision']), ConfigError, 'precision is listed twice');
  throwsWith(() => classifier(CLASSES, 'softmax', 'categoricalCrossentropy', [{ type: 'topKCategoricalAccuracy', k: 0 }]), ConfigError, 'k must be a positive integer');
  throwsWith(() => classifier(CLASSES, 'softmax', 'categoricalCrossentropy', [{ type: 'precision', k: 2 } as never]), ConfigError, 'unknown setting', 'k');
  throwsWith(() => classifier(CLASSES, 'softmax', 'categoricalCrossentropy', 7 as never), ConfigError, 'metrics must be a metric\'s name or an array');
  // One { type, k } alone is refused, and its type says so: TF.js reads an object there as metrics per output.
  // @ts-expect-error metrics takes a name alone, or a list
  throwsWith(() => classifier(CLASSES, 'softmax', 'categoricalCrossentropy', { type: 'topKCategoricalAccuracy', k: 2 }), ConfigError,
    'compile: metrics must be a metric\'s name or an array');
  // @ts-expect-error metrics takes a name alone, or a list
  throwsWith(() => classifier(CLASSES, 'softmax', 'categoricalCrossentropy').evaluate(x, tensor(oneHot, [N, CLASSES]), { metrics: { type: 'precision' } }),
    ConfigError, 'evaluate: metrics must be a metric\'s name or an array');
  throwsWith(() => classifier(CLASSES, 'sigmoid', 'binaryCrossentropy', ['confusionMatrix']), ConfigError, 'confusionMatrix');
  throwsWith(() => classifier(CLASSES, 'softmax', 'categoricalCrossentropy').evaluate(x, tensor(oneHot, [N, CLASSES]), { metrics: ['auc' as never] }),
    ConfigError, 'unknown metric "auc"');
  const topTwo = classifier(CLASSES, 'softmax', 'categoricalCrossentropy', [{ type: 'topKCategoricalAccuracy', k: 2 }]);
  const y = tensor(oneHot, [N, CLASSES]);
  assert.equal(topTwo.evaluate(x, y, { metrics: [{ type: 'topKCategoricalAccuracy', k: 2 }] }), topTwo.evaluate(x, y), 'asked again as compiled: counted once');
  throwsWith(() => topTwo.evaluate(x, y, { metrics: [{ type: 'topKCategoricalAccuracy', k: 3 }] }), ConfigError, 'topKCategoricalAccuracy is listed twice');
  const a = input({ shape: [FEATURES] });
  const twoHeads = model({ inputs: a, outputs: [layers.dense({ units: 2 }).apply(a), layers.dense({ units: 3 }).apply(a)] });
  throwsWith(() => twoHeads.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['accuracy'] }), ConfigError, '2 outputs');
});

test.run();
