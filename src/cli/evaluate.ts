// `convas evaluate`: accuracy and confusion matrix of a saved model on held-out images. A model
// trained on image folders remembers how its images were made and which were held out; a model
// from convas train remembers its data directory, which is the default.
import { access, realpath } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ConfigError } from '../errors.js';
import { loadModel } from '../io/load.js';
import { type Shape, formatShape } from '../shape.js';
import type { Threads } from './args.js';
import { type ImageModelMetadata, loadData } from './data.js';
import { checkModelTakesData } from './model-data.js';
import { LoadingProgress } from './progress.js';
import { recordedRun } from './run-checkpoint.js';
import { testReport } from './test-report.js';
import { counted } from './counted.js';

/** The bundled digits' image shape, [height, width, channels]. */
const DIGITS = [28, 28, 1];

export async function evaluate(options: { model: string; data?: string; threads: Threads }, print: (text: string) => void): Promise<void> {
  const model = await loadModel(options.model);
  const metadata = model.getUserDefinedMetadata();
  const saved = metadata as ImageModelMetadata | undefined;
  const data = options.data ?? await recordedData(options.model, model.inputShape, metadata);
  // The image folders the model was trained on score their held-out share; other folders, every image.
  const otherFolders = data !== undefined && await realPath(data) !== await realPath(saved?.validation?.directory);
  const [height, width, channels] = model.inputShape;
  const images = {
    size: saved?.imageInput?.size ?? [height, width] as [number, number], channels: (channels === 1 ? 1 : 3) as 1 | 3,
    normalize: saved?.imageInput?.normalize ?? '[0,1]', validationSplit: otherFolders ? 0 : saved?.validation?.split ?? 0.2, seed: saved?.validation?.seed ?? 0,
  } as const;
  const loading = new LoadingProgress(process.stdout, process.stderr);
  const loaded = await loadData(data, images, loading);
  if (loaded.metadata) print(loading.finish());
  checkClassNames(saved?.classNames, loaded.metadata?.classNames, options.model, loaded.source);
  checkModelTakesData(model, loaded.test, options.model, loaded.source);
  const whole = otherFolders && loaded.metadata !== undefined;
  print(`Evaluating ${options.model} on ${counted(loaded.test.count, whole ? 'image' : 'held-out image')} from ${loaded.source}\n`);
  print(testReport(model, loaded.test, saved?.classNames ?? loaded.metadata?.classNames).text);
}

/** The path with links resolved (a link to the model's own folder is that folder), or undefined. */
const realPath = (path: string | undefined) => (path === undefined ? undefined : realpath(path).catch(() => resolve(path)));

/** A model that names its classes scores only folders of those classes, in its order (sorted names give the labels). */
function checkClassNames(model: string[] | undefined, data: string[] | undefined, modelName: string, dataName: string): void {
  if (!model || !data || model.join('\n') === data.join('\n')) return;
  throw new ConfigError(`${modelName} was trained on the classes ${model.join(', ')}, but the class folders of ${dataName} are ` +
    `${data.join(', ')}; evaluate scores images of the model's own classes, one folder for each`);
}

/**
 * The data directory the model records (image folders: their own record; IDX files: the training
 * run's settings), checked readable; undefined for the bundled digits, which only a model of their
 * shape that names no classes of its own may take.
 */
async function recordedData(modelPath: string, inputShape: Shape, metadata: Record<string, unknown> | undefined): Promise<string | undefined> {
  const saved = metadata as Partial<ImageModelMetadata> | undefined;
  const folders = saved?.validation?.directory;
  const data = typeof folders === 'string' ? folders : recordedRun(metadata)?.settings.data;
  if (data === undefined) {
    if (saved?.classNames === undefined && formatShape(inputShape) === formatShape(DIGITS)) return undefined;
    throw new ConfigError(`${modelPath} records no data directory, and ${saved?.classNames ? 'names classes of its own' : `takes ${formatShape(inputShape)} images`}, ` +
      `not the bundled digits (${formatShape(DIGITS)}, classes 0-9): give the images to evaluate on with --data DIR`);
  }
  try {
    await access(data);
  } catch (error) {
    throw new ConfigError(`${modelPath} was trained on ${data}, which cannot be read now (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}): ` +
      'give the images to evaluate on with --data DIR');
  }
  return data;
}
