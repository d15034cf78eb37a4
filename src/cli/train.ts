// `convas train`: load the images, build the network, train it with a progress display, report on
// the held-out images, save the model.
import '../io/save.js'; // registers model.save()'s file formats
import { seededRandom } from '../random.js';
import { DEFAULT_IMAGE_SIZE, type TrainOptions } from './args.js';
import { buildModel, defaultArchitecture, readArchitecture } from './architecture.js';
import { shiftImages } from './augment.js';
import { imagesTensor, labelsTensor, loadData } from './data.js';
import { LoadingProgress, ProgressReporter } from './progress.js';
import { testReport } from './test-report.js';

export async function train(options: TrainOptions, print: (text: string) => void): Promise<void> {
  const loading = new LoadingProgress(process.stdout, process.stderr);
  const images = { size: options.size ?? DEFAULT_IMAGE_SIZE, channels: options.channels, normalize: options.normalize ?? '[0,1]',
    validationSplit: options.validationSplit, seed: options.seed };
  const { train, test, source, metadata } = await loadData(options.data, images, loading);
  if (metadata) print(loading.finish());
  const inputShape = [train.height, train.width, train.channels];
  const architecture = options.model ? await readArchitecture(options.model) : defaultArchitecture(train.classes, inputShape);
  const model = buildModel(architecture, inputShape, options.seed, options.model ?? 'the default network');
  model.compile({ optimizer: { type: options.optimizer, learningRate: options.learningRate }, loss: options.loss });
  if (metadata) model.setUserDefinedMetadata({ ...metadata });
  const { learningRate } = model.compileConfig!.optimizer;

  const classes = metadata ? `${train.classes} classes: ${metadata.classNames.join(', ')}` : `${train.classes} classes`;
  print(`Training on ${train.count} images from ${source} (${inputShape.join('×').replace(/×1$/, '')}, ${classes}), ` +
    `testing on ${test.count} held-out images`);
  model.summary(print);
  const threads = options.threads === 1 ? '' : `, ${options.threads} threads`;
  print(`${options.epochs} epoch${options.epochs === 1 ? '' : 's'}, batch size ${options.batchSize}, ${options.optimizer} (learning rate ${learningRate}), ` +
    `${options.loss}, images shifted by up to ${options.shift} px, seed ${options.seed}${threads}\n`);

  const y = labelsTensor(train);
  const shifted = new Float32Array(train.images.length);
  const rng = seededRandom(options.seed);
  const progress = new ProgressReporter(process.stdout, options.epochs, Math.ceil(train.count / Math.min(options.batchSize, train.count)));
  progress.start();
  // One fit() per epoch, each on freshly shifted images.
  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shiftImages(train.images, shifted, train.count, train.height, train.width, options.shift, rng, train.channels);
    const x = imagesTensor({ ...train, images: shifted });
    await model.fit(x, y, {
      batchSize: Math.min(options.batchSize, train.count), // one default serves datasets of any size
      onBatchEnd: (batch, logs) => progress.batchEnd(batch, logs),
      onEpochEnd: (_, logs) => progress.epochEnd(epoch, logs),
    });
    x.dispose();
  }
  y.dispose();

  print(`\n${testReport(model, test, metadata?.classNames).text}\n`);
  await model.save(options.out, { format: options.format });
  print(`Model saved to ${options.out}`);
  // performance.now() counts from process start: the figure includes start-up and loading the data.
  print(`Wall time: ${(performance.now() / 1000).toFixed(1)} s`);
}
