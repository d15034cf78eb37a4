// A LeNet-style model trained with 1 and with 2 threads ends with the same weights, bit for bit,
// also with batch normalisation (its moving statistics included), layer and group normalisation. Each
// thread count needs its own process (init fixes it), so this file runs itself as the child.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import { type Normalisation, trainLenet } from './lenet.js';

const CHILD_THREADS = 'CONVAS_TEST_LENET_THREADS';
const CHILD_NORMALISATION = 'CONVAS_TEST_LENET_NORMALISATION';
/** Four batches of 32 and one of 13 per epoch, two epochs. */
const EXAMPLES = 141;

/**
 * Trains in a fresh process with `threads`; returns the weights' bytes in base64, one string per
 * weight, after checking that the child's kernels really ran on that many threads (a backend that
 * fell back to one thread would make the comparison prove nothing).
 */
function weightsWith(threads: number, normalisation: Normalisation = 'none'): string[] {
  const env = { ...process.env, [CHILD_THREADS]: String(threads), [CHILD_NORMALISATION]: normalisation };
  const run = spawnSync(process.execPath, [process.argv[1]], { encoding: 'utf8', env });
  assert.is(run.status, 0, `child with ${threads} threads failed: ${run.stderr}`);
  const child: { threads: number; weights: string[] } = JSON.parse(run.stdout);
  assert.is(child.threads, threads, `the child asked for ${threads} threads but its kernels ran on ${child.threads}`);
  return child.weights;
}

if (process.env[CHILD_THREADS]) {
  const { weights } = await trainLenet(Number(process.env[CHILD_THREADS]), EXAMPLES, 1, process.env[CHILD_NORMALISATION] as Normalisation);
  console.log(JSON.stringify({
    threads: getBackend().parallel.threads,
    weights: weights.map((w) => Buffer.from(w.buffer, w.byteOffset, w.byteLength).toString('base64')),
  }));
} else {
  test('LeNet trained for two epochs (odd last batch) has identical weights with 1 and 2 threads', () => {
    const one = weightsWith(1), two = weightsWith(2);
    assert.is(one.length, 6, 'two conv kernels and biases, a dense kernel and bias');
    one.forEach((w, i) => assert.ok(w === two[i], `weight ${i} differs between 1 and 2 threads`));
  });
  test('with batch normalisation after each convolution: identical weights and moving statistics with 1 and 2 threads', () => {
    const one = weightsWith(1, 'batch'), two = weightsWith(2, 'batch');
    assert.is(one.length, 12, 'two conv kernels, two γ, β, moving means and variances, a dense kernel and bias');
    one.forEach((w, i) => assert.ok(w === two[i], `weight ${i} differs between 1 and 2 threads`));
  });
  test('with layer normalisation after each convolution: identical weights with 1 and 2 threads', () => {
    const one = weightsWith(1, 'layer'), two = weightsWith(2, 'layer');
    assert.is(one.length, 8, 'two conv kernels, two γ and β, a dense kernel and bias');
    one.forEach((w, i) => assert.ok(w === two[i], `weight ${i} differs between 1 and 2 threads`));
  });
  test('with group normalisation after each convolution: identical weights with 1 and 2 threads', () => {
    const one = weightsWith(1, 'group'), two = weightsWith(2, 'group');
    assert.is(one.length, 8, 'two conv kernels, two γ and β, a dense kernel and bias');
    one.forEach((w, i) => assert.ok(w === two[i], `weight ${i} differs between 1 and 2 threads`));
  });
  test.run();
}
