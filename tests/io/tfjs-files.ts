// Shared by the TensorFlow.js interchange tests: TF.js models saved as tfjs-layers writes them, and
// convas-saved models read with TF.js's own model.json parsing. Files go through convas's own
// storage (src/io/handlers.ts), so the same tests run in Node, on a directory, and in a browser
// page, on IndexedDB: a location is whatever loadModel and model.save take there.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { destinationFor, sourceFor } from '../../src/io/handlers.js';
import { runsInNode } from '../../src/platform.js';
import { temporaryDirectory } from '../temporary-directory.js';

type Json = Record<string, any>;

let locations = 0;

/** A new, empty place for a model: a temporary directory in Node (removed when the test file ends), an IndexedDB name in a page. */
export async function newModelLocation(): Promise<string> {
  if (!runsInNode) return `indexeddb://convas-test-${Date.now()}-${++locations}`;
  return temporaryDirectory('io');
}

/** The name loadModel gives model.json at `location` in its errors (a path, or indexeddb://name/model.json). */
export async function modelFileName(location: string): Promise<string> {
  const source = await sourceFor(location);
  return source.describe(source.modelFile);
}

export async function readModelJson(location: string): Promise<Json> {
  const source = await sourceFor(location);
  return JSON.parse(new TextDecoder().decode(await source.read(source.modelFile)));
}

/** Replaces model.json at `location`, keeping the weights its manifest names (in one file). */
export async function writeModelJson(location: string, json: Json): Promise<void> {
  await writeTfjs(location, json, await readWeights(location, await readModelJson(location)));
}

/** The weights files a TF.js model.json names, joined in manifest order. */
async function readWeights(location: string, json: Json): Promise<Uint8Array<ArrayBuffer>> {
  const source = await sourceFor(location);
  const paths: string[] = (json.weightsManifest ?? []).flatMap((group: { paths: string[] }) => group.paths);
  const files = await Promise.all(paths.map((path) => source.read(path)));
  const bytes = new Uint8Array(files.reduce((n, f) => n + f.length, 0));
  files.reduce((at, f) => (bytes.set(f, at), at + f.length), 0);
  return bytes;
}

/** Stores a TF.js model.json and its weights, the manifest's groups joined into one weights file (the store names it). */
async function writeTfjs(location: string, json: Json, weights: Uint8Array<ArrayBuffer>): Promise<void> {
  const specs = (json.weightsManifest ?? []).flatMap((group: { weights: unknown[] }) => group.weights);
  await (await destinationFor(location)).write({
    weights,
    modelFile: (path) => new TextEncoder().encode(JSON.stringify({ ...json, weightsManifest: [{ paths: [path], weights: specs }] })),
  });
}

/** Saves a TF.js model as tfjs-layers writes it: model.json and its weights. */
export async function saveTfjs(model: tfl.LayersModel, location: string, includeOptimizer = false): Promise<void> {
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const json = {
      modelTopology: artifacts.modelTopology, format: artifacts.format, generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy, trainingConfig: artifacts.trainingConfig,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
    };
    await writeTfjs(location, json, new Uint8Array(tf.io.CompositeArrayBuffer.join(artifacts.weightData!)));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
  }), { includeOptimizer });
}

/** Reads a model written by convas's save(…, { format: 'tfjs' }) at `location` with TF.js's own model.json parsing. */
export async function loadInTfjs(location: string): Promise<tfl.LayersModel> {
  const json = await readModelJson(location);
  const bytes = await readWeights(location, json);
  return tfl.loadLayersModel({
    load: () => tf.io.getModelArtifactsForJSON(json as tf.io.ModelJSON, async (manifest) => [manifest.flatMap((g) => g.weights), bytes.buffer]),
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
