import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { FileFormatError } from '../../src/errors.js';
import { withSharedMemory } from '../../src/backend/shared-memory-module.js';

/** A module whose only import is env.memory with limits (1, 65536), as the kernels' builds are. */
const IMPORTS_MEMORY = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
  0x02, 0x12, 0x01, 0x03, 0x65, 0x6e, 0x76, 0x06, 0x6d, 0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x01, 0x01, 0x80, 0x80, 0x04,
]);

test('the module with its memory marked shared links to a shared memory, and the original to an unshared one only', async () => {
  const shared = new WebAssembly.Memory({ initial: 1, maximum: 16, shared: true });
  const own = new WebAssembly.Memory({ initial: 1, maximum: 16 });
  await WebAssembly.instantiate(withSharedMemory(IMPORTS_MEMORY), { env: { memory: shared } });
  await WebAssembly.instantiate(IMPORTS_MEMORY, { env: { memory: own } });
  let refused = false;
  await WebAssembly.instantiate(IMPORTS_MEMORY, { env: { memory: shared } }).catch(() => { refused = true; });
  assert.ok(refused, 'an unshared memory import refuses a shared memory (so the bit is what matters)');
  assert.equal(IMPORTS_MEMORY[IMPORTS_MEMORY.length - 4], 0x01, 'the input is not changed');
});

test('a module without an env.memory import is refused by name', () => {
  const noImports = IMPORTS_MEMORY.slice(0, 8);
  assert.throws(() => withSharedMemory(noImports), (e: Error) => e instanceof FileFormatError && /no imported memory env\.memory/.test(e.message));
  const otherImport = IMPORTS_MEMORY.slice();
  otherImport.set([0x6d, 0x65, 0x6d], 19); // env.memory → env.memmem: another name
  assert.throws(() => withSharedMemory(otherImport), (e: Error) => e instanceof FileFormatError && /unexpected import env\.mem/.test(e.message));
});

test.run();
