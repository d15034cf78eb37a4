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
import { assertClose, random } from '../helpers.js';
import { temporaryDirectory } from '../io/model-files.js';
import { onnxModel } from './builder.js';
import { FIXTURES, fixtureInput, fixtureOutput, fixturePath } from './fixtures.js';
import { assertAgreesWithOrt } from './ort.js';

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
  await expectError(() => loadModel(join(dir, 'dense'), { sizes: { height: 8 } }), ConfigError, 'model.json', /sizes are for ONNX models' variable dimensions/);
});

test('sizes fix an export\'s variable height and width (dynamic_axes): the model predicts as ONNX Runtime at those sizes; wrong or missing ones are named', async () => {
  // A convolution, then a flatten whose size torch computes from the input's Shape: the given sizes flow into that arithmetic too.
  const bytes = onnxModel({
    opset: 11, inputs: [{ name: 'x', dims: ['batch', 3, 'height', 'width'] }], outputs: ['y'],
    initializers: { w: { dims: [4, 3, 3, 3], data: random(3).array(108) }, zero: { dims: [], data: [0] }, minus: { dims: [1], data: [-1] } },
    nodes: [
      { op: 'Conv', inputs: ['x', 'w'], outputs: ['c'], attributes: { pads: [1, 1, 1, 1], strides: [2, 2] } },
      { op: 'Shape', inputs: ['c'], outputs: ['s'] }, { op: 'Gather', inputs: ['s', 'zero'], outputs: ['n'], attributes: { axis: 0 } },
      { op: 'Unsqueeze', inputs: ['n'], outputs: ['n1'], attributes: { axes: [0] } },
      { op: 'Concat', inputs: ['n1', 'minus'], outputs: ['shape'], attributes: { axis: 0 } }, { op: 'Reshape', inputs: ['c', 'shape'], outputs: ['y'] },
    ],
  });
  for (const [height, width] of [[7, 10], [16, 5]]) {
    const model = await loadModel(bytes, { sizes: { height, width } });
    assert.equal(model.inputs[0].shape, [height, width, 3]);
    await assertAgreesWithOrt(model, bytes, [[2, 3, height, width]], `${height}×${width}`);
    model.dispose();
  }
  await expectError(() => loadModel(bytes, { sizes: { height: 7 } }), FileFormatError, 'the model bytes',
    /graph input "x" has dimension 3 "width" \(variable\); .*: give it a size, loadModel\(…, \{ sizes: \{ "width": … \} \}\), or export with a fixed input size$/);
  await expectError(() => loadModel(bytes, { sizes: { height: 7, width: 9, batch: 4 } }), ConfigError, 'sizes',
    /options.sizes names "batch", which the model bytes has as no variable dimension of its inputs beyond the batch/);
  await expectError(() => loadModel(bytes, { sizes: { height: 7, width: 2 ** 21 } }), ConfigError, 'sizes', /options.sizes.width is 2097152; convas takes up to 1048576/);
  for (const bad of [0, 2.5, '8']) {
    await expectError(() => loadModel(bytes, { sizes: { height: bad as never, width: 9 } }), ConfigError, 'sizes', /options.sizes.height must be a positive integer/);
  }
  await expectError(() => loadModel(bytes, { sizes: [7, 9] as never }), ConfigError, 'sizes', /must map dimension names to sizes/);
});

test.run();
