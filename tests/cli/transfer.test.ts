// `convas train --base … --cut …` end to end, as a child process: a MobileNetV2 saved by tfjs-layers
// (tests/model/mobilenet-base.ts) and folders of stripes and dots (PNG and JPEG, with a truncated
// photo among them) teach a head; the saved model (base and head) predicts and evaluates by its
// class names, saves as TF.js on request, and every mistake is a clear exit.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type Model, decodeImage, imageToTensor, init, layers, loadModel, sequential } from '../../src/index.js';
import { assertSameBits } from '../helpers.js';
import { loadInTfjs } from '../io/tfjs-files.js';
import { FEATURE_LAYER, mobileNetBase } from '../model/mobilenet-base.js';
import { TEXTURES, encodePicture, stripesAndDots } from '../model/patterns.js';

const SIZE = 64;
const dir = mkdtempSync(join(tmpdir(), 'convas-transfer-cli-'));
const photos = join(dir, 'photos');
const modelDir = join(dir, 'model');
let baseDir = '';

function convas(...args: string[]) {
  const run = spawnSync(process.execPath, ['bin/convas.js', ...args], { encoding: 'utf8' });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const accuracyIn = (text: string) => Number(/Test accuracy: ([\d.]+)%/.exec(text)?.[1]);
/** Teaching options that suit the small random base (mobilenet-base.ts): its first block's features, a head of 32 units. */
const TEACH = ['--cut', FEATURE_LAYER, '--head', 'dense:32', '--learning-rate', '0.01', '--epochs', '100', '--validation-split', '0.3'];

test.before(async () => {
  baseDir = (await mobileNetBase(SIZE)).dir;
  // 50 pictures of each texture, at twice the base's size (the command line resizes them), PNG and JPEG.
  const pictures = stripesAndDots(50, 2 * SIZE, 21);
  for (const name of TEXTURES) mkdirSync(join(photos, name), { recursive: true });
  pictures.forEach((picture, i) => {
    const format = i % 4 < 2 ? 'png' : 'jpg';
    writeFileSync(join(photos, TEXTURES[picture.label], `${i}.${format}`), encodePicture(picture, format));
  });
  const whole = readFileSync(join(photos, 'dots', '3.jpg'));
  writeFileSync(join(photos, 'dots', 'truncated.jpg'), whole.subarray(0, whole.length >> 1));
});

test.after(() => rmSync(dir, { recursive: true, force: true }));

let reported = NaN;

test('train --base --cut: loads the images (the truncated photo skipped with a warning), computes the embeddings, trains the head, reports, saves base and head', () => {
  const { code, stdout, stderr } = convas('train', '--base', baseDir, '--data', photos, ...TEACH, '--out', modelDir);
  assert.is(code, 0, stderr);
  assert.match(stderr, `convas: warning: ${join(photos, 'dots', 'truncated.jpg')}: skipped`);
  assert.match(stdout, `Base ${baseDir}: 156 layers, cut after ${FEATURE_LAYER} → [16] features per image (avg pooling), frozen`);
  assert.match(stdout, /^Loaded 100 images in \d+\.\d s \(1 skipped: see the warnings\)$/m);
  assert.match(stdout, /^Computed the embeddings of 100 images in \d+\.\d s$/m);
  assert.match(stdout, /Training a head \(dense 32 relu → dense 2 softmax, 610 weights\) on 70 images from .* \(2 classes: dots, stripes\), testing on 30 held-out images/);
  assert.is(stdout.split('\n').filter((l) => l.startsWith('epoch ')).length, 100);
  reported = accuracyIn(stdout);
  assert.ok(reported >= 90, `held-out accuracy ${reported}%\n${stdout}`);
  assert.match(stdout, /Classes: 0 dots, 1 stripes/);
  assert.match(stdout, `Model saved to ${modelDir} (base and head)`);
  const saved = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8'));
  assert.equal(saved.userDefinedMetadata, {
    classNames: ['dots', 'stripes'], imageInput: { size: [SIZE, SIZE], channels: 3, normalize: '[-1,1]', crop: 'center' },
    validation: { split: 0.3, seed: 0, directory: photos }, transfer: { base: baseDir, cut: FEATURE_LAYER, pooling: 'avg', head: [32] },
  });
});

/** Each weight's values by its name. */
function namedWeights(model: Model): Map<string, Float32Array> {
  const values = model.getWeights();
  return new Map(model.weights.map((p, i) => [p.name, values[i].dataSync()]));
}

test('the saved model holds the base\'s weights up to the cut bit for bit (frozen while the head trained), then the head\'s', async () => {
  await init();
  const base = namedWeights(await loadModel(baseDir));
  const saved = namedWeights(await loadModel(modelDir));
  const fromBase = [...saved.keys()].filter((name) => base.has(name));
  // Up to expanded_conv_depthwise_relu: Conv1, bn_Conv1 (4), expanded_conv_depthwise, its batch norm (4).
  assert.is(fromBase.length, 10, fromBase.join(', '));
  for (const name of fromBase) assertSameBits(saved.get(name)!, base.get(name)!, name);
  assert.is(saved.size, fromBase.length + 4, 'and the head\'s two dense layers');
});

test('the saved model: evaluate scores what training reported; predict names the classes of new photos', async () => {
  const again = convas('evaluate', '--model', modelDir, '--data', photos);
  assert.is(again.code, 0, again.stderr);
  assert.is(accuracyIn(again.stdout), reported);
  // Without --data: the folders the model records.
  const recorded = convas('evaluate', '--model', modelDir);
  assert.is(recorded.code, 0, recorded.stderr);
  assert.match(recorded.stdout, `held-out images from ${photos}`);
  assert.is(accuracyIn(recorded.stdout), reported);
  const files = stripesAndDots(3, 2 * SIZE, 22).map((picture, i) => {
    const file = join(dir, `new-${i}-${TEXTURES[picture.label]}.${i % 2 ? 'jpg' : 'png'}`);
    writeFileSync(file, encodePicture(picture, i % 2 ? 'jpg' : 'png'));
    return file;
  });
  const { code, stdout, stderr } = convas('predict', '--model', modelDir, ...files);
  assert.is(code, 0, stderr);
  const lines = stdout.trim().split('\n');
  assert.is(lines.length, 6, stdout);
  const right = lines.filter((line, i) => line.startsWith(files[i]) && line.includes(`class ${/new-\d-(\w+)\./.exec(files[i])![1]} `)).length;
  assert.ok(right >= 5, `${right} of 6 named right:\n${stdout}`);
  lines.forEach((line) => assert.match(line, /dots: \d\.\d{3}  stripes: \d\.\d{3}$/));

  // The same as the model computes on those photos, prepared as its metadata says.
  await init();
  const model = await loadModel(modelDir);
  const x = imageToTensor(await Promise.all(files.map(async (f) => decodeImage(readFileSync(f)))), { size: SIZE, normalize: '[-1,1]' });
  const probabilities = model.predict(x).dataSync();
  lines.forEach((line, i) => assert.match(line, `dots: ${probabilities[2 * i].toFixed(3)}  stripes: ${probabilities[2 * i + 1].toFixed(3)}`));
});

test('--format tfjs: a TensorFlow.js LayersModel that TF.js loads and that predicts as convas does', async () => {
  const out = join(dir, 'tfjs-model');
  const { code, stdout, stderr } = convas('train', '--base', baseDir, '--data', photos, ...TEACH, '--epochs', '3', '--format', 'tfjs', '--out', out);
  assert.is(code, 0, stderr);
  assert.match(stdout, `Model saved to ${out} (base and head, TensorFlow.js format)`);
  await init();
  await tf.setBackend('cpu');
  const [ours, theirs] = [await loadModel(out), await loadInTfjs(out)];
  const x = imageToTensor(stripesAndDots(2, SIZE, 23), { size: SIZE, normalize: '[-1,1]' });
  const expected = ours.predict(x).dataSync();
  const got = (theirs.predict(tf.tensor4d(x.dataSync(), [4, SIZE, SIZE, 3])) as tf.Tensor).dataSync();
  got.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `${i}: ${v} vs ${expected[i]}`));
});

test('--patience: the head stops once the held-out loss has not fallen for N epochs (1 for 0, as Keras) and keeps the best epoch\'s weights', () => {
  for (const patience of [3, 0]) {
    const { code, stdout, stderr } = convas('train', '--base', baseDir, '--data', photos, ...TEACH, '--patience', String(patience), '--out', join(dir, `patient-${patience}`));
    assert.is(code, 0, stderr);
    const heldOut = [...stdout.matchAll(/^epoch +\d+\/\d+ .*held-out loss (\d+\.\d+)/gm)].map((m) => Number(m[1]));
    const waited = Math.max(patience, 1);
    const said = new RegExp(`did not improve for ${waited} epochs?, stopped after epoch (\\d+); kept the weights of epoch (\\d+), the lowest held-out loss \\((\\d+\\.\\d+)\\)`).exec(stdout);
    assert.ok(said, `--patience ${patience}: it stopped early and says which weights it kept:\n${stdout}`);
    const [stoppedAfter, best, bestLoss] = said.slice(1).map(Number);
    assert.is(heldOut.length, stoppedAfter);
    assert.is(stoppedAfter, best + waited);
    assert.is(Math.min(...heldOut), heldOut[best - 1]);
    assert.ok(Math.abs(bestLoss - heldOut[best - 1]) < 1e-9);
  }
});

test('a cut layer the base lacks: exit 1, the layers it has listed, nothing written', () => {
  const out = join(dir, 'never');
  const { code, stderr } = convas('train', '--base', baseDir, '--data', photos, '--cut', 'out_relu6', '--out', out);
  assert.is(code, 1);
  assert.match(stderr, 'has no layer "out_relu6"; its 156 layers are input_1, Conv1, bn_Conv1,');
  assert.match(stderr, 'out_relu, global_average_pooling2d, predictions');
  assert.not.match(stderr, /\n\s+at /);
  assert.not.ok(existsSync(out), 'nothing written');
});

test('a cut layer inside a nested base (as Teachable Machine nests its MobileNet): that base is cut there', async () => {
  await init();
  const nestedDir = join(dir, 'nested-base');
  const base = await loadModel(baseDir);
  const wrapper = sequential({ inputShape: base.inputShape, name: 'wrapper', layers: [base, layers.dense({ units: 3, name: 'wrapper_head' })] });
  await wrapper.save(nestedDir);
  const out = join(dir, 'from-nested');
  const { code, stdout, stderr } = convas('train', '--base', nestedDir, '--data', photos, ...TEACH.slice(0, 4), '--epochs', '1', '--out', out);
  assert.is(code, 0, stderr);
  assert.match(stdout, `Base ${nestedDir}: 2 layers, cut after ${FEATURE_LAYER} → [16] features per image (avg pooling), frozen`);
  assert.ok(existsSync(join(out, 'model.json')));
});

test('--out may not be the base, nor a run stopped half-way; features that are not flat need pooling', () => {
  const onBase = convas('train', '--base', baseDir, '--data', photos, '--cut', FEATURE_LAYER, '--out', baseDir);
  assert.is(onBase.code, 1);
  assert.match(onBase.stderr, `--out ${baseDir} is where the --base model is`);
  const stopped = join(dir, 'stopped');
  mkdirSync(stopped);
  writeFileSync(join(stopped, 'model.json'), JSON.stringify({ userDefinedMetadata: {
    trainingRun: { settings: { epochs: 3, batchSize: 4, seed: 0, shift: 0 }, epochsDone: 1, shiftState: 0 } } }));
  const unfinished = convas('train', '--base', baseDir, '--data', photos, '--cut', FEATURE_LAYER, '--out', stopped);
  assert.is(unfinished.code, 1);
  assert.match(unfinished.stderr, 'holds a run stopped after epoch 1 of 3: continue it with convas train --resume');
  const flat = convas('train', '--base', baseDir, '--data', photos, '--cut', FEATURE_LAYER, '--pooling', 'none', '--out', join(dir, 'none'));
  assert.is(flat.code, 1);
  assert.match(flat.stderr, /--pooling none: the features after .* are \[\d+, \d+, \d+\] per image, which a dense head cannot take; use --pooling avg, max or flatten/);
});

test('killed while it saves, a run leaves the best/ an earlier run of convas train left in --out', async () => {
  const out = join(dir, 'earlier');
  // The files of a finished run's model and of its best epoch, as far as --out's checks read them.
  const finished = JSON.stringify({ userDefinedMetadata: {
    trainingRun: { settings: { epochs: 3, batchSize: 4, seed: 0, shift: 0 }, epochsDone: 3, shiftState: 0 } } });
  mkdirSync(join(out, 'best'), { recursive: true });
  for (const file of ['model.json', 'best/model.json']) writeFileSync(join(out, file), finished);
  writeFileSync(join(out, 'best', 'weights.bin'), 'weights');
  // The writer pauses before each rename (the commit): the run is killed while its save is under way.
  const child = spawn(process.execPath, ['bin/convas.js', 'train', '--base', baseDir, '--data', photos, ...TEACH, '--epochs', '2', '--out', out],
    { env: { ...process.env, CONVAS_TEST_SAVE_PAUSE_MS: '60000' } });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  while (!readdirSync(out).some((f) => f.endsWith('.tmp')) && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 3));
  child.kill('SIGKILL');
  await exited;
  assert.is(readFileSync(join(out, 'model.json'), 'utf8'), finished);
  assert.is(readFileSync(join(out, 'best', 'model.json'), 'utf8'), finished);
  assert.is(readFileSync(join(out, 'best', 'weights.bin'), 'utf8'), 'weights');
});

test('Ctrl-C while the head trains: it stops after a batch, says so, saves nothing, exit 130', async () => {
  const out = join(dir, 'interrupted');
  const child = spawn(process.execPath, ['bin/convas.js', 'train', '--base', baseDir, '--data', photos, ...TEACH, '--epochs', '100000', '--out', out]);
  let stdout = '', stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await new Promise<void>((resolve) => child.stdout.on('data', (d) => {
    stdout += d;
    if (/epoch +\d+\/100000/.test(stdout)) resolve();
  }));
  child.kill('SIGINT');
  const code = await exited;
  assert.is(code, 130, `${stdout}\n${stderr}`);
  assert.match(stderr, 'stopping after this batch');
  assert.match(stdout, 'Stopped (SIGINT): nothing saved');
  assert.not.ok(existsSync(out), 'nothing written');
});

test('mistakes on the command line: exit 2 with the reason', () => {
  const cases: Array<[string[], string]> = [
    [['--base', baseDir, '--data', photos], '--base needs --cut LAYER'],
    [['--base', baseDir, '--cut', 'out_relu'], '--base needs --data DIR'],
    [['--data', photos, '--cut', 'out_relu'], '--cut goes with --base'],
    [['--base', baseDir, '--data', photos, '--cut', 'out_relu', '--size', '32'], '--size does not go with --base'],
    [['--base', baseDir, '--data', photos, '--cut', 'out_relu', '--head', 'dense:0'], '--head must be dense:N'],
    [['--base', baseDir, '--data', photos, '--cut', 'out_relu', '--pooling', 'mean'], '--pooling must be one of none, avg, max, flatten'],
    [['--format', 'onnx'], '--format must be one of convas, tfjs'],
  ];
  for (const [args, message] of cases) {
    const run = convas('train', ...args);
    assert.is(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
    assert.match(run.stderr, message);
  }
});

test.run();
