// An image as a model input: centre-cropped to the input's aspect ratio, alpha composited over a
// background, 1 or 3 channels, resized (area averaging where it shrinks, bilinear where it grows),
// normalised by a preset — [h, w, c] floats, NHWC as the models take them.
//
// Plain TypeScript, not a wasm kernel: decoding costs far more than these loops (measured side by
// side, jpeg-js took 15 times as long to decode a 4000×3000 JPEG as this took to bring it to
// 224×224×3, and 40 times as long for a 640×480 one), and a kernel would need the whole source image
// copied into wasm memory, which never shrinks: one large photo would hold on to tens of megabytes
// for the life of the page.
import { ConfigError, ShapeError, StateError } from '../errors.js';
import { runsInNode } from '../platform.js';
import { shownValue } from '../shown-value.js';
import { type Tensor, tensor } from '../tensor.js';
import { canvasPixels } from './image-decoder-browser.js';
import { type AxisTaps, type ResampleMethod, axisTaps } from './image-resample.js';
import type { RgbaImage } from './rgba-image.js';

/**
 * '[0,1]' (pixel / 255), '[-1,1]' (as MobileNet and Inception expect), '[0,255]' (as Keras's
 * image_dataset_from_directory gives), 'imagenet' (torchvision's: (pixel/255 − mean) / std per
 * channel, mean 0.485, 0.456, 0.406, std 0.229, 0.224, 0.225), or your own mean and std per
 * channel on the [0, 1] scale.
 */
export type Normalization = '[0,1]' | '[-1,1]' | '[0,255]' | 'imagenet' | { mean: number[]; std: number[] };
export const NORMALIZATIONS = ['[0,1]', '[-1,1]', '[0,255]', 'imagenet'] as const;

export interface ImageInputOptions {
  /** Output [height, width], or one number for a square. */
  size: number | [number, number];
  /** 3 (RGB, default) or 1 (grey: luma 0.299 R + 0.587 G + 0.114 B, as PIL and TensorFlow). */
  channels?: 1 | 3;
  /** 'center' (default): the largest centred part of the image with the output's aspect ratio; 'none': the whole image, stretched. */
  crop?: 'center' | 'none';
  /** 'auto' (default): area averaging on an axis that shrinks, bilinear on one that grows; or one of them for both. */
  resize?: 'auto' | ResampleMethod;
  /** Default '[0,1]'. */
  normalize?: Normalization;
  /** What transparent pixels show: a grey level or [r, g, b], 0–255. Default 255 (white), as image viewers show them. */
  background?: number | [number, number, number];
}

/** What imageToPixels and imageToTensor take: decoded pixels (an ImageData too), or in browsers anything a canvas can draw. */
export type ImageSource = RgbaImage | CanvasImageSource;

interface Resolved {
  height: number;
  width: number;
  channels: 1 | 3;
  crop: 'center' | 'none';
  resize: 'auto' | ResampleMethod;
  mean: number[];
  std: number[];
  background: [number, number, number];
}

const IMAGENET = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

/** The options checked and filled in; every mistake is a ConfigError naming the option. */
export function resolveImageInput(options: ImageInputOptions): Resolved {
  const fail = (what: string) => new ConfigError(`image input: ${what}`);
  const size = typeof options?.size === 'number' ? [options.size, options.size] : options?.size;
  if (!Array.isArray(size) || size.length !== 2 || size.some((d) => !Number.isInteger(d) || d < 1)) {
    throw fail(`size ${shownValue(options?.size)}; expected [height, width] (or one number), positive integers`);
  }
  const { channels = 3, crop = 'center', resize = 'auto', normalize = '[0,1]', background = 255 } = options;
  if (channels !== 1 && channels !== 3) throw fail(`channels ${shownValue(channels)}; expected 1 or 3`);
  if (crop !== 'center' && crop !== 'none') throw fail(`crop ${shownValue(crop)}; expected 'center' or 'none'`);
  if (!['auto', 'area', 'bilinear'].includes(resize)) throw fail(`resize ${shownValue(resize)}; expected 'auto', 'area' or 'bilinear'`);
  let mean: number[], std: number[];
  if (typeof normalize === 'object' && normalize !== null) {
    ({ mean, std } = normalize);
    const fits = (a: unknown) => Array.isArray(a) && a.length === channels && a.every(Number.isFinite);
    if (!fits(mean) || !fits(std) || std.some((s) => s === 0)) {
      throw fail(`normalize { mean: ${shownValue(mean)}, std: ${shownValue(std)} }; expected ${channels} finite numbers each, std non-zero`);
    }
  } else if (normalize === 'imagenet') {
    if (channels !== 3) throw fail(`normalize 'imagenet' is for 3 channels; with 1, give { mean: [m], std: [s] }`);
    ({ mean, std } = IMAGENET);
  } else {
    const preset = { '[0,1]': [0, 1], '[-1,1]': [0.5, 0.5], '[0,255]': [0, 1 / 255] }[normalize as string];
    if (!preset) throw fail(`normalize ${shownValue(normalize)}; expected ${NORMALIZATIONS.map((n) => `'${n}'`).join(', ')} or { mean, std }`);
    mean = new Array(channels).fill(preset[0]);
    std = new Array(channels).fill(preset[1]);
  }
  const rgb = typeof background === 'number' ? [background, background, background] : background;
  if (!Array.isArray(rgb) || rgb.length !== 3 || rgb.some((v) => !(v >= 0 && v <= 255))) {
    throw fail(`background ${shownValue(background)}; expected a grey level or [r, g, b], 0–255`);
  }
  return { height: size[0], width: size[1], channels, crop, resize, mean, std, background: rgb.map((v) => v / 255) as Resolved['background'] };
}

/** The region of a `width`×`height` image that `crop` keeps for an output of `outHeight`×`outWidth` (Keras's crop_to_aspect_ratio). */
export function cropBox(width: number, height: number, outHeight: number, outWidth: number, crop: 'center' | 'none') {
  if (crop === 'none') return { x: 0, y: 0, width, height };
  const w = Math.max(1, Math.min(width, Math.trunc((height * outWidth) / outHeight)));
  const h = Math.max(1, Math.min(height, Math.trunc((width * outHeight) / outWidth)));
  return { x: Math.trunc((width - w) / 2), y: Math.trunc((height - h) / 2), width: w, height: h };
}

/** Decoded pixels of `source`, checked: a canvas-drawable source is drawn first (browsers only). */
function pixelsOf(source: ImageSource): RgbaImage {
  const image = source as RgbaImage;
  if (image && typeof image === 'object' && 'data' in image) {
    const { width, height, data } = image;
    if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || data?.length !== width * height * 4) {
      throw new ShapeError(`image input: an image of ${width}×${height} pixels needs ${width * height * 4} RGBA samples; it has ${data?.length}`);
    }
    return image;
  }
  if (runsInNode || typeof source !== 'object' || source === null) {
    throw new ConfigError('image input: expected decoded pixels { width, height, data: RGBA } (decodeImage or loadImage give them)');
  }
  const { width, height } = drawableSize(source);
  return canvasPixels(source as CanvasImageSource, width, height);
}

/** HTMLMediaElement's readyState once its current frame can be drawn. */
const HAVE_CURRENT_DATA = 2;

/**
 * The size a canvas-drawable source is drawn at: an <img>'s natural size, a <video>'s frame, a
 * VideoFrame's display size, else its width and height. One with nothing to draw yet is refused: an
 * element's width and height (its layout's) would make a blank picture, and a size of 0 a DOMException.
 */
export function drawableSize(source: object): { width: number; height: number } {
  const drawable = source as Record<string, unknown>;
  if ('naturalWidth' in drawable) {
    // One still loading is not `complete`; a broken one, or one without a source, is, with a natural size of 0.
    if (!drawable.complete || !drawable.naturalWidth) {
      // Its source is named by its start (shownValue cuts long strings): a data: URL may be megabytes long.
      const src = String(drawable.currentSrc || drawable.src || '');
      throw new StateError(`image input: the <img> ${shownValue(src)} has not loaded (or could not be loaded); ` +
        'expected a loaded image: await img.decode() before using it');
    }
    return { width: drawable.naturalWidth as number, height: drawable.naturalHeight as number };
  }
  if ('videoWidth' in drawable) {
    if ((drawable.readyState as number) < HAVE_CURRENT_DATA) {
      throw new StateError("image input: the <video> has no frame yet; expected one that has (wait for its 'loadeddata' event)");
    }
    if (!drawable.videoWidth) throw new StateError('image input: the <video> has no picture (its source is sound only); expected a video with frames');
    return { width: drawable.videoWidth as number, height: drawable.videoHeight as number };
  }
  const width = Number(drawable.displayWidth ?? drawable.width), height = Number(drawable.displayHeight ?? drawable.height);
  if (!(width >= 1 && height >= 1)) {
    throw new ShapeError(`image input: the picture to draw is ${width}×${height} pixels (a closed ImageBitmap or VideoFrame, or an empty canvas); expected at least 1×1`);
  }
  return { width, height };
}

/**
 * One image as a model input: `size` × channels floats, row by row (HWC), written into `out` at
 * `offset` when given. See ImageInputOptions.
 */
export function imageToPixels(source: ImageSource, options: ImageInputOptions, out?: Float32Array, offset = 0): Float32Array {
  const { height, width, channels, crop, resize, mean, std, background } = resolveImageInput(options);
  const image = pixelsOf(source);
  const box = cropBox(image.width, image.height, height, width, crop);
  const method = (from: number, to: number): ResampleMethod => (resize !== 'auto' ? resize : from > to ? 'area' : 'bilinear');
  const columns = axisTaps(box.width, width, method(box.width, width));
  const rows = axisTaps(box.height, height, method(box.height, height));
  const target = out ?? new Float32Array(height * width * channels);
  if (target.length < offset + height * width * channels) throw new ShapeError(`image input: the output array is too short for ${height}×${width}×${channels} values at ${offset}`);

  // Pass 1, along each source row of the crop: composite, reduce to the channels, resample the columns.
  const sourceRow = new Float64Array(box.width * channels);
  const narrowed = new Float32Array(box.height * width * channels);
  const { data } = image;
  const unit = 1 / (data instanceof Uint16Array ? 65535 : 255);
  const [red, green, blue] = background;
  const backgroundGrey = 0.299 * red + 0.587 * green + 0.114 * blue;
  for (let y = 0; y < box.height; y++) {
    let at = ((box.y + y) * image.width + box.x) * 4;
    if (channels === 3) {
      for (let x = 0; x < box.width * 3; x += 3, at += 4) {
        const alpha = data[at + 3] * unit, scale = alpha * unit, rest = 1 - alpha;
        sourceRow[x] = data[at] * scale + red * rest;
        sourceRow[x + 1] = data[at + 1] * scale + green * rest;
        sourceRow[x + 2] = data[at + 2] * scale + blue * rest;
      }
    } else {
      for (let x = 0; x < box.width; x++, at += 4) {
        const alpha = data[at + 3] * unit;
        sourceRow[x] = (0.299 * data[at] + 0.587 * data[at + 1] + 0.114 * data[at + 2]) * alpha * unit + backgroundGrey * (1 - alpha);
      }
    }
    resampleRow(sourceRow, columns, channels, narrowed, y * width * channels);
  }
  // Pass 2, down each column: resample the rows, then normalise.
  const rowLength = width * channels;
  const sums = new Float64Array(rowLength);
  for (let y = 0; y < height; y++) {
    sums.fill(0);
    for (let t = rows.first[y]; t < rows.first[y + 1]; t++) {
      const from = rows.source[t] * rowLength, w = rows.weight[t];
      for (let i = 0; i < rowLength; i++) sums[i] += w * narrowed[from + i];
    }
    const base = offset + y * rowLength;
    for (let i = 0; i < rowLength; i++) target[base + i] = (sums[i] - mean[i % channels]) / std[i % channels];
  }
  return target;
}

function resampleRow(row: Float64Array, taps: AxisTaps, channels: number, out: Float32Array, at: number): void {
  const { first, source, weight } = taps;
  for (let x = 0, o = at; x < first.length - 1; x++, o += channels) {
    if (channels === 3) {
      let r = 0, g = 0, b = 0;
      for (let t = first[x]; t < first[x + 1]; t++) {
        const s = source[t] * 3, w = weight[t];
        r += w * row[s];
        g += w * row[s + 1];
        b += w * row[s + 2];
      }
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
    } else {
      let sum = 0;
      for (let t = first[x]; t < first[x + 1]; t++) sum += weight[t] * row[source[t]];
      out[o] = sum;
    }
  }
}

/** One image, or several, as a model input tensor [n, height, width, channels]. See ImageInputOptions. */
export function imageToTensor(images: ImageSource | ImageSource[], options: ImageInputOptions): Tensor {
  const list = Array.isArray(images) ? images : [images];
  if (list.length === 0) throw new ShapeError('imageToTensor: no images given; expected at least one');
  const { height, width, channels } = resolveImageInput(options);
  const size = height * width * channels;
  const values = new Float32Array(list.length * size);
  list.forEach((image, i) => imageToPixels(image, options, values, i * size));
  return tensor(values, [list.length, height, width, channels]);
}
