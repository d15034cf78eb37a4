// TensorFlow.js LayersModel interchange, checked against TensorFlow.js itself (cpu backend): models
// built and saved in TF.js load in convas, and convas saves load in TF.js, predicting alike.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type CompileOptions, ConfigError, FileFormatError, type Model, init, layers, loadModel, schedules, sequential, tensor,
} from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { assertClose, random } from '../helpers.js';
import { eluForward, hardSigmoidForward, hardSwishForward, leakyReluForward, swishForward } from '../reference/elementwise.js';
import { convModel, denseModel, strokeData, temporaryDirectory } from './model-files.js';
import { loadInTfjs, saveTfjs } from './tfjs-files.js';

const TOLERANCE = 1e-5;

function inputs(n: number, shape: number[], seed: number) {
  const values = random(seed).array(n * shape.reduce((a, b) => a * b, 1));
  return { convas: tensor(values, [n, ...shape]), tfjs: tf.tensor(values, [n, ...shape]) };
}

async function assertSamePredictions(convas: Model, tfjsModel: tfl.LayersModel, shape: number[]) {
  const x = inputs(5, shape, 7);
  const expected = (tfjsModel.predict(x.tfjs) as tf.Tensor).dataSync() as Float32Array;
  assertClose(convas.predict(x.convas).dataSync(), expected, TOLERANCE, 'predictions');
}

const tfjsCnn = () => tfl.sequential({ layers: [
  tfl.layers.conv2d({ inputShape: [8, 8, 1], filters: 3, kernelSize: 3, activation: 'relu' }),
  tfl.layers.maxPooling2d({ poolSize: 2 }),
  tfl.layers.conv2d({ filters: 4, kernelSize: 2, padding: 'same', strides: 2, activation: 'tanh', useBias: false }),
  tfl.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
  tfl.layers.flatten(), tfl.layers.dropout({ rate: 0.3 }), tfl.layers.reLU(),
  tfl.layers.dense({ units: 4, activation: 'softmax' }),
] });

const tfjsDense = () => tfl.sequential({ layers: [
  tfl.layers.inputLayer({ inputShape: [6] }),
  tfl.layers.dense({ units: 5, activation: 'sigmoid' }),
  tfl.layers.activation({ activation: 'tanh' }),
  tfl.layers.dense({ units: 3 }),
] });

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

test('TF.js → convas: a CNN (conv2d, pooling, flatten, dropout, relu, dense softmax) predicts alike', async () => {
  const model = tfjsCnn();
  const dir = await temporaryDirectory();
  await saveTfjs(model, dir);
  const loaded = await loadModel(dir);
  assert.equal(loaded.inputShape, [8, 8, 1]);
  assert.is(loaded.isCompiled, false);
  await assertSamePredictions(loaded, model, [8, 8, 1]);
});

test('TF.js → convas: a dense-only model with an InputLayer, compiled with its training config', async () => {
  const model = tfjsDense();
  model.compile({ optimizer: tf.train.adam(0.02), loss: 'meanSquaredError' });
  const dir = await temporaryDirectory();
  await saveTfjs(model, dir, true);
  const loaded = await loadModel(dir);
  await assertSamePredictions(loaded, model, [6]);
  assert.equal(loaded.compileConfig?.loss, 'meanSquaredError');
  assert.is(loaded.compileConfig?.optimizer.type, 'adam');
  assert.is(loaded.compileConfig?.optimizer.learningRate, 0.02);
});

test('TF.js → convas: the training configs of RMSProp (its decay is rho), Adagrad, Adadelta and Adamax, with their losses', async () => {
  const cases: Array<[tf.Optimizer, string, object]> = [
    [tf.train.rmsprop(0.01, 0.8, 0.3, 1e-6, true), 'binaryCrossentropy',
      { type: 'rmsprop', learningRate: 0.01, rho: 0.8, momentum: 0.3, epsilon: 1e-6, centered: true }],
    [tf.train.adagrad(0.05, 0.3), 'hinge', { type: 'adagrad', learningRate: 0.05, initialAccumulatorValue: 0.3, epsilon: 1e-7 }],
    [tf.train.adadelta(0.5, 0.9, 1e-6), 'meanAbsoluteError', { type: 'adadelta', learningRate: 0.5, rho: 0.9, epsilon: 1e-6 }],
    [tf.train.adamax(0.002, 0.8, 0.99, 1e-6, 0), 'categoricalHinge', { type: 'adamax', learningRate: 0.002, beta1: 0.8, beta2: 0.99, epsilon: 1e-6 }],
  ];
  /** TF.js writes trainingConfig only with the optimizer's weights, which its Adamax cannot give: written here as TF.js makes it. */
  const saveCompiled = async (model: tfl.LayersModel) => {
    const dir = await temporaryDirectory();
    await saveTfjs(model, dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.trainingConfig = (model as unknown as { getTrainingConfig(): unknown }).getTrainingConfig();
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    return dir;
  };
  for (const [optimizer, loss, expected] of cases) {
    const model = tfjsDense();
    model.compile({ optimizer, loss });
    const loaded = await loadModel(await saveCompiled(model));
    assert.equal(loaded.compileConfig, { optimizer: expected, loss }, `${optimizer.getClassName()} with ${loss}`);
  }
  const model = tfjsDense();
  model.compile({ optimizer: tf.train.adamax(0.002, 0.9, 0.999, 1e-7, 0.01), loss: 'meanSquaredError' });
  await expectError(async () => loadModel(await saveCompiled(model)), FileFormatError, 'model.json',
    /Adamax decay 0.01 .* is not one convas has; expected 0/);
});

test('convas → TF.js: the new optimizers and losses TF.js has load compiled in TF.js; those it lacks are left out of trainingConfig', async () => {
  const mapped: Array<[CompileOptions, string, Record<string, unknown>]> = [
    [{ optimizer: { type: 'rmsprop', learningRate: 0.01, rho: 0.8, momentum: 0.2 }, loss: 'binaryCrossentropy' }, 'RMSProp',
      { learningRate: 0.01, decay: 0.8, momentum: 0.2, epsilon: 1e-7, centered: false }],
    [{ optimizer: { type: 'adagrad', learningRate: 0.1, initialAccumulatorValue: 0.2 }, loss: 'sparseCategoricalCrossentropy' }, 'Adagrad',
      { learningRate: 0.1, initialAccumulatorValue: 0.2 }],
    [{ optimizer: { type: 'adadelta', learningRate: 1 }, loss: 'squaredHinge' }, 'Adadelta', { learningRate: 1, rho: 0.95, epsilon: 1e-7 }],
    [{ optimizer: { type: 'adamax', learningRate: 0.002 }, loss: 'meanAbsoluteError' }, 'Adamax',
      { learningRate: 0.002, beta1: 0.9, beta2: 0.999, epsilon: 1e-7, decay: 0 }],
  ];
  for (const [compile, className, config] of mapped) {
    const model = denseModel(4);
    model.compile(compile);
    const dir = await temporaryDirectory();
    await model.save(dir, { format: 'tfjs' });
    const inTfjs = await loadInTfjs(dir);
    assert.is(inTfjs.optimizer.getClassName(), className);
    assert.equal(inTfjs.optimizer.getConfig(), config, className);
  }
  const unmapped: CompileOptions[] = [
    { optimizer: { type: 'adamw', learningRate: 0.01 }, loss: 'categoricalCrossentropy' },
    { optimizer: { type: 'adam', learningRate: schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 10 }) }, loss: 'categoricalCrossentropy' },
    { optimizer: { type: 'sgd', clipNorm: 1 }, loss: 'categoricalCrossentropy' },
    { optimizer: 'sgd', loss: 'huber' },
    { optimizer: 'sgd', loss: { type: 'categoricalCrossentropy', labelSmoothing: 0.1 } },
  ];
  for (const compile of unmapped) {
    const model = denseModel(4);
    model.compile(compile);
    const dir = await temporaryDirectory();
    await model.save(dir, { format: 'tfjs' });
    assert.is(JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')).trainingConfig, undefined, JSON.stringify(compile));
    await loadInTfjs(dir);
  }
});

const convasCnn = () => sequential({ inputShape: [8, 8, 1], seed: 2, layers: [
  layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu' }), layers.maxPool2d({ poolSize: 2 }),
  layers.conv2d({ filters: 2, kernelSize: [2, 3], strides: [1, 2], useBias: false }), layers.flatten(),
  layers.dropout({ rate: 0.2 }), layers.dense({ units: 4, activation: 'softmax' }),
] });

test('convas → TF.js: a trained CNN and a dense model load in tf.loadLayersModel and predict alike', async () => {
  const { x, y } = strokeData(16, 3);
  for (const [model, compile] of [[convasCnn(), 'adam'], [denseModel(4), 'sgd']] as const) {
    model.compile({ optimizer: compile, loss: 'categoricalCrossentropy' });
    await model.fit(x, y, { epochs: 1, batchSize: 8 });
    const dir = await temporaryDirectory();
    await model.save(dir, { format: 'tfjs' });
    const inTfjs = await loadInTfjs(dir);
    await assertSamePredictions(model, inTfjs, [8, 8, 1]);
    assert.is(inTfjs.optimizer.getClassName(), compile === 'adam' ? 'Adam' : 'SGD');
    // And back: convas reads its own TF.js output.
    await assertSamePredictions(await loadModel(dir), inTfjs, [8, 8, 1]);
  }
});

test('logSoftmax both ways: TF.js\'s logSoftmax loads in convas, convas\'s saves as log_softmax and loads in TF.js, predicting alike', async () => {
  // TF.js's types leave out the logSoftmax it has.
  const logSoftmax = 'logSoftmax' as never;
  const fromTfjs = tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 5, activation: logSoftmax }), tfl.layers.activation({ activation: logSoftmax })] });
  const dir = await temporaryDirectory();
  await saveTfjs(fromTfjs, dir);
  const loaded = await loadModel(dir);
  assert.equal(loaded.layers.map((l) => l.getConfig().activation), ['logSoftmax', 'logSoftmax']);
  await assertSamePredictions(loaded, fromTfjs, [6]);
  const ours = sequential({ inputShape: [8, 8, 1], seed: 3, layers: [layers.conv2d({ filters: 3, kernelSize: 3, activation: 'logSoftmax' }),
    layers.flatten(), layers.dense({ units: 4, activation: 'logSoftmax' })] });
  const saved = await temporaryDirectory();
  await ours.save(saved, { format: 'tfjs' });
  assert.match(await readFile(join(saved, 'model.json'), 'utf8'), /"activation": ?"log_softmax"/);
  await assertSamePredictions(ours, await loadInTfjs(saved), [8, 8, 1]);
});

test('convas → TF.js: settings TF.js cannot express are refused, naming the layer', async () => {
  const dir = await temporaryDirectory();
  const full = sequential({ inputShape: [6, 6, 1], layers: [layers.conv2d({ filters: 2, kernelSize: 3, padding: 'full', name: 'wide' })] });
  const saving = (m: Model) => async () => m.save(dir, { format: 'tfjs' });
  await expectError(saving(full), ConfigError, 'wide', /padding "full", which TensorFlow.js cannot express/);
  const sum = sequential({ inputShape: [4, 4, 1], layers: [layers.sumPool2d({ name: 'sums' })] });
  await expectError(saving(sum), ConfigError, 'sums', /SumPooling2D, which TensorFlow.js does not have/);
  const hardSwish = sequential({ inputShape: [4], layers: [layers.dense({ units: 2, activation: 'hardSwish', name: 'gate' })] });
  await expectError(saving(hardSwish), ConfigError, 'gate', /activation 'hardSwish', which TensorFlow.js does not have/);
  const leaky = sequential({ inputShape: [4], layers: [layers.reLU({ negativeSlope: 0.1, name: 'sloped' })] });
  await expectError(saving(leaky), ConfigError, 'sloped', /negativeSlope or threshold, which TensorFlow.js's ReLU ignores/);
  const elu = sequential({ inputShape: [4], layers: [layers.elu({ alpha: 0.5, name: 'half' })] });
  await expectError(saving(elu), ConfigError, 'half', /alpha 0.5; TensorFlow.js's ELU supports only 1/);
  for (const name of ['my dense', 'dense_ü', '_private', 'head:0']) {
    const named = sequential({ inputShape: [4], layers: [layers.dense({ units: 2, name })] });
    await expectError(saving(named), ConfigError, JSON.stringify(name), /is one TensorFlow.js cannot load/);
  }
});

test('convas → TF.js: a nested model\'s own trainable flag is kept (a frozen base stays frozen, read back in convas)', async () => {
  const dir = await temporaryDirectory();
  const inner = sequential({ inputShape: [4], name: 'inner', layers: [layers.dense({ units: 3, name: 'inner_dense' })] });
  inner.trainable = false;
  inner.layers[0].trainable = true;
  const outer = sequential({ inputShape: [4], layers: [inner, layers.dense({ units: 2, name: 'top' })] });
  await outer.save(dir, { format: 'tfjs' });
  const back = await loadModel(dir);
  assert.equal(back.trainableWeights.map((w) => w.name), outer.trainableWeights.map((w) => w.name));
  assert.equal(back.trainableWeights.map((w) => w.name), ['top/kernel', 'top/bias']);
});

test('Keras files: ReLU with max_value, negative_slope and threshold, ELU with alpha ≠ 1, and Keras 3 activation names load', async () => {
  const x = random(9).array(600, -3, 3);
  /** A one-layer TF.js model, its layer's config edited as Keras writes it, loaded in convas; its output for x. */
  async function loadedEdited(layer: tfl.layers.Layer, edit: Record<string, unknown>) {
    const dir = await temporaryDirectory();
    await saveTfjs(tfl.sequential({ layers: [layer] }), dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    Object.assign(layerConfig(json, 0), edit);
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const loaded = await loadModel(dir);
    return { layer: loaded.layers[loaded.layers.length - 1], y: loaded.predict(tensor(x, [100, 6])).dataSync() };
  }
  const relu = await loadedEdited(tfl.layers.reLU({ inputShape: [6] }), { max_value: 2, negative_slope: 0.1, threshold: 0.5 });
  assert.equal(relu.layer.getConfig(), { className: 'ReLU', name: relu.layer.name, maxValue: 2, negativeSlope: 0.1, threshold: 0.5 });
  assertClose(relu.y, leakyReluForward(x, 2, 0.1, 0.5), 1e-6, 'ReLU with options');
  const elu = await loadedEdited(tfl.layers.elu({ inputShape: [6] }), { alpha: 0.5 });
  assertClose(elu.y, eluForward(x, 0.5, 1), 1e-6, 'ELU alpha 0.5');
  for (const [keras, convas, expected] of [['silu', 'swish', swishForward(x)], ['hard_swish', 'hardSwish', hardSwishForward(x)],
    ['hard_silu', 'hardSwish', hardSwishForward(x)], ['hard_sigmoid', 'hardSigmoid', hardSigmoidForward(x)]] as const) {
    const named = await loadedEdited(tfl.layers.activation({ inputShape: [6], activation: 'relu' }), { activation: keras });
    assert.is(named.layer.getConfig().activation, convas, keras);
    assertClose(named.y, expected, 1e-6, keras);
  }
  // Keras 3 calls LeakyReLU's slope negative_slope (Keras 2: alpha).
  const leaky = await loadedEdited(tfl.layers.leakyReLU({ inputShape: [6] }), { negative_slope: 0.1, alpha: undefined });
  assert.is(leaky.layer.getConfig().alpha, 0.1);
  assertClose(leaky.y, leakyReluForward(x, Infinity, 0.1, 0), 1e-6, 'LeakyReLU negative_slope 0.1');
});

test('Keras files: a fixed batch size in batch_input_shape; optimizers as Keras writes them (SGD with momentum, RMSprop\'s rho and decay)', async () => {
  const dir = await temporaryDirectory();
  await saveTfjs(tfl.sequential({ layers: [tfl.layers.dense({ batchInputShape: [1, 6], units: 3, activation: 'softmax' })] }), dir);
  const fixed = await loadModel(dir);
  assert.equal(fixed.inputShape, [6], 'the batch is not part of the example');
  assert.is(fixed.predict(tensor(random(2).array(12), [2, 6])).shape[0], 2);
  const edited = async (optimizer: Record<string, unknown>) => {
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.trainingConfig = { loss: 'categorical_crossentropy', metrics: [], optimizer_config: optimizer };
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    return (await loadModel(dir)).compileConfig!.optimizer;
  };
  const keras = { name: 'SGD', learning_rate: 0.05, decay: 0.0, momentum: 0.9, nesterov: true, clipnorm: null, jit_compile: true, is_legacy_optimizer: false };
  const momentum = await edited({ class_name: 'SGD', config: keras });
  assert.equal([momentum.type, momentum.learningRate, momentum.momentum, momentum.useNesterov], ['momentum', 0.05, 0.9, true]);
  const rms = await edited({ class_name: 'RMSprop', config: { name: 'RMSprop', learning_rate: 0.001, decay: 0.0, rho: 0.8, momentum: 0.0, epsilon: 1e-7, centered: false } });
  assert.equal([rms.type, rms.rho], ['rmsprop', 0.8]);
  // Keras 2's Adam as it writes it (beta_1, not TF.js's beta1), and Keras 1's lr.
  const adam = await edited({ class_name: 'Adam', config: { name: 'Adam', learning_rate: 0.002, decay: 0.0, beta_1: 0.8, beta_2: 0.99, epsilon: 1e-7, amsgrad: false } });
  assert.equal([adam.type, adam.learningRate, adam.beta1, adam.beta2], ['adam', 0.002, 0.8, 0.99]);
  assert.is((await edited({ class_name: 'Adam', config: { lr: 0.003 } })).learningRate, 0.003);
  for (const [config, refused] of [[{ amsgrad: true }, /Adam has amsgrad true, which convas's adam optimizer does not take/],
    [{ clipnorm: 1 }, /Adam has clipnorm 1/], [{ weight_decay: 0.004 }, /Adam has weight_decay 0.004/], [{ decay: 0.01 }, /Adam has decay 0.01/]] as const) {
    await expectError(() => edited({ class_name: 'Adam', config: { learning_rate: 0.001, ...config } }), FileFormatError, 'model.json', refused);
  }
});

test('Keras files: the loss by any name compile takes, as Keras writes it as it was compiled (\'mse\', \'mae\', \'huber\', Keras 3\'s \'kl_divergence\')', async () => {
  const dir = await temporaryDirectory();
  await saveTfjs(tfl.sequential({ layers: [tfl.layers.dense({ inputShape: [6], units: 3 })] }), dir);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const optimizer_config = { class_name: 'Adam', config: { learning_rate: 0.001 } };
  for (const [loss, expected] of [['mse', 'meanSquaredError'], ['mae', 'meanAbsoluteError'], ['huber', 'huber'],
    ['mean_squared_error', 'meanSquaredError'], ['meanSquaredError', 'meanSquaredError'], ['kl_divergence', 'kullbackLeiblerDivergence'],
    ['kld', 'kullbackLeiblerDivergence'], ['log_cosh', 'logcosh'], ['msle', 'meanSquaredLogarithmicError'], ['MAPE', 'meanAbsolutePercentageError'],
    ['cosine_similarity', 'cosineProximity']]) {
    await writeFile(join(dir, 'model.json'), JSON.stringify({ ...json, trainingConfig: { loss, metrics: [], optimizer_config } }));
    assert.is((await loadModel(dir)).compileConfig!.loss, expected, loss);
  }
});

/** The losses both TF.js's tfjs-layers and convas have beyond the first ones: TF.js's names, and Keras's (2's, which TF.js's loader reads). */
const KERAS_LOSSES = [['kullbackLeiblerDivergence', 'kullback_leibler_divergence'], ['poisson', 'poisson'], ['logcosh', 'logcosh'],
  ['meanSquaredLogarithmicError', 'mean_squared_logarithmic_error'], ['meanAbsolutePercentageError', 'mean_absolute_percentage_error'],
  ['cosineProximity', 'cosine_proximity']] as const;

test('TF.js ↔ convas: a model compiled with the KL divergence, poisson, logcosh, MSLE, MAPE or cosine proximity loads in each, with its loss', async () => {
  for (const [loss, kerasName] of KERAS_LOSSES) {
    const tfjsModel = tfjsDense();
    tfjsModel.compile({ optimizer: tf.train.adam(0.01), loss });
    const fromTfjs = await temporaryDirectory();
    await saveTfjs(tfjsModel, fromTfjs, true);
    assert.is(JSON.parse(await readFile(join(fromTfjs, 'model.json'), 'utf8')).trainingConfig.loss, kerasName, `TF.js writes ${loss}`);
    assert.is((await loadModel(fromTfjs)).compileConfig?.loss, loss, `TF.js → convas: ${loss}`);

    const model = denseModel(4);
    model.compile({ optimizer: 'adam', loss });
    const fromConvas = await temporaryDirectory();
    await model.save(fromConvas, { format: 'tfjs' });
    assert.is((await loadInTfjs(fromConvas)).loss, loss, `convas → TF.js: ${loss}`);
  }
});

/** A TF.js model file edited by `edit`, expected to be refused with `detail`. */
async function refusedTfjs(edit: (json: Record<string, any>) => void, detail: RegExp, file = 'model.json') {
  const dir = await temporaryDirectory();
  await saveTfjs(tfjsCnn(), dir);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  edit(json);
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
  await expectError(() => loadModel(dir), FileFormatError, join(dir, file), detail);
}

const layerConfig = (json: Record<string, any>, i: number) => json.modelTopology.config.layers[i].config;

test('TF.js files convas cannot read are refused, naming what and why', async () => {
  await refusedTfjs((j) => { j.modelTopology.config.layers[1].class_name = 'Conv1D'; },
    /Conv1D\) is not a layer convas has; expected InputLayer, Conv2D, Dense, MaxPooling2D/);
  await refusedTfjs((j) => { layerConfig(j, 2).dilation_rate = [2, 2]; }, /strides > 1 cannot be combined with dilationRate > 1/);
  await refusedTfjs((j) => { layerConfig(j, 0).padding = 'causal'; }, /padding must be 'valid', 'same', 'full'/);
  await refusedTfjs((j) => { layerConfig(j, 0).data_format = 'channels_first'; }, /data_format "channels_first".*'channels_last'/);
  await refusedTfjs((j) => { layerConfig(j, 0).activation = 'mish'; }, /unknown activation "mish"; expected one of linear, relu, .*hardSwish/);
  await refusedTfjs((j) => { j.modelTopology.class_name = 'Graph'; }, /modelTopology is a Graph; expected a Sequential or a Model \(Functional\)/);
  await refusedTfjs((j) => { j.weightsManifest[0].weights[0].shape = [3, 3, 1, 5]; },
    /has shape \[3, 3, 1, 5\], but the model's layers make it \[3, 3, 1, 3\]/);
  await refusedTfjs((j) => { j.weightsManifest[0].weights.pop(); }, /holds \d+ bytes or more, longer than the \d+ bytes the model file lists for it/, 'weights.bin');
  await refusedTfjs((j) => { j.weightsManifest[0].weights[0].name = 'other/kernel'; }, /other\/kernel, which no layer has/);
  await refusedTfjs((j) => { j.weightsManifest[0].weights[1].dtype = 'int32'; }, /dtype "int32"; expected float32/);
  await refusedTfjs((j) => { layerConfig(j, 0).kernel_constraint = { class_name: 'MaxNorm', config: { max_value: 2 } }; },
    /has kernel_constraint \{"class_name":"MaxNorm".*\}, which convas does not support; expected null/);
  await refusedTfjs((j) => { j.trainingConfig = { loss: 'dice', optimizer_config: { class_name: 'Adam', config: {} } }; },
    /trainingConfig.loss "dice" is not a loss convas has/);
});

test.run();
