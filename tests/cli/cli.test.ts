// The `convas` command end to end, as a child process on a tiny generated IDX dataset and on
// generated folders of colour JPEG and PNG images: train, evaluate and predict on the saved model,
// threads, and the exit codes of mistakes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init, layers, sequential } from '../../src/index.js';
import { encodePgm, encodePng } from '../data/encoders.js';
import { random } from '../helpers.js';
import { SIDE, drawImage, writeBarsIdx } from './bars-idx.js';

const dir = mkdtempSync(join(tmpdir(), 'convas-cli-'));
const modelDir = join(dir, 'model');
writeBarsIdx(dir, 300, 60);

function convas(...args: string[]) {
  const run = spawnSync(process.execPath, ['bin/convas.js', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const accuracyIn = (text: string) => Number(/Test accuracy: ([\d.]+)%/.exec(text)?.[1]);

let trainedAccuracy = NaN;

test('train: plain epoch lines, test accuracy, confusion matrix, saved model', () => {
  const { code, stdout, stderr } = convas('train', '--data', dir, '--epochs', '2', '--learning-rate', '0.01', '--out', modelDir);
  assert.is(code, 0, stderr);
  const epochLines = stdout.split('\n').filter((l) => l.startsWith('epoch '));
  assert.is(epochLines.length, 2, stdout);
  assert.match(epochLines[1], /^epoch 2\/2  loss \d+\.\d{4}  acc \d+\.\d\d%  \d+\.\ds  \d+ img\/s$/);
  assert.not.match(stdout, '\r', 'no redrawn bar when the output is not a terminal');
  assert.match(stdout, 'Training on 300 images');
  assert.match(stdout, '(8×8, 3 classes), testing on 60 held-out images');
  trainedAccuracy = accuracyIn(stdout);
  assert.ok(trainedAccuracy > 60, `learned something: ${trainedAccuracy}%`);
  assert.match(stdout, /true\\pred +0 +1 +2\n +0 /);
  assert.match(stdout, `Model saved to ${modelDir}`);
  assert.match(stdout, /Wall time: \d+\.\d s/);
  assert.ok(existsSync(join(modelDir, 'model.json')));
});

test('evaluate: the saved model scores what training reported', () => {
  const { code, stdout, stderr } = convas('evaluate', '--model', modelDir, '--data', dir);
  assert.is(code, 0, stderr);
  assert.is(accuracyIn(stdout), trainedAccuracy);
  assert.match(stdout, /true\\pred/);
});

test('evaluate without --data: the data the model was trained on, or a clear refusal when it records none or it is gone', () => {
  const { code, stdout, stderr } = convas('evaluate', '--model', modelDir);
  assert.is(code, 0, stderr);
  assert.match(stdout, `held-out images from ${dir}`);
  assert.is(accuracyIn(stdout), trainedAccuracy);
  // The same model with other metadata: 8×8 images, which the bundled digits (28×28×1) are not.
  const json = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
  const withMetadata = (name: string, metadata: object | undefined) => {
    const copy = join(dir, name);
    mkdirSync(copy);
    writeFileSync(join(copy, 'model.json'), JSON.stringify({ ...json, userDefinedMetadata: metadata }));
    writeFileSync(join(copy, 'weights.bin'), readFileSync(join(modelDir, 'weights.bin')));
    return convas('evaluate', '--model', copy);
  };
  const bare = withMetadata('bare', undefined);
  assert.is(bare.code, 1, bare.stderr);
  assert.match(bare.stderr, 'records no data directory, and takes [8, 8, 1] images');
  assert.match(bare.stderr, '--data DIR');
  const gone = withMetadata('gone', { ...json.userDefinedMetadata, trainingRun: { ...json.userDefinedMetadata.trainingRun,
    settings: { ...json.userDefinedMetadata.trainingRun.settings, data: join(dir, 'moved-away') } } });
  assert.is(gone.code, 1, gone.stderr);
  assert.match(gone.stderr, `was trained on ${join(dir, 'moved-away')}, which cannot be read now (ENOENT)`);
  assert.match(gone.stderr, '--data DIR');
});

test('predict: a class and every probability per file', () => {
  const rng = random(3);
  const files = [0, 1, 2].map((label) => {
    const file = join(dir, `class${label}.pgm`);
    writeFileSync(file, encodePgm('P5', SIDE, SIDE, drawImage(label, rng)));
    return file;
  });
  const { code, stdout, stderr } = convas('predict', '--model', modelDir, ...files);
  assert.is(code, 0, stderr);
  const lines = stdout.trim().split('\n');
  assert.is(lines.length, 3, stdout);
  lines.forEach((line, i) => {
    assert.ok(line.startsWith(files[i]), line);
    const probabilities = [...line.matchAll(/(\d): (\d\.\d{3})/g)].map((m) => Number(m[2]));
    assert.is(probabilities.length, 3, line);
    assert.ok(Math.abs(probabilities.reduce((a, b) => a + b) - 1) < 0.01, line);
    assert.match(line, /class [012]/);
  });
});

test('predict: a model with a class per pixel (a segmentation net) is refused, naming its output, not read as one class per image', async () => {
  await init();
  const segmenter = join(dir, 'segmenter');
  const net = sequential({ inputShape: [SIDE, SIDE, 1], layers: [layers.conv2d({ filters: 3, kernelSize: 1, activation: 'softmax' })] });
  await net.save(segmenter);
  net.dispose();
  const file = join(dir, 'pixels.pgm');
  writeFileSync(file, encodePgm('P5', SIDE, SIDE, drawImage(1, random(4))));
  const { code, stdout, stderr } = convas('predict', '--model', segmenter, file);
  assert.is(code, 1, stdout);
  assert.match(stderr, `outputs [${SIDE}, ${SIDE}, 3] per image`);
  assert.match(stderr, 'one class per image');
  assert.not.match(stderr, '    at ', 'no stack trace');
});

test('predict with an ONNX model from PyTorch (the LeNet fixture, 28×28 greyscale): a class per file, a light page inverted (said so) unless --normalize is given', () => {
  const file = join(dir, 'digit.pgm');
  writeFileSync(file, encodePgm('P5', 28, 28, Uint8Array.from({ length: 784 }, (_, i) => (i % 28 === 14 ? 255 : 0))));
  const { code, stdout, stderr } = convas('predict', '--model', 'tests/fixtures/onnx/lenet.onnx', file);
  assert.is(code, 0, stderr);
  assert.match(stdout, "(the model's outputs are scores, not probabilities: some are outside [0, 1])\n");
  assert.match(stdout, new RegExp(`\n${file}.*class \\d`));
  // A dark stroke on paper is inverted for a grey model without image metadata, and said so; --normalize says how instead.
  const paper = join(dir, 'paper.pgm');
  writeFileSync(paper, encodePgm('P5', 28, 28, Uint8Array.from({ length: 784 }, (_, i) => (i % 28 === 14 ? 0 : 255))));
  const onnx = convas('predict', '--model', 'tests/fixtures/onnx/lenet.onnx', paper);
  assert.is(onnx.code, 0, onnx.stderr);
  assert.match(onnx.stdout, '(inverted: dark on light)');
  const asGiven = convas('predict', '--model', 'tests/fixtures/onnx/lenet.onnx', '--normalize', '[0,1]', paper);
  assert.is(asGiven.code, 0, asGiven.stderr);
  assert.not.match(asGiven.stdout, 'inverted');
});

test('a bad data directory: exit 1, the directory named and what it should hold, no stack trace', () => {
  const { code, stderr } = convas('train', '--data', join(dir, 'nowhere'), '--epochs', '1');
  assert.is(code, 1);
  assert.match(stderr, join(dir, 'nowhere'));
  assert.match(stderr, 'train-images-idx3-ubyte');
  assert.match(stderr, 'one folder of images per class');
  assert.not.match(stderr, /\n\s+at /);
});

// Image folders: "blue" and "red" photos of assorted sizes, JPEG and PNG, with noise and a lighter
// or darker patch placed at random; one corrupt file, one note that is not an image.
const photos = join(dir, 'photos');
/** An RGBA photo of `width`×`height` mostly of colour `label` (0 blue, 1 red). */
function photo(label: number, width: number, height: number, rng: ReturnType<typeof random>): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  const [px, py] = [rng.int(0, width - 4), rng.int(0, height - 4)];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const patch = x >= px && x < px + 4 && y >= py && y < py + 4 ? 60 : 0;
      const strong = 150 + rng.int(0, 80) + patch, weak = rng.int(0, 90) + patch;
      data.set(label === 1 ? [strong, weak, weak, 255] : [weak, weak, strong, 255], 4 * (y * width + x));
    }
  }
  return data;
}
function writePhoto(file: string, label: number, rng: ReturnType<typeof random>): void {
  const [width, height] = [rng.int(12, 40), rng.int(12, 40)];
  const data = photo(label, width, height, rng);
  if (file.endsWith('.jpg')) {
    writeFileSync(file, jpeg.encode({ width, height, data }, 90).data);
  } else {
    const rgb = Uint8Array.from({ length: width * height * 3 }, (_, i) => data[Math.floor(i / 3) * 4 + (i % 3)]);
    writeFileSync(file, encodePng({ width, height, colourType: 2, samples: rgb, filters: [1, 4] }));
  }
}
{
  const rng = random(9);
  for (const [label, name] of ['blue', 'red'].entries()) {
    mkdirSync(join(photos, name, 'more'), { recursive: true });
    for (let i = 0; i < 14; i++) writePhoto(join(photos, name, i < 10 ? '' : 'more', `${name}${i}.${i % 2 ? 'jpg' : 'png'}`), label, rng);
  }
  writeFileSync(join(photos, 'red', 'broken.jpg'), readFileSync(join(photos, 'red', 'red1.jpg')).subarray(0, 200));
  writeFileSync(join(photos, 'blue', 'notes.txt'), 'not an image');
}
const photoModel = join(dir, 'photo-model');

test('train on image folders: loads with a warning for the broken file, adapts the network to the size, remembers classes and inputs', () => {
  const { code, stdout, stderr } = convas('train', '--data', photos, '--size', '16x20', '--epochs', '4', '--validation-split', '0.25', '--out', photoModel);
  assert.is(code, 0, stderr);
  assert.match(stderr, `convas: warning: ${join(photos, 'red', 'broken.jpg')}: skipped`);
  assert.match(stdout, /^Loaded 28 images in \d+\.\d s \(1 skipped: see the warnings\)$/m);
  // trunc(0.25 · 29 files) = 7 held out; the broken one is among the files.
  assert.match(stdout, /Training on 2[12] images from .*photos \(16×20×3, 2 classes: blue, red\), testing on [67] held-out images/);
  assert.match(stdout, /Classes: 0 blue, 1 red/);
  const accuracy = accuracyIn(stdout);
  assert.ok(accuracy >= 80, `learned blue from red: ${accuracy}%\n${stdout}`);
  const saved = JSON.parse(readFileSync(join(photoModel, 'model.json'), 'utf8'));
  const { trainingRun, ...images } = saved.userDefinedMetadata;
  assert.equal(images, {
    classNames: ['blue', 'red'], imageInput: { size: [16, 20], channels: 3, normalize: '[0,1]', crop: 'center' }, validation: { split: 0.25, seed: 0, directory: photos },
  });
  assert.equal([trainingRun.epochsDone, trainingRun.settings.epochs, trainingRun.settings.data], [4, 4, photos], 'the finished run, as --resume reads it');
  assert.equal(saved.model.layers[0].shape, [16, 20, 3]);

  const again = convas('evaluate', '--model', photoModel, '--data', photos);
  assert.is(again.code, 0, again.stderr);
  assert.is(accuracyIn(again.stdout), accuracy, 'evaluate holds out the same images, made the same way');
});

test('predict reads colour JPEG and PNG, names the classes; 2 threads give the same output as 1', () => {
  const rng = random(77);
  const files = ['blue.jpg', 'red.png', 'red.jpg'].map((name, i) => {
    const file = join(dir, name);
    writePhoto(file, i === 0 ? 0 : 1, rng);
    return file;
  });
  const one = convas('predict', '--model', photoModel, ...files);
  assert.is(one.code, 0, one.stderr);
  const lines = one.stdout.trim().split('\n');
  assert.is(lines.length, 3);
  lines.forEach((line, i) => {
    assert.match(line, /blue: \d\.\d{3}  red: \d\.\d{3}$/);
    assert.match(line, `class ${i === 0 ? 'blue' : 'red'}`);
  });
  const two = convas('predict', '--model', photoModel, '--threads', '2', ...files);
  assert.is(two.code, 0, two.stderr);
  assert.is(two.stdout, one.stdout);
  const normalized = convas('predict', '--model', photoModel, '--normalize', '[-1,1]', ...files);
  assert.is(normalized.code, 0, normalized.stderr);
  assert.not.equal(normalized.stdout, one.stdout, '--normalize changes the inputs');
});

test('train with --threads 2 gives the same model as with 1 thread', () => {
  const outputs = ['1', '2'].map((threads) => {
    const out = join(dir, `threads-${threads}`);
    const run = convas('train', '--data', photos, '--size', '12', '--epochs', '1', '--threads', threads, '--out', out);
    assert.is(run.code, 0, run.stderr);
    return readFileSync(join(out, 'weights.bin'));
  });
  assert.ok(outputs[0].equals(outputs[1]), 'the same weights, bit for bit');
});

test('image folders that cannot be a dataset: exit 1 and the reason', () => {
  const empty = join(dir, 'empty-class');
  mkdirSync(join(empty, 'a'), { recursive: true });
  mkdirSync(join(empty, 'b'), { recursive: true });
  writeFileSync(join(empty, 'a', '1.png'), readFileSync(join(photos, 'red', 'red0.png')));
  const run = convas('train', '--data', empty, '--epochs', '1');
  assert.is(run.code, 1);
  assert.match(run.stderr, /the class folder "b" holds no images/);
  const none = join(dir, 'no-classes');
  mkdirSync(none);
  const loose = convas('train', '--data', none);
  assert.is(loose.code, 1);
  assert.match(loose.stderr, /no class folders; expected one sub-folder per class/);
});

test('a bad architecture file: exit 1, the file named', () => {
  const file = join(dir, 'net.json');
  writeFileSync(file, JSON.stringify({ layers: [{ className: 'Conv3D', filters: 2 }] }));
  const { code, stderr } = convas('train', '--data', dir, '--model', file);
  assert.is(code, 1);
  assert.match(stderr, file);
  assert.match(stderr, 'Conv3D');
});

test('a bad command line: exit 2 with the reason', () => {
  const unknown = convas('train', '--epoch', '3');
  assert.is(unknown.code, 2);
  assert.match(unknown.stderr, '--epoch');
  const invalid = convas('train', '--optimizer', 'foo');
  assert.is(invalid.code, 2);
  assert.match(invalid.stderr, '--optimizer must be one of sgd, momentum, adam, got "foo"');
  const hex = convas('train', '--epochs', '0x2');
  assert.is(hex.code, 2);
  assert.match(hex.stderr, '--epochs must be a positive integer, got "0x2"');
});

test('what --out holds is kept: a model convas train did not save, or after a --model that does not fit the data', () => {
  const own = join(dir, 'own-model');
  mkdirSync(own);
  const mine = JSON.stringify({ format: 'layers-model', modelTopology: {} });
  writeFileSync(join(own, 'model.json'), mine);
  const refused = convas('train', '--data', dir, '--epochs', '1', '--out', own);
  assert.is(refused.code, 1);
  assert.match(refused.stderr, `${own} holds a model (model.json) that convas train did not save`);
  assert.is(readFileSync(join(own, 'model.json'), 'utf8'), mine, 'untouched');
  // The output layer has 5 units, the data 3 classes: refused before the first checkpoint replaces the model in --out.
  const net = join(dir, 'five.json');
  writeFileSync(net, JSON.stringify({ layers: [{ className: 'Flatten' }, { className: 'Dense', units: 5, activation: 'softmax' }] }));
  const before = readFileSync(join(modelDir, 'weights.bin'));
  const misfit = convas('train', '--data', dir, '--model', net, '--epochs', '1', '--out', modelDir);
  assert.is(misfit.code, 1);
  assert.match(misfit.stderr, `${net} gives outputs of [5], but there are 3 classes in ${dir}; the model must end in 3 outputs`);
  assert.ok(readFileSync(join(modelDir, 'weights.bin')).equals(before), 'the model in --out untouched');
  assert.is(convas('evaluate', '--model', modelDir).code, 0, 'and still a finished run');
  // A model.json that is a link to a device is not read forever, nor taken for nothing there.
  const device = join(dir, 'device-out');
  mkdirSync(device);
  symlinkSync('/dev/zero', join(device, 'model.json'));
  const endless = convas('train', '--data', dir, '--epochs', '1', '--out', device);
  assert.is(endless.code, 1);
  assert.match(endless.stderr, 'its model.json cannot be read');
  assert.match(endless.stderr, 'is not a regular file');
});

test('a run that ended saved for TF.js is not resumed (its file has no optimizer state); a finished run\'s --out is trained again', () => {
  const out = join(dir, 'tfjs-run');
  assert.is(convas('train', '--data', dir, '--epochs', '1', '--format', 'tfjs', '--out', out).code, 0);
  const resumed = convas('train', '--resume', out, '--epochs', '2');
  assert.is(resumed.code, 1);
  assert.match(resumed.stderr, 'the run ended saved in the TensorFlow.js format (--format tfjs), which keeps no optimizer state');
  const again = convas('train', '--data', dir, '--epochs', '1', '--out', out);
  assert.is(again.code, 0, again.stderr);
});

test('evaluate on image folders: the classes must be the model\'s; a folder of its own is scored whole', () => {
  const swapped = join(dir, 'swapped');
  const other = join(dir, 'other-photos');
  const rng = random(5);
  for (const [label, name] of ['blue', 'red'].entries()) {
    mkdirSync(join(swapped, `${name}-ish`), { recursive: true });
    mkdirSync(join(other, name), { recursive: true });
    for (let i = 0; i < 3; i++) {
      writePhoto(join(swapped, `${name}-ish`, `${i}.png`), label, rng);
      writePhoto(join(other, name, `${i}.png`), label, rng);
    }
  }
  const wrong = convas('evaluate', '--model', photoModel, '--data', swapped);
  assert.is(wrong.code, 1);
  assert.match(wrong.stderr, `was trained on the classes blue, red, but the class folders of ${swapped} are blue-ish, red-ish`);
  const whole = convas('evaluate', '--model', photoModel, '--data', other);
  assert.is(whole.code, 0, whole.stderr);
  assert.match(whole.stdout, `on 6 images from ${other}`);
  assert.match(whole.stdout, /\(\d of 6\)/);
  // A link to the model's own folder is that folder: its held-out share, not every image.
  const link = join(dir, 'photos-link');
  symlinkSync(photos, link);
  const own = convas('evaluate', '--model', photoModel, '--data', link);
  assert.is(own.code, 0, own.stderr);
  assert.match(own.stdout, /on \d+ held-out images from/);
  const digits = convas('evaluate', '--model', photoModel, '--data', dir);
  assert.is(digits.code, 1);
  assert.match(digits.stderr, /takes inputs of \[16, 20, 3\], but the images of .* are \[8, 8, 1\]/);
});

test('one class folder is refused; --normalize imagenet makes colour images without --channels; image settings (the split too) refused for IDX files', () => {
  const one = join(dir, 'one-class');
  mkdirSync(join(one, 'red'), { recursive: true });
  writeFileSync(join(one, 'red', 'a.png'), readFileSync(join(photos, 'red', 'red0.png')));
  const run = convas('train', '--data', one, '--epochs', '1');
  assert.is(run.code, 1);
  assert.match(run.stderr, 'one class folder ("red"); a classifier needs a folder of images for each of two classes or more');
  const imagenet = convas('train', '--data', photos, '--size', '12', '--normalize', 'imagenet', '--epochs', '1', '--out', join(dir, 'imagenet'));
  assert.is(imagenet.code, 0, imagenet.stderr);
  assert.match(imagenet.stdout, '(12×12×3, 2 classes');
  const idx = convas('train', '--data', dir, '--size', '12', '--normalize', '[-1,1]', '--epochs', '1', '--out', join(dir, 'idx-sized'));
  assert.is(idx.code, 1);
  assert.match(idx.stderr, `--size, --normalize apply to folders of images; ${dir} holds images made already (8×8×1)`);
  const imagenetIdx = convas('train', '--data', dir, '--normalize', 'imagenet', '--epochs', '1', '--out', join(dir, 'idx-imagenet'));
  assert.is(imagenetIdx.code, 1);
  assert.match(imagenetIdx.stderr, '--normalize applies to folders of images');
  const splitIdx = convas('train', '--data', dir, '--validation-split', '0.5', '--epochs', '1', '--out', join(dir, 'idx-split'));
  assert.is(splitIdx.code, 1);
  assert.match(splitIdx.stderr, `--validation-split applies to folders of images; ${dir} holds images made already`);
  assert.not.ok(existsSync(join(dir, 'idx-split')), 'nothing written');
});

test('a reader that stops early ends the command quietly, with SIGPIPE\'s exit code', () => {
  const run = spawnSync('bash', ['-c', `"${process.execPath}" bin/convas.js train --data "${dir}" --epochs 3 --out "${join(dir, 'piped')}" | head -1; exit \${PIPESTATUS[0]}`],
    { encoding: 'utf8' });
  assert.is(run.status, 141, run.stderr);
  assert.not.match(run.stderr, /\n\s+at /);
});

test('--help: the usage, exit 0', () => {
  const { code, stdout } = convas('--help');
  assert.is(code, 0);
  assert.match(stdout, 'convas train [options]');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
