// `convas train`: load the images, build the network, train it with a progress display and a
// checkpoint after every epoch (train-epochs.ts; `--resume` continues from one), report on the
// held-out images.
import '../io/save.js'; // registers model.save()'s file formats
import { seededRandom } from '../random.js';
import type { TrainOptions } from './args.js';
import { buildModel, defaultArchitecture, readArchitecture } from './architecture.js';
import { checkModelTakesData } from './model-data.js';
import { checkOutDirectory, removeEarlierBest } from './out-directory.js';
import { freshPatience } from './patience.js';
import { runSettings } from './run-checkpoint.js';
import { type Print, loadRunData, refuseImageSettings, runEpochs } from './train-epochs.js';

/** Returns the exit code: 0, or 128 + the signal's number when Ctrl-C stopped the run. */
export async function train(options: TrainOptions, print: Print): Promise<number> {
  await checkOutDirectory(options.out, undefined, options.patience !== undefined);
  const settings = runSettings(options);
  const data = await loadRunData(settings, print);
  refuseImageSettings(settings, data);
  const { train } = data;
  const inputShape = [train.height, train.width, train.channels];
  const architecture = options.model ? await readArchitecture(options.model) : defaultArchitecture(train.classes, inputShape);
  const model = buildModel(architecture, inputShape, options.seed, options.model ?? 'the default network');
  checkModelTakesData(model, train, options.model ?? 'the default network', data.source);
  model.compile({ optimizer: { type: options.optimizer, learningRate: options.learningRate }, loss: options.loss });
  return runEpochs({ model, settings, data, out: options.out, epochsDone: 0, shift: seededRandom(options.seed), threads: options.threads,
    ...(options.patience === undefined ? {} : { patience: freshPatience() }), afterFirstCheckpoint: () => removeEarlierBest(options.out, print) },
  print);
}
