// A softmax (or sigmoid) at a model's output is fused with a cross-entropy loss: the loss starts
// from the logits and backward skips the activation's derivative. That is a fact of the model and
// its loss, not of the layer: a model that shares the layer (nesting the classifier, extending its
// output, or over the same outputs with another loss) must train through the activation in full.
import { test } from 'uvu';
import { type Model, init, input, layers, model, tensor } from '../../src/index.js';
import { assertSameBits, random } from '../helpers.js';

await init();

const N = 4;
const x = tensor(random(5).array(N * 5), [N, 5]);

function classifier(activation: 'softmax' | 'sigmoid'): Model {
  const inputs = input({ shape: [5] });
  const hidden = layers.dense({ units: 4, name: 'hidden' }).apply(inputs);
  return model({ name: 'classifier', seed: 1, inputs, outputs: layers.dense({ units: 3, activation, name: 'scores' }).apply(hidden) });
}

const lossFor = { softmax: 'categoricalCrossentropy', sigmoid: 'binaryCrossentropy' } as const;

/**
 * One SGD step with mean absolute error on `make(a classifier)`; `compiledWithFusion` compiles the
 * classifier with its fused loss first, or another model over the classifier's outputs after it.
 */
async function trainedWeights(activation: 'softmax' | 'sigmoid', compiledWithFusion: 'never' | 'first' | 'after', make: (c: Model) => Model,
  outputs: number): Promise<Float32Array[]> {
  const c = classifier(activation);
  const fused = { optimizer: 'sgd', loss: lossFor[activation] } as const;
  if (compiledWithFusion === 'first') c.compile(fused);
  const m = make(c);
  m.compile({ optimizer: { type: 'sgd', learningRate: 0.5 }, loss: 'meanAbsoluteError' });
  if (compiledWithFusion === 'after') model({ inputs: c.inputs, outputs: c.outputs }).compile(fused);
  const y = tensor(random(6).array(N * outputs, 0, 1), [N, outputs]);
  await m.fit(x, y, { epochs: 1, batchSize: N, shuffle: false });
  return m.getWeights().map((w) => w.dataSync());
}

for (const activation of ['softmax', 'sigmoid'] as const) {
  const ways: Array<[string, (c: Model) => Model, number]> = [
    ['nested in a bigger model', (c) => {
      const inputs = input({ shape: [5] });
      return model({ seed: 2, inputs, outputs: layers.dense({ units: 2, name: 'head' }).apply(c.apply(inputs)) });
    }, 2],
    ['extended from its output', (c) => model({ seed: 2, inputs: c.inputs, outputs: layers.dense({ units: 2, name: 'head' }).apply(c.outputs[0]) }), 2],
  ];
  for (const [how, make, outputs] of ways) {
    test(`a ${activation} classifier compiled with its cross-entropy, then trained ${how} with another loss: the weights of one never compiled`, async () => {
      const expected = await trainedWeights(activation, 'never', make, outputs);
      const actual = await trainedWeights(activation, 'first', make, outputs);
      actual.forEach((w, i) => assertSameBits(w, expected[i], `weight ${i}`));
    });
  }

  test(`a ${activation} classifier compiled with another loss keeps it when a model over its outputs is compiled with the cross-entropy`, async () => {
    const expected = await trainedWeights(activation, 'never', (c) => c, 3);
    const actual = await trainedWeights(activation, 'after', (c) => c, 3);
    actual.forEach((w, i) => assertSameBits(w, expected[i], `weight ${i}`));
  });
}

test.run();
