// Builds the kernels (AssemblyScript → build/convas*.wasm) and the package (esbuild → dist/).
// asc runs in-process: one `asc.main` call costs far less than a CLI start-up.
import asc from 'assemblyscript/asc';
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * Four builds of the same kernels: `simd` (build/convas.wasm, its own memory) and `threads`
 * (build/convas-threads.wasm: imports one shared memory of at most 2 GB, for init({ threads })),
 * and `relaxed` and `relaxed-threads`, the same two with relaxed SIMD, for init({ relaxedSimd }).
 */
export async function buildWasm() {
  await mkdir('build', { recursive: true });
  for (const target of ['simd', 'threads', 'relaxed', 'relaxed-threads']) {
    const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', target]);
    if (error) {
      console.error(stderr.toString());
      throw error;
    }
  }
}

/** Options shared by every bundle of src/: the wasm is inlined so one file works everywhere. */
export const bundleOptions = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  loader: { '.wasm': 'binary' },
  external: ['node:*'],
  logLevel: 'warning',
};

/**
 * An esbuild plugin that leaves imports of the given source files as imports of built files
 * ({ 'src/index.ts': './convas.js' }), so a second bundle shares the first instead of inlining it.
 */
export function importsAsBuilt(sourceToBuilt) {
  const built = new Map(Object.entries(sourceToBuilt).map(([source, file]) => [resolve(source), file]));
  return {
    name: 'imports-as-built',
    setup(build) {
      build.onResolve({ filter: /^\./ }, ({ path, resolveDir }) => {
        const file = built.get(resolve(resolveDir, path).replace(/\.js$/, '.ts'));
        return file && { path: file, external: true };
      });
    },
  };
}

export async function buildPackage() {
  await esbuild.build({ ...bundleOptions, entryPoints: ['src/index.ts'], outfile: 'dist/convas.js', platform: 'neutral' });
  // convas/worker imports the main bundle beside it rather than a second copy of the wasm.
  await esbuild.build({
    ...bundleOptions, entryPoints: ['src/worker/index.ts'], outfile: 'dist/worker.js', platform: 'neutral',
    plugins: [importsAsBuilt({ 'src/index.ts': './convas.js' })],
  });
  // convas/onnx: ONNX reading and writing, with protobufjs's minimal runtime and ONNX's messages
  // inlined, beside the main bundle that it imports (loadModel and save load it on first use).
  await esbuild.build({
    ...bundleOptions, entryPoints: ['src/onnx/index.ts'], outfile: 'dist/onnx.js', platform: 'neutral', mainFields: ['module', 'main'],
    plugins: [importsAsBuilt({ 'src/index.ts': './convas.js' })],
  });
  // The `convas` command (bin/convas.js); packages such as mnist stay outside, resolved at run time.
  await esbuild.build({ ...bundleOptions, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', packages: 'external' });
}

/** Declaration files in dist/ for the package's "types" (tsc 7 emits declarations; it has no JS API). */
export function buildTypes() {
  const run = spawnSync('npx', ['tsc', '-p', 'tsconfig.types.json'], { stdio: 'inherit' });
  if (run.status !== 0) throw new Error('declaration emit failed');
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildWasm();
  await buildPackage();
  buildTypes();
}
