// Between jobs a kernel worker polls the job header before it sleeps (kernel-jobs.ts), and that poll
// must leave nothing to collect: while it read the clock at every poll (in Node a clock read
// allocates), a two-thread LeNet-small fit filled the worker's young generation once or more per
// epoch of 32 batches, and V8's scavenges ran beside the two compute threads on a machine with no
// core to spare. The fit runs in a child Node with --trace-gc, which prints every collection under
// its isolate's address; the main thread's gc() calls (reason "testing") mark the window after
// warm-up and tell the main thread's isolate from the worker's.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** A LeNet-small fit on two threads: warm-up, gc(), `epochs` epochs of 8 batches of 32, gc(). */
const fitScript = (epochs: number) => `
  import { init, layers, sequential, tensor } from ${JSON.stringify(resolve('dist/convas.js'))};
  await init({ threads: 2 });
  const n = 256;
  const x = tensor(new Float32Array(n * 28 * 28).map((_, i) => ((i * 7919) % 1000) / 1000), [n, 28, 28, 1]);
  const y = tensor(new Float32Array(n * 10).map((_, i) => (i % 10 === Math.floor(i / 10) % 10 ? 1 : 0)), [n, 10]);
  const model = sequential({ inputShape: [28, 28, 1], seed: 1, layers: [
    layers.conv2d({ filters: 8, kernelSize: 5, padding: 'same', activation: 'relu' }), layers.maxPool2d({ poolSize: 2 }),
    layers.conv2d({ filters: 16, kernelSize: 5, padding: 'same', activation: 'relu' }), layers.maxPool2d({ poolSize: 2 }),
    layers.flatten(), layers.dense({ units: 10, activation: 'softmax' })] });
  model.compile({ optimizer: { type: 'momentum', learningRate: 0.01 }, loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 4, batchSize: 32 });
  gc();
  await model.fit(x, y, { epochs: ${epochs}, batchSize: 32 });
  gc();`;

/** Collections between the two gc() marks of a --trace-gc log: the main thread's isolate's, and the other isolates'. */
function collectionsBetweenMarks(log: string): { main: number; others: number } {
  const lines = log.split('\n').flatMap((line) => {
    const m = /^\[\d+:(0x[0-9a-f]+)\]\s+[\d.]+ ms: /.exec(line);
    return m ? [{ isolate: m[1], mark: line.includes('testing') }] : [];
  });
  const marks = lines.flatMap((line, i) => (line.mark ? [i] : []));
  assert.is(marks.length, 2, 'the log holds the two gc() marks');
  const main = lines[marks[0]].isolate;
  const window = lines.slice(marks[0] + 1, marks[1]);
  return { main: window.filter((l) => l.isolate === main).length, others: window.filter((l) => l.isolate !== main).length };
}

test('a two-thread fit leaves its kernel worker nothing to collect: no collection in the worker over 320 steps after warm-up', () => {
  const dir = mkdtempSync(join(tmpdir(), 'convas-spin-'));
  const script = join(dir, 'fit.mjs');
  writeFileSync(script, fitScript(40));
  const run = spawnSync(process.execPath, ['--expose-gc', '--trace-gc', script], { encoding: 'utf8', timeout: 180_000 });
  rmSync(dir, { recursive: true, force: true });
  assert.is(run.status, 0, run.error ? `${run.error.message}: the child hung` : run.stderr);
  const { main, others } = collectionsBetweenMarks(run.stdout);
  console.log(`  collections over 320 steps: main thread ${main}, kernel worker ${others}`);
  // Reading the clock at every poll: 23 and 28 collections in two runs here (fewer on a loaded
  // machine, where a spin descheduled polls less). Reading it every 1,024 polls: none.
  assert.ok(others <= 2, `the kernel worker collected garbage ${others} times`);
});

test.run();
