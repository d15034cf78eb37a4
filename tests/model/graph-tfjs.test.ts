// Random graph models (tests/graphs.ts, limited to what TF.js has) built with convas and with
// tfjs-layers from the same description: both list the same layers and weights in the same order
// (trainable, non-trainable, all), with frozen layers and frozen nested models; convas takes TF.js's
// getWeights() as they come and predicts alike; one SGD step moves the weights alike and leaves the
// frozen ones; and models cut at a layer of the graph agree again. Cutting and freezing behave as
// tfjs-layers does.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { type LayerConfig, type Model, model, tensor } from '../../src/index.js';
import { type GraphSpec, buildGraphModel, drawGraph, graphFeatures } from '../graphs.js';
import { assertClose, kernels, random } from '../helpers.js';

const TOLERANCE = 1e-4;
const GRAPHS = 16;
const CLASSES = 3;

type TfTensor = tfl.SymbolicTensor;
/** tfjs-layers' base Layer class. */
type TfLayer = ReturnType<tfl.LayersModel['getLayer']>;

/** The TF.js factory of each class the generator draws (with tfjsOnly): a new layer kind adds its row. */
const TFJS_LAYERS: Record<string, (args: never) => TfLayer> = {
  Conv2D: tfl.layers.conv2d, Dense: tfl.layers.dense, MaxPooling2D: tfl.layers.maxPooling2d,
  AveragePooling2D: tfl.layers.averagePooling2d, Flatten: tfl.layers.flatten, Activation: tfl.layers.activation,
  Dropout: tfl.layers.dropout, Add: tfl.layers.add, Multiply: tfl.layers.multiply, Average: tfl.layers.average,
  Maximum: tfl.layers.maximum, Concatenate: tfl.layers.concatenate, DepthwiseConv2D: tfl.layers.depthwiseConv2d,
  SeparableConv2D: tfl.layers.separableConv2d,
};

function tfjsLayer(config: LayerConfig, name: string, inputShape?: number[]): TfLayer {
  const { className, ...options } = config;
  return TFJS_LAYERS[className]({ ...options, name, ...(inputShape ? { inputShape } : {}) } as never);
}

/**
 * Freezes a TF.js layer as Keras (and convas) do: a model, every layer in it too. TF.js alone leaves
 * the nested layers' own flags, and then lists a frozen model's weights in another order (each
 * nested layer still trainable first) whenever it holds a frozen layer before a trainable one.
 */
function freeze(layer: TfLayer | tfl.LayersModel): void {
  layer.trainable = false;
  if (layer instanceof tfl.LayersModel) layer.layers.forEach(freeze);
}

/** The spec built with tfjs-layers: layers named as in convas, frozen where the spec says. */
function buildTfjs(spec: GraphSpec, shapes: number[][]): tfl.LayersModel {
  const layerOf = (node: GraphSpec['nodes'][number], inputShapes: number[][], first: boolean): TfLayer | tfl.LayersModel => {
    const layer = node.graph ? buildTfjs(node.graph, inputShapes) : tfjsLayer(node.config!, node.name, first ? inputShapes[0] : undefined);
    if (!node.trainable) freeze(layer);
    return layer;
  };
  if (spec.kind === 'sequential') {
    const chain = tfl.sequential({ name: spec.name });
    spec.nodes.forEach((node, i) => chain.add(layerOf(node, [i === 0 ? shapes[0] : chain.outputs[0].shape.slice(1) as number[]], i === 0)));
    return chain;
  }
  const tensors = new Map<string, TfTensor>();
  spec.inputs.forEach((t, i) => tensors.set(t.name, tfl.input({ shape: shapes[i], name: t.name })));
  for (const node of spec.nodes) {
    const reads = node.inputs.map((name) => tensors.get(name)!);
    const layer = layerOf(node, reads.map((t) => t.shape.slice(1) as number[]), false);
    tensors.set(node.name, layer.apply(reads.length === 1 ? reads[0] : reads) as TfTensor);
  }
  return tfl.model({ name: spec.name, inputs: spec.inputs.map((t) => tensors.get(t.name)!), outputs: tensors.get(spec.output)! });
}

/** A layer's output in a TF.js graph: a nested model's own wiring is its node 0, where it is applied its node 1. */
const tfjsOutput = (layer: TfLayer) => (layer instanceof tfl.LayersModel ? layer.getOutputAt(1) : layer.output) as TfTensor;

const names = (weights: Array<{ name: string }>) => weights.map((w) => w.name);
const tfjsNames = (weights: Array<{ originalName: string }>) => weights.map((w) => w.originalName);

/** Both models list the same layers and the same weights, in the same orders. */
function assertSameLists(convas: Model, tfjsModel: tfl.LayersModel, what: string): void {
  assert.equal(convas.layers.map((l) => l.name), tfjsModel.layers.map((l) => l.name), `${what}: layers`);
  assert.equal(names(convas.weights), tfjsNames(tfjsModel.weights), `${what}: weights`);
  assert.equal(names(convas.trainableWeights), tfjsNames(tfjsModel.trainableWeights), `${what}: trainable weights`);
  assert.equal(names(convas.nonTrainableWeights), tfjsNames(tfjsModel.nonTrainableWeights), `${what}: non-trainable weights`);
}

/** Both models' outputs on the same batch, output by output. */
function assertSamePredictions(convas: Model, tfjsModel: tfl.LayersModel, x: Float32Array[], n: number, what: string): void {
  const shapes = convas.inputShapes.map((s) => [n, ...s]);
  const expected = tfjsModel.predict(x.map((v, i) => tf.tensor(v, shapes[i]))) as tf.Tensor | tf.Tensor[];
  const actual = convas.predictOutputs(x.map((v, i) => tensor(v, shapes[i])));
  (Array.isArray(expected) ? expected : [expected]).forEach((e, i) => {
    assert.equal([...actual[i].shape], e.shape, `${what}: shape of output ${i}`);
    assertClose(actual[i].dataSync(), e.dataSync() as Float32Array, TOLERANCE, `${what}: output ${i}`);
  });
}

/** Trainable/non-trainable counts as TF.js's summary prints them. */
function tfjsSummaryCounts(m: tfl.LayersModel): string[] {
  const lines: string[] = [];
  m.summary(200, undefined, (line: string) => lines.push(line));
  return lines.filter((l) => /^(Trainable|Non-trainable) params/.test(l)).map((l) => l.replace(/,/g, ''));
}

test.before(async () => {
  await kernels();
  await tf.setBackend('cpu');
});

test(`${GRAPHS} random graphs built in convas and in TF.js: same layers and weights in the same order, same predictions, same SGD step`, async () => {
  const rng = random(4242);
  const seen = new Set<string>();
  for (let g = 0; g < GRAPHS; g++) {
    const seed = rng.seed();
    const spec = drawGraph(rng, { tfjsOnly: true, classes: CLASSES, freezing: 0.25 });
    graphFeatures(spec, 0, seen);
    const what = `graph ${g} (seed ${seed})`;
    const convas = buildGraphModel(spec, seed);
    const tfjsModel = buildTfjs(spec, convas.inputShapes.map((s) => [...s]));
    assertSameLists(convas, tfjsModel, what);
    assert.equal(convas.summary(null).split('\n').filter((l) => /^(Trainable|Non-trainable) params/.test(l)), tfjsSummaryCounts(tfjsModel),
      `${what}: summary counts`);
    // TF.js's weights, in TF.js's order, as they come.
    tfjsModel.setWeights(tfjsModel.getWeights().map((w) => tf.tensor(rng.array(w.size, -0.5, 0.5), w.shape)));
    convas.setWeights(tfjsModel.getWeights().map((w) => tensor(w.dataSync() as Float32Array, w.shape)));
    const n = 5;
    const x = convas.inputShapes.map((s) => rng.array(n * s.reduce((a, b) => a * b, 1)));
    assertSamePredictions(convas, tfjsModel, x, n, what);

    const labels = new Float32Array(n * CLASSES);
    for (let e = 0; e < n; e++) labels[e * CLASSES + rng.int(0, CLASSES - 1)] = 1;
    const before = convas.getWeights().map((w) => w.dataSync());
    const frozen = new Set(names(convas.nonTrainableWeights));
    tfjsModel.compile({ optimizer: tf.train.sgd(0.1), loss: 'categoricalCrossentropy' });
    // TF.js's fit refuses a model with nothing to train; convas's moves nothing then, as the comparison below checks.
    if (convas.trainableWeights.length > 0) {
      await tfjsModel.fit(x.map((v, i) => tf.tensor(v, [n, ...convas.inputShapes[i]])), tf.tensor(labels, [n, CLASSES]),
        { epochs: 1, batchSize: n, shuffle: false });
    }
    convas.compile({ optimizer: { type: 'sgd', learningRate: 0.1 }, loss: 'categoricalCrossentropy' });
    await convas.fit(x.map((v, i) => tensor(v, [n, ...convas.inputShapes[i]])), tensor(labels, [n, CLASSES]),
      { epochs: 1, batchSize: n, shuffle: false });
    const after = convas.getWeights();
    const expected = tfjsModel.getWeights();
    convas.weights.forEach((p, i) => {
      assertClose(after[i].dataSync(), expected[i].dataSync() as Float32Array, TOLERANCE, `${what}: ${p.name} after one SGD step`);
      if (frozen.has(p.name)) assert.equal([...after[i].dataSync()], [...before[i]], `${what}: frozen ${p.name} moved`);
    });

    // Cut at a node of the graph (and at the output too, for two outputs), as transfer learning does.
    const node = rng.pick(spec.nodes.slice(0, -1));
    const outputs = [node.name, ...(rng.next() < 0.5 ? [spec.output] : [])];
    const cut = model({ inputs: convas.inputs, outputs: outputs.map((name) => convas.getLayer(name).output) });
    const tfjsCut = tfl.model({ inputs: tfjsModel.inputs, outputs: outputs.map((name) => tfjsOutput(tfjsModel.getLayer(name))) });
    assertSameLists(cut, tfjsCut, `${what} cut at ${outputs.join(', ')}`);
    assertSamePredictions(cut, tfjsCut, x, n, `${what} cut at ${outputs.join(', ')}`);
    cut.dispose();
    convas.dispose();
    tfjsModel.dispose();
  }
  const features = ['fan-out', 'Add', 'Multiply', 'Maximum', 'Average', 'concatenate on height or width', 'a nested model',
    'a nested sequential', 'models nested two deep', 'a frozen layer', 'a frozen nested model', 'several inputs', 'DepthwiseConv2D',
    'SeparableConv2D'];
  assert.equal(features.filter((f) => !seen.has(f)), [], 'features no graph exercised');
});

test.run();
