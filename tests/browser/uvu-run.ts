// Imported after the test files: runs the queued tests. uvu reports through console.log, which
// the browser test reads; `testsDone` tells it the report is complete, and which build ran.
import { exec } from 'uvu';
import { getBackend } from '../../src/backend/wasm.js';

await exec();
(globalThis as { testsDone?: { simd: string } }).testsDone = { simd: getBackend().simd };
