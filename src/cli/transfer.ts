// `convas train --base DIR --cut LAYER --data DIR`: teach a pretrained model new classes. The base
// is cut at the layer and frozen, run once over every image (the embeddings), a small head trains
// on those in seconds, and base and head are saved as one model that predict and evaluate read
// like any other (its metadata names the classes and says how images are prepared).
import '../io/save.js'; // registers model.save()'s file formats
import type { Dataset } from '../data/dataset.js';
import { ConfigError } from '../errors.js';
import { loadModel } from '../io/load.js';
import { layers } from '../layers/index.js';
import { callbacks } from '../model/callback-factories.js';
import type { Model } from '../model/model.js';
import { sequential } from '../model/sequential.js';
import { cutModel, embed } from '../model/transfer.js';
import { formatShape } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { TRAIN_DEFAULTS, type TrainOptions, type TransferOptions } from './args.js';
import { type ImageModelMetadata, labelsTensor, loadData } from './data.js';
import { watchInterrupts } from './interrupt.js';
import { TRANSFER_KEY, checkOutDirectory, removeEarlierBest } from './out-directory.js';
import { stoppedWhy } from './patience.js';
import { EmbeddingProgress, LoadingProgress, ProgressReporter } from './progress.js';
import { testReport } from './test-report.js';
import { counted } from './counted.js';

/** What a model trained on a base records besides ImageModelMetadata: where its features come from. */
export interface TransferMetadata extends ImageModelMetadata {
  [TRANSFER_KEY]: { base: string; cut: string; pooling: TransferOptions['pooling']; head: number[] };
}

/** Returns the exit code: 0, or 128 + the signal's number when Ctrl-C stopped the head's training (nothing is saved then). */
export async function trainOnBase(options: TrainOptions & { transfer: TransferOptions }, print: (text: string) => void): Promise<number> {
  const { base: basePath, cut: cutAt, pooling, head: hidden } = options.transfer;
  await checkOutDirectory(options.out, basePath);
  const base = await loadModel(basePath);
  const [height, width, channels] = base.inputShape;
  if (base.inputShape.length !== 3 || (channels !== 1 && channels !== 3)) {
    throw new ConfigError(`${basePath}: the base takes inputs of shape ${formatShape(base.inputShape)}; --base needs a model of images, [height, width, 1 or 3]`);
  }
  const features = cutModel(base, cutAt, { pooling, name: 'features' });
  if (features.outputShape.length !== 1) {
    throw new ConfigError(`--pooling ${pooling}: the features after ${cutAt} are ${formatShape(features.outputShape)} per image, which a dense head ` +
      'cannot take; use --pooling avg, max or flatten');
  }
  print(`Base ${basePath}: ${base.layers.length} layers, cut after ${cutAt} → ${formatShape(features.outputShape)} features per image` +
    `${pooling === 'none' ? '' : ` (${pooling} pooling)`}, frozen (${features.parameterCount.toLocaleString('en')} weights)`);

  const loading = new LoadingProgress(process.stdout, process.stderr);
  const normalize = options.normalize ?? '[-1,1]';
  const images = { size: [height, width] as [number, number], channels: channels as 1 | 3, normalize, validationSplit: options.validationSplit ?? TRAIN_DEFAULTS.validationSplit, seed: options.seed };
  const { train, test, source, metadata } = await loadData(options.data, images, loading);
  print(loading.finish());
  if (!metadata) throw new ConfigError(`${options.data}: --base teaches classes from image folders (one folder per class), not IDX files`);

  const embedding = new EmbeddingProgress(process.stdout);
  const total = train.count + test.count;
  const embedAll = async (data: Dataset, offset: number) =>
    embed(features, data.images, { onProgress: (done) => embedding.progress(offset + done, total) });
  const trainFeatures = await embedAll(train, 0);
  const testFeatures = await embedAll(test, train.count);
  print(embedding.finish());

  const head = sequential({ inputShape: [...features.outputShape], seed: options.seed, name: 'head', layers: [
    ...hidden.map((units) => layers.dense({ units, activation: 'relu' })), layers.dense({ units: train.classes, activation: 'softmax' }),
  ] });
  head.compile({ optimizer: { type: options.optimizer, learningRate: options.learningRate }, loss: options.loss });
  print(`Training a head (${[...hidden.map((u) => `dense ${u} relu`), `dense ${train.classes} softmax`].join(' → ')}, ` +
    `${head.parameterCount.toLocaleString('en')} weights) on ${counted(train.count, 'image')} from ${source} (${train.classes} classes: ` +
    `${metadata.classNames.join(', ')}), testing on ${counted(test.count, 'held-out image')}`);
  print(`${counted(options.epochs, 'epoch')}, batch size ${options.batchSize}, ${options.optimizer} ` +
    `(learning rate ${head.compileConfig!.optimizer.learningRate}), ${options.loss}, seed ${options.seed}\n`);
  const testLabels = labelsTensor(test);
  const stopped = await fitHead(head, trainFeatures, labelsTensor(train), options, [testFeatures, testLabels], print);
  trainFeatures.dispose();
  testFeatures.dispose();
  testLabels.dispose();
  if (stopped.signal) {
    print(`\nStopped (${stopped.signal}): nothing saved. With --base the images' features take most of the time and the head ` +
      'seconds, so a stopped run is not kept: run it again');
    return stopped.exitCode;
  }

  const whole = sequential({ inputShape: [...base.inputShape], name: 'classifier', layers: [features, head] });
  const saved: TransferMetadata = { ...metadata, [TRANSFER_KEY]: { base: basePath, cut: cutAt, pooling, head: hidden } };
  whole.setUserDefinedMetadata({ ...saved });
  // The saved model is scored, not the head alone: base and head together, on the held-out images.
  print(`\n${testReport(whole, test, metadata.classNames).text}\n`);
  await whole.save(options.out, { format: options.format });
  await removeEarlierBest(options.out, print, basePath); // after the save: one that fails leaves the earlier run whole
  print(`Model saved to ${options.out} (base and head${options.format === 'tfjs' ? ', TensorFlow.js format' : ''})`);
  print(`Wall time: ${(performance.now() / 1000).toFixed(1)} s`);
  return 0;
}

/**
 * Trains the head, stopping after a batch on Ctrl-C (the signal is then in what it returns). With
 * --patience, Keras's early stopping on the held-out features' loss, the best epoch's weights kept
 * (as patience.ts does for a network trained from scratch).
 */
async function fitHead(head: Model, x: Tensor, y: Tensor, options: TrainOptions, heldOut: [Tensor, Tensor],
  print: (text: string) => void): Promise<{ signal?: NodeJS.Signals; exitCode: number }> {
  const batchSize = Math.min(options.batchSize, x.shape[0]);
  const early = options.patience === undefined ? undefined : callbacks.earlyStopping({ patience: options.patience, restoreBestWeights: true });
  const progress = new ProgressReporter(process.stdout, options.epochs, Math.ceil(x.shape[0] / batchSize));
  const interrupts = watchInterrupts();
  progress.start();
  try {
    await head.fit(x, y, {
      epochs: options.epochs, batchSize, shuffle: true,
      ...(early ? { validationData: heldOut, callbacks: [early] } : {}),
      onBatchEnd: (batch, logs) => progress.batchEnd(batch, logs),
      onEpochEnd: (epoch, logs) => {
        if (!interrupts.signal) progress.epochEnd(epoch, logs);
      },
      shouldStop: () => interrupts.signal !== undefined,
    });
  } finally {
    interrupts.dispose();
    y.dispose();
  }
  if (early && !interrupts.signal) {
    const why = early.stoppedEpoch ? stoppedWhy(options.patience!, early.stoppedEpoch + 1) : `all ${options.epochs} epochs done`;
    print(`\nEarly stopping (--patience ${options.patience}): ${why}; kept the weights of epoch ${early.bestEpoch + 1}, the lowest ` +
      `held-out loss (${early.best.toFixed(4)})`);
  }
  return { signal: interrupts.signal, exitCode: interrupts.exitCode };
}
