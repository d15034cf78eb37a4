// `convas train`: load the images, build the network, train it with a progress display and a
// checkpoint after every epoch (train-epochs.ts; `--resume` continues from one), report on the
// held-out images.
import '../io/save.js'; // registers model.save()'s file formats
import { ConfigError } from '../errors.js';
import { seededRandom } from '../random.js';
import type { TrainOptions } from './args.js';
import { buildModel, defaultArchitecture, readArchitecture } from './architecture.js';
import { runSettings, unfinishedRunIn } from './run-checkpoint.js';
import { type Print, loadRunData, runEpochs } from './train-epochs.js';

/** Returns the exit code: 0, or 128 + the signal's number when Ctrl-C stopped the run. */
export async function train(options: TrainOptions, print: Print): Promise<number> {
  const unfinished = await unfinishedRunIn(options.out);
  if (unfinished) {
    throw new ConfigError(`${options.out} holds a run stopped after epoch ${unfinished.epochsDone} of ${unfinished.epochs}: continue it with ` +
      `convas train --resume ${options.out}, or give another --out (or delete it) to start afresh`);
  }
  const settings = runSettings(options);
  const data = await loadRunData(settings, print);
  const { train } = data;
  const inputShape = [train.height, train.width, train.channels];
  const architecture = options.model ? await readArchitecture(options.model) : defaultArchitecture(train.classes, inputShape);
  const model = buildModel(architecture, inputShape, options.seed, options.model ?? 'the default network');
  model.compile({ optimizer: { type: options.optimizer, learningRate: options.learningRate }, loss: options.loss });
  return runEpochs({ model, settings, data, out: options.out, epochsDone: 0, shift: seededRandom(options.seed), threads: options.threads }, print);
}
