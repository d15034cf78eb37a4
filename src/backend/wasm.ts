// Loads the kernel module once. The wasm is inlined in the bundle, so this works the same in
// Node, in browsers and in workers, with nothing to serve or fetch.
import wasmBytes from '../../build/convas.wasm';
import { StateError } from '../errors.js';
import type { Kernels } from './kernels.js';
import { Memory } from './memory.js';

export interface Backend {
  kernels: Kernels;
  memory: Memory;
}

let backend: Backend | undefined;
let loading: Promise<Backend> | undefined;

/** Loads the wasm kernels. Safe to call any number of times; later calls return the same backend. */
export function init(): Promise<Backend> {
  loading ??= WebAssembly.instantiate(wasmBytes, {}).then(({ instance }) => {
    const kernels = instance.exports as unknown as Kernels;
    backend = { kernels, memory: new Memory(kernels) };
    return backend;
  });
  return loading;
}

/** The loaded backend; throws a StateError naming the fix when init() has not finished. */
export function getBackend(): Backend {
  if (!backend) throw new StateError('convas is not initialised: call `await init()` before using tensors or models');
  return backend;
}
