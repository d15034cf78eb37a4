// Images as model inputs (imageToPixels, imageToTensor) against the naive reference
// (tests/reference/image-input.ts) on many random images and settings — odd sizes, shrinking and
// growing on either axis, 8- and 16-bit, transparency, 1 and 3 channels, every crop, resize and
// normalisation — then known values and the mistakes each option refuses.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ConfigError, ShapeError, StateError, imageToPixels, imageToTensor, init } from '../../src/index.js';
import { type ImageInputOptions, drawableSize } from '../../src/data/image-input.js';
import type { RgbaImage } from '../../src/data/rgba-image.js';
import { assertClose, random } from '../helpers.js';
import { referenceImageInput } from '../reference/image-input.js';

const rng = random(21);

function randomImage(width: number, height: number, sixteen: boolean, greyscale: boolean, transparent: boolean): RgbaImage {
  const full = sixteen ? 65535 : 255;
  const data = sixteen ? new Uint16Array(width * height * 4) : new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    const grey = rng.int(0, full);
    for (let c = 0; c < 3; c++) data[4 * p + c] = greyscale ? grey : rng.int(0, full);
    data[4 * p + 3] = transparent ? rng.pick([0, full, rng.int(0, full)]) : full;
  }
  return { width, height, data, greyscale };
}

const PRESETS = { '[0,1]': [0, 1], '[-1,1]': [0.5, 0.5], '[0,255]': [0, 1 / 255] } as const;

test('imageToPixels matches the reference on 150 random images and settings', () => {
  for (let round = 0; round < 150; round++) {
    const image = randomImage(rng.int(1, 23), rng.int(1, 19), rng.next() < 0.3, rng.next() < 0.3, rng.next() < 0.5);
    const channels = rng.pick([1, 3] as const);
    const resize = rng.pick(['auto', 'area', 'bilinear'] as const);
    const normalize = rng.pick(['[0,1]', '[-1,1]', '[0,255]', 'imagenet', 'custom'] as const);
    const custom = { mean: Array.from({ length: channels }, () => rng.next()), std: Array.from({ length: channels }, () => 0.1 + rng.next()) };
    const options: ImageInputOptions = {
      size: [rng.int(1, 17), rng.int(1, 17)], channels, crop: rng.pick(['center', 'none'] as const), resize,
      normalize: normalize === 'custom' ? custom : normalize === 'imagenet' && channels === 1 ? '[0,1]' : normalize,
      background: rng.next() < 0.5 ? rng.int(0, 255) : [rng.int(0, 255), rng.int(0, 255), rng.int(0, 255)],
    };
    const [height, width] = options.size as [number, number];
    const chosen = options.normalize!;
    const { mean, std } = typeof chosen === 'object' ? chosen
      : chosen === 'imagenet' ? { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] }
        : { mean: new Array(channels).fill(PRESETS[chosen][0]), std: new Array(channels).fill(PRESETS[chosen][1]) };
    // The crop's size decides 'auto' per axis; the reference is told the method of each axis.
    const cropW = options.crop === 'none' ? image.width : Math.max(1, Math.min(image.width, Math.trunc((image.height * width) / height)));
    const cropH = options.crop === 'none' ? image.height : Math.max(1, Math.min(image.height, Math.trunc((image.width * height) / width)));
    const method = (from: number, to: number) => (resize !== 'auto' ? resize : from > to ? 'area' : 'bilinear');
    const background = typeof options.background === 'number' ? [options.background, options.background, options.background] : options.background!;
    const expected = referenceImageInput(image, {
      height, width, channels, crop: options.crop!, methods: [method(cropH, height), method(cropW, width)], mean, std, background: background as [number, number, number],
    });
    const what = `round ${round}: ${image.width}×${image.height} → ${JSON.stringify(options)}`;
    assertClose(imageToPixels(image, options), expected, 1e-5, what);
  }
});

const image = (width: number, height: number, rgba: number[], greyscale = false): RgbaImage => ({ width, height, data: Uint8Array.from(rgba), greyscale });
const grey = (width: number, height: number, values: number[]) => image(width, height, values.flatMap((v) => [v, v, v, 255]), true);
const pixels = (img: RgbaImage, options: Partial<ImageInputOptions>) => Array.from(imageToPixels(img, { size: [img.height, img.width], channels: 1, ...options }));

test('known values: area averages when shrinking, bilinear interpolates when growing, the mean is kept', () => {
  assertClose(pixels(grey(4, 2, [0, 255, 102, 102, 255, 0, 51, 153]), { size: [1, 2], crop: 'none' }), [0.5, 0.4], 1e-6, '4×2 → 2×1');
  assertClose(pixels(grey(3, 1, [0, 51, 153]), { size: [1, 2], crop: 'none' }), [(0.2 * 0.5) / 1.5, (0.2 * 0.5 + 0.6) / 1.5], 1e-6, '3 → 2 sharing the middle pixel');
  // Half-pixel centres: 2 → 4 samples at −0.25, 0.25, 0.75, 1.25, clamped to the ends.
  assertClose(pixels(grey(2, 1, [0, 255]), { size: [1, 4], crop: 'none' }), [0, 0.25, 0.75, 1], 1e-6, '2 → 4 bilinear');
  const big = randomImage(53, 37, false, true, false);
  const mean = (a: ArrayLike<number>, step = 1) => Array.from(a).filter((_, i) => i % step === 0).reduce((s, v) => s + v, 0) / (a.length / step);
  assertClose([mean(pixels(big, { size: [28, 28], crop: 'none' }))], [mean(big.data, 4) / 255], 1e-5, 'area shrinking keeps the mean');
});

test('known values: centre crop, channels, alpha over the background, presets', () => {
  // A 6×2 image of columns 0..5 cropped to a square: columns 2 and 3 stay.
  const columns = grey(6, 2, [0, 51, 102, 153, 204, 255, 0, 51, 102, 153, 204, 255]);
  assertClose(pixels(columns, { size: [2, 2] }), [0.4, 0.6, 0.4, 0.6], 1e-6, 'centre crop');
  assertClose(pixels(columns, { size: [2, 2], crop: 'none' }), [(0 + 0.2 + 0.4) / 3, (0.6 + 0.8 + 1) / 3, (0 + 0.2 + 0.4) / 3, (0.6 + 0.8 + 1) / 3], 1e-6, 'no crop: squashed');
  const colour = image(1, 1, [255, 0, 0, 255]);
  assertClose(pixels(colour, { channels: 3 }), [1, 0, 0], 1e-6, 'RGB');
  assertClose(pixels(colour, { channels: 1 }), [0.299], 1e-6, 'luma');
  const clear = image(2, 1, [10, 20, 30, 0, 255, 255, 255, 128]);
  assertClose(pixels(clear, { channels: 3 }), [1, 1, 1, 1, 1, 1], 1e-6, 'transparent over white');
  assertClose(pixels(clear, { channels: 3, background: [0, 0, 255] }), [0, 0, 1, 128 / 255, 128 / 255, 1], 1e-6, 'over blue');
  assertClose(pixels(image(1, 1, [255, 255, 255, 255]), { channels: 3, normalize: '[-1,1]' }), [1, 1, 1], 1e-6, '[-1,1]');
  assertClose(pixels(image(1, 1, [0, 0, 0, 255]), { channels: 3, normalize: '[-1,1]' }), [-1, -1, -1], 1e-6, '[-1,1] black');
  assertClose(pixels(image(1, 1, [255, 128, 0, 255]), { channels: 3, normalize: '[0,255]' }), [255, 128, 0], 1e-4, '[0,255]');
  assertClose(pixels(image(1, 1, [255, 128, 0, 255]), { channels: 3, normalize: 'imagenet' }),
    [(1 - 0.485) / 0.229, (128 / 255 - 0.456) / 0.224, (0 - 0.406) / 0.225], 1e-5, 'imagenet');
  const sixteen = { width: 1, height: 1, data: Uint16Array.of(65535, 32768, 0, 65535) };
  assertClose(Array.from(imageToPixels(sixteen, { size: 1 })), [1, 32768 / 65535, 0], 1e-6, '16-bit');
});

test('imageToTensor stacks images [n, h, w, c]; a canvas ImageData (Uint8ClampedArray) is an image', async () => {
  await init();
  const a = randomImage(9, 7, false, false, true), b = randomImage(5, 11, true, false, false);
  const clamped = { width: 9, height: 7, data: new Uint8ClampedArray(a.data) };
  const options: ImageInputOptions = { size: [4, 6], normalize: '[-1,1]' };
  const x = imageToTensor([a, b, clamped], options);
  assert.equal([...x.shape], [3, 4, 6, 3]);
  const values = x.dataSync();
  assert.equal(Array.from(values.subarray(0, 72)), Array.from(imageToPixels(a, options)));
  assert.equal(Array.from(values.subarray(72, 144)), Array.from(imageToPixels(b, options)));
  assert.equal(Array.from(values.subarray(144)), Array.from(imageToPixels(a, options)));
  assert.equal([...imageToTensor(a, { size: 3, channels: 1 }).shape], [1, 3, 3, 1]);
});

test('mistakes are refused by name: size, channels, crop, resize, normalize, background, pixels', async () => {
  const img = grey(2, 2, [1, 2, 3, 4]);
  const refused = async (options: unknown, errorClass: typeof ConfigError | typeof ShapeError, detail: RegExp, source: unknown = img) => {
    try {
      imageToPixels(source as RgbaImage, options as ImageInputOptions);
    } catch (error) {
      assert.instance(error, errorClass);
      assert.match((error as Error).message, detail);
      return;
    }
    assert.unreachable(`accepted ${JSON.stringify(options)}`);
  };
  await refused({ size: [0, 3] }, ConfigError, /size \[0,3\]; expected \[height, width\]/);
  await refused({ size: 2.5 }, ConfigError, /size 2.5/);
  await refused({ size: 2, channels: 4 }, ConfigError, /channels 4; expected 1 or 3/);
  await refused({ size: 2, crop: 'pad' }, ConfigError, /crop "pad"; expected 'center' or 'none'/);
  await refused({ size: 2, resize: 'bicubic' }, ConfigError, /resize "bicubic"/);
  await refused({ size: 2, normalize: '[0,100]' }, ConfigError, /normalize "\[0,100\]"; expected '\[0,1\]', '\[-1,1\]', '\[0,255\]', 'imagenet' or \{ mean, std \}/);
  await refused({ size: 2, channels: 1, normalize: 'imagenet' }, ConfigError, /'imagenet' is for 3 channels/);
  await refused({ size: 2, normalize: { mean: [0, 0], std: [1, 1] } }, ConfigError, /expected 3 finite numbers each/);
  await refused({ size: 2, normalize: { mean: [0, 0, 0], std: [1, 0, 1] } }, ConfigError, /std non-zero/);
  await refused({ size: 2, background: 300 }, ConfigError, /background 300/);
  await refused({ size: 2 }, ShapeError, /2×2 pixels needs 16 RGBA samples; it has 12/, { width: 2, height: 2, data: new Uint8Array(12) });
  await refused({ size: 2 }, ConfigError, /expected decoded pixels/, 'photo.jpg');
  await assert.throws(() => imageToTensor([], { size: 2 }), (e: Error) => e instanceof ShapeError && /no images given/.test(e.message));
});

test('an <img> not loaded is refused naming the start of its source: a data: URL of megabytes is not repeated whole', () => {
  const dataUrl = 'data:image/png;base64,' + 'A'.repeat(2_000_000);
  for (const [src, shown] of [[dataUrl, `"${dataUrl.slice(0, 80)}…"`], ['https://example.com/cat.png', '"https://example.com/cat.png"']]) {
    try {
      drawableSize({ naturalWidth: 0, naturalHeight: 0, complete: true, currentSrc: src, src });
    } catch (error) {
      assert.instance(error, StateError);
      const { message } = error as Error;
      assert.ok(message.length < 300, `${message.length} characters`);
      assert.ok(message.includes(`the <img> ${shown} has not loaded`), message.slice(0, 200));
      continue;
    }
    assert.unreachable('accepted an <img> that has not loaded');
  }
});

test.run();
