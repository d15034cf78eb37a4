// Builds the kernels (AssemblyScript → build/convas.wasm) and the package (esbuild → dist/).
// asc runs in-process: one `asc.main` call costs far less than a CLI start-up.
import asc from 'assemblyscript/asc';
import * as esbuild from 'esbuild';
import { mkdir } from 'node:fs/promises';

export async function buildWasm() {
  await mkdir('build', { recursive: true });
  const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', 'simd']);
  if (error) {
    console.error(stderr.toString());
    throw error;
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

export async function buildPackage() {
  await esbuild.build({ ...bundleOptions, entryPoints: ['src/index.ts'], outfile: 'dist/convas.js', platform: 'neutral' });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildWasm();
  await buildPackage();
}
