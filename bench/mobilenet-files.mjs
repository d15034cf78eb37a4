// The bench's MobileNetV2 as TF.js files (model.json and one shard), written once by tfjs-layers
// itself: every peer then loads the same file, as a user would.
import { createRequire } from 'node:module';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { mobileNetV2, randomizeBatchNorm } from './mobilenet-keras.mjs';
import { MOBILENET, random } from './data.mjs';

const require = createRequire(import.meta.url);

/** Writes the net into `dir` with TF.js's cpu backend (a fresh tfjs in this process). */
export async function writeMobileNetFiles(dir) {
  const tf = require('@tensorflow/tfjs-core');
  require('@tensorflow/tfjs-backend-cpu');
  const tfl = require('@tensorflow/tfjs-layers');
  await tf.setBackend('cpu');
  const model = mobileNetV2(tfl, MOBILENET);
  randomizeBatchNorm(tf, model, random(MOBILENET.seed));
  await mkdir(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData)));
    await writeFile(join(dir, 'model.json'), JSON.stringify({
      modelTopology: artifacts.modelTopology, format: artifacts.format, generatedBy: artifacts.generatedBy,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  model.dispose();
  return dir;
}

/** A TF.js IOHandler that reads those files, for tf.loadLayersModel in the tfjs peers. */
export function mobileNetHandler(tf, dir) {
  return {
    load: async () => {
      const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const shards = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
        const bytes = new Uint8Array(Buffer.concat(shards));
        return [manifest.flatMap((g) => g.weights), bytes.buffer];
      });
    },
  };
}
