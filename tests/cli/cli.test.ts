// The `convas` command end to end, as a child process on a tiny generated IDX dataset: train,
// evaluate and predict on the saved model, and the exit codes of mistakes.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { encodeIdx, encodePgm } from '../data/encoders.js';
import { random } from '../helpers.js';

const SIDE = 8;
const dir = mkdtempSync(join(tmpdir(), 'convas-cli-'));
const modelDir = join(dir, 'model');

/** An 8×8 image of class 0 (a horizontal bar), 1 (a vertical bar) or 2 (a diagonal), placed at random, with noise. */
function drawImage(label: number, rng: ReturnType<typeof random>): Uint8Array {
  const pixels = new Uint8Array(SIDE * SIDE);
  for (let i = 0; i < pixels.length; i++) pixels[i] = rng.int(0, 40);
  const at = rng.int(1, SIDE - 2);
  for (let k = 0; k < SIDE; k++) {
    const [y, x] = label === 0 ? [at, k] : label === 1 ? [k, at] : [k, k];
    pixels[y * SIDE + x] = 255;
  }
  return pixels;
}

/** MNIST-named IDX files of `count` images; the labels cycle 0, 1, 2. */
function writeIdxPair(imagesName: string, labelsName: string, count: number, seed: number): void {
  const rng = random(seed);
  const labels = Uint8Array.from({ length: count }, (_, i) => i % 3);
  const images = new Uint8Array(count * SIDE * SIDE);
  labels.forEach((label, i) => images.set(drawImage(label, rng), i * SIDE * SIDE));
  writeFileSync(join(dir, imagesName), encodeIdx([count, SIDE, SIDE], images));
  writeFileSync(join(dir, labelsName), encodeIdx([count], labels));
}

writeIdxPair('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 300, 1);
writeIdxPair('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 60, 2);

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

test('predict with an ONNX model from PyTorch (the LeNet fixture, 28×28 greyscale): a class per file', () => {
  const file = join(dir, 'digit.pgm');
  writeFileSync(file, encodePgm('P5', 28, 28, Uint8Array.from({ length: 784 }, (_, i) => (i % 28 === 14 ? 255 : 0))));
  const { code, stdout, stderr } = convas('predict', '--model', 'tests/fixtures/onnx/lenet.onnx', file);
  assert.is(code, 0, stderr);
  assert.match(stdout, new RegExp(`^${file}.*class \\d`));
});

test('a bad data directory: exit 1, the missing file named, no stack trace', () => {
  const { code, stderr } = convas('train', '--data', join(dir, 'nowhere'), '--epochs', '1');
  assert.is(code, 1);
  assert.match(stderr, 'train-images-idx3-ubyte');
  assert.not.match(stderr, /\n\s+at /);
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
});

test('--help: the usage, exit 0', () => {
  const { code, stdout } = convas('--help');
  assert.is(code, 0);
  assert.match(stdout, 'convas train [options]');
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
test.run();
