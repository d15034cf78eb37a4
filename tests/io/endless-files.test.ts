// Files that would be read forever or whole: a weights path that leads to /dev/zero, a shard far
// longer than the manifest lists (sparse on disk, so cheap to make), a server whose body never ends.
// Each is a FileFormatError naming the file, at once, before more than the model file lists is read.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { open, readFile, rm, symlink } from 'node:fs/promises';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { FileFormatError, init, layers, loadModel, sequential } from '../../src/index.js';
import '../../src/io/save.js';
import { expectError } from '../data/expect-error.js';
import { temporaryDirectory } from '../temporary-directory.js';

/** A small model saved for TF.js in a new directory, with its weights file's name and bytes. */
async function tfjsModel(): Promise<{ dir: string; weights: string; bytes: Buffer }> {
  await init();
  const dir = await temporaryDirectory('endless');
  await sequential({ inputShape: [4], layers: [layers.dense({ units: 3 })] }).save(dir, { format: 'tfjs' });
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  const weights = json.weightsManifest[0].paths[0];
  return { dir, weights, bytes: await readFile(join(dir, weights)) };
}

/** Fails if `body` takes longer than `seconds`: a file read whole, or forever, would. */
async function quickly(seconds: number, body: () => Promise<void>): Promise<void> {
  const start = performance.now();
  await body();
  assert.ok(performance.now() - start < seconds * 1000, `took ${((performance.now() - start) / 1000).toFixed(1)} s`);
}

test('a weights file that is a link to /dev/zero is refused as no regular file, at once', async () => {
  const { dir, weights } = await tfjsModel();
  const path = join(dir, weights);
  await rm(path);
  await symlink('/dev/zero', path);
  await quickly(5, () => expectError(() => loadModel(dir), FileFormatError, path, /is not a regular file \(a device or a pipe\?\)/));
});

test('a weights shard of 4 GiB (sparse) whose manifest lists 60 bytes is refused before it is read', async () => {
  const { dir, weights, bytes } = await tfjsModel();
  const file = await open(join(dir, weights), 'w');
  await file.write(bytes, 0, bytes.length, 0);
  await file.truncate(2 ** 32);
  await file.close();
  await quickly(5, () => expectError(() => loadModel(dir), FileFormatError, join(dir, weights),
    new RegExp(`holds 4294967296 bytes or more, longer than the ${bytes.length} bytes the model file lists for it`)));
});

test('a server whose weights body never ends: refused once it passes what the manifest lists', async () => {
  const { dir, weights } = await tfjsModel();
  const model = await readFile(join(dir, 'model.json'));
  const server = createServer((request, response) => {
    if (request.url === '/model.json') return void response.end(model);
    // Chunked, no length: as long as anyone reads.
    const chunk = Buffer.alloc(1 << 16);
    const more = () => { while (response.write(chunk)); };
    response.on('drain', more);
    response.on('error', () => {});
    more();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/model.json`;
  try {
    await quickly(10, () => expectError(() => loadModel(url), FileFormatError, weights, /bytes or more, longer than the \d+ bytes the model file lists for it/));
  } finally {
    server.closeAllConnections();
    server.close();
  }
});

test.run();
