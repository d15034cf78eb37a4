// What the augmentation layers' tests share: running a built layer once, and training a model with
// augmentations 4 epochs straight against 2, save, load, 2 more.
import * as assert from 'uvu/assert';
import { getBackend } from '../../src/backend/wasm.js';
import type { Layer } from '../../src/layers/index.js';
import { ConfigError, type Model, init, layers, loadModel, sequential, tensor } from '../../src/index.js';
import { assertSameBits, random } from '../helpers.js';
import { newModelLocation } from '../io/tfjs-files.js';

/**
 * Runs a built layer forward (training or not; from stream position `state` if given) and backward
 * on x and dy; returns y and dx, and whether y is x's own buffer.
 */
export function runLayer(layer: Layer, batch: number, x: Float32Array, dy: Float32Array, training: boolean, state?: number) {
  const memory = getBackend().memory;
  const xPtr = memory.alloc(x.length * 4), dyPtr = memory.alloc(dy.length * 4);
  memory.f32(xPtr, x.length).set(x);
  memory.f32(dyPtr, dy.length).set(dy);
  layer.planBackward(true);
  layer.plan(batch);
  if (state !== undefined) (layer as Layer & { randomState: number }).randomState = state;
  const yPtr = layer.forward([xPtr], batch, training);
  const y = memory.f32(yPtr, batch * layer.outputSize).slice();
  const dx = memory.f32(layer.backward(dyPtr, batch, true)[0], x.length).slice();
  memory.free(xPtr);
  memory.free(dyPtr);
  return { y, dx, passedThrough: yPtr === xPtr };
}

/**
 * Trains augmentations() + a small convolutional classifier on images [6, 6, channels] 4 epochs, and
 * again 2 epochs, saved, loaded and 2 more: the weights must agree bit for bit. Returns the model
 * trained 4 epochs straight, the one saved after 2 and the one loaded.
 */
export async function assertResumesExactly(augmentations: () => Layer[], channels: number): Promise<{ whole: Model; first: Model; resumed: Model }> {
  await init();
  const make = () => {
    const net = sequential({ inputShape: [6, 6, channels], seed: 8, layers: [
      ...augmentations(), layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }), layers.flatten(),
      layers.dense({ units: 3, activation: 'softmax' }),
    ] });
    net.compile({ optimizer: { type: 'adam', learningRate: 0.01 }, loss: 'sparseCategoricalCrossentropy' });
    return net;
  };
  const rng = random(9);
  const x = tensor(rng.array(20 * 36 * channels), [20, 6, 6, channels]), y = tensor(Float32Array.from({ length: 20 }, (_, i) => i % 3), [20]);
  const whole = make();
  await whole.fit(x, y, { epochs: 4, batchSize: 5 });
  const first = make();
  await first.fit(x, y, { epochs: 2, batchSize: 5 });
  const dir = await newModelLocation();
  await first.save(dir);
  const resumed = await loadModel(dir);
  await resumed.fit(x, y, { epochs: 4, initialEpoch: 2, batchSize: 5 });
  resumed.getWeights().forEach((w, i) => assertSameBits(w.dataSync(), whole.getWeights()[i].dataSync(), `weight ${i}`));
  assert.ok(whole.getWeights().length > 0);
  return { whole, first, resumed };
}

/** At inference the layer hands x itself on, and dy back as dx. */
export function assertPassesThrough(layer: Layer, batch: number, x: Float32Array, dy: Float32Array): void {
  const inference = runLayer(layer, batch, x, dy, false);
  assert.ok(inference.passedThrough, `${layer.className}: inference passes the input through`);
  assertSameBits(inference.dx, dy, `${layer.className}: inference gradient`);
}

/** Saving a model with the layer (on images [6, 6, 1]) in TF.js's format is refused, naming the layer's class. */
export async function assertRefusedForTfjs(layer: Layer): Promise<void> {
  const net = sequential({ inputShape: [6, 6, 1], layers: [layer, layers.flatten(), layers.dense({ units: 3 })] });
  let refused: unknown;
  await net.save(await newModelLocation(), { format: 'tfjs' }).catch((error: unknown) => (refused = error));
  assert.instance(refused, ConfigError);
  assert.match((refused as Error).message, layer.className);
}
