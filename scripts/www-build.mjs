// `npm run build:www`: the static site in www/dist — pages bundled with esbuild, the package's own
// dist/convas.js, dist/worker.js and dist/onnx.js beside them, the bundled digits as bytes, and a service worker
// that caches it all for offline use.
import * as esbuild from 'esbuild';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { buildPackage, buildWasm, bundleOptions, importsAsBuilt } from './build.mjs';

const PAGES = ['index.html', 'draw.html', 'explain.html', 'teach.html'];
const PAGE_SCRIPTS = ['www/src/train-page.ts', 'www/src/draw-page.ts', 'www/src/explain-page.ts', 'www/src/teach-page.ts'];

/** Builds the site into `outdir`; dist/ must hold a current package build. */
export async function buildSite(outdir = 'www/dist') {
  await rm(outdir, { recursive: true, force: true });
  await mkdir(outdir, { recursive: true });
  await Promise.all([
    copyFile('dist/convas.js', join(outdir, 'convas.js')),
    copyFile('dist/worker.js', join(outdir, 'worker.js')),
    copyFile('dist/relaxed-kernels.js', join(outdir, 'relaxed-kernels.js')),
    // What loadModel imports for an .onnx file or URL (convas/onnx), beside convas.js.
    copyFile('dist/onnx.js', join(outdir, 'onnx.js')),
    ...['style.css', 'icon.svg'].map((file) => copyFile(join('www', file), join(outdir, file))),
    ...PAGES.map((page) => copyFile(join('www', page), join(outdir, page))),
    writeDigits(join(outdir, 'digits.bin')),
    // Pages use the package as published: imports of src/ become imports of the copied bundles.
    esbuild.build({
      ...bundleOptions, entryPoints: PAGE_SCRIPTS, outdir, platform: 'browser',
      plugins: [importsAsBuilt({ 'src/index.ts': './convas.js', 'src/worker/index.ts': './worker.js' })],
    }),
  ]);
  // The cache name is a hash of every file, so a new build replaces the old cache.
  const files = (await readdir(outdir)).sort();
  const hash = createHash('sha256');
  for (const file of files) hash.update(file).update(await readFile(join(outdir, file)));
  await esbuild.build({
    ...bundleOptions, entryPoints: ['www/src/service-worker.ts'], outfile: join(outdir, 'service-worker.js'), platform: 'browser',
    define: { SITE_FILES: JSON.stringify(['./', ...files]), SITE_VERSION: JSON.stringify(hash.digest('hex').slice(0, 12)) },
  });
}

/**
 * The 10,000 digits as the site reads them (www/src/digits.ts): every image's 28×28 pixel bytes,
 * then every label; the first 8000 are loadBundledDigits()'s training split, the rest its test split.
 */
async function writeDigits(file) {
  const temp = `.build/www-${process.pid}`;
  await esbuild.build({
    ...bundleOptions, entryPoints: ['src/data/mnist-node.ts'], outfile: join(temp, 'mnist-node.mjs'), platform: 'node', packages: 'external',
  });
  const { loadBundledDigits } = await import(join(process.cwd(), temp, 'mnist-node.mjs'));
  await rm(temp, { recursive: true, force: true });
  const { train, test } = await loadBundledDigits();
  const images = [train.images, test.images];
  const pixels = new Uint8Array(train.images.length + test.images.length);
  images.reduce((offset, part) => {
    for (let i = 0; i < part.length; i++) pixels[offset + i] = Math.round(part[i] * 255);
    return offset + part.length;
  }, 0);
  await writeFile(file, Buffer.concat([pixels, train.labels, test.labels]));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await buildWasm();
  await buildPackage();
  await buildSite();
  console.log('site built in www/dist: npm run www serves it');
}
