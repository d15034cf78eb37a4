// Where ONNX models load from — a path, bytes (Uint8Array or ArrayBuffer), File objects, an http
// URL — with their external data, and how loadModel fails: always a ConvasError naming the file,
// whatever the path or the bytes (the ENOTDIR of a path through a file included).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { ConfigError, ConvasError, FileFormatError, StorageError, init, loadModel, sequential, layers } from '../../src/index.js';
import '../../src/onnx/index.js';
import { expectError } from '../data/expect-error.js';
import { assertClose } from '../helpers.js';
import { temporaryDirectory } from '../io/model-files.js';
import { FIXTURES, fixtureInput, fixtureOutput, fixturePath } from './fixtures.js';

const expected = fixtureOutput('lenet');
const predictsLikePyTorch = async (source: Parameters<typeof loadModel>[0], what: string) => {
  const model = await loadModel(source);
  assertClose(model.predict(fixtureInput('lenet')).dataSync(), expected, 1e-4, what);
  model.dispose();
};

test.before(async () => {
  await init();
});

test('an .onnx path, its bytes as a Uint8Array and as an ArrayBuffer, and File objects all load the same model', async () => {
  await predictsLikePyTorch(fixturePath('lenet'), 'path');
  const bytes = new Uint8Array(await readFile(fixturePath('lenet')));
  await predictsLikePyTorch(bytes, 'Uint8Array');
  await predictsLikePyTorch(bytes.slice().buffer, 'ArrayBuffer');
  await predictsLikePyTorch([new File([bytes], 'lenet.onnx')], 'a File');
});

test('external data: read beside the model from a path, and from File objects picked together', async () => {
  await predictsLikePyTorch(join(FIXTURES, 'lenet_external.onnx'), 'external data from a path');
  const files = await Promise.all(['lenet_external.onnx', 'lenet_external.onnx.data'].map(async (name) => new File([await readFile(join(FIXTURES, name))], name)));
  await predictsLikePyTorch(files, 'external data among File objects');
});

test('external data that cannot be read is a FileFormatError naming the file and why', async () => {
  const bytes = new Uint8Array(await readFile(join(FIXTURES, 'lenet_external.onnx')));
  await expectError(() => loadModel(bytes), FileFormatError, 'lenet_external.onnx.data', /given as bytes, so the files beside it cannot be read/);
  await expectError(() => loadModel([new File([bytes], 'lenet_external.onnx')]), FileFormatError, 'lenet_external.onnx.data', /not found among the files given/);
  const dir = await temporaryDirectory();
  await copyFile(join(FIXTURES, 'lenet_external.onnx'), join(dir, 'm.onnx'));
  await expectError(() => loadModel(join(dir, 'm.onnx')), FileFormatError, join(dir, 'lenet_external.onnx.data'), /file not found/);
  const data = await readFile(join(FIXTURES, 'lenet_external.onnx.data'));
  await writeFile(join(dir, 'lenet_external.onnx.data'), data.subarray(0, data.length - 100));
  await expectError(() => loadModel(join(dir, 'm.onnx')), FileFormatError, 'm.onnx', /initializer "fc3.weight" reads bytes \d+ to \d+ of .*lenet_external.onnx.data, which holds \d+/);
  // A location that leaves the model's directory is refused before anything is read.
  const text = Buffer.from(bytes).toString('latin1').replace(/lenet_external.onnx.data/g, '../../lenet_external.dat');
  await writeFile(join(dir, 'escape.onnx'), Buffer.from(text, 'latin1'));
  await expectError(() => loadModel(join(dir, 'escape.onnx')), FileFormatError, 'escape.onnx', /leaves the model's directory/);
});

test('over http: a URL of an .onnx file, and of one without the extension (recognised by its first byte)', async () => {
  const bytes = await readFile(fixturePath('lenet'));
  const server = createServer((request, response) => {
    if (request.url === '/m/lenet.onnx' || request.url === '/m/model?id=3') response.end(bytes);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    await predictsLikePyTorch(`${origin}/m/lenet.onnx`, 'http');
    await predictsLikePyTorch(`${origin}/m/model?id=3`, 'http without an extension');
    await expectError(() => loadModel(`${origin}/m/none.onnx`), FileFormatError, `${origin}/m/none.onnx`, /HTTP 404/);
  } finally {
    server.close();
  }
  await expectError(() => loadModel('http://127.0.0.1:1/m.onnx'), StorageError, 'http://127.0.0.1:1/m.onnx', /cannot be fetched: fetch refuses port 1/);
});

test('every failure of loadModel is a ConvasError: paths through files, directories, missing files, wrong arguments', async () => {
  const dir = await temporaryDirectory();
  await mkdir(join(dir, 'folder.onnx'));
  await expectError(() => loadModel(join(fixturePath('lenet'), 'model.json')), FileFormatError, 'lenet.onnx', /cannot be read \(ENOTDIR/);
  await expectError(() => loadModel(fixturePath('lenet') + '/'), FileFormatError, 'lenet.onnx', /cannot be read \(ENOTDIR/);
  await expectError(() => loadModel(join(dir, 'folder.onnx')), FileFormatError, 'folder.onnx', /cannot be read \(EISDIR/);
  await expectError(() => loadModel(join(dir, 'none.onnx')), FileFormatError, 'none.onnx', /file not found/);
  await expectError(() => loadModel(fixturePath('lenet'), { inputLayout: 'NWHC' as never }), ConfigError, 'inputLayout', /'NHWC' or 'NCHW'/);
  for (const bad of [42, null, undefined, {}, [1, 2]]) {
    let error: unknown;
    await loadModel(bad as never).catch((e) => (error = e));
    assert.ok(error instanceof ConvasError, `loadModel(${JSON.stringify(bad)}) rejects with a ConvasError, got ${error}`);
  }
  const saved = sequential({ inputShape: [4], layers: [layers.dense({ units: 2 })] });
  await saved.save(join(dir, 'dense'));
  await expectError(() => loadModel(join(dir, 'dense'), { inputLayout: 'NCHW' }), ConfigError, 'model.json', /inputLayout 'NCHW' is for ONNX models/);
});

test.run();
