// The nets convas is held against PyTorch with: plain chains that both peers build from the same
// description, trained and run on real images (the digits the `mnist` package bundles), since
// PyTorch's speed on uniform random pixels is not its speed on images.
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { MOBILENET } from './data.mjs';

/**
 * ['conv', filters, kernel] is a 'same' convolution with bias and ReLU; ['pool'] a 2×2 max pooling;
 * ['dense', units] flattens and ends the net with the softmax classifier (cross-entropy on logits).
 */
export const NATIVE_NETS = {
  lenetSmall: {
    label: 'LeNet-small (conv 5×5×8, conv 5×5×16)', input: [28, 28, 1], trainBatch: 32, inferBatch: 256,
    layers: [['conv', 8, 5], ['pool'], ['conv', 16, 5], ['pool'], ['dense', 10]],
    optimizer: { type: 'momentum', learningRate: 0.01, momentum: 0.9 },
  },
  conv5x5: {
    label: 'conv 5×5×16, conv 5×5×32, dense 10', input: [28, 28, 1], trainBatch: 64, inferBatch: 256,
    layers: [['conv', 16, 5], ['pool'], ['conv', 32, 5], ['pool'], ['dense', 10]],
    optimizer: { type: 'adam', learningRate: 0.001 },
  },
  vgg: {
    label: 'VGG-style 3×3 blocks (conv 32 ×2, conv 64 ×2) at 32×32×3', input: [32, 32, 3], trainBatch: 32, inferBatch: 256,
    layers: [['conv', 32, 3], ['conv', 32, 3], ['pool'], ['conv', 64, 3], ['conv', 64, 3], ['pool'], ['dense', 10]],
    optimizer: { type: 'momentum', learningRate: 0.01, momentum: 0.9 },
  },
  // The layers issue's MobileNetV2 (bench/mobilenet.mjs): convas loads Keras's from the bench's TF.js
  // files and predicts with foldBatchNorm; PyTorch builds torchvision's at the same width. Its
  // examples are the digits on a 96×96 canvas, fewer of them (each is 108 KB).
  mobileNetV2: {
    label: `MobileNetV2 (alpha ${MOBILENET.alpha}, ${MOBILENET.inputShape.join('×')}, ${MOBILENET.classes} classes)`, input: MOBILENET.inputShape,
    trainBatch: MOBILENET.trainBatch, inferBatch: 32, examples: 128, mobileNet: true, alpha: MOBILENET.alpha, classes: MOBILENET.classes,
    optimizer: { type: 'sgd', learningRate: MOBILENET.learningRate },
  },
};

/** The classes a net tells apart. */
export const classesOf = (net) => net.classes ?? net.layers.at(-1)[1];

/** The examples in a net's file. */
export const examplesOf = (net) => net.examples ?? NATIVE_EXAMPLES;

/** Images in a net's examples: enough for several different batches. */
export const NATIVE_EXAMPLES = 1024;

/** The first `count` bundled digits as [count, 28, 28] pixels in [0, 1] and their labels. */
async function bundledDigits(count) {
  const dir = join(dirname(createRequire(import.meta.url).resolve('mnist/package.json')), 'src', 'digits');
  const perClass = Math.ceil(count / 10);
  const byClass = await Promise.all(Array.from({ length: 10 }, async (_, label) => JSON.parse(await readFile(join(dir, `${label}.json`), 'utf8')).data));
  const pixels = new Float32Array(count * 784);
  const labels = new Uint8Array(count);
  // Classes interleaved (0, 1, …, 9, 0, …), so every batch holds them all.
  for (let i = 0; i < count; i++) {
    const label = i % 10, index = Math.floor(i / 10);
    if (index >= perClass) throw new Error('not enough bundled digits');
    pixels.set(byClass[label].slice(index * 784, (index + 1) * 784), i * 784);
    labels[i] = label;
  }
  return { pixels, labels };
}

/** A digit as a net's input: centred on a zero canvas of its size, repeated over its channels (NHWC). */
function fitDigits({ pixels }, count, [height, width, channels]) {
  const top = (height - 28) >> 1, left = (width - 28) >> 1;
  const x = new Float32Array(count * height * width * channels);
  for (let n = 0; n < count; n++) {
    for (let r = 0; r < 28; r++) {
      for (let c = 0; c < 28; c++) {
        const v = pixels[(n * 28 + r) * 28 + c];
        const at = ((n * height + r + top) * width + c + left) * channels;
        for (let k = 0; k < channels; k++) x[at + k] = v;
      }
    }
  }
  return x;
}

/**
 * Writes each net's examples once into `dir` (<net>.f32: NHWC pixels, then one f32 label each) and
 * returns the file names; the convas and PyTorch peers read the same bytes.
 */
export async function writeNativeData(dir) {
  await mkdir(dir, { recursive: true });
  const files = {};
  let digits;
  for (const [name, net] of Object.entries(NATIVE_NETS)) {
    const file = join(dir, `native-${name}.f32`);
    files[name] = file;
    if (await stat(file).then(() => true, () => false)) continue;
    digits ??= await bundledDigits(NATIVE_EXAMPLES);
    const x = fitDigits(digits, examplesOf(net), net.input);
    await writeFile(file, Buffer.concat([Buffer.from(x.buffer), Buffer.from(Float32Array.from(digits.labels.subarray(0, examplesOf(net))).buffer)]));
  }
  return files;
}

/** A net's examples from its file: { x (NHWC), labels, oneHot }. */
export async function readNativeData(file, net) {
  const bytes = await readFile(file);
  const all = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const size = net.input.reduce((a, b) => a * b, 1);
  const examples = examplesOf(net);
  const x = all.slice(0, examples * size);
  const labels = all.slice(examples * size);
  const classes = classesOf(net);
  const oneHot = new Float32Array(examples * classes);
  labels.forEach((label, i) => { oneHot[i * classes + label] = 1; });
  return { x, labels, oneHot };
}
