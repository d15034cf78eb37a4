// Kernel workers that do not start. Node's permission model refuses worker threads without
// --allow-worker: init with threads is a ConfigError saying what to allow, not Node's bare
// "Access to this API has been restricted"; init() on one thread then works. When one worker of
// several fails to start, init fails at once and the others are stopped (they would otherwise wait
// for jobs for good, holding the shared memory, or hold the start). Each case runs in a child process: this file runs itself.
import { spawnSync } from 'node:child_process';
import { createRequire, syncBuiltinESMExports } from 'node:module';
import { pathToFileURL } from 'node:url';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from '../../src/index.js';

const CHILD = 'CONVAS_TEST_WORKER_START';

/**
 * In the child: the second kernel worker cannot instantiate the kernels, the third never answers;
 * how every worker ended.
 */
async function secondWorkerFails(): Promise<{ refused: string; started: number; exited: number }> {
  const threads = createRequire(import.meta.url)('node:worker_threads');
  let started = 0;
  let exited = 0;
  threads.Worker = class extends threads.Worker {
    constructor(source: string, options: object) {
      const which = ++started;
      super(which === 2 ? `WebAssembly.instantiate = async () => { throw new Error('no room for the kernels'); };\n${source}`
        : which === 3 ? "require('node:worker_threads').parentPort.on('message', () => {});" : source, options);
      this.once('exit', () => exited++);
    }
  };
  syncBuiltinESMExports(); // the library imports node:worker_threads as a module: it sees the patched class
  const refused = await init({ threads: 4 }).then(() => 'started', (error: Error) => `${error.name}: ${error.message}`);
  for (let waited = 0; exited < started && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  return { refused, started, exited };
}

if (process.env[CHILD] === 'refused') {
  const refused = await init({ threads: 2 }).then(() => 'started', (error: Error) => `${error.name}: ${error.message}`);
  console.log(JSON.stringify({ refused, threads: (await init()).threads }));
} else if (process.env[CHILD] === 'threads') {
  console.log(JSON.stringify({ threads: (await init({ threads: 2 })).threads }));
} else if (process.env[CHILD] === 'second-fails') {
  console.log(JSON.stringify(await secondWorkerFails()));
} else {
  const child = (mode: string, ...flags: string[]) => {
    const run = spawnSync(process.execPath, [...flags, process.argv[1]], { encoding: 'utf8', env: { ...process.env, [CHILD]: mode }, timeout: 60_000 });
    assert.is(run.status, 0, run.error ? `${run.error.message}: the child hung` : run.stderr);
    return JSON.parse(run.stdout);
  };

  test('Node refusing worker threads: init with threads is a ConfigError naming --allow-worker; init() on one thread then works', () => {
    const { refused, threads } = child('refused', '--experimental-permission', '--allow-fs-read=*');
    assert.is(refused, 'ConfigError: init: a kernel worker could not start (Access to this API has been restricted); ' +
      'expected Node to allow worker threads (--allow-worker where permissions are on), or use init() on one thread');
    assert.is(threads, 1);
  });

  test('a process started with --input-type=module (node -e, or code piped in) starts its kernel workers (before, a StateError: "require is not defined in ES module scope")', () => {
    for (const flags of [['--input-type=module'], ['--input-type', 'module']]) {
      const run = spawnSync(process.execPath, [...flags, '-e', `await import(${JSON.stringify(pathToFileURL(process.argv[1]).href)})`],
        { encoding: 'utf8', env: { ...process.env, [CHILD]: 'threads' }, timeout: 60_000 });
      assert.is(run.status, 0, run.error ? `${run.error.message}: the child hung` : run.stderr);
      assert.equal(JSON.parse(run.stdout), { threads: 2 }, flags.join(' '));
    }
  });

  test('one kernel worker failing to start: init is a StateError with its reason at once, and every other worker is stopped, one still starting too', () => {
    const { refused, started, exited } = child('second-fails', ...process.execArgv);
    assert.is(refused, 'StateError: init: a kernel worker could not start (no room for the kernels); init() on one thread needs no workers');
    assert.is(started, 3);
    assert.is(exited, 3, 'every worker has ended');
  });

  test.run();
}
