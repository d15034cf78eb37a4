// What the Train and Draw pages share about training: a worker request for the digits, and the
// trained model rebuilt on the page from what the worker hands back.
import { type CompileOptions, type Dataset, type LayerConfig, type LossName, type Model, type OptimizerConfig, type OptimizerType, argmaxRows, sequential, tensor } from '../../src/index.js';
import type { TrainRequest, TrainResult } from '../../src/worker/index.js';
import { type Digits, SIDE, TRAIN_COUNT } from './digits.js';

export interface TrainingSettings {
  layers: LayerConfig[];
  optimizer: OptimizerType;
  loss: LossName;
  learningRate: number;
  /** How the rate moves over the run, from learningRate. */
  schedule: 'constant' | 'cosine' | 'exponential';
  batchSize: number;
  epochs: number;
  seed: number;
  /** Epochs without a better test loss after which training stops, keeping the best epoch's weights (undefined: never). */
  earlyStoppingPatience?: number;
}

/** Steps in an epoch over the training digits. */
const stepsPerEpoch = (s: TrainingSettings) => Math.ceil(TRAIN_COUNT / s.batchSize);

/** The rate as compile takes it: a number, or a schedule's config (it crosses to the worker as plain data). */
function learningRate(s: TrainingSettings): OptimizerConfig['learningRate'] {
  const initialLearningRate = s.learningRate;
  if (s.schedule === 'cosine') return { className: 'CosineDecay', config: { initialLearningRate, decaySteps: s.epochs * stepsPerEpoch(s) } };
  if (s.schedule === 'exponential') return { className: 'ExponentialDecay', config: { initialLearningRate, decaySteps: stepsPerEpoch(s), decayRate: 0.5 } };
  return s.learningRate;
}

const compileOptions = (s: TrainingSettings): CompileOptions =>
  ({ optimizer: { type: s.optimizer, learningRate: learningRate(s) }, loss: s.loss });

/** Train on the 8000 training digits, validate on the 2000 test digits after each epoch. */
export function digitsRequest(settings: TrainingSettings, { train, test }: Digits): TrainRequest {
  return {
    modelConfig: { inputShape: [SIDE, SIDE, 1], layers: settings.layers, seed: settings.seed },
    compile: compileOptions(settings),
    fit: {
      epochs: settings.epochs, batchSize: settings.batchSize,
      ...(settings.earlyStoppingPatience === undefined ? {}
        : { earlyStopping: { monitor: 'val_loss', patience: settings.earlyStoppingPatience, restoreBestWeights: true } }),
    },
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

/** A model this site can use: 28×28 grey digits in, one output per digit out; else an Error saying so. */
export function checkDigitModel(model: Model): void {
  const [input, output] = [model.inputShape.join('×'), model.outputShape.join('×')];
  if (input !== '28×28×1' || output !== '10') {
    throw new Error(`This model takes ${input} and gives ${output} outputs; the site's models read 28×28×1 digits and give 10, one per digit`);
  }
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

