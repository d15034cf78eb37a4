// The README's runnable examples run as written against the built package (dist/convas.js), so the
// documentation cannot drift from the API. A block runs if it imports from 'convas' and uses only
// names it defines (the Graph models example, and Losses, optimizers and schedules); the From PyTorch
// and Fine-tuning examples run with what the text before them defines (a model, pictures, labels) made here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { imageToPixels } from '../../src/index.js';
import { temporaryDirectory } from '../io/model-files.js';
import { mobileNetBase } from '../model/mobilenet-base.js';
import { stripesAndDots } from '../model/patterns.js';

/** The first ```ts block after the heading `## title`. */
async function exampleUnder(title: string): Promise<string> {
  const readme = await readFile('README.md', 'utf8');
  const section = readme.slice(readme.indexOf(`## ${title}\n`));
  const match = /```ts\n([\s\S]*?)```/.exec(section);
  assert.ok(match, `README has a ts example under "## ${title}"`);
  return match[1];
}

/** Runs the example under `## title` against dist/convas.js and returns what it printed with console.log, a value per call. */
async function runExample(title: string): Promise<unknown[]> {
  const code = (await exampleUnder(title)).replace("from 'convas'", `from ${JSON.stringify(pathToFileURL(resolve('dist', 'convas.js')).href)}`);
  const lines: unknown[] = [];
  const file = join(await temporaryDirectory(), 'example.mjs');
  await writeFile(file, `const log = console.log; console.log = (line) => globalThis.readmeLines.push(line);\n${code}\nconsole.log = log;\n`);
  (globalThis as { readmeLines?: unknown[] }).readmeLines = lines;
  await import(pathToFileURL(file).href);
  return lines;
}

test('the Graph models example runs: summaries of the graph and of the cut, frozen, re-headed model', async () => {
  // The example prints with console.log (summary's default).
  const [netSummary, classifierSummary] = await runExample('Graph models') as string[];
  assert.match(netSummary, /block_add \(Add\)\s+\[batch, 32, 32, 16\]\s+0\s+block_conv, conv2d_\d+/);
  assert.match(netSummary, /head \(Sequential\)\s+\[batch, 10\]/);
  assert.match(classifierSummary, /Trainable params: 49155\b/); // dense: 32·32·16 inputs × 3 + 3
  assert.match(classifierSummary, /Non-trainable params: 2768\b/); // the two frozen 3×3 convolutions: 3·9·16+16 and 16·9·16+16
});

test('the Losses, optimizers and schedules example runs: sparse labels, AdamW with clipping and a warmed-up cosine decay', async () => {
  const [losses, evaluation] = await runExample('Losses, optimizers and schedules') as [number[], { loss: number; accuracy: number }];
  assert.is(losses.length, 5);
  assert.ok(losses[4] < losses[0], `the loss falls: ${losses}`);
  assert.ok(evaluation.accuracy > 1 / 3 && evaluation.accuracy <= 1 && Number.isFinite(evaluation.loss), JSON.stringify(evaluation));
});

test('the From PyTorch example runs on the ResNet-18 fixture: load in both layouts, fine-tune a new head, save back as ONNX', async () => {
  const dir = await temporaryDirectory();
  const defined = `const n = 2;
const imagesNHWC = tensor(new Float32Array(n * 64 * 64 * 3).fill(0.5), [n, 64, 64, 3]);
const imagesNCHW = tensor(new Float32Array(n * 3 * 64 * 64).fill(0.5), [n, 3, 64, 64]);
const x = imagesNHWC, y = tensor([1, 0, 0, 0, 0, 0, 1, 0, 0, 0], [n, 5]);
`;
  const code = (await exampleUnder('From PyTorch'))
    .replace("import { init, loadModel, layers, model } from 'convas';", `import { init, loadModel, layers, model, tensor } from ${JSON.stringify(pathToFileURL(resolve('dist', 'convas.js')).href)};\n${defined}`)
    .replace(/'net\.onnx'/g, JSON.stringify(resolve('tests/fixtures/onnx/resnet18_narrow.onnx')))
    .replace("'tuned.onnx'", JSON.stringify(join(dir, 'tuned.onnx')));
  const file = join(dir, 'example.mjs');
  await writeFile(file, code);
  await import(pathToFileURL(file).href);
  const saved = await readFile(join(dir, 'tuned.onnx'));
  assert.ok(saved.length > 1000, 'the fine-tuned model was saved as ONNX');
});

test('the Fine-tuning example runs on a MobileNetV2: the head on the frozen base, then the base unfrozen trains its kernels while its batch norms keep their statistics bit for bit', async () => {
  const size = 32;
  const { dir } = await mobileNetBase(size);
  const pictures = stripesAndDots(8, size, 40); // 16: the example's batch
  (globalThis as { readmeFineTuning?: unknown }).readmeFineTuning = {
    x: pictures.flatMap((p) => Array.from(imageToPixels(p, { size, normalize: '[-1,1]' }))),
    labels: pictures.flatMap((p) => (p.label === 0 ? [1, 0] : [0, 1])),
  };
  // The base, x and labels come from the Transfer learning example before it: made here the same way.
  const given = `await init();
const base = await loadModel(${JSON.stringify(dir)});
const { x: xValues, labels: labelValues } = globalThis.readmeFineTuning;
const x = tensor(Float32Array.from(xValues), [${pictures.length}, ${size}, ${size}, 3]);
const labels = tensor(Float32Array.from(labelValues), [${pictures.length}, 2]);
/** Each of the base's weights by name: whether it is state (a moving statistic) and its values. */
const weightsOf = (m) => { const values = m.getWeights(); return Object.fromEntries(m.weights.map((w, i) => [w.name, { state: !w.trainable, values: Array.from(values[i].dataSync()) }])); };
globalThis.readmeFineTuning.before = weightsOf(base);
`;
  const code = (await exampleUnder('Fine-tuning'))
    .replace("import { cutModel, input, layers, model } from 'convas';",
      `import { cutModel, init, input, layers, loadModel, model, tensor } from ${JSON.stringify(pathToFileURL(resolve('dist', 'convas.js')).href)};\n${given}`);
  const file = join(await temporaryDirectory(), 'example.mjs');
  await writeFile(file, `${code}\nglobalThis.readmeFineTuning.after = weightsOf(base);\nglobalThis.readmeFineTuning.cut = features.params.map((w) => w.name);\n`);
  await import(pathToFileURL(file).href);
  type Weights = Record<string, { state: boolean; values: number[] }>;
  const { before, after, cut } = (globalThis as { readmeFineTuning?: { before: Weights; after: Weights; cut: string[] } }).readmeFineTuning!;
  const state = Object.keys(before).filter((name) => before[name].state);
  const kernels = cut.filter((name) => name.endsWith('kernel')); // the base's own classifier, past the cut, never runs
  assert.ok(state.length >= 10 && kernels.length >= 10, `the cut holds batch norms and convolutions: ${cut}`);
  for (const name of state) assert.equal(after[name].values, before[name].values, `${name}: the moving statistics stay`);
  const trained = kernels.filter((name) => after[name].values.some((v, i) => v !== before[name].values[i]));
  assert.is(trained.length, kernels.length, `every kernel of the base trained once unfrozen; unchanged: ${kernels.filter((k) => !trained.includes(k))}`);
});

test('the Training control example runs: metrics, validationSplit, classWeight, early stopping, a stop hook, fitDataset, the confusion matrix', async () => {
  const [names, matrix] = await runExample('Training control') as [string[], number[][]];
  for (const name of ['loss', 'acc', 'perClassF1', 'topKCategoricalAccuracy']) {
    assert.ok(names.includes(name) && names.includes(`val_${name}`), `${name} and val_${name} in ${names}`);
  }
  assert.is(matrix.length, 3);
  assert.is(matrix.flat().reduce((a, b) => a + b), 96, 'every example counted once');
});

test.run();
