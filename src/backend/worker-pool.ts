// Kernel threads: workers that instantiate the threads build of the kernels over the main
// thread's shared memory and run the slices of jobs with it. Workers never allocate: they only
// call kernels on the pointers a job gives them. Each worker is started from source text (no file
// to find or serve, so the single-file bundle keeps working): Node worker_threads with eval, or a
// Blob URL in browsers. Node modules are only ever imported dynamically, on Node.
import { ConfigError, StateError } from '../errors.js';
import { importNodeBuiltin, runsInNode } from '../platform.js';
import { type JobRunner, SerialRunner, jobArgsLength, jobKernels } from './job-runner.js';
import {
  CLOSED, JOB_HEADER, JOB_HEADER_WORDS, JOB_KERNELS, MAX_JOB_ARGS, SPIN_MS, finishJob, joinJob, openJob, runClaimedSlices, serveKernelJobs, spinWhile,
} from './kernel-jobs.js';
import type { Kernels } from './kernels.js';
import type { Memory } from './memory.js';

/** Below this many flops a job runs on the calling thread: waking workers costs tens of µs. */
export const MIN_PARALLEL_WORK = 200_000;

/** Every thread but a browser page's main thread may block in Atomics.wait. */
const canBlock = runsInNode || typeof (globalThis as { WorkerGlobalScope?: unknown }).WorkerGlobalScope !== 'undefined';

interface WorkerSetup {
  module: WebAssembly.Module;
  memory: WebAssembly.Memory;
  header: number;
  args: number;
  thread: number;
  kernelNames: readonly string[];
}

/**
 * What a worker runs: receive the setup, instantiate, say ready, then serve jobs until the end. A
 * failed instantiation is said too: in a browser its rejection would reach no one, and the start would wait for good.
 */
function workerMain(
  listen: (receive: (setup: WorkerSetup) => void) => void, reply: (message: string) => void,
  serve: typeof serveKernelJobs, run: typeof runClaimedSlices, join: typeof joinJob, spin: typeof spinWhile,
  layout: typeof JOB_HEADER, headerWords: number, argsLength: number, maxArgs: number, spinMs: number, closed: number,
): void {
  listen(async ({ module, memory, header, args, thread, kernelNames }) => {
    let instance: WebAssembly.Instance;
    try {
      instance = await WebAssembly.instantiate(module, { env: { memory } });
    } catch (error) {
      reply(`failed: ${(error as Error)?.message ?? error}`);
      return;
    }
    const exports = instance.exports as Record<string, (...a: number[]) => unknown>;
    const kernels = kernelNames.map((name) => exports[name]);
    const headerView = new Int32Array(memory.buffer, header, headerWords);
    const argsView = new Uint32Array(memory.buffer, args, argsLength);
    reply('ready');
    serve(headerView, argsView, kernels, thread, layout, maxArgs, spinMs, run, join, spin, closed);
  });
}

/** The worker's whole program, from the functions above (their source text, not their names). */
function workerSource(): string {
  const start = `(${workerMain.toString()})(listen, reply, ${serveKernelJobs.toString()}, ${runClaimedSlices.toString()}, ${joinJob.toString()}, ${spinWhile.toString()},
      ${JSON.stringify(JOB_HEADER)}, ${JOB_HEADER_WORDS}, ${jobArgsLength}, ${MAX_JOB_ARGS}, ${SPIN_MS}, ${CLOSED});`;
  // In Node, import() rather than require: a worker's source is read as a module when the process
  // runs with --input-type=module (node -e, code piped in), which workers inherit, and as CommonJS otherwise.
  return runsInNode
    ? `import('node:worker_threads').then(({ parentPort: port }) => {
         const listen = (receive) => port.once('message', receive);
         const reply = (message) => port.postMessage(message);
         ${start}
       });`
    : `const listen = (receive) => { self.onmessage = (event) => receive(event.data); };
       const reply = (message) => self.postMessage(message);
       ${start}`;
}

/**
 * Why a kernel worker did not start: a setting that forbids workers (`forbiddenUnless` says what to
 * allow) is a ConfigError; anything else is the worker's own failure, told as it was.
 */
function workerStartError(reason: string | undefined, forbiddenUnless: string | undefined): Error {
  const said = reason ? ` (${reason})` : '';
  return forbiddenUnless ? new ConfigError(`init: a kernel worker could not start${said}; expected ${forbiddenUnless}, or use init() on one thread`)
    : new StateError(`init: a kernel worker could not start${said}; init() on one thread needs no workers`);
}

interface KernelWorker {
  terminate(): unknown;
}

/** The worker's first message: 'ready', or why it could not instantiate the kernels. */
const readyOrFailed = (message: unknown, resolve: () => void, reject: (error: Error) => void) =>
  (message === 'ready' ? resolve() : reject(workerStartError(String(message).replace(/^failed: /, ''), undefined)));

/** Starts one worker; `created` has it as soon as it exists, to stop it if another fails. */
async function startWorker(source: string, setup: WorkerSetup, created: (worker: KernelWorker) => void): Promise<KernelWorker> {
  if (runsInNode) {
    const { Worker } = await importNodeBuiltin<typeof import('node:worker_threads')>('node:worker_threads');
    // Node's permission model (--experimental-permission) refuses worker threads unless --allow-worker.
    const refused = (error: unknown) => workerStartError((error as Error).message,
      (error as { code?: string }).code === 'ERR_ACCESS_DENIED' ? 'Node to allow worker threads (--allow-worker where permissions are on)' : undefined);
    let worker: import('node:worker_threads').Worker;
    try {
      worker = new Worker(source, { eval: true });
    } catch (error) {
      throw refused(error);
    }
    created(worker);
    worker.unref(); // idle kernel threads must not keep the process alive
    const ready = new Promise<void>((resolve, reject) => {
      worker.once('message', (message) => readyOrFailed(message, resolve, reject));
      worker.once('error', (error) => reject(refused(error)));
    });
    worker.postMessage(setup);
    await ready;
    return worker;
  }
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  created(worker);
  const ready = new Promise<void>((resolve, reject) => {
    worker.onmessage = (event) => readyOrFailed(event.data, resolve, reject);
    // A page's Content-Security-Policy may forbid workers from blob: URLs: the error event then has no message.
    worker.onerror = (event) => reject(workerStartError(event.message,
      event.message ? undefined : 'a page that allows workers from blob: URLs (a Content-Security-Policy needs worker-src blob:)'));
  });
  worker.postMessage(setup);
  try {
    await ready;
  } finally {
    URL.revokeObjectURL(url);
  }
  return worker;
}

export class WorkerPool implements JobRunner {
  readonly header: Int32Array;
  readonly args: Uint32Array;
  private readonly kernels: Array<(...args: number[]) => unknown>;
  private readonly serial: SerialRunner;

  private constructor(
    readonly threads: number, kernels: Kernels, headerPtr: number, argsPtr: number,
    /** Held so the workers live as long as the pool. */
    private readonly workers: KernelWorker[],
  ) {
    const buffer = kernels.memory.buffer; // a SharedArrayBuffer: growing memory never detaches it
    this.header = new Int32Array(buffer, headerPtr, JOB_HEADER_WORDS);
    this.args = new Uint32Array(buffer, argsPtr, jobArgsLength);
    this.kernels = jobKernels(kernels);
    this.serial = new SerialRunner(kernels, this.header, this.args);
  }

  /** Starts threads − 1 workers on `module` (the main instance's threads build, plain or relaxed) and its memory. */
  static async start(threads: number, module: WebAssembly.Module, kernels: Kernels, memory: Memory): Promise<WorkerPool> {
    const headerPtr = memory.alloc(JOB_HEADER_WORDS * 4);
    const argsPtr = memory.alloc(jobArgsLength * 4);
    memory.i32(headerPtr, JOB_HEADER_WORDS).fill(0)[JOB_HEADER.joined] = CLOSED;
    const source = workerSource();
    // On the first failure every worker started is stopped, those still starting too (one that
    // never answers would otherwise hold the start for good); a worker started after it, at once.
    const started: KernelWorker[] = [];
    let failed = false;
    const created = (worker: KernelWorker) => (failed ? worker.terminate() : started.push(worker));
    try {
      const workers = await Promise.all(Array.from({ length: threads - 1 }, (_, i) => startWorker(source, {
        module, memory: kernels.memory, header: headerPtr, args: argsPtr, thread: i + 1, kernelNames: JOB_KERNELS,
      }, created)));
      return new WorkerPool(threads, kernels, headerPtr, argsPtr, workers);
    } catch (error) {
      failed = true;
      for (const worker of started) worker.terminate();
      throw error;
    }
  }

  run(work: number): void {
    const h = this.header;
    // A single slice (a batch of one) has nothing to share: waking the workers would only make this
    // thread wait for them to find that out.
    if (work < MIN_PARALLEL_WORK || h[JOB_HEADER.sliceCount] < 2) {
      this.serial.run();
      return;
    }
    openJob(h, this.threads);
    let mainError: unknown;
    try {
      runClaimedSlices(h, this.args, this.kernels, 0, JOB_HEADER, MAX_JOB_ARGS);
    } catch (error) {
      mainError = error;
    }
    // The next job may only be written once no worker can be in this one.
    finishJob(h, canBlock, SPIN_MS);
    if (mainError) throw mainError;
    if (h[JOB_HEADER.failed]) throw new StateError('convas: a kernel failed in a worker thread');
  }
}
