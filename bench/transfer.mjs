// The head-training job's wall time: a Keras MobileNetV2 (alpha 0.35, 224×224, built by tfjs-layers
// with random weights and saved as TF.js saves it) cut at out_relu, its embeddings of 100 images per
// class for 3 classes, and a head trained on them for 50 epochs — with 1 thread and with 2, in
// alternating rounds (1, 2, 1, 2 …) so that a noisy, shared CPU slows both alike. Medians.
// Run alone: `node bench/transfer.mjs [--reps N]`; `npm run bench` runs it too, with 2 rounds after the warm-up.
import * as tf from '@tensorflow/tfjs-core';
import '@tensorflow/tfjs-backend-cpu';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildBench } from './build.mjs';
import { mobileNetV2 } from './mobilenet-keras.mjs';
import { Peer, createLog, interleave, median } from './peers.mjs';
import { formatTransfer } from './table.mjs';

export const TRANSFER_JOB = { alpha: 0.35, size: 224, classes: 3, perClass: 100 };

/** The base as a user's would arrive: model.json and weights.bin, written the way tfjs-layers saves a LayersModel. */
async function saveBase(dir) {
  await tf.setBackend('cpu');
  const { alpha, size } = TRANSFER_JOB;
  const keras = mobileNetV2(tfl, { alpha, inputShape: [size, size, 3], classes: 1000 });
  await keras.save(tf.io.withSaveHandler(async ({ modelTopology, weightSpecs, weightData }) => {
    writeFileSync(join(dir, 'model.json'), JSON.stringify({ format: 'layers-model', modelTopology, weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }] }));
    writeFileSync(join(dir, 'weights.bin'), Buffer.from(weightData));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  keras.dispose();
}

/** Rows of median wall seconds (embeddings, head, whole job) for 1 and 2 threads. */
export async function benchTransfer({ build, reps, log }) {
  const dir = mkdtempSync(join(tmpdir(), 'convas-bench-transfer-'));
  try {
    await saveBase(dir);
    const peers = [1, 2].map((threads) => new Peer(`threads${threads}`, `convas, ${threads} thread${threads > 1 ? 's' : ''}`, './peer-transfer.mjs', [build.convas, String(threads), dir]));
    await Promise.all(peers.map((p) => p.ready));
    const info = await Promise.all(peers.map((p) => p.call('info')));
    const results = await interleave('job', peers, { classes: TRANSFER_JOB.classes, perClass: TRANSFER_JOB.perClass }, { reps, log });
    peers.forEach((p) => p.exit());
    return {
      job: TRANSFER_JOB, head: results[peers[0].name][0].head,
      rows: peers.map((p, i) => {
        const runs = results[p.name];
        const row = { label: p.label, threaded: info[i].threaded };
        for (const key of ['embedSeconds', 'headSeconds', 'seconds']) row[key] = median(runs.map((r) => r[key]));
        return row;
      }),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  const i = process.argv.indexOf('--reps');
  const reps = i > 0 ? Number(process.argv[i + 1]) : 3;
  const log = createLog(started);
  log('building convas (bench/.build)');
  const build = await buildBench();
  const result = await benchTransfer({ build, reps, log });
  writeFileSync(new URL('./transfer-results.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), ...result }, null, 2)}\n`);
  console.log(formatTransfer(result));
}
