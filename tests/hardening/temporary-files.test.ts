// Test files leave nothing in the system's temporary directory: each runs in a child process whose
// TMPDIR is a new, empty directory, which must be empty again when it exits, whether its tests passed
// or failed. The files chosen write model files and image folders through the shared helpers.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { temporaryDirectory } from '../temporary-directory.js';

const FILES = ['tests/io/metadata.test.ts', 'tests/io/tfjs-manifest.test.ts', 'tests/io/endless-files.test.ts', 'tests/data/image-folders.test.ts'];

/** A test file whose test fails after making a directory, and one that throws outside any test. */
const FAILING = {
  'failing-test': `import { test } from 'uvu';
    import * as assert from 'uvu/assert';
    import { temporaryDirectory } from './tests/temporary-directory.ts';
    test('fails', async () => { await temporaryDirectory('failing'); assert.unreachable('fails on purpose'); });
    test.run();`,
  'uncaught-error': `import { temporaryDirectory } from './tests/temporary-directory.ts';
    await temporaryDirectory('uncaught');
    throw new Error('thrown on purpose');`,
};

/** Bundles each file as scripts/test.mjs does, inside the repository so that the bundles find node_modules. */
async function bundle(outdir: string): Promise<string[]> {
  const options = { bundle: true, format: 'esm', target: 'es2022', loader: { '.wasm': 'binary', '.gz': 'binary' }, platform: 'node', packages: 'external', logLevel: 'warning' } as const;
  await esbuild.build({ ...options, entryPoints: FILES, outdir, outbase: 'tests', outExtension: { '.js': '.mjs' } });
  for (const [name, contents] of Object.entries(FAILING)) {
    await esbuild.build({ ...options, stdin: { contents, resolveDir: process.cwd(), loader: 'ts' }, outfile: join(outdir, `${name}.mjs`) });
  }
  return [...FILES.map((f) => join(outdir, f.slice('tests/'.length).replace(/\.ts$/, '.mjs'))), ...Object.keys(FAILING).map((name) => join(outdir, `${name}.mjs`))];
}

test('test files that pass, fail, or throw leave their TMPDIR as empty as they found it', async () => {
  const outdir = `.build/temporary-files-${process.pid}`;
  try {
    for (const file of await bundle(outdir)) {
      const tmp = await temporaryDirectory('tmpdir');
      const run = spawnSync(process.execPath, [file], { encoding: 'utf8', env: { ...process.env, TMPDIR: tmp }, timeout: 120_000 });
      const expectedToFail = Object.keys(FAILING).some((name) => file.endsWith(`${name}.mjs`));
      assert.is(run.status !== 0, expectedToFail, `${file}: exit status ${run.status}\n${run.stdout}\n${run.stderr}`);
      assert.equal(readdirSync(tmp), [], `${file} left in its TMPDIR`);
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
});

test.run();
