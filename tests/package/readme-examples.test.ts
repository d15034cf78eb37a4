// The README's runnable examples run as written against the built package (dist/convas.js), so the
// documentation cannot drift from the API. A block runs if it imports from 'convas' and uses only
// names it defines (the Graph models example, and Losses, optimizers and schedules).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { temporaryDirectory } from '../io/model-files.js';

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

test.run();
