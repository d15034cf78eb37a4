// A folder of image folders as a dataset, as Keras's image_dataset_from_directory reads one: one
// sub-folder per class (its name, sorted, gives the class), the images anywhere inside it, split
// into training and validation with a seeded shuffle of the files, each image made a model input
// by imageToPixels. Node only. A file that cannot be read or decoded is skipped with a warning
// naming it, so one bad photo never ends a long load; a class with no images is an error.
import { ConfigError } from '../errors.js';
import { importNodeBuiltin, runsInNode } from '../platform.js';
import { seededRandom } from '../random.js';
import type { Dataset } from './dataset.js';
import { decodeImage } from './image.js';
import { type ImageInputOptions, imageToPixels, resolveImageInput } from './image-input.js';

/** Image files are found by their extension (then decoded by their content); other files are left alone. */
const IMAGE_EXTENSIONS = /\.(jpe?g|png|pgm)$/i;

export interface ImageFolderOptions extends Omit<ImageInputOptions, 'size' | 'channels'> {
  /** [height, width] (or one number) every image is made; default 224. */
  size?: number | [number, number];
  /** 3 (default), 1, or 'auto': 1 when every image is stored grey, else 3 (with a preset normalisation only). */
  channels?: 1 | 3 | 'auto';
  /** The share of the images held out for validation, in [0, 1); default 0. */
  validationSplit?: number;
  /** Seeds the shuffle that picks the validation images; default 0. */
  seed?: number;
  /** Images larger than this are skipped (see decodeImage); default 50 megapixels. */
  maxPixels?: number;
  /** Called after each image, read or skipped. */
  onProgress?: (done: number, total: number, file: string) => void;
  /** Told each file skipped and why; default console.warn. */
  onWarning?: (message: string) => void;
}

export interface ImageFolderDataset {
  train: Dataset;
  /** Present when validationSplit > 0. */
  validation?: Dataset;
  /** The class folders' names, in label order (sorted). */
  classNames: string[];
  /** The files skipped, with why. */
  skipped: string[];
}

export async function imageDatasetFromDirectory(directory: string, options: ImageFolderOptions = {}): Promise<ImageFolderDataset> {
  if (!runsInNode) throw new ConfigError('imageDatasetFromDirectory reads folders on disk (Node); in a browser, loadImage the files you are given');
  const { size = 224, channels = 3, validationSplit = 0, seed = 0, maxPixels, onProgress, onWarning = console.warn, ...input } = options;
  if (!(validationSplit >= 0 && validationSplit < 1)) throw new ConfigError(`imageDatasetFromDirectory: validationSplit ${validationSplit}; expected a share in [0, 1)`);
  if (channels === 'auto' && typeof input.normalize === 'object' || channels === 'auto' && input.normalize === 'imagenet') {
    throw new ConfigError("imageDatasetFromDirectory: channels 'auto' works with the presets '[0,1]', '[-1,1]' and '[0,255]'; with another normalisation, choose 1 or 3 channels");
  }
  const settled = (c: 1 | 3): ImageInputOptions => ({ ...input, size, channels: c });
  const { height, width } = resolveImageInput(settled(channels === 'auto' ? 3 : channels)); // checks the options before any file is read

  const { classNames, files } = await listImageFiles(directory);
  // Keras's split: the files shuffled with the seed; the last validationSplit of them are held out.
  const order = Array.from(files.keys());
  seededRandom(seed).shuffle(order);
  const validationCount = Math.trunc(validationSplit * files.length);
  const isValidation = new Uint8Array(files.length);
  for (const i of order.slice(order.length - validationCount)) isValidation[i] = 1;

  const fs = await importNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const pixels: Array<Float32Array | undefined> = [];
  const skipped: string[] = [];
  let allGrey = true;
  for (const [i, { path }] of files.entries()) {
    try {
      const image = await decodeImage(new Uint8Array(await fs.readFile(path)), { name: path, maxPixels });
      allGrey &&= image.greyscale === true;
      pixels.push(imageToPixels(image, settled(channels === 'auto' ? (image.greyscale ? 1 : 3) : channels)));
    } catch (error) {
      const why = `${path}: skipped (${(error as Error).message.replace(`${path}: `, '')})`;
      skipped.push(why);
      onWarning(why);
      pixels.push(undefined);
    }
    onProgress?.(i + 1, files.length, path);
  }
  const outChannels = channels === 'auto' ? (allGrey ? 1 : 3) : channels;
  for (const [c, name] of classNames.entries()) {
    if (!files.some((f, i) => f.label === c && pixels[i])) {
      throw new ConfigError(`${directory}: none of the images in class folder ${JSON.stringify(name)} could be read (see the warnings); every class needs some`);
    }
  }
  const gather = (inValidation: number): Dataset => {
    const chosen = files.flatMap((f, i) => (pixels[i] && isValidation[i] === inValidation ? [i] : []));
    const size = height * width * outChannels;
    // An image stored grey among colour ones has one channel: repeated to three (a preset's three values are equal).
    const fitted = (p: Float32Array) => (p.length === size ? p : Float32Array.from({ length: size }, (_, i) => p[Math.floor(i / 3)]));
    const images = new Float32Array(chosen.length * size);
    chosen.forEach((i, k) => images.set(fitted(pixels[i]!), k * size));
    return { images, labels: Uint8Array.from(chosen, (i) => files[i].label), count: chosen.length, height, width, channels: outChannels, classes: classNames.length };
  };
  return { train: gather(0), ...(validationCount > 0 ? { validation: gather(1) } : {}), classNames, skipped };
}

/** The class folders (sorted) and every image file inside each (sorted, nested folders included); their problems are ConfigErrors. */
export async function listImageFiles(directory: string): Promise<{ classNames: string[]; files: Array<{ path: string; label: number }> }> {
  const fs = await importNodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  const { join } = await importNodeBuiltin<typeof import('node:path')>('node:path');
  let entries;
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch (error) {
    throw new ConfigError(`${directory}: cannot read the image folder (${(error as Error).message})`);
  }
  const visible = (name: string) => !name.startsWith('.');
  // A link to a folder is read as that folder.
  const isFolder = async (dir: string, entry: import('node:fs').Dirent) => entry.isDirectory() ||
    (entry.isSymbolicLink() && (await fs.stat(join(dir, entry.name)).then((stat) => stat.isDirectory(), () => false)));
  const folders = await Promise.all(entries.map((e) => isFolder(directory, e)));
  const classNames = entries.filter((e, i) => folders[i] && visible(e.name)).map((e) => e.name).sort();
  if (classNames.length === 0) {
    const loose = entries.filter((e) => e.isFile() && IMAGE_EXTENSIONS.test(e.name)).length;
    throw new ConfigError(`${directory}: no class folders; expected one sub-folder per class holding its images (e.g. ${join(directory, 'cats', 'cat1.jpg')})` +
      (loose ? `, but the images (${loose}) lie directly in it` : ''));
  }
  if (classNames.length > 256) throw new ConfigError(`${directory}: ${classNames.length} class folders; convas labels at most 256 classes`);
  const files: Array<{ path: string; label: number }> = [];
  for (const [label, name] of classNames.entries()) {
    const found: string[] = [];
    // Each folder once, by its real path: a link back up the tree is not followed round again.
    const seen = new Set<string>();
    const walk = async (dir: string): Promise<void> => {
      const real = await fs.realpath(dir);
      if (seen.has(real)) return;
      seen.add(real);
      const inside = (await fs.readdir(dir, { withFileTypes: true })).filter((e) => visible(e.name)).sort((a, b) => (a.name < b.name ? -1 : 1));
      for (const entry of inside) {
        if (await isFolder(dir, entry)) await walk(join(dir, entry.name));
        else if (IMAGE_EXTENSIONS.test(entry.name)) found.push(join(dir, entry.name));
      }
    };
    await walk(join(directory, name));
    if (found.length === 0) {
      throw new ConfigError(`${join(directory, name)}: the class folder ${JSON.stringify(name)} holds no images; expected .jpg, .jpeg, .png or .pgm files`);
    }
    files.push(...found.map((path) => ({ path, label })));
  }
  return { classNames, files };
}
