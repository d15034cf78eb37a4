// An engine that cannot reserve the threads' shared memory (2 GiB, reserved whole when it is made:
// phones' browsers may not spare it) makes init() fail with an OutOfMemoryError saying what to do,
// not the engine's RangeError; and init() may be called again.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { OutOfMemoryError, init } from '../../src/index.js';

test('init with threads where the shared memory cannot be reserved: an OutOfMemoryError naming the size; init() then works', async () => {
  const EngineMemory = WebAssembly.Memory;
  // What V8 throws when it cannot reserve a memory (Safari says "Out of memory").
  const refusingShared = function (descriptor: WebAssembly.MemoryDescriptor) {
    if (descriptor.shared) throw new RangeError('WebAssembly.Memory(): could not allocate memory');
    return new EngineMemory(descriptor);
  };
  WebAssembly.Memory = refusingShared as unknown as typeof WebAssembly.Memory;
  let caught: unknown;
  try {
    await init({ threads: 2 });
  } catch (error) {
    caught = error;
  } finally {
    WebAssembly.Memory = EngineMemory;
  }
  assert.instance(caught, OutOfMemoryError, `got ${caught}`);
  assert.match((caught as Error).message, /^init: the engine cannot reserve wasm memory of up to 2048 MB for 2 thread\(s\) \(it says: WebAssembly\.Memory\(\): could not allocate memory\); use one thread: init\(\) on one does not reserve/);
  assert.is((await init({ threads: 2 })).threads, 2, 'a later init() tries again');
});

test.run();
