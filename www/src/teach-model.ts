// The Teach page's model work, apart from its DOM: a pretrained base loaded once and kept in
// IndexedDB for offline use, cut and frozen; pictures made its input; their embeddings computed on
// the page and a small head trained on them in the worker; base and head stacked into the model
// that predicts and is exported, with the class names and input preparation in its metadata.
import { type ImageSource, type Model, type RgbaImage, embed, imageToPixels, loadModel, sequential } from '../../src/index.js';
import type { TrainRequest, TrainResult } from '../../src/worker/index.js';

const CACHED_BASE = 'indexeddb://convas-teach-base';

/** A base from a URL or picked files, kept in this browser so that the page works offline afterwards. */
export async function loadBase(source: string | File[]): Promise<Model> {
  const base = await loadModel(source);
  await base.save(CACHED_BASE);
  return base;
}

/** The base loaded last in this browser, or undefined if there is none yet. */
export async function cachedBase(): Promise<Model | undefined> {
  try {
    return await loadModel(CACHED_BASE);
  } catch {
    return undefined;
  }
}

/** Where Keras MobileNets are usually cut (their last feature maps), else the layer before the last. */
export function defaultCut(base: Model): string {
  const names = base.layers.map((l) => l.name);
  return ['out_relu', 'conv_pw_13_relu'].find((name) => names.includes(name)) ?? names.at(-2) ?? names[0];
}

/** How pictures become the base's input: its size, centre-cropped, in [−1, 1] as MobileNets expect. */
export function imageInput(base: Model) {
  const [height, width, channels] = base.inputShape;
  return { size: [height, width] as [number, number], channels: channels as 1 | 3, normalize: '[-1,1]' as const, crop: 'center' as const };
}

export const picturePixels = (base: Model, source: ImageSource): Float32Array => imageToPixels(source, imageInput(base));

/** The longest side a picture is kept at: over twice a MobileNet's input, and a phone photo takes 1 MB, not 48. */
const KEPT_SIDE = 512;

/** A picture as the page keeps it until training: no larger than KEPT_SIDE a side, its aspect kept. */
export function keptPicture(image: RgbaImage): RgbaImage {
  const scale = KEPT_SIDE / Math.max(image.width, image.height);
  if (scale >= 1) return image;
  const height = Math.max(1, Math.round(image.height * scale)), width = Math.max(1, Math.round(image.width * scale));
  const rgb = imageToPixels(image, { size: [height, width], channels: 3, crop: 'none', normalize: '[0,255]' });
  const data = new Uint8Array(4 * width * height).fill(255);
  for (let i = 0; i < width * height; i++) for (let c = 0; c < 3; c++) data[4 * i + c] = Math.round(rgb[3 * i + c]);
  return { width, height, data, greyscale: image.greyscale };
}

/** Pictures per step of the head's training. */
const HEAD_BATCH = 16;

export interface HeadSettings {
  epochs: number;
  learningRate: number;
  hiddenUnits: number;
}

/** The cut base's features of every picture (computed here, once) and the head's training request for the worker. */
export async function headRequest(features: Model, pictures: Float32Array[], labels: number[], classes: number, settings: HeadSettings,
  onProgress: (done: number, total: number) => void): Promise<TrainRequest> {
  const all = new Float32Array(pictures.reduce((n, p) => n + p.length, 0));
  pictures.reduce((offset, p) => (all.set(p, offset), offset + p.length), 0);
  const embeddings = await embed(features, all, { onProgress });
  const images = embeddings.dataSync();
  embeddings.dispose();
  return {
    modelConfig: {
      inputShape: [...features.outputShape], seed: 0,
      layers: [{ className: 'Dense', units: settings.hiddenUnits, activation: 'relu' }, { className: 'Dense', units: classes, activation: 'softmax' }],
    },
    compile: { optimizer: { type: 'adam', learningRate: settings.learningRate }, loss: 'categoricalCrossentropy' },
    // Batches of 16, or of every picture when there are fewer (a few per class is how one starts).
    fit: { epochs: settings.epochs, batchSize: Math.min(HEAD_BATCH, labels.length), shuffle: true },
    data: { images, labels: Uint8Array.from(labels) },
  };
}

/** The cut base followed by the trained head: one model, which names its classes and says how pictures are prepared. */
export function classifier(base: Model, features: Model, result: TrainResult, classNames: string[]): Model {
  const head = sequential({ ...result.modelConfig, name: 'head' });
  head.setWeights(result.weights);
  const whole = sequential({ inputShape: [...base.inputShape], name: 'classifier', layers: [features, head] });
  whole.setUserDefinedMetadata({ classNames, imageInput: imageInput(base) });
  return whole;
}
