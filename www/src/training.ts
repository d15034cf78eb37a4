// What the Train and Draw pages share about training: a worker request for the digits, and the
// trained model rebuilt on the page from what the worker hands back.
import { type CompileOptions, type Dataset, type LayerConfig, type Model, argmaxRows, sequential, tensor } from '../../src/index.js';
import type { TrainRequest, TrainResult } from '../../src/worker/index.js';
import { type Digits, SIDE } from './digits.js';

export interface TrainingSettings {
  layers: LayerConfig[];
  optimizer: 'adam' | 'momentum' | 'sgd';
  learningRate: number;
  batchSize: number;
  epochs: number;
  seed: number;
}

const compileOptions = (s: TrainingSettings): CompileOptions =>
  ({ optimizer: { type: s.optimizer, learningRate: s.learningRate }, loss: 'categoricalCrossentropy' });

/** Train on the 8000 training digits, validate on the 2000 test digits after each epoch. */
export function digitsRequest(settings: TrainingSettings, { train, test }: Digits): TrainRequest {
  return {
    modelConfig: { inputShape: [SIDE, SIDE, 1], layers: settings.layers, seed: settings.seed },
    compile: compileOptions(settings),
    fit: { epochs: settings.epochs, batchSize: settings.batchSize },
    data: { images: train.images, labels: train.labels, validation: { images: test.images, labels: test.labels } },
  };
}

/** The worker's model on this page, compiled as it was trained (so it can be evaluated and saved). */
export function modelFromResult(result: TrainResult, settings: TrainingSettings): Model {
  const model = sequential(result.modelConfig);
  model.compile(compileOptions(settings));
  model.setWeights(result.weights);
  return model;
}

/** Share of `data` whose most probable class is its label. */
export function testAccuracy(model: Model, data: Dataset): number {
  const x = tensor(data.images, [data.count, data.height, data.width, 1]);
  const output = model.predict(x, { batchSize: 100 });
  const probabilities = output.dataSync();
  x.dispose();
  output.dispose();
  const predicted = argmaxRows(probabilities, data.classes);
  return predicted.filter((p, i) => p === data.labels[i]).length / data.count;
}
