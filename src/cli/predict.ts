// `convas predict`: the class and every class probability for each image file (JPEG, PNG, PGM),
// made the model's input as training made its images: the model's metadata says how (convas train
// on image folders records it), --normalize overrides it, and models without it take [0,1] with
// the whole image squashed to their input.
import { loadImage } from '../data/image-load.js';
import { imageToPixels } from '../data/image-input.js';
import { ConfigError } from '../errors.js';
import { loadModel } from '../io/load.js';
import { argmaxRows } from '../metrics.js';
import { formatShape } from '../shape.js';
import { tensor } from '../tensor.js';
import type { Preset, Threads } from './args.js';
import type { ImageModelMetadata } from './data.js';

export async function predict(options: { model: string; files: string[]; threads: Threads; normalize?: Preset }, print: (text: string) => void): Promise<void> {
  const model = await loadModel(options.model);
  const saved = model.getUserDefinedMetadata() as Partial<ImageModelMetadata> | undefined;
  const normalize = options.normalize ?? saved?.imageInput?.normalize ?? '[0,1]';
  const crop = saved?.imageInput?.crop ?? 'none';
  // A grey model without image metadata is taken for a digits model (convas train's of IDX files or
  // the digits, the site's, most MNIST models from elsewhere), which learned light strokes on dark:
  // a dark digit on paper is inverted, and said so; --normalize says how instead.
  const digits = !saved?.imageInput && !options.normalize;
  const [height, width, channels] = model.inputShape;
  if (model.inputShape.length !== 3 || (channels !== 1 && channels !== 3)) {
    throw new ConfigError(`${options.model}: the model takes inputs of shape [${model.inputShape}]; predict reads images, [height, width, 1 or 3]`);
  }
  // An output of several axes (a segmentation net's class per pixel) is no row of class scores.
  if (model.outputShape.length !== 1) {
    throw new ConfigError(`${options.model}: the model outputs ${formatShape(model.outputShape)} per image; predict prints one class per ` +
      'image, from an output of [classes] (run a model with a class per position in code: model.predict)');
  }
  const size = height * width * channels;
  const x = new Float32Array(options.files.length * size);
  const inverted: boolean[] = [];
  for (const [i, file] of options.files.entries()) {
    const pixels = imageToPixels(await loadImage(file), { size: [height, width], channels, crop, normalize }, x, i * size);
    inverted.push(digits && channels === 1 && invertIfLight(pixels.subarray(i * size, (i + 1) * size), height, width));
  }
  const input = tensor(x, [options.files.length, height, width, channels]);
  const output = model.predict(input);
  const probabilities = output.dataSync();
  const classes = output.size / options.files.length;
  const predicted = argmaxRows(probabilities, classes);
  input.dispose();
  output.dispose();
  // A model without a softmax or sigmoid at its end (most from PyTorch) gives scores: they are not called probabilities.
  if (!probabilities.every((p) => p >= 0 && p <= 1)) print("(the model's outputs are scores, not probabilities: some are outside [0, 1])");
  const nameWidth = Math.max(...options.files.map((f) => f.length));
  options.files.forEach((file, i) => {
    const name = (c: number) => saved?.classNames?.[c] ?? String(c);
    const row = Array.from(probabilities.subarray(i * classes, (i + 1) * classes), (p, c) => `${name(c)}: ${p.toFixed(3)}`);
    const note = inverted[i] ? '  (inverted: dark on light)' : '';
    print(`${file.padEnd(nameWidth)}  class ${name(predicted[i])}   ${row.join('  ')}${note}`);
  });
}

/**
 * Digits models learn light strokes on a dark page, as MNIST has them: a grey image whose border is
 * mostly light (a dark digit on paper) is inverted in place. Returns whether it was.
 */
function invertIfLight(pixels: Float32Array, height: number, width: number): boolean {
  let sum = 0, count = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (y === 0 || y === height - 1 || x === 0 || x === width - 1) {
        sum += pixels[y * width + x];
        count++;
      }
    }
  }
  if (sum / count <= 0.5) return false;
  for (let i = 0; i < pixels.length; i++) pixels[i] = 1 - pixels[i];
  return true;
}
