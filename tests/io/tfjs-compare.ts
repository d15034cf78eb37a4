// Shared by the TensorFlow.js comparison tests: the same random weights, batches and labels for
// both libraries, and the checks that a model predicts, trains one step and saves alike in both.
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type Model, loadModel, tensor } from '../../src/index.js';
import { assertClose, random } from '../helpers.js';
import { loadInTfjs, newModelLocation, saveTfjs } from './tfjs-files.js';

export const TOLERANCE = 1e-4;

export type TfTensor = tfl.SymbolicTensor;

/** A TF.js layer (or model) applied to symbolic tensors, typed as the one tensor it makes. */
export const on = (layer: { apply(x: TfTensor | TfTensor[]): unknown }, x: TfTensor | TfTensor[]) => layer.apply(x) as TfTensor;

/** Every weight of a TF.js model drawn from [-0.5, 0.5), biases too, so that none is the default. */
export function randomizeTfjs(m: tfl.LayersModel, seed: number): void {
  const rng = random(seed);
  m.setWeights(m.getWeights().map((w) => tf.tensor(rng.array(w.size, -0.5, 0.5), w.shape)));
}

export function randomizeConvas(m: Model, seed: number): void {
  const rng = random(seed);
  m.setWeights(m.getWeights().map((w) => tensor(rng.array(w.size, -0.5, 0.5), [...w.shape])));
}

/** The same random batch for both libraries: one tensor per input shape. */
export function batch(shapes: number[][], n: number, seed: number) {
  const rng = random(seed);
  const values = shapes.map((s) => rng.array(n * s.reduce((a, b) => a * b, 1)));
  return { convas: values.map((v, i) => tensor(v, [n, ...shapes[i]])), tfjs: values.map((v, i) => tf.tensor(v, [n, ...shapes[i]])) };
}

/** Random one-hot labels [n, classes], for both libraries. */
export function labels(n: number, classes: number, seed: number) {
  const rng = random(seed);
  const values = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) values[i * classes + Math.floor(rng.next() * classes)] = 1;
  return { convas: tensor(values, [n, classes]), tfjs: tf.tensor(values, [n, classes]) };
}

export const single = <T>(list: T[]): T | T[] => (list.length === 1 ? list[0] : list);
export const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

/** Both models' predictions on the same random batch: output by output, shape and values. */
export function assertSamePredictions(convas: Model, tfjsModel: tfl.LayersModel, what: string): void {
  const shapes = convas.inputShapes.map((s) => [...s]);
  assert.equal(shapes, tfjsModel.inputs.map((t) => t.shape.slice(1)), `${what}: input shapes`);
  const x = batch(shapes, 37, 7); // more than one predict batch of 32
  const expected = asList(tfjsModel.predict(single(x.tfjs)) as tf.Tensor | tf.Tensor[]);
  const actual = convas.predictOutputs(single(x.convas));
  assert.is(actual.length, expected.length, `${what}: number of outputs`);
  actual.forEach((a, i) => {
    assert.equal([...a.shape], expected[i].shape, `${what}: shape of output ${i}`);
    assertClose(a.dataSync(), expected[i].dataSync() as Float32Array, TOLERANCE, `${what}: output ${i}`);
  });
}

/** Saves a TF.js model (its weights randomized) and loads it in convas. */
export async function viaFile(tfjsModel: tfl.LayersModel, seed = 1): Promise<Model> {
  randomizeTfjs(tfjsModel, seed);
  const location = await newModelLocation();
  await saveTfjs(tfjsModel, location);
  return loadModel(location);
}

/**
 * Trains the TF.js model and its convas copy one SGD step on the same batch of `n` examples (softmax
 * output, categorical cross-entropy) and compares every weight by name; `frozen` names weights that
 * must not move. `frozenModels` names nested models to freeze in both (TF.js's file does not record that).
 */
export async function assertSameStep(tfjsModel: tfl.LayersModel, what: string, frozen: string[] = [], frozenModels: string[] = [],
  n = 6): Promise<void> {
  const loaded = await viaFile(tfjsModel, 3);
  for (const name of frozenModels) tfjsModel.getLayer(name).trainable = loaded.getLayer(name).trainable = false;
  const x = batch(tfjsModel.inputs.map((t) => t.shape.slice(1) as number[]), n, 4);
  const y = labels(n, tfjsModel.outputs[0].shape[1] as number, 5);
  const before = new Map(loaded.weights.map((p, i) => [p.name, loaded.getWeights()[i].dataSync()]));
  tfjsModel.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
  await tfjsModel.fit(single(x.tfjs), y.tfjs, { epochs: 1, batchSize: n, shuffle: false });
  loaded.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
  await loaded.fit(single(x.convas), y.convas, { epochs: 1, batchSize: n, shuffle: false });

  // originalName: the name in the file (TF.js's own name gets a suffix when another model used it first).
  const expected = new Map(tfjsModel.weights.map((w) => [w.originalName, w.read().dataSync() as Float32Array]));
  const actual = loaded.getWeights();
  assert.equal(loaded.weights.map((p) => p.name).sort(), [...expected.keys()].sort(), `${what}: weight names`);
  loaded.weights.forEach((p, i) => {
    const values = actual[i].dataSync();
    assertClose(values, expected.get(p.name)!, TOLERANCE, `${what}: ${p.name}`);
    if (frozen.includes(p.name)) assert.equal([...values], [...before.get(p.name)!], `${what}: frozen ${p.name} moved`);
    else assert.not.equal([...values], [...before.get(p.name)!], `${what}: ${p.name} did not move`);
  });
  assert.equal(frozen.filter((name) => !before.has(name)), [], `${what}: frozen weights that the model lacks`);
}

/** Saves a convas model (its weights randomized) as TF.js, loads it in TF.js and in convas, and compares all three. */
export async function assertLoadsInTfjs(m: Model, what: string): Promise<tfl.LayersModel> {
  randomizeConvas(m, 8);
  const location = await newModelLocation();
  await m.save(location, { format: 'tfjs' });
  const inTfjs = await loadInTfjs(location);
  assertSamePredictions(m, inTfjs, what);
  assertSamePredictions(await loadModel(location), inTfjs, `${what}, read back by convas`);
  return inTfjs;
}
