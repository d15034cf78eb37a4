// A TF.js weightsManifest that does not match the topology: whatever the bytes, the error names the
// weight and what is wrong with it (a shape the layers do not make, a name no layer has, a weight
// listed twice), found from model.json before the shards are read or measured.
import { test } from 'uvu';
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { FileFormatError, init, loadModel } from '../../src/index.js';
import { expectError } from '../data/expect-error.js';
import { randomizeTfjs } from './tfjs-compare.js';
import { modelFileName, newModelLocation, readModelJson, saveTfjs, writeModelJson } from './tfjs-files.js';

test.before(async () => {
  await init();
  await tf.setBackend('cpu');
});

type Spec = { name: string; shape: number[]; dtype: string };

/** A small CNN's file as TF.js writes it (conv/kernel [3, 3, 2, 3], conv/bias [3], out/kernel [27, 2], out/bias [2]), its manifest edited. */
async function refused(edit: (weights: Spec[]) => void, detail: RegExp): Promise<void> {
  const m = tfl.sequential({ layers: [
    tfl.layers.inputLayer({ inputShape: [5, 5, 2] }), tfl.layers.conv2d({ filters: 3, kernelSize: 3, name: 'conv' }),
    tfl.layers.flatten(), tfl.layers.dense({ units: 2, name: 'out' }),
  ] });
  randomizeTfjs(m, 1);
  const location = await newModelLocation();
  await saveTfjs(m, location);
  const json = await readModelJson(location);
  edit(json.weightsManifest[0].weights);
  await writeModelJson(location, json); // the same weight bytes
  await expectError(() => loadModel(location), FileFormatError, await modelFileName(location), detail);
}

test('a weight whose listed shape holds fewer values than the layers make is named with both shapes (before: blamed on the shard\'s length), as is one with more', async () => {
  for (const shape of [[0], [2], [5], [3, 2]]) {
    await refused((w) => { w[1].shape = shape; }, new RegExp(`\\(conv/bias\\) has shape \\[${shape.join(', ')}\\], but the model's layers make it \\[3\\]`));
  }
  await refused((w) => { w[2].shape = [28, 2]; }, /\(out\/kernel\) has shape \[28, 2\], but the model's layers make it \[27, 2\]/);
});

test('a weight no layer has is named though the shards lack its bytes (before: blamed on the shard\'s length); so is one listed twice', async () => {
  await refused((w) => { w.push({ name: 'out/extra', shape: [4], dtype: 'float32' }); }, /out\/extra, which no layer has/);
  await refused((w) => { w.splice(1, 0, { ...w[1] }); }, /conv\/bias is listed twice/);
});

test.run();
