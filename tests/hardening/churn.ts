// Creating and disposing models and tensors in a loop: wasm memory must end where it started.
// Shared by the quick test (tests/hardening/memory-churn.test.ts) and the soak (npm run soak).
import { getBackend } from '../../src/backend/wasm.js';
import { layers, sequential, tensor } from '../../src/index.js';

export interface MemoryFigures {
  bytesInUse: number;
  bytesReserved: number;
}

export const wasmMemory = (): MemoryFigures => {
  const { bytesInUse, bytesReserved } = getBackend().memory;
  return { bytesInUse, bytesReserved };
};

/** Builds, runs once and disposes `count` small CNNs; returns wasm memory before and after. */
export function churnModels(count: number): { before: MemoryFigures; after: MemoryFigures } {
  const before = wasmMemory();
  const x = tensor(new Float32Array(2 * 64).fill(0.5), [2, 8, 8, 1]);
  for (let i = 0; i < count; i++) {
    const model = sequential({ inputShape: [8, 8, 1], seed: i, layers: [
      layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }), layers.maxPool2d(),
      layers.flatten(), layers.dense({ units: 4, activation: 'softmax' }),
    ] });
    model.predict(x).dispose();
    model.dispose();
  }
  x.dispose();
  return { before, after: wasmMemory() };
}

/** Makes and disposes `count` tensors of varied sizes; returns wasm memory before and after. */
export function churnTensors(count: number): { before: MemoryFigures; after: MemoryFigures } {
  const before = wasmMemory();
  const values = new Float32Array(1024);
  for (let i = 0; i < count; i++) tensor(values.subarray(0, 1 + (i % 1024)), [1 + (i % 1024)]).dispose();
  return { before, after: wasmMemory() };
}
