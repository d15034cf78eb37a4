// The LeNet-style network of the threads tests and measurements, trained on seeded random digits:
// 28×28×1 → conv 5×5×8 same relu → maxpool 2 → conv 5×5×16 same relu → maxpool 2 → dense 10 softmax;
// with a normalisation, each convolution is followed by a BatchNormalization, a LayerNormalization or
// a GroupNormalization (4 groups) before its ReLU.
import { init, layers, sequential, tensor } from '../../src/index.js';
import { random } from '../helpers.js';

export interface LenetRun {
  /** Every weight after training, as the model holds them. */
  weights: Float32Array[];
  /** Training images per second over the timed epochs. */
  imagesPerSecond: number;
}

export type Normalisation = 'none' | 'batch' | 'layer' | 'group';

const NORMALISATION_LAYERS = {
  batch: () => layers.batchNormalization(), layer: () => layers.layerNormalization(), group: () => layers.groupNormalization({ groups: 4 }),
};

/** A convolution and its ReLU, with a normalisation between them when asked. */
const convBlock = (filters: number, normalisation: Normalisation) => (normalisation === 'none'
  ? [layers.conv2d({ filters, kernelSize: 5, padding: 'same', activation: 'relu' })]
  : [layers.conv2d({ filters, kernelSize: 5, padding: 'same', useBias: false }), NORMALISATION_LAYERS[normalisation](), layers.relu()]);

/** Trains on `examples` images for one untimed epoch (warm-up), then `timedEpochs` timed ones. */
export async function trainLenet(threads: number, examples: number, timedEpochs: number, normalisation: Normalisation = 'none'): Promise<LenetRun> {
  await init({ threads });
  const rng = random(7);
  const labels = new Float32Array(examples * 10);
  for (let i = 0; i < examples; i++) labels[i * 10 + rng.int(0, 9)] = 1;
  const x = tensor(rng.array(examples * 784, 0, 1), [examples, 28, 28, 1]), y = tensor(labels, [examples, 10]);
  const model = sequential({ inputShape: [28, 28, 1], seed: 3, layers: [
    ...convBlock(8, normalisation), layers.maxPool2d({ poolSize: 2 }),
    ...convBlock(16, normalisation), layers.maxPool2d({ poolSize: 2 }),
    layers.flatten(), layers.dense({ units: 10, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: { type: 'momentum', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 1, batchSize: 32 });
  const start = performance.now();
  await model.fit(x, y, { epochs: timedEpochs, batchSize: 32 });
  const seconds = (performance.now() - start) / 1000;
  const weights = model.getWeights().map((w) => w.dataSync());
  return { weights, imagesPerSecond: (timedEpochs * examples) / seconds };
}
