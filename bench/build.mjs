// Builds what the bench runs, into bench/.build/ (never into build/ or dist/, which others rebuild):
// the convas kernels and package from the current sources, and the SIMD-ceiling kernels.
import asc from 'assemblyscript/asc';
import * as esbuild from 'esbuild';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleOptions, importsAsBuilt } from '../scripts/build.mjs';
import { ceilingFile, compileCeilingKernels } from './ceiling.mjs';

export const BUILD_DIR = resolve('bench/.build');

export async function buildBench() {
  await mkdir(BUILD_DIR, { recursive: true });
  // Every target of asconfig.json (the plain build and the relaxed-SIMD one), each to
  // bench/.build/<its file name>, and gzip-compressed beside it as the package inlines it; the
  // package's imports of build/<name>.wasm(.gz) are pointed there, so the bench always times the
  // kernels of the current sources, whatever build/ holds.
  const { targets } = JSON.parse(await readFile('asconfig.json', 'utf8'));
  const built = new Set();
  for (const [target, { outFile }] of Object.entries(targets)) {
    const file = basename(outFile);
    const { error, stderr } = await asc.main(['--config', 'asconfig.json', '--target', target, '--outFile', `${BUILD_DIR}/${file}`]);
    if (error) throw new Error(`convas kernels (${target}) failed to compile:\n${stderr.toString()}`);
    await writeFile(`${BUILD_DIR}/${file}.gz`, gzipSync(await readFile(`${BUILD_DIR}/${file}`), { level: 9 }));
    built.add(file).add(`${file}.gz`);
  }
  const ownWasm = {
    name: 'bench-wasm',
    setup: (b) => b.onResolve({ filter: /\.wasm(\.gz)?$/ }, ({ path }) => (built.has(basename(path)) ? { path: `${BUILD_DIR}/${basename(path)}` } : undefined)),
  };
  await esbuild.build({ ...bundleOptions, entryPoints: ['src/index.ts'], outfile: `${BUILD_DIR}/convas.js`, platform: 'node', plugins: [ownWasm, ...(bundleOptions.plugins ?? [])] });
  // convas/onnx beside it, as in dist/: loadModel imports it on the first ONNX file.
  await esbuild.build({ ...bundleOptions, entryPoints: ['src/onnx/index.ts'], outfile: `${BUILD_DIR}/onnx.js`, platform: 'node', mainFields: ['module', 'main'],
    plugins: [importsAsBuilt({ 'src/index.ts': './convas.js' })] });
  for (const kernel of await compileCeilingKernels()) await writeFile(`${BUILD_DIR}/${ceilingFile(kernel)}`, kernel.binary);
  return { convas: `${BUILD_DIR}/convas.js`, dir: BUILD_DIR };
}
