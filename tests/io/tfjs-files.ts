// Shared by the TensorFlow.js interchange tests: TF.js models saved to a directory as tfjs-layers
// writes them, and convas-saved directories read with TF.js's own model.json parsing.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** Saves a TF.js model as model.json plus its weights split over two shards (as tfjs-converter does for big models). */
export async function saveTfjs(model: tfl.LayersModel, dir: string, includeOptimizer = false): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!));
    const half = Math.floor(data.length / 8) * 4;
    await writeFile(join(dir, 'group1-shard1of2.bin'), data.slice(0, half));
    await writeFile(join(dir, 'group1-shard2of2.bin'), data.slice(half));
    await writeFile(join(dir, 'model.json'), JSON.stringify({
      modelTopology: artifacts.modelTopology, format: artifacts.format, generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy, trainingConfig: artifacts.trainingConfig,
      weightsManifest: [{ paths: ['group1-shard1of2.bin', 'group1-shard2of2.bin'], weights: artifacts.weightSpecs }],
    }));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer });
}

/** Reads a directory written by convas's save(…, { format: 'tfjs' }) with TF.js's own model.json parsing. */
export async function loadInTfjs(dir: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  return tfl.loadLayersModel({
    load: () => tf.io.getModelArtifactsForJSON(json, async (manifest) => {
      const shards = await Promise.all(manifest.flatMap((g) => g.paths).map((p) => readFile(join(dir, p))));
      const bytes = new Uint8Array(Buffer.concat(shards));
      return [manifest.flatMap((g) => g.weights), bytes.buffer];
    }),
  });
}

/** A TF.js model's topology and its weights by name, as tfjs-layers saves them: for writing files as tfjs-converter does. */
export async function tfjsArtifacts(model: tfl.LayersModel): Promise<{ topology: unknown; weights: Array<{ name: string; shape: number[]; values: Float32Array }> }> {
  let result: Awaited<ReturnType<typeof tfjsArtifacts>> | undefined;
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const data = tf.io.CompositeArrayBuffer.join(artifacts.weightData!);
    let offset = 0;
    const weights = artifacts.weightSpecs!.map((spec) => {
      const size = spec.shape.reduce((a, b) => a * b, 1);
      const values = new Float32Array(data.slice(offset, offset + size * 4));
      offset += size * 4;
      return { name: spec.name, shape: spec.shape, values };
    });
    result = { topology: artifacts.modelTopology, weights };
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }));
  return result!;
}
