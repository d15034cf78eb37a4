// The package as a user's bundler sees it: `import … from 'convas'` and 'convas/worker' resolved
// through package.json's exports, bundled for the browser. Node built-ins must not stop the bundle.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const APP = `
import { init, ops, tensor } from 'convas';
import { createTrainer } from 'convas/worker';
await init();
console.log(JSON.stringify({ relu: Array.from(ops.relu(tensor([-1, 2, -3, 4])).dataSync()), trainer: typeof createTrainer }));
`;

test('an app importing convas and convas/worker bundles for the browser with esbuild, and runs', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convas-consumer-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(resolve('.'), join(dir, 'node_modules', 'convas'), 'dir');
    writeFileSync(join(dir, 'app.js'), APP);
    const result = await esbuild.build({
      entryPoints: [join(dir, 'app.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
      outfile: join(dir, 'out.js'), logLevel: 'silent',
    });
    assert.equal(result.errors, []);
    const bundle = readFileSync(join(dir, 'out.js'), 'utf8');
    assert.not.match(bundle, /^import .* from ["']node:/m, 'no static import of a Node built-in');
    // The browser bundle also runs as it is in Node (Node built-ins load only where it runs).
    const printed = JSON.parse(execFileSync(process.execPath, [join(dir, 'out.js')], { encoding: 'utf8' }));
    assert.equal(printed, { relu: [0, 2, 0, 4], trainer: 'function' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
