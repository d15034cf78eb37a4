// dist/worker.js is bundled apart from dist/convas.js: an error createTrainer rebuilds from the
// worker must still be an instance of the class a user imports from 'convas' (one copy of the
// error classes in both bundles). A stand-in Worker answers every request with a ConfigError.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

type Convas = typeof import('../../src/index.js');
type ConvasWorker = typeof import('../../src/worker/index.js');

const built = (file: string) => import(pathToFileURL(resolve('dist', file)).href);
const convas: Convas = await built('convas.js');
const { createTrainer }: ConvasWorker = await built('worker.js');

class ConfigErrorWorker extends EventTarget {
  postMessage(): void {
    const data = { type: 'error', name: 'ConfigError', message: 'dense_1: units must be a positive integer' };
    queueMicrotask(() => this.dispatchEvent(new MessageEvent('message', { data })));
  }
  terminate(): void {}
}

/** A trainer on the stand-in worker, for the time of `use`. */
async function withTrainer(use: (trainer: ReturnType<typeof createTrainer>) => Promise<void>): Promise<void> {
  const global = globalThis as { Worker?: unknown };
  const saved = global.Worker;
  global.Worker = ConfigErrorWorker;
  const trainer = createTrainer('unused.js');
  try {
    await use(trainer);
  } finally {
    trainer.terminate();
    global.Worker = saved;
  }
}

const request = {} as Parameters<ReturnType<typeof createTrainer>['train']>[0];

test('an error from the worker is an instance of the ConfigError and ConvasError exported by convas', () => withTrainer(async (trainer) => {
  const error = await trainer.train(request).catch((e: unknown) => e);
  assert.instance(error, convas.ConfigError);
  assert.instance(error, convas.ConvasError);
  assert.is((error as Error).message, 'dense_1: units must be a positive integer');
}));

test('a misuse caught on the page (train while training) is the StateError exported by convas', () => withTrainer(async (trainer) => {
  const first = trainer.train(request).catch(() => undefined);
  const error = await trainer.train(request).catch((e: unknown) => e);
  await first;
  assert.instance(error, convas.StateError);
}));

test.run();
