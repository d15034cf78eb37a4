// The package as a user's bundler sees it: `import … from 'convas'` and 'convas/worker' resolved
// through package.json's exports, bundled for the browser by esbuild and by Vite. Node built-ins
// must not stop the bundle, and the bundle must run.
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

/** A folder holding app.js, with this package installed as node_modules/convas. */
function consumerApp(): string {
  const dir = mkdtempSync(join(tmpdir(), 'convas-consumer-'));
  mkdirSync(join(dir, 'node_modules'));
  symlinkSync(resolve('.'), join(dir, 'node_modules', 'convas'), 'dir');
  writeFileSync(join(dir, 'app.js'), APP);
  return dir;
}

/** Runs a browser bundle in Node (built-ins load only where it runs) and reads what it printed. */
const runBundle = (file: string) => JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8' }));
const EXPECTED = { relu: [0, 2, 0, 4], trainer: 'function' };

test('an app importing convas and convas/worker bundles for the browser with esbuild, and runs', async () => {
  const dir = consumerApp();
  try {
    const result = await esbuild.build({
      entryPoints: [join(dir, 'app.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022',
      outfile: join(dir, 'out.js'), logLevel: 'silent',
    });
    assert.equal(result.errors, []);
    const bundle = readFileSync(join(dir, 'out.js'), 'utf8');
    assert.not.match(bundle, /^import .* from ["']node:/m, 'no static import of a Node built-in');
    assert.equal(runBundle(join(dir, 'out.js')), EXPECTED);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the same app builds with Vite (a library build for the browser), and runs', async () => {
  const dir = consumerApp();
  try {
    const { build } = await import('vite');
    await build({
      root: dir, logLevel: 'silent', configFile: false,
      build: { outDir: join(dir, 'dist'), target: 'es2022', lib: { entry: join(dir, 'app.js'), formats: ['es'], fileName: 'app' } },
    });
    assert.equal(runBundle(join(dir, 'dist', 'app.mjs')), EXPECTED);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the JPEG and PNG decoders (Node only) stay out of dist/convas.js and of browser bundles of an app that decodes images', async () => {
  // Strings of jpeg-js's and pngjs's own code: neither may be inlined.
  const decoderCode = [/function JpegImage/, /read requests waitng on finished stream/, /require\(["'](node:)?zlib["']\)/];
  const dist = readFileSync('dist/convas.js', 'utf8');
  for (const code of decoderCode) assert.not.match(dist, code, `dist/convas.js holds ${code}`);
  const dir = consumerApp();
  try {
    writeFileSync(join(dir, 'app.js'), `import { decodeImage, imageToTensor } from 'convas';
console.log(typeof decodeImage, typeof imageToTensor);`);
    await esbuild.build({ entryPoints: [join(dir, 'app.js')], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: join(dir, 'out.js'), logLevel: 'silent' });
    const bundle = readFileSync(join(dir, 'out.js'), 'utf8');
    for (const code of decoderCode) assert.not.match(bundle, code, `the app's bundle holds ${code}`);
    // The package is minified, so the run-time importer's name is not kept: its call's argument is.
    assert.match(bundle, /[\w$]+\("jpeg-js"\)/, 'the decoders are imported at run time, on Node paths');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
