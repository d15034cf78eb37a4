// Builds the kernels (AssemblyScript → build/convas*.wasm) and the package (esbuild → dist/).
// asc runs in-process: one `asc.main` call costs far less than a CLI start-up.
import asc from 'assemblyscript/asc';
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

/**
 * Two builds of the same kernels, each importing its memory: `simd` (build/convas.wasm) and
 * `relaxed` (build/convas-relaxed.wasm, relaxed SIMD, for init({ relaxedSimd })). The threads
 * build of each is made at load time by marking that memory shared: the code is the same.
 * Each is also written gzip-compressed (.wasm.gz), as the package inlines it: inlined bytes are
 * base64 text, which a server's gzip shrinks far less than the compressed module's base64.
 */
export async function buildWasm() {
  await mkdir('build', { recursive: true });
  for (const target of ['simd', 'relaxed']) {
    const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', target]);
    if (error) {
      console.error(stderr.toString());
      throw error;
    }
  }
  for (const file of ['build/convas.wasm', 'build/convas-relaxed.wasm']) {
    await writeFile(`${file}.gz`, gzipSync(await readFile(file), { level: 9 }));
  }
}

/** Options shared by every bundle of src/: the wasm is inlined so one file works everywhere. */
export const bundleOptions = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  loader: { '.wasm': 'binary', '.gz': 'binary' },
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

/** The browser-facing bundles are minified; names are kept, so errors and layers still say what they are. */
const packageOptions = { ...bundleOptions, minify: true, keepNames: true };

export async function buildPackage() {
  // The relaxed-SIMD kernels are a file of their own beside it, imported only when asked for.
  await esbuild.build({
    ...packageOptions, entryPoints: ['src/index.ts'], outfile: 'dist/convas.js', platform: 'neutral',
    plugins: [importsAsBuilt({ 'src/backend/relaxed-module.ts': './relaxed-kernels.js' })],
  });
  await esbuild.build({ ...packageOptions, entryPoints: ['src/backend/relaxed-module.ts'], outfile: 'dist/relaxed-kernels.js', platform: 'neutral' });
  // convas/worker imports the main bundle beside it rather than a second copy of the wasm.
  await esbuild.build({
    ...packageOptions, entryPoints: ['src/worker/index.ts'], outfile: 'dist/worker.js', platform: 'neutral',
    plugins: [importsAsBuilt({ 'src/index.ts': './convas.js' })],
  });
  // convas/onnx: ONNX reading and writing, with protobufjs's minimal runtime and ONNX's messages
  // inlined, beside the main bundle that it imports (loadModel and save load it on first use).
  await esbuild.build({
    ...packageOptions, entryPoints: ['src/onnx/index.ts'], outfile: 'dist/onnx.js', platform: 'neutral', mainFields: ['module', 'main'],
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
