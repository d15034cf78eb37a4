// `npm test`: build the wasm and the package, type-check, bundle each test file, run them with uvu
// (the kernel tests a second time on the relaxed-SIMD build), and close with one plain
// "N passed, N failed" line.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { buildPackage, buildWasm, bundleOptions } from './build.mjs';

function findTests(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findTests(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

const only = process.argv.slice(2);
await buildWasm();
await buildPackage();
// A filtered run (`npm test -- conv2d`) is for quick iteration: it skips the whole-tree type check.
const typecheck = only.length ? { status: 0 } : spawnSync('npx', ['tsc', '-p', '.'], { stdio: 'inherit' });
if (typecheck.status !== 0) {
  console.log('type check failed');
  process.exit(1);
}

const files = findTests('tests').filter((f) => only.length === 0 || only.some((o) => f.includes(o)));
// A folder per run, so two runs at once (or a run beside a watcher) never delete each other's files.
const outdir = `.build/tests-${process.pid}`;
await esbuild.build({
  ...bundleOptions, entryPoints: files, outdir, outbase: 'tests', outExtension: { '.js': '.mjs' },
  platform: 'node', packages: 'external',
});

let passed = 0, failed = 0;
/** Runs one test file's bundle in its own Node; `nodeFlags` and `env` come on top of the usual. */
function runTestFile(file, nodeFlags = [], env = {}) {
  const out = join(outdir, file.slice('tests/'.length).replace(/\.ts$/, '.mjs'));
  // --expose-gc lets the memory tests prove that forgotten tensors are collected.
  const run = spawnSync(process.execPath, ['--expose-gc', ...nodeFlags, out], { encoding: 'utf8', env: { ...process.env, ...env } });
  process.stdout.write(run.stdout);
  process.stderr.write(run.stderr);
  const p = Number(/Passed:\s+(\d+)/.exec(run.stdout)?.[1] ?? 0);
  const t = Number(/Total:\s+(\d+)/.exec(run.stdout)?.[1] ?? 0);
  passed += p;
  // A file that crashed before uvu's summary counts as one failure.
  failed += run.status !== 0 && t === p ? Math.max(1, t - p) : t - p;
}
files.forEach((file) => runTestFile(file));

// The kernel tests and the threads kernel tests again, on the relaxed-SIMD build: Node 20 runs it
// only behind this flag, and tests/kernels/simd-build.test.ts fails if the plain build loaded instead.
const relaxedFiles = files.filter((f) => f.startsWith('tests/kernels/') || f === 'tests/threads/parallel-kernels.test.ts');
if (relaxedFiles.length) console.log('\nAgain on the relaxed-SIMD build (node --experimental-wasm-relaxed-simd):');
relaxedFiles.forEach((file) => runTestFile(file, ['--experimental-wasm-relaxed-simd'], { CONVAS_TEST_RELAXED_SIMD: '1' }));
rmSync(outdir, { recursive: true, force: true });
console.log(`\n${passed} passed, ${failed} failed`);
process.exit(failed === 0 && passed > 0 ? 0 : 1);
