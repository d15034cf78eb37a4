// Kernel threads in Chromium, as a page uses them: in a crossOriginIsolated page (COOP and COEP),
// on the page's main thread and in a Web Worker, a seeded model trains to the same bits with 2 and
// 3 threads as in Node on one; elsewhere init notes that threads need SharedArrayBuffer and runs on
// one; and a page whose Content-Security-Policy forbids workers from blob: URLs is told so.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { browserTestsRun, launchChromium } from './chromium.js';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as convasInNode from '../../src/index.js';

/**
 * Trains a small seeded CNN on made-up examples with `threads` and returns the threads that ran and
 * the weights' bits. Runs in Node and, from its source text, in pages and workers: it uses only its parameters.
 */
async function seededRun(convas: typeof import('../../src/index.js'), threads: number) {
  const backend = await convas.init({ threads });
  const n = 29, size = 16;
  let seed = 12345;
  const next = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const x = convas.tensor(Float32Array.from({ length: n * size * size * 3 }, next), [n, size, size, 3]);
  const y = convas.tensor(Float32Array.from({ length: n * 4 }, (_, i) => (i % 4 === Math.floor(i / 4) % 4 ? 1 : 0)), [n, 4]);
  const model = convas.sequential({ inputShape: [size, size, 3], seed: 3, layers: [
    convas.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu' }),
    convas.layers.batchNormalization(),
    convas.layers.maxPool2d({ poolSize: 2 }),
    convas.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', activation: 'relu' }),
    convas.layers.flatten(),
    convas.layers.dense({ units: 4, activation: 'softmax' }),
  ] });
  model.compile({ optimizer: 'adam', loss: 'categoricalCrossentropy' });
  await model.fit(x, y, { epochs: 2, batchSize: 13, shuffle: true });
  const bits = model.getWeights().flatMap((w) => Array.from(new Uint32Array(w.dataSync().slice().buffer)));
  return { threads: backend.threads, bits };
}

const WORKER = `import * as convas from './convas.js';
const seededRun = (${seededRun.toString()});
onmessage = async (event) => postMessage(await seededRun(convas, event.data));`;

const ISOLATED = { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' };

if (browserTestsRun()) {
  let context: BrowserContext;
  let base: string;
  const temp = mkdtempSync(join(tmpdir(), 'convas-threads-'));
  // isolated.html with COOP and COEP; blob-workers-forbidden.html with them and a CSP allowing workers from the page's origin only; plain.html with neither.
  const server = createServer((request, response) => {
    const path = new URL(request.url!, 'http://localhost').pathname;
    if (path === '/convas.js') return response.writeHead(200, { 'Content-Type': 'text/javascript', ...ISOLATED }).end(readFileSync('dist/convas.js'));
    if (path === '/seeded-worker.js') return response.writeHead(200, { 'Content-Type': 'text/javascript', ...ISOLATED }).end(WORKER);
    const headers = path === '/plain.html' ? {} : path === '/blob-workers-forbidden.html' ? { ...ISOLATED, 'Content-Security-Policy': "worker-src 'self'" } : ISOLATED;
    response.writeHead(200, { 'Content-Type': 'text/html', ...headers }).end('<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,">');
  });

  test.before(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    context = await launchChromium(join(temp, 'profile'));
  });

  test.after(async () => {
    await context?.close();
    server.close();
    rmSync(temp, { recursive: true, force: true });
  });

  test('a crossOriginIsolated page trains to the same bits with 2 threads on its main thread and 3 in a Web Worker as Node on one', async () => {
    const inNode = await seededRun(convasInNode, 1);
    const page = await context.newPage();
    await page.goto(`${base}/isolated.html`);
    assert.is(await page.evaluate(() => crossOriginIsolated), true, 'the page is crossOriginIsolated');
    const inWorker = await page.evaluate(() => new Promise<{ threads: number; bits: number[] }>((resolve) => {
      const worker = new Worker('/seeded-worker.js', { type: 'module' });
      worker.onmessage = (event) => resolve(event.data);
      worker.postMessage(3);
    }));
    const onPage: { threads: number; bits: number[] } = await page.evaluate(async (source) => {
      const run = (0, eval)(`(${source})`);
      return run(await import(`${location.origin}/convas.js`), 2);
    }, seededRun.toString());
    await page.close();
    assert.is(onPage.threads, 2);
    assert.is(inWorker.threads, 3);
    assert.ok(onPage.bits.length === inNode.bits.length && onPage.bits.every((b, i) => b === inNode.bits[i]), 'page, 2 threads: the weights Node trains on one');
    assert.ok(inWorker.bits.length === inNode.bits.length && inWorker.bits.every((b, i) => b === inNode.bits[i]), 'worker, 3 threads: the weights Node trains on one');
  });

  test('a page that is not crossOriginIsolated: init({ threads: 2 }) says threads need SharedArrayBuffer and runs on one', async () => {
    const page = await context.newPage();
    const notes: string[] = [];
    page.on('console', (message) => notes.push(message.text()));
    await page.goto(`${base}/plain.html`);
    const threads = await page.evaluate(async () => (await (await import(`${location.origin}/convas.js`)).init({ threads: 2 })).threads);
    await page.close();
    assert.is(threads, 1);
    assert.ok(notes.some((n) => /^convas: 2 threads need SharedArrayBuffer \(in browsers, a crossOriginIsolated page\); using 1 thread$/.test(n)), notes.join('\n'));
  });

  test('a page whose Content-Security-Policy forbids workers from blob: URLs: init with threads is a ConfigError saying so (before: a plain Error, "failed to start: undefined"), and init() on one thread then works', async () => {
    const page = await context.newPage();
    await page.goto(`${base}/blob-workers-forbidden.html`);
    const result = await page.evaluate(async () => {
      const convas: typeof import('../../src/index.js') = await import(`${location.origin}/convas.js`);
      const refused = await convas.init({ threads: 2 }).then(() => 'started', (error: Error) => `${error.name}: ${error.message}`);
      return { refused, threads: (await convas.init()).threads };
    });
    await page.close();
    assert.is(result.refused, 'ConfigError: init: a kernel worker could not start; expected a page that allows workers from blob: URLs ' +
      '(a Content-Security-Policy needs worker-src blob:), or use init() on one thread');
    assert.is(result.threads, 1);
  });
}

test.run();
