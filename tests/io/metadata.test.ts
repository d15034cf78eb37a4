// User-defined metadata (class names, how inputs are prepared) travels with a model in both file
// formats, as TensorFlow.js's setUserDefinedMetadata does; TF.js reads it from convas's TF.js files.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import '@tensorflow/tfjs-backend-cpu';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigError, FileFormatError, init, loadModel } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { convModel, temporaryDirectory } from './model-files.js';
import { loadInTfjs } from './tfjs-files.js';

const METADATA = { classNames: ['cats', 'dogs'], imageInput: { normalize: '[-1,1]', crop: 'center' }, note: 'ünïcode' };

test('metadata saved in the convas and TF.js formats loads back equal; TF.js reads it too', async () => {
  await init();
  const model = convModel(3);
  assert.is(model.getUserDefinedMetadata(), undefined);
  model.setUserDefinedMetadata(METADATA);
  const copy = model.getUserDefinedMetadata()!;
  (copy.classNames as string[]).push('changed');
  assert.equal(model.getUserDefinedMetadata(), METADATA, 'the model keeps its own copy');
  for (const format of ['convas', 'tfjs'] as const) {
    const dir = await temporaryDirectory();
    await model.save(dir, { format });
    assert.equal((await loadModel(dir)).getUserDefinedMetadata(), METADATA, format);
    if (format === 'tfjs') assert.equal((await loadInTfjs(dir)).getUserDefinedMetadata(), METADATA, 'in TF.js');
  }
  const dir = await temporaryDirectory();
  await convModel(3).save(dir);
  assert.not.ok('userDefinedMetadata' in JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')), 'none written when none is set');
});

test('metadata that is not a JSON object is refused: by the model, and in a file', async () => {
  await init();
  const model = convModel(1);
  assert.throws(() => model.setUserDefinedMetadata([1, 2] as never), (e: Error) => e instanceof ConfigError && /expected a plain object, got an array/.test(e.message));
  const cyclic: Record<string, unknown> = {};
  cyclic.self = cyclic;
  assert.throws(() => model.setUserDefinedMetadata(cyclic), (e: Error) => e instanceof ConfigError && /must be JSON/.test(e.message));
  const dir = await temporaryDirectory();
  await model.save(dir);
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  await writeFile(join(dir, 'model.json'), JSON.stringify({ ...json, userDefinedMetadata: 'cats' }));
  await expectError(() => loadModel(dir), FileFormatError, 'model.json', /field "userDefinedMetadata" is "cats"; expected an object/);
});

test.run();
