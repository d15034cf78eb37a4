// ONNX support as the package ships it: dist/onnx.js (the `convas/onnx` entry) beside
// dist/convas.js, which holds no protobuf code and imports the ONNX module on first use; and an app
// bundled for the browser that imports 'convas' and 'convas/onnx' gets one convas, with ONNX.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const run = (file: string) => JSON.parse(execFileSync(process.execPath, [file], { encoding: 'utf8' }));

test('dist/convas.js carries no ONNX code, and loads dist/onnx.js from beside it when a model is an .onnx file', () => {
  const core = readFileSync('dist/convas.js', 'utf8'), onnx = readFileSync('dist/onnx.js', 'utf8');
  assert.not.match(core, /ModelProto/, 'no protobuf messages in the core bundle');
  assert.match(onnx, /ModelProto/);
  assert.match(onnx, /from\s*"\.\/convas\.js"/, 'the ONNX bundle imports the core bundle beside it (one convas, one wasm)');
  console.log(`  gzipped: dist/convas.js ${(gzipSync(core).length / 1024).toFixed(1)} KB, dist/onnx.js ${(gzipSync(onnx).length / 1024).toFixed(1)} KB`);
  const dir = mkdtempSync(join(tmpdir(), 'convas-onnx-'));
  try {
    writeFileSync(join(dir, 'app.mjs'), `
      import { init, loadModel, tensor, FileFormatError } from ${JSON.stringify(resolve('dist/convas.js'))};
      await init();
      const model = await loadModel(${JSON.stringify(resolve('tests/fixtures/onnx/lenet.onnx'))});
      const missing = await loadModel('none.onnx').catch((e) => e instanceof FileFormatError);
      console.log(JSON.stringify({ shape: model.outputShape, layers: model.layers.length, missing }));`);
    assert.equal(run(join(dir, 'app.mjs')), { shape: [10], layers: 10, missing: true });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("an app importing 'convas' and 'convas/onnx', bundled for the browser with esbuild, writes and reads ONNX", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'convas-consumer-'));
  try {
    mkdirSync(join(dir, 'node_modules'));
    symlinkSync(resolve('.'), join(dir, 'node_modules', 'convas'), 'dir');
    writeFileSync(join(dir, 'app.js'), `
      import { init, loadModel, sequential, layers, tensor, Model } from 'convas';
      import { encodeOnnx } from 'convas/onnx';
      await init();
      const model = sequential({ inputShape: [4, 4, 2], seed: 1, layers: [layers.conv2d({ filters: 3, kernelSize: 3 }), layers.flatten(), layers.dense({ units: 2 })] });
      const again = await loadModel(encodeOnnx(model));
      const x = tensor(Array.from({ length: 32 }, (_, i) => i / 32), [1, 4, 4, 2]);
      console.log(JSON.stringify({ same: Array.from(again.predict(x).dataSync()).every((v, i) => Math.abs(v - model.predict(x).dataSync()[i]) < 1e-6), model: again instanceof Model }));`);
    writeFileSync(join(dir, 'plain.js'), `import { init } from 'convas'; await init(); console.log(JSON.stringify({ ok: true }));`);
    for (const app of ['app', 'plain']) {
      await esbuild.build({
        entryPoints: [join(dir, `${app}.js`)], bundle: true, format: 'esm', platform: 'browser', target: 'es2022', outfile: join(dir, `${app}.out.js`), logLevel: 'silent',
      });
    }
    assert.equal(run(join(dir, 'app.out.js')), { same: true, model: true });
    assert.equal(run(join(dir, 'plain.out.js')), { ok: true });
    assert.not.match(readFileSync(join(dir, 'plain.out.js'), 'utf8'), /ModelProto/, 'an app that does not import convas/onnx bundles no ONNX code');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
