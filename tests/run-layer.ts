// Runs one layer, built for one input shape, forward and backward on a batch at given values, and
// hands back everything as JS arrays: for tests that compare a layer with a reference.
import { getBackend } from '../src/backend/wasm.js';
import type { Layer } from '../src/layers/index.js';
import { seededRandom } from '../src/random.js';
import { gradientOf } from './helpers.js';

export interface LayerRun {
  outputShape: number[];
  y: Float32Array;
  /** The output gradient used, from `dyOf(output length)`. */
  dy: Float32Array;
  dx: Float32Array;
  /** Each weight's gradient, in the layer's order. */
  grads: Float32Array[];
}

/** Builds `layer`, sets its weights (in its order) when given, runs forward (training) and backward, and releases it. */
export function runLayer(layer: Layer, inputShape: number[], batch: number, x: Float32Array,
  dyOf: (outLength: number) => Float32Array, weights?: Float32Array[]): LayerRun {
  const memory = getBackend().memory;
  layer.build([inputShape], seededRandom(1));
  layer.planBackward(true);
  layer.plan(batch);
  weights?.forEach((w, i) => memory.f32(layer.params[i].value, w.length).set(w));
  const xPtr = memory.alloc(x.length * 4);
  let dyPtr = 0;
  try {
    memory.f32(xPtr, x.length).set(x);
    const outLength = batch * layer.outputSize;
    const y = memory.f32(layer.forward([xPtr], batch, true), outLength).slice();
    const dy = dyOf(outLength);
    dyPtr = memory.alloc(outLength * 4);
    memory.f32(dyPtr, outLength).set(dy);
    const [dxPtr] = layer.backward(dyPtr, batch, true);
    const dx = memory.f32(dxPtr, x.length).slice();
    return { outputShape: [...layer.outputShape], y, dy, dx, grads: layer.params.map(gradientOf) };
  } finally {
    memory.free(xPtr);
    if (dyPtr) memory.free(dyPtr);
    layer.release();
  }
}
