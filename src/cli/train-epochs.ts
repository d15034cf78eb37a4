// The epochs of `convas train`, for a new run and a resumed one alike: one fit() per epoch on
// freshly shifted images, with a progress display and a checkpoint after each epoch, stopping
// cleanly on Ctrl-C, and with --patience early (patience.ts); then the report on the held-out images.
import type { Model } from '../model/model.js';
import type { Random } from '../random.js';
import type { Tensor } from '../tensor.js';
import { ConfigError } from '../errors.js';
import { DEFAULT_IMAGE_SIZE, TRAIN_DEFAULTS, type Threads, imageFolderSettings } from './args.js';
import { shiftImages } from './augment.js';
import { type LoadedData, imagesTensor, labelsTensor, loadData } from './data.js';
import { watchInterrupts } from './interrupt.js';
import { LoadingProgress, ProgressReporter } from './progress.js';
import { type PatienceState, bestDirectory, countEpoch, restoreBest, stoppedWhy } from './patience.js';
import { type RunSettings, recordRun } from './run-checkpoint.js';
import { testReport } from './test-report.js';
import { counted } from './counted.js';

export type Print = (text: string) => void;

/** A run ready to train from epoch `epochsDone`, saving its checkpoints to `out`. */
export interface Run {
  model: Model;
  settings: RunSettings;
  data: LoadedData;
  out: string;
  epochsDone: number;
  /** The stream that shifts the training images, where the run left it. */
  shift: Random;
  threads: Threads;
  /** With --patience: where early stopping stands. */
  patience?: PatienceState;
  /**
   * A new run's step once its first checkpoint has replaced the model in `out` (removeEarlierBest):
   * a run stopped or failing before that leaves the earlier run in `out` as it was.
   */
  afterFirstCheckpoint?: () => Promise<void>;
}

/** The images a run trains and tests on, with a progress bar while image folders load. */
export async function loadRunData(settings: RunSettings, print: Print): Promise<LoadedData> {
  const loading = new LoadingProgress(process.stdout, process.stderr);
  // ImageNet's normalisation is per colour channel: with it, 'auto' makes colour images.
  const channels = settings.channels === 'auto' && settings.normalize === 'imagenet' ? 3 : settings.channels;
  const images = { size: settings.size ?? DEFAULT_IMAGE_SIZE, channels, normalize: settings.normalize ?? '[0,1]',
    validationSplit: settings.validationSplit ?? TRAIN_DEFAULTS.validationSplit, seed: settings.seed };
  const data = await loadData(settings.data, images, loading);
  if (data.metadata) print(loading.finish());
  return data;
}

/** IDX files come made, split already: settings that make images from files would be ignored (the digits': args.ts refuses them). */
export function refuseImageSettings(settings: RunSettings, data: LoadedData): void {
  const given = imageFolderSettings(settings);
  if (!data.metadata && given.length) {
    throw new ConfigError(`${given.join(', ')} ${given.length === 1 ? 'applies' : 'apply'} to folders of images; ${data.source} ` +
      `holds images made already (${data.train.height}×${data.train.width}×${data.train.channels})`);
  }
}

/** Trains the epochs left, with a checkpoint after each (and before the first); returns the exit code (0, or 128 + a signal's number). */
export async function runEpochs(run: Run, print: Print): Promise<number> {
  const { model, settings, data: { train, test, source, metadata }, out, shift } = run;
  const inputShape = [train.height, train.width, train.channels];
  const classes = metadata ? `${train.classes} classes: ${metadata.classNames.join(', ')}` : `${train.classes} classes`;
  print(`Training on ${counted(train.count, 'image')} from ${source} (${inputShape.join('×').replace(/×1$/, '')}, ${classes}), ` +
    `testing on ${counted(test.count, 'held-out image')}`);
  model.summary(print);
  const threads = run.threads === 1 ? '' : `, ${run.threads} threads`;
  const { learningRate } = model.compileConfig!.optimizer;
  print(`${counted(settings.epochs, 'epoch')}, batch size ${settings.batchSize}, ${settings.optimizer} (learning rate ${learningRate}), ` +
    `${settings.loss}, images shifted by up to ${settings.shift} px, seed ${settings.seed}${threads}; a checkpoint in ${out} after every epoch\n`);

  let epochsDone = run.epochsDone;
  const { patience } = run;
  const saveCheckpoint = () => {
    recordRun(model, metadata, { settings, epochsDone, shiftState: shift.state, ...(patience ? { patience } : {}) });
    return model.save(out);
  };
  // The best epoch's model: saved after the checkpoint that records it, and again on resuming from
  // that checkpoint, in case the run was stopped between the two saves.
  const saveBest = () => model.save(bestDirectory(out));
  const finished = () => epochsDone === settings.epochs || patience?.stopped === true;
  const y = labelsTensor(train);
  // --patience follows the held-out images' loss, evaluated after each epoch as fit's validation.
  const heldOut: [Tensor, Tensor] | undefined = patience ? [imagesTensor(test), labelsTensor(test)] : undefined;
  const shifted = new Float32Array(train.images.length);
  const batchSize = Math.min(settings.batchSize, train.count); // one default serves datasets of any size
  const progress = new ProgressReporter(process.stdout, settings.epochs, Math.ceil(train.count / batchSize));
  const interrupts = watchInterrupts();
  try {
    // Before the first epoch, so that a run stopped in it can resume too; and again when a finished
    // run is resumed (killed while saving its last checkpoint, say), so that its files end whole and tidy.
    if (epochsDone === 0 || finished()) await saveCheckpoint();
    await run.afterFirstCheckpoint?.();
    if (patience && patience.bestEpoch === epochsDone && epochsDone > 0) await saveBest();
    progress.start(epochsDone);
    for (let epoch = epochsDone; !finished() && !interrupts.signal; epoch++) {
      shiftImages(train.images, shifted, train.count, train.height, train.width, settings.shift, shift, train.channels);
      const x = imagesTensor({ ...train, images: shifted });
      let heldOutLoss = NaN;
      await model.fit(x, y, {
        batchSize,
        validationData: heldOut,
        onBatchEnd: (batch, logs) => progress.batchEnd(batch, logs),
        onEpochEnd: (_, logs) => {
          if (!interrupts.signal) progress.epochEnd(epoch, logs); // a stopped epoch is not one
          heldOutLoss = logs.val_loss ?? NaN;
        },
        shouldStop: () => interrupts.signal !== undefined,
      });
      x.dispose();
      if (interrupts.signal) break; // the epoch is unfinished: the last checkpoint stands
      epochsDone = epoch + 1;
      const best = patience && countEpoch(patience, settings.patience!, epochsDone, heldOutLoss);
      await saveCheckpoint();
      if (best) await saveBest();
    }
    if (patience && finished()) {
      if (await restoreBest(model, patience, out, epochsDone)) await saveCheckpoint();
      const why = patience.stopped ? stoppedWhy(settings.patience!, epochsDone) : `all ${epochsDone} epochs done`;
      print(`\nEarly stopping (--patience ${settings.patience}): ${why}; kept the weights of epoch ${patience.bestEpoch}, the lowest ` +
        `held-out loss (${patience.best.toFixed(4)}), which ${bestDirectory(out)} holds too`);
    }
  } finally {
    interrupts.dispose();
    y.dispose();
    heldOut?.forEach((t) => t.dispose());
  }
  if (!finished()) {
    print(`\nStopped (${interrupts.signal}): the checkpoint in ${out} holds epoch ${epochsDone} of ${settings.epochs}; ` +
      `continue with convas train --resume ${out}`);
    return interrupts.exitCode;
  }
  // The checkpoints are convas files (they hold the optimizer's state); --format tfjs replaces the last one.
  if (settings.format === 'tfjs') await model.save(out, { format: 'tfjs' });
  print(`\n${testReport(model, test, metadata?.classNames).text}\n`);
  print(`Model saved to ${out}`);
  // performance.now() counts from process start: the figure includes start-up and loading the data.
  print(`Wall time: ${(performance.now() / 1000).toFixed(1)} s`);
  return 0;
}
