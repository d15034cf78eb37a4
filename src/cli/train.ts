// `convas train`: load the images, build the network (or, with --resume, take a stopped run's last
// checkpoint), train it with a progress display, save a checkpoint after every epoch, and report
// on the held-out images. A stopped run (Ctrl-C, a crash, kill -9) resumed from its checkpoint ends
// with the same weights, bit for bit, as if it had never stopped.
import '../io/save.js'; // registers model.save()'s file formats
import { ConfigError } from '../errors.js';
import type { Model } from '../model/model.js';
import { type Random, seededRandom } from '../random.js';
import { DEFAULT_IMAGE_SIZE, type ResumeOptions, type Threads, type TrainOptions } from './args.js';
import { buildModel, defaultArchitecture, readArchitecture } from './architecture.js';
import { shiftImages } from './augment.js';
import { type LoadedData, imagesTensor, labelsTensor, loadData } from './data.js';
import { watchInterrupts } from './interrupt.js';
import { LoadingProgress, ProgressReporter } from './progress.js';
import { type RunSettings, loadCheckpoint, recordRun, runSettings, unfinishedRunIn } from './run-checkpoint.js';
import { testReport } from './test-report.js';

type Print = (text: string) => void;

/** A run ready to train from epoch `epochsDone`, saving its checkpoints to `out`. */
interface Run {
  model: Model;
  settings: RunSettings;
  data: LoadedData;
  out: string;
  epochsDone: number;
  shift: Random;
  threads: Threads;
}

/** A new run; returns the exit code (0, or 128 + the signal's number when Ctrl-C stopped it). */
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
  const model = buildModel(architecture, inputShape, settings.seed, options.model ?? 'the default network');
  model.compile({ optimizer: { type: settings.optimizer, learningRate: settings.learningRate }, loss: settings.loss });
  return runEpochs({ model, settings, data, out: options.out, epochsDone: 0, shift: seededRandom(settings.seed), threads: options.threads }, print);
}

/** `convas train --resume DIR`: the run saved in DIR, from its last checkpoint, with its own settings. */
export async function resume(options: ResumeOptions, print: Print): Promise<number> {
  const { model, run } = await loadCheckpoint(options.dir);
  const settings = { ...run.settings, epochs: options.epochs ?? run.settings.epochs };
  if (settings.epochs < run.epochsDone) {
    throw new ConfigError(`--epochs ${settings.epochs} is fewer than the ${run.epochsDone} epochs the run in ${options.dir} has done`);
  }
  print(`Resuming the run saved in ${options.dir} after epoch ${run.epochsDone} of ${settings.epochs}`);
  const data = await loadRunData(settings, print);
  const shift = seededRandom(settings.seed);
  shift.state = run.shiftState;
  return runEpochs({ model, settings, data, out: options.dir, epochsDone: run.epochsDone, shift, threads: options.threads }, print);
}

async function loadRunData(settings: RunSettings, print: Print): Promise<LoadedData> {
  const loading = new LoadingProgress(process.stdout, process.stderr);
  const images = { size: settings.size ?? DEFAULT_IMAGE_SIZE, channels: settings.channels, normalize: settings.normalize ?? '[0,1]',
    validationSplit: settings.validationSplit, seed: settings.seed };
  const data = await loadData(settings.data, images, loading);
  if (data.metadata) print(loading.finish());
  return data;
}

/** Trains the epochs left, one fit() each on freshly shifted images, with a checkpoint after each (and before the first). */
async function runEpochs(run: Run, print: Print): Promise<number> {
  const { model, settings, data: { train, test, source, metadata }, out, shift } = run;
  const inputShape = [train.height, train.width, train.channels];
  const classes = metadata ? `${train.classes} classes: ${metadata.classNames.join(', ')}` : `${train.classes} classes`;
  print(`Training on ${train.count} images from ${source} (${inputShape.join('×').replace(/×1$/, '')}, ${classes}), ` +
    `testing on ${test.count} held-out images`);
  model.summary(print);
  const threads = run.threads === 1 ? '' : `, ${run.threads} threads`;
  const { learningRate } = model.compileConfig!.optimizer;
  print(`${settings.epochs} epoch${settings.epochs === 1 ? '' : 's'}, batch size ${settings.batchSize}, ${settings.optimizer} (learning rate ${learningRate}), ` +
    `${settings.loss}, images shifted by up to ${settings.shift} px, seed ${settings.seed}${threads}; a checkpoint in ${out} after every epoch\n`);

  let epochsDone = run.epochsDone;
  const saveCheckpoint = () => {
    recordRun(model, metadata, { settings, epochsDone, shiftState: shift.state });
    return model.save(out);
  };
  const y = labelsTensor(train);
  const shifted = new Float32Array(train.images.length);
  const batchSize = Math.min(settings.batchSize, train.count); // one default serves datasets of any size
  const progress = new ProgressReporter(process.stdout, settings.epochs, Math.ceil(train.count / batchSize));
  const interrupts = watchInterrupts(() => process.stderr.write('\nconvas: stopping after this batch (Ctrl-C again to quit at once)\n'));
  try {
    // Before the first epoch, so that a run stopped in it can resume too; and again when a finished
    // run is resumed (killed while saving its last checkpoint, say), so that its files end whole and tidy.
    if (epochsDone === 0 || epochsDone === settings.epochs) await saveCheckpoint();
    progress.start(epochsDone);
    for (let epoch = epochsDone; epoch < settings.epochs && !interrupts.signal; epoch++) {
      shiftImages(train.images, shifted, train.count, train.height, train.width, settings.shift, shift, train.channels);
      const x = imagesTensor({ ...train, images: shifted });
      await model.fit(x, y, {
        batchSize,
        onBatchEnd: (batch, logs) => progress.batchEnd(batch, logs),
        onEpochEnd: (_, logs) => {
          if (!interrupts.signal) progress.epochEnd(epoch, logs); // a stopped epoch is not one
        },
        shouldStop: () => interrupts.signal !== undefined,
      });
      x.dispose();
      if (interrupts.signal) break; // the epoch is unfinished: the last checkpoint stands
      epochsDone = epoch + 1;
      await saveCheckpoint();
    }
  } finally {
    interrupts.dispose();
    y.dispose();
  }
  if (epochsDone < settings.epochs) {
    print(`\nStopped (${interrupts.signal}): the checkpoint in ${out} holds epoch ${epochsDone} of ${settings.epochs}; ` +
      `continue with convas train --resume ${out}`);
    return interrupts.exitCode;
  }
  print(`\n${testReport(model, test, metadata?.classNames).text}\n`);
  print(`Model saved to ${out}`);
  // performance.now() counts from process start: the figure includes start-up and loading the data.
  print(`Wall time: ${(performance.now() / 1000).toFixed(1)} s`);
  return 0;
}
