// Loads the kernel module once. The wasm is inlined in the bundle, so this works the same in
// Node, in browsers and in workers, with nothing to serve or fetch.
//
// The module imports its memory. With one thread (the default) that memory is its own. With more,
// the same module with its memory marked shared (shared-memory-module.ts) imports one shared
// memory that kernel workers instantiate too (worker-pool.ts); this thread's instance is the only
// one whose memory is allocated from.
//
// Each of the two comes in a plain build (the default: the same bits on every engine) and a
// relaxed-SIMD build (relaxed-module.ts, a file of its own in the package), loaded only when
// init({ relaxedSimd: true }) asks and the engine runs it.
import plainModuleGzip from '../../build/convas.wasm.gz';
import { ConfigError, OutOfMemoryError, StateError } from '../errors.js';
import { importNodeBuiltin, runsInNode } from '../platform.js';
import { shownValue } from '../shown-value.js';
import { MAX_SLICES } from './batch-slices.js';
import { type JobRunner, SerialRunner } from './job-runner.js';
import type { Kernels } from './kernels.js';
import { MAX_PAGES, Memory } from './memory.js';
import { ParallelKernels } from './parallel-kernels.js';
import { withSharedMemory } from './shared-memory-module.js';
import { WorkerPool } from './worker-pool.js';

export interface Backend {
  kernels: Kernels;
  /** The batch-heavy kernels split over threads, with results independent of the thread count. */
  parallel: ParallelKernels;
  memory: Memory;
  /** Threads that run kernels, this one included. */
  threads: number;
  /** The build of the kernels that runs: 'relaxed' only if init({ relaxedSimd: true }) asked and the engine has it. */
  simd: SimdBuild;
}

/** 'plain' multiplies, then adds (bit-identical everywhere); 'relaxed' may fuse the two (machine-dependent bits). */
export type SimdBuild = 'plain' | 'relaxed';

export interface InitOptions {
  /**
   * Threads for the batch-heavy kernels: a number, or 'auto' for one per core; at most 8 are used. Default 1.
   * More than one needs SharedArrayBuffer: in browsers, a crossOriginIsolated page; elsewhere
   * convas notes it on the console and uses one. Fixed by the first init().
   */
  threads?: number | 'auto';
  /**
   * Load the relaxed-SIMD build of the kernels, if the engine runs it (else the plain build, silently).
   * Its multiply-adds may be fused, which can be faster, but results then differ in the last bits
   * from the default build and from one machine to another. Default false. Fixed by the first init().
   */
  relaxedSimd?: boolean;
}

/**
 * The smallest module with one relaxed-SIMD instruction (f32x4.relaxed_madd of its three v128
 * parameters): the engine runs the relaxed build exactly when it validates this.
 */
const RELAXED_SIMD_PROBE = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version 1
  0x01, 0x08, 0x01, 0x60, 0x03, 0x7b, 0x7b, 0x7b, 0x01, 0x7b, // type: (v128, v128, v128) → v128
  0x03, 0x02, 0x01, 0x00, // one function of that type
  0x0a, 0x0d, 0x01, 0x0b, 0x00, 0x20, 0x00, 0x20, 0x01, 0x20, 0x02, 0xfd, 0x85, 0x02, 0x0b, // its body
]);

/** One thread's memory: 64 KB pages, at most the 4 GiB of wasm32. */
const OWN_MEMORY = { initial: 1, maximum: MAX_PAGES.own };
/** Threads' shared memory: at most 2 GB (allocation traps past the maximum), reserved up front by engines. */
const SHARED_MEMORY = { initial: 16, maximum: MAX_PAGES.shared, shared: true };

let backend: Backend | undefined;
let loading: Promise<Backend> | undefined;
let relaxedSimdRuns: boolean | undefined;

/**
 * Loads the wasm kernels. Safe to call any number of times: later calls return the same backend.
 * The first call that runs decides the threads and the build; a later one asking for others throws.
 */
export async function init(options: InitOptions = {}): Promise<Backend> {
  const requested = checkThreads(options.threads);
  const simd = simdBuild(checkRelaxedSimd(options.relaxedSimd));
  // A load that failed (say, a worker that could not start) is not kept: the next init() tries again.
  loading ??= resolveThreads(requested).then((threads) => load(threads, simd)).catch((error) => {
    loading = undefined;
    throw error;
  });
  if (options.threads === undefined && options.relaxedSimd === undefined) return loading;
  return loading.then(async (loaded) => {
    const wanted = await resolveThreads(requested);
    if (options.threads !== undefined && wanted !== loaded.threads && !(wanted > 1 && !sharedMemoryAvailable())) {
      throw new StateError(`convas is already initialised with ${loaded.threads} thread(s); ` +
        `init({ threads: ${shownValue(options.threads)} }) cannot change that: pass the same threads to every init(), or none`);
    }
    // Asking for relaxed SIMD where the engine lacks it is no change: that init() would load the plain build too.
    if (options.relaxedSimd !== undefined && simd !== loaded.simd) {
      throw new StateError(`convas is already initialised with the ${loaded.simd} build of the kernels; ` +
        `init({ relaxedSimd: ${options.relaxedSimd} }) cannot change that: pass the same relaxedSimd to every init(), or none`);
    }
    return loaded;
  });
}

/** The loaded backend; throws a StateError naming the fix when init() has not finished. */
export function getBackend(): Backend {
  if (!backend) throw new StateError('convas is not initialised: call `await init()` before using tensors or models');
  return backend;
}

async function load(threads: number, simd: SimdBuild): Promise<Backend> {
  if (threads > 1 && !sharedMemoryAvailable()) {
    console.info(`convas: ${threads} threads need SharedArrayBuffer (in browsers, a crossOriginIsolated page); using 1 thread`);
    threads = 1;
  }
  let runner: (kernels: Kernels, memory: Memory) => JobRunner | Promise<JobRunner>;
  let instance: WebAssembly.Instance;
  const moduleBytes = await gunzip(simd === 'plain' ? plainModuleGzip : (await import('./relaxed-module.js')).default);
  if (threads === 1) {
    ({ instance } = await WebAssembly.instantiate(moduleBytes, { env: { memory: newMemory(OWN_MEMORY, threads) } }));
    runner = (kernels) => new SerialRunner(kernels);
  } else {
    const module = await WebAssembly.compile(withSharedMemory(moduleBytes));
    const memory = newMemory(SHARED_MEMORY, threads);
    instance = await WebAssembly.instantiate(module, { env: { memory } });
    runner = (kernels, heap) => WorkerPool.start(threads, module, kernels, heap);
  }
  const kernels = instance.exports as unknown as Kernels;
  const memory = new Memory(kernels);
  const parallel = new ParallelKernels(kernels, await runner(kernels, memory), memory);
  backend = { kernels, parallel, memory, threads, simd };
  return backend;
}

/**
 * The kernels' memory. An engine may refuse to reserve it (a shared one, for any count of threads,
 * is reserved whole, up front: 2 GiB, which phones' browsers may not spare): an OutOfMemoryError
 * saying what to do, not the engine's RangeError.
 */
function newMemory(descriptor: WebAssembly.MemoryDescriptor, threads: number): WebAssembly.Memory {
  try {
    return new WebAssembly.Memory(descriptor);
  } catch (error) {
    if (!(error instanceof RangeError)) throw error;
    const mb = (descriptor.maximum! * 65536) / 2 ** 20;
    throw new OutOfMemoryError(`init: the engine cannot reserve wasm memory of up to ${mb} MB for ${threads} thread(s) ` +
      `(it says: ${error.message}); ` + (threads > 1
      ? 'use one thread: init() on one does not reserve its memory up front (any more threads share one reservation of that size)'
      : 'free memory (close other tabs or programs) and call init() again'));
  }
}

function checkThreads(threads: unknown): number | 'auto' {
  if (threads === undefined) return 1;
  if (threads === 'auto' || (Number.isInteger(threads) && (threads as number) >= 1)) return threads as number | 'auto';
  throw new ConfigError(`init: threads must be a positive integer or 'auto', got ${shownValue(threads)}`);
}

function checkRelaxedSimd(relaxedSimd: unknown): boolean {
  if (relaxedSimd === undefined || typeof relaxedSimd === 'boolean') return relaxedSimd === true;
  throw new ConfigError(`init: relaxedSimd must be true or false, got ${shownValue(relaxedSimd)}`);
}

/**
 * The relaxed build only where asked and where the engine validates relaxed SIMD (Chromium does;
 * Node 20 only with --experimental-wasm-relaxed-simd).
 */
function simdBuild(relaxedSimd: boolean): SimdBuild {
  if (!relaxedSimd) return 'plain';
  relaxedSimdRuns ??= WebAssembly.validate(RELAXED_SIMD_PROBE);
  return relaxedSimdRuns ? 'relaxed' : 'plain';
}

/** 'auto' is one thread per core; no count goes past MAX_SLICES, the slices of a sum over the batch. */
async function resolveThreads(threads: number | 'auto'): Promise<number> {
  if (threads !== 'auto') return Math.min(threads, MAX_SLICES);
  const cores = typeof navigator !== 'undefined' && navigator.hardwareConcurrency
    ? navigator.hardwareConcurrency
    : runsInNode ? (await importNodeBuiltin<typeof import('node:os')>('node:os')).availableParallelism() : 1;
  return Math.min(cores, MAX_SLICES);
}

/** Decompresses with the platform's own gzip (browsers, workers and Node 18+ all have DecompressionStream). */
async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

function sharedMemoryAvailable(): boolean {
  if (typeof SharedArrayBuffer === 'undefined') return false;
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated;
  return isolated !== false && (typeof Worker !== 'undefined' || typeof process !== 'undefined');
}
