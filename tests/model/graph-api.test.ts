// The functional API as TensorFlow.js users know it: input(), apply(), model(), merge layers,
// several inputs and outputs, nested models, cutting a model at a layer, freezing, and every way a
// graph can be wrong refused with an error that names the layers.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import {
  ConfigError, InputLayer, type Model, ShapeError, StateError, type Tensor, init, input, layers, loadModel, model, sequential, tensor,
} from '../../src/index.js';
import { temporaryDirectory } from '../io/model-files.js';
import { random } from '../helpers.js';

function throws(run: () => unknown, type: new (...a: never[]) => Error, ...fragments: string[]): void {
  try {
    run();
  } catch (error) {
    assert.instance(error, type, (error as Error).message);
    for (const f of fragments) assert.ok((error as Error).message.includes(f), `"${(error as Error).message}" should mention "${f}"`);
    return;
  }
  assert.unreachable(`expected a ${type.name}`);
}

const randomTensor = (shape: number[], seed: number): Tensor => {
  const rng = random(seed);
  return tensor(Array.from({ length: shape.reduce((a, b) => a * b) }, () => rng.next() * 2 - 1), shape);
};

const oneHotRows = (n: number, classes: number) =>
  tensor(Array.from({ length: n * classes }, (_, i) => (i % classes === Math.floor(i / classes) % classes ? 1 : 0)), [n, classes]);

const values = (t: Tensor) => Array.from(t.dataSync());

/** A residual block feeding a nested classifier: fan-out (the block input is read twice), add, concatenate. */
function residualModel(seed = 1): Model {
  const x = input({ shape: [5, 7, 3], name: 'image' });
  const conv = layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same', activation: 'relu', name: 'block_conv' }).apply(x);
  const sum = layers.add({ name: 'block_add' }).apply([conv, x]);
  const side = layers.conv2d({ filters: 2, kernelSize: 1, name: 'side' }).apply(sum);
  const joined = layers.concatenate({ name: 'joined' }).apply([sum, side]);
  const head = sequential({ name: 'head', inputShape: [5, 7, 5], layers: [layers.flatten(), layers.dense({ units: 4, activation: 'softmax', name: 'scores' })] });
  return model({ inputs: x, outputs: head.apply(joined), seed, name: 'residual' });
}

test('layers, getLayer, inputs and outputs, layer.input and layer.output, as in TF.js', async () => {
  await init();
  const m = residualModel();
  assert.equal(m.layers.map((l) => l.name), ['image', 'block_conv', 'block_add', 'side', 'joined', 'head']);
  assert.instance(m.layers[0], InputLayer);
  assert.is(m.getLayer('side'), m.layers[3]);
  assert.is(m.getLayer(1).name, 'block_conv');
  throws(() => m.getLayer('nope'), ConfigError, 'nope', 'block_add');
  // TF.js's and Keras's way to ask by index alone: getLayer(undefined, index), get_layer(index=…).
  assert.is(m.getLayer(undefined, 3), m.layers[3]);
  assert.is(m.getLayer(null as unknown as undefined, 2), m.layers[2]);
  throws(() => m.getLayer('side', 3), ConfigError, 'give one');
  throws(() => m.getLayer(6), ConfigError, 'index 6', '6 layers, at indices 0 to 5');
  throws(() => m.getLayer(undefined, -1), ConfigError, 'index -1');
  throws(() => m.getLayer(), ConfigError, 'expected a name or an index');
  assert.equal(m.inputs.map((t) => t.shape), [[5, 7, 3]]);
  assert.equal(m.outputs[0].shape, [4]);
  assert.is(m.getLayer('block_add').output.sourceLayer, m.getLayer('block_add'));
  const addInputs = m.getLayer('block_add').input as unknown[];
  assert.equal(addInputs, [m.getLayer('block_conv').output, m.inputs[0]]);
  assert.is(m.getLayer('side').input, m.getLayer('block_add').output);
  assert.equal((m.getLayer('head') as Model).layers.map((l) => l.className), ['Flatten', 'Dense']);
});

test('a graph model trains like a sequential one, and saves and loads bit for bit with its frozen layers', async () => {
  await init();
  const m = residualModel(3);
  m.getLayer('side').trainable = false;
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const x = randomTensor([12, 5, 7, 3], 4), y = oneHotRows(12, 4);
  const before = m.getLayer('side').params.map((p) => values(m.getWeights()[m.weights.indexOf(p)]));
  const history = await m.fit(x, y, { epochs: 6, batchSize: 4 });
  assert.ok(history.history.loss[5] < history.history.loss[0], `loss falls: ${history.history.loss.join(', ')}`);
  const after = m.getLayer('side').params.map((p) => values(m.getWeights()[m.weights.indexOf(p)]));
  assert.equal(after, before, 'the frozen layer keeps its weights');
  const dir = await temporaryDirectory();
  await m.save(dir);
  const loaded = await loadModel(dir);
  assert.equal(values(loaded.predict(x)), values(m.predict(x)));
  assert.equal(loaded.layers.map((l) => [l.name, l.trainable]), m.layers.map((l) => [l.name, l.trainable]));
  assert.is(loaded.getLayer('side').trainable, false);
});

test('several inputs and several outputs: predictOutputs gives one tensor per output; fit and evaluate ask for one', async () => {
  await init();
  const a = input({ shape: [4], name: 'a' }), b = input({ shape: [4], name: 'b' });
  const both = layers.multiply().apply([a, b]);
  const left = layers.dense({ units: 3, name: 'left' }).apply(both);
  const right = layers.dense({ units: 2, name: 'right', activation: 'sigmoid' }).apply(layers.maximum().apply([a, both]));
  const m = model({ inputs: [a, b], outputs: [left, right], seed: 2 });
  const xa = randomTensor([5, 4], 1), xb = randomTensor([5, 4], 2);
  const [l, r] = m.predictOutputs([xa, xb]);
  assert.equal([l.shape, r.shape], [[5, 3], [5, 2]]);
  // The same numbers as a model of each output alone, sharing the layers.
  assert.equal(values(model({ inputs: [a, b], outputs: left }).predict([xa, xb])), values(l));
  throws(() => m.predict([xa, xb]), ConfigError, '2 outputs', 'predictOutputs');
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  throws(() => m.evaluate([xa, xb], oneHotRows(5, 3)), ConfigError, '2 outputs', 'one output');
  throws(() => model({ inputs: [a, b], outputs: right }).predict(xa), ShapeError);
});

test('cutting a model at a named layer shares its weights with the base', async () => {
  await init();
  const base = residualModel(5);
  const cut = model({ inputs: base.inputs, outputs: base.getLayer('block_add').output });
  assert.equal(cut.layers.map((l) => l.name), ['image', 'block_conv', 'block_add']);
  const x = randomTensor([3, 5, 7, 3], 6);
  const blockAdd = base.activations(x)[1];
  assert.equal(values(cut.predict(x)), values(blockAdd), 'the cut model outputs what the base computes at block_add');
  // Training the cut model moves the base's weights: they are the same weights.
  const kernel = base.getLayer('block_conv').params[0];
  const baseBefore = values(base.predict(x));
  cut.compile({ optimizer: { type: 'sgd', learningRate: 0.5 }, loss: 'meanSquaredError' });
  await cut.fit(x, randomTensor([3, 5, 7, 3], 7), { epochs: 1, batchSize: 3 });
  assert.is(cut.getLayer('block_conv').params[0], kernel);
  assert.not.equal(values(base.predict(x)), baseBefore);
  // As in TF.js, a model's own output and input are its outputs[0] and inputs[0]; a model applied as a
  // layer (the nested head) gives the output of that application.
  assert.is(base.output, base.outputs[0]);
  assert.is(base.input, base.inputs[0]);
  assert.is(base.getLayer('head').output, base.outputs[0]);
  assert.equal(values(model({ inputs: base.input, outputs: base.output }).predict(x)), values(base.predict(x)));
  // A new head on the cut model: transfer learning's shape.
  const features = layers.flatten().apply(cut.outputs[0]);
  const classifier = model({ inputs: cut.inputs, outputs: layers.dense({ units: 2, activation: 'softmax' }).apply(features) });
  assert.equal(classifier.predict(x).shape, [3, 2]);
  // Disposing a model keeps the weights another model still holds.
  cut.dispose();
  classifier.dispose();
  assert.equal(base.predict(x).shape, [3, 4]);
});

test('a model cut from a disposed base: its layers\' weights where another model still holds them, a StateError where none does', async () => {
  await init();
  const base = residualModel(5);
  base.setWeights(base.getWeights().map((w, i) => randomTensor([...w.shape], 20 + i))); // trained: not what the seed draws
  const x = randomTensor([3, 5, 7, 3], 6);
  const cutAt = () => model({ inputs: base.inputs, outputs: base.getLayer('joined').output });
  const kept = cutAt();
  const expected = values(kept.predict(x));
  base.dispose();
  const cutAfter = cutAt();
  assert.equal(values(cutAfter.predict(x)), expected, 'the weights the model cut before still holds');
  // The nested head was freed with the base, whose alone it was: new weights in its place would predict as if they were the base's.
  throws(() => model({ inputs: base.inputs, outputs: base.outputs }).predict(x), StateError, 'head', 'freed', 'disposed');
  kept.dispose();
  cutAfter.dispose();
  throws(cutAt, StateError, 'block_conv', 'freed', 'disposed');
});

test('a nested model freed with its base is refused by name; the layers another model still holds keep their weights', async () => {
  await init();
  // The model kept holds the nested model's first layer only (the rebuild then finds the second disposed), or both (it would build).
  for (const keptUpTo of ['first', 'second']) {
    const inner = [layers.dense({ units: 4, name: 'first' }), layers.dense({ units: 2, name: 'second' })];
    const head = sequential({ name: 'head', inputShape: [3], layers: inner });
    const x = input({ shape: [3] });
    const base = model({ inputs: x, outputs: head.apply(x), seed: 3 });
    const keeper = model({ inputs: head.inputs, outputs: head.getLayer(keptUpTo).output });
    const data = randomTensor([2, 3], 7);
    const expected = values(keeper.predict(data));
    base.dispose();
    throws(() => model({ inputs: base.inputs, outputs: base.outputs }), StateError, 'head', 'freed', 'disposed');
    assert.equal(values(keeper.predict(data)), expected, `kept up to ${keptUpTo}: the weights the kept model holds`);
    keeper.dispose();
  }
});

test('freezing: model.trainable = false freezes every layer (nested ones too), summary counts both kinds', async () => {
  await init();
  const m = residualModel(8);
  const head = m.getLayer('head') as Model;
  const total = m.parameterCount;
  head.trainable = false;
  assert.is(head.layers[1].trainable, false);
  const headCount = head.parameterCount;
  assert.match(m.summary(null), new RegExp(`Trainable params: ${total - headCount}\\b`));
  assert.match(m.summary(null), new RegExp(`Non-trainable params: ${headCount}\\b`));
  // TF.js order: trainable weights first, then the frozen ones.
  assert.equal(m.weights.slice(-2).map((p) => p.name), ['scores/kernel', 'scores/bias']);
  m.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  const x = randomTensor([6, 5, 7, 3], 9);
  const frozen = () => head.params.map((p) => values(m.getWeights()[m.weights.indexOf(p)]));
  const before = frozen();
  await m.fit(x, oneHotRows(6, 4), { epochs: 2, batchSize: 3 });
  assert.equal(frozen(), before);
  // A change after compile() takes effect at the next fit: unfrozen, the head trains; frozen again, it stops.
  head.trainable = true;
  await m.fit(x, oneHotRows(6, 4), { epochs: 1, batchSize: 3 });
  const trained = frozen();
  assert.not.equal(trained, before, 'unfrozen after compile, the head trains');
  head.trainable = false;
  await m.fit(x, oneHotRows(6, 4), { epochs: 1, batchSize: 3 });
  assert.equal(frozen(), trained, 'frozen after compile, the head keeps its weights');
  m.trainable = false;
  assert.ok(m.layers.every((l) => !l.trainable));
  assert.match(m.summary(null), /Trainable params: 0\b/);
  throws(() => { m.getLayer('side').trainable = 'no' as never; }, ConfigError, 'true or false');
});

test('layer.getWeights and setWeights, as in TF.js: copies in the layer\'s weights order, frozen or not; weights moved from one model to another predict alike', async () => {
  await init();
  const [a, b] = [residualModel(3), residualModel(4)];
  const x = randomTensor([2, 5, 7, 3], 5);
  const conv = a.getLayer('block_conv');
  assert.equal(conv.getWeights().map((t) => t.shape), [[3, 3, 3, 3], [3]]);
  assert.equal(conv.getWeights().map(values), conv.weights.map((p) => values(a.getWeights()[a.weights.indexOf(p)])));
  assert.equal(a.getLayer('image').getWeights(), []);
  const head = a.getLayer('head');
  head.trainable = false;
  assert.equal(head.getWeights().map(values), head.weights.map((p) => values(a.getWeights()[a.weights.indexOf(p)])));
  // A copy: changing it leaves the layer as it was.
  const copy = conv.getWeights();
  copy[1].dataSync().fill(7);
  assert.not.equal(values(conv.getWeights()[1]), [7, 7, 7]);
  for (const name of ['block_conv', 'side', 'head']) b.getLayer(name).setWeights(a.getLayer(name).getWeights());
  assert.equal(values(b.predict(x)), values(a.predict(x)));
  throws(() => conv.setWeights(conv.getWeights().slice(1)), ShapeError, 'block_conv.setWeights', 'the layer has 2 weights');
  throws(() => conv.setWeights(b.getLayer('side').getWeights()), ShapeError, 'block_conv/kernel expects shape [3, 3, 3, 3]');
  // Not applied to an input yet: no weights, and setWeights says why (before: "the layer has 0 weights ()").
  const unbuilt = layers.dense({ units: 2, name: 'unbuilt' });
  assert.equal(unbuilt.getWeights(), []);
  throws(() => unbuilt.setWeights([]), StateError, 'unbuilt.setWeights: the layer is not built yet; it makes its weights when applied to an input');
});

test('layers of one name in two nested models: the graph trains (as in Keras), and a JSON format refuses it before writing anything', async () => {
  const block = (name: string) => {
    const x = input({ shape: [4] });
    return model({ name, inputs: x, outputs: layers.dense({ units: 4, name: 'd' }).apply(x) });
  };
  const x = input({ shape: [4] });
  const m = model({ inputs: x, outputs: layers.add().apply([block('a').apply(x), block('b').apply(x)]) });
  m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  await m.fit(randomTensor([3, 4], 1), randomTensor([3, 4], 2), { epochs: 1 });
  const dir = await temporaryDirectory();
  const kept = sequential({ inputShape: [4], layers: [layers.dense({ units: 2 })] });
  await kept.save(dir);
  for (const format of ['convas', 'tfjs'] as const) {
    await m.save(dir, { format }).then(() => assert.unreachable('saved'), (error: Error) => {
      assert.instance(error, ConfigError);
      assert.match(error.message, 'two weights are named d/kernel');
    });
  }
  assert.is((await loadModel(dir)).outputShape[0], 2, 'the model there before is whole');
});

test('models nested deeper than a file can hold are refused by save, as loadModel would refuse the file; ten deep round-trip', async () => {
  const nested = (depth: number) => {
    let m = sequential({ inputShape: [3], layers: [layers.dense({ units: 3 })] });
    for (let k = 1; k < depth; k++) {
      const x = input({ shape: [3] });
      m = model({ inputs: x, outputs: layers.dense({ units: 3 }).apply(m.apply(x)) });
    }
    return m;
  };
  const dir = await temporaryDirectory();
  for (const format of ['convas', 'tfjs'] as const) {
    await nested(10).save(dir, { format });
    assert.is((await loadModel(dir)).layers.length, 3);
    await nested(40).save(dir, { format }).then(() => assert.unreachable('saved'), (error: Error) => {
      assert.instance(error, ConfigError);
      assert.match(error.message, 'would nest deeper than 64 levels');
    });
  }
});

test('graphs that cannot be built are refused, naming the layers', async () => {
  await init();
  const x = input({ shape: [4, 4, 2], name: 'x' });
  const y = input({ shape: [4, 4, 3], name: 'y' });
  throws(() => layers.add({ name: 'sum' }).apply([x, y]), ShapeError, 'sum', 'x', '[4, 4, 2]', 'y', '[4, 4, 3]');
  throws(() => layers.concatenate({ name: 'cat' }).apply([x, input({ shape: [5, 4, 3], name: 'z' })]), ShapeError, 'cat');
  throws(() => layers.add().apply(x), ConfigError, 'two or more inputs');
  throws(() => layers.dense({ units: 2 }).apply([x, y]), ConfigError, 'one input');
  const d = layers.flatten({ name: 'flat' }).apply(x);
  throws(() => model({ inputs: [x, y], outputs: d }), ConfigError, 'input y', 'not used');
  throws(() => model({ inputs: y, outputs: d }), ConfigError, 'depends on input x', 'not among');
  throws(() => model({ inputs: d, outputs: d }), ConfigError, 'input flat');
  throws(() => model({ inputs: x, outputs: x }), ConfigError, 'at least one layer');
  throws(() => model({ inputs: x, outputs: [d, d] }), ConfigError, 'same tensor twice');
  throws(() => model({ inputs: x, outputs: 'flat' as never }), ConfigError, 'symbolic tensors');
  const flat = d.sourceLayer;
  throws(() => flat.apply(y), ConfigError, 'flat', 'already applied');
  const twin = layers.flatten({ name: 'flat' }).apply(x);
  throws(() => model({ inputs: x, outputs: layers.concatenate().apply([d, twin]) }), ConfigError, 'two layers are named "flat"');
  // A model nested inside another that also holds one of its layers directly: the layer in two places.
  const inner = model({ inputs: x, outputs: d, name: 'inner' });
  const outerInput = input({ shape: [4, 4, 2] });
  throws(() => model({ inputs: [outerInput, x], outputs: layers.concatenate().apply([inner.apply(outerInput), d]) }), ConfigError, 'flat', 'two places');
});

test.run();
