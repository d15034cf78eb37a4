// `convas evaluate`: accuracy and confusion matrix of a saved model on held-out images. A model
// trained on image folders remembers how its images were made and which were held out; one trained
// by convas train remembers its data directory, which is the default.
import { ConfigError } from '../errors.js';
import { loadModel } from '../io/load.js';
import { formatShape } from '../shape.js';
import type { Threads } from './args.js';
import { type ImageModelMetadata, loadData } from './data.js';
import { LoadingProgress } from './progress.js';
import { recordedRun } from './run-checkpoint.js';
import { testReport } from './test-report.js';

/** The bundled digits' image shape, [height, width, channels]. */
const DIGITS = [28, 28, 1];

export async function evaluate(options: { model: string; data?: string; threads: Threads }, print: (text: string) => void): Promise<void> {
  const model = await loadModel(options.model);
  const metadata = model.getUserDefinedMetadata();
  const saved = metadata as ImageModelMetadata | undefined;
  const data = options.data ?? recordedRun(metadata)?.settings.data;
  if (data === undefined && formatShape(model.inputShape) !== formatShape(DIGITS)) {
    throw new ConfigError(`${options.model} takes ${formatShape(model.inputShape)} images and records no data directory, and the ` +
      `bundled digits are ${formatShape(DIGITS)}: give the images to evaluate on with --data DIR`);
  }
  const [height, width, channels] = model.inputShape;
  const images = {
    size: saved?.imageInput?.size ?? [height, width] as [number, number], channels: (channels === 1 ? 1 : 3) as 1 | 3,
    normalize: saved?.imageInput?.normalize ?? '[0,1]', validationSplit: saved?.validation?.split ?? 0.2, seed: saved?.validation?.seed ?? 0,
  } as const;
  const loading = new LoadingProgress(process.stdout, process.stderr);
  const loaded = await loadData(data, images, loading);
  if (loaded.metadata) print(loading.finish());
  print(`Evaluating ${options.model} on ${loaded.test.count} held-out images from ${loaded.source}\n`);
  print(testReport(model, loaded.test, saved?.classNames ?? loaded.metadata?.classNames).text);
}
