// `convas evaluate`: accuracy and confusion matrix of a saved model on held-out images. A model
// trained on image folders remembers how its images were made and which were held out.
import { loadModel } from '../io/load.js';
import type { Threads } from './args.js';
import { type ImageModelMetadata, loadData } from './data.js';
import { LoadingProgress } from './progress.js';
import { testReport } from './test-report.js';

export async function evaluate(options: { model: string; data?: string; threads: Threads }, print: (text: string) => void): Promise<void> {
  const model = await loadModel(options.model);
  const saved = model.getUserDefinedMetadata() as ImageModelMetadata | undefined;
  const [height, width, channels] = model.inputShape;
  const images = {
    size: saved?.imageInput?.size ?? [height, width] as [number, number], channels: (channels === 1 ? 1 : 3) as 1 | 3,
    normalize: saved?.imageInput?.normalize ?? '[0,1]', validationSplit: saved?.validation?.split ?? 0.2, seed: saved?.validation?.seed ?? 0,
  } as const;
  const loading = new LoadingProgress(process.stdout, process.stderr);
  const { test, source, metadata } = await loadData(options.data, images, loading);
  if (metadata) print(loading.finish());
  print(`Evaluating ${options.model} on ${test.count} held-out images from ${source}\n`);
  print(testReport(model, test, saved?.classNames ?? metadata?.classNames).text);
}
