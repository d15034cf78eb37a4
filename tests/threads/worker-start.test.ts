// Kernel workers that Node will not start (its permission model refuses worker threads without
// --allow-worker): init with threads is a ConfigError saying what to allow, not Node's bare
// "Access to this API has been restricted"; init() on one thread then works. The refusing Node is
// a child process: this file runs itself as the child.
import { spawnSync } from 'node:child_process';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { init } from '../../src/index.js';

const CHILD = 'CONVAS_TEST_WORKERS_REFUSED';

if (process.env[CHILD]) {
  const refused = await init({ threads: 2 }).then(() => 'started', (error: Error) => `${error.name}: ${error.message}`);
  console.log(JSON.stringify({ refused, threads: (await init()).threads }));
} else {
  test('Node refusing worker threads: init with threads is a ConfigError naming --allow-worker; init() on one thread then works', () => {
    const run = spawnSync(process.execPath, ['--experimental-permission', '--allow-fs-read=*', process.argv[1]],
      { encoding: 'utf8', env: { ...process.env, [CHILD]: '1' } });
    assert.is(run.status, 0, run.stderr);
    const child: { refused: string; threads: number } = JSON.parse(run.stdout);
    assert.is(child.refused, 'ConfigError: init: a kernel worker could not start (Access to this API has been restricted); ' +
      'expected Node to allow worker threads (--allow-worker where permissions are on), or use init() on one thread');
    assert.is(child.threads, 1);
  });
  test.run();
}
